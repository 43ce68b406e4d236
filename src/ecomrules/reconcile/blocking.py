"""Blockers: they propose candidate (line, item) pairs from hash tables, never n×m.

A blocker adds ``item index -> evidence flags`` entries to the candidate map
of each line it has something for. The flags tell the comparisons how the
pair was found, so a reference found by a hash join is not looked for again.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from itertools import compress
from operator import attrgetter, not_
from typing import Protocol, runtime_checkable

from attrs import frozen
from rapidfuzz import fuzz, process

from ecomrules.reconcile.index import ItemIndex, postings
from ecomrules.reconcile.records import (
    ItemRecord,
    LineRecord,
    normalise_reference,
    normalise_references,
)

__all__ = [
    "GROUP",
    "NAMED",
    "PARTY",
    "REF_KEY",
    "REF_TEXT",
    "SAME_AMOUNT",
    "AmountBlocker",
    "Blocker",
    "BlockingContext",
    "PartyBlocker",
    "ReferenceBlocker",
    "TextReferenceBlocker",
    "derive_reference_pattern",
    "reference_pattern",
    "reference_shapes",
]

REF_KEY = 1
"""A reference of the line equals a key of the item once normalised."""
REF_TEXT = 2
"""A reference of the item was found in the line's free text."""
SAME_AMOUNT = 4
"""The line's amount (or gross) equals the item's residual."""
PARTY = 8
"""The line's IBAN belongs to the item's partner."""
GROUP = 16
"""The line's IBAN belongs to a partner of the item's partner's group."""
NAMED = 32
"""The line's payer name is the item's partner's full name, and no other partner's."""


class BlockingContext:
    """What blockers read and write: the lines, the item index, the candidates so far.

    ``candidates[i]`` is ``None`` or a dict ``item index -> flags`` for line ``i``;
    ``missed_keys[i]`` holds reference-shaped keys of line ``i`` that joined
    nothing, for the fuzzy reference comparison.
    """

    def __init__(self, lines: Sequence[LineRecord], index: ItemIndex) -> None:
        self.lines = lines
        self.index = index
        self.candidates: list[dict[int, int] | None] = [None] * len(lines)
        self.missed_keys: dict[int, list[str]] = {}
        self.pairs_proposed = 0
        self._open: list[int] | None = None
        self._open_at = 0

    def add(self, line: int, item: int, flag: int) -> None:
        """Record that ``item`` is a candidate of ``line``, found by ``flag``."""
        found = self.candidates[line]
        if found is None:
            self.candidates[line] = {item: flag}
            self.pairs_proposed += 1
        elif item in found:
            found[item] |= flag
        else:
            found[item] = flag
            self.pairs_proposed += 1

    def open_lines(self) -> list[int]:
        """Lines with no candidate of their exact amount yet.

        Candidates only grow, so a line resolved stays resolved: the list is
        narrowed, not rebuilt, when blockers have added pairs since.
        """
        if self._open is None or self._open_at != self.pairs_proposed:
            candidates = self.candidates
            lines = self.lines
            residuals = self.index.residuals
            still: list[int] = []
            for i in range(len(lines)) if self._open is None else self._open:
                found = candidates[i]
                if found is not None:
                    line = lines[i]
                    paid = line.cents + line.fee
                    for j in found:  # a loop, not any(): no generator per line
                        if residuals[j] == paid:
                            break
                    else:
                        still.append(i)
                    continue
                still.append(i)
            self._open = still
        self._open_at = self.pairs_proposed
        return self._open

    def resolved(self, line: int) -> bool:
        """True when ``line`` has a candidate whose residual equals its amount (or gross)."""
        found = self.candidates[line]
        if found is None:
            return False
        record = self.lines[line]
        paid = record.cents + record.fee
        residuals = self.index.residuals
        return any(residuals[i] == paid for i in found)

    def name(self, text: str) -> str:
        """The normalised form of a party name (cached on the index)."""
        return self.index.normalised_name(text)

    def miss(self, line: int, key: str) -> None:
        """Remember a reference-shaped key of ``line`` that matched no item."""
        self.missed_keys.setdefault(line, []).append(key)


@runtime_checkable
class Blocker(Protocol):
    """A source of candidate pairs. ``name`` is its ``kind`` in the configuration."""

    @property
    def name(self) -> str:
        """The component's kind."""

    def block(self, ctx: BlockingContext) -> None:
        """Add candidate pairs to ``ctx``."""


@frozen
class ReferenceBlocker:
    """Hash join of the lines' structured references with the items' normalised keys."""

    name: str = "reference"

    def block(self, ctx: BlockingContext) -> None:
        """Join every line reference with the item keys."""
        by_key = ctx.index.by_key
        add = ctx.add
        refs = [(i, ref) for i, line in enumerate(ctx.lines) for ref in line.references]
        keys = normalise_references([ref for _, ref in refs])
        for (i, _), key in zip(refs, keys, strict=True):
            hit = by_key.get(key)
            if hit is None:
                if key:
                    ctx.miss(i, key)
            elif isinstance(hit, int):
                add(i, hit, REF_KEY)
            else:
                for item in hit:
                    add(i, item, REF_KEY)


_SEP = r"[ \-/.:#_]"
_SEP_PATTERN = re.compile(_SEP)
_HEAD = re.compile(r"^[^\S\n]*([A-Z]*)", re.MULTILINE)
"""The leading ASCII letters of each line, after its leading white space."""


def derive_reference_pattern(
    items: Sequence[ItemRecord], *, max_prefixes: int = 40
) -> re.Pattern[str]:
    """One regular expression for every reference shape of the open items.

    The letter prefixes of the numbers, references and order ids (``INV``,
    ``SO``...) followed by digit groups, RF creditor references, and
    digit-only references of the lengths seen. The pattern is matched against
    upper-cased text.
    """
    prefixes, lengths = reference_shapes(items)
    return reference_pattern(prefixes, lengths, max_prefixes=max_prefixes)


def reference_shapes(items: Sequence[ItemRecord]) -> tuple[Counter[str], set[int]]:
    """What the reference pattern is derived from: letter prefixes (counted), digit lengths.

    Both add up over any split of the items (counters add, sets unite): a
    distributed run derives the same pattern from its partitions' shapes.
    """
    raws = [
        *filter(None, map(attrgetter("number"), items)),
        *filter(None, map(attrgetter("reference"), items)),
        *filter(None, map(attrgetter("order_id"), items)),
    ]
    joined = "\n".join(raws).upper()
    if joined.count("\n") == len(raws) - 1:
        # one pass: each line's leading letters once stripped
        heads = _HEAD.findall(joined)
        prefixes = Counter(heads)
        bare = list(compress(raws, map(not_, heads)))
        prefixes.pop("", None)
        prefixes.pop("RF", None)
    else:  # a reference holds a line break: one text at a time
        prefixes = Counter()
        bare = []
        for raw in raws:
            text = raw.strip().upper()
            head = len(text) - len(text.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            if head == 0:
                bare.append(raw)
            elif text[:head] != "RF" or head != 2:
                prefixes[text[:head]] += 1
    lengths: set[int] = set()
    for raw in bare:
        digits = sum(ch.isdigit() for ch in raw.strip().upper())
        if digits >= 4:
            lengths.add(digits)
    return prefixes, lengths


def reference_pattern(
    prefixes: Counter[str], lengths: set[int], *, max_prefixes: int = 40
) -> re.Pattern[str]:
    """The pattern of :func:`derive_reference_pattern` from :func:`reference_shapes`."""
    # an RF reference is written whole or, on paper, in groups of four of which only
    # the last may be shorter (ISO 11649): the word after a short group is not its part
    alternatives = [r"(?P<rf>RF\d\d(?:[0-9A-Z]{1,21}|(?: [0-9A-Z]{4}){0,5} [0-9A-Z]{1,4}))"]
    if prefixes:
        # the most frequent, ties by name: the same pattern whatever the items' order
        frequent = sorted(prefixes.items(), key=lambda pair: (-pair[1], pair[0]))[:max_prefixes]
        chosen = sorted((p for p, _ in frequent), key=lambda p: (-len(p), p))
        names = "|".join(re.escape(p) for p in chosen)
        alternatives.append(rf"(?P<p>{names}){_SEP}{{0,3}}(?P<d>\d+(?:{_SEP}\d+){{0,3}})")
    if lengths:
        low, high = min(lengths), max(lengths)
        alternatives.append(rf"(?P<n>\d(?:[ \-/.+]?\d){{{low - 1},{high + 2}}})")
    return re.compile(r"(?<![0-9A-Z])(?:" + "|".join(alternatives) + r")(?![0-9A-Z])")


class TextReferenceBlocker:
    """References in free text: ONE pass of one derived pattern over all labels.

    The labels (and the references that joined nothing by themselves) are
    upper-cased and joined into one string; one ``finditer`` finds every
    reference-shaped token, each is normalised and looked up in the key table.
    With ``only_unresolved``, the labels of lines that already have a
    candidate of their exact amount are not scanned.
    """

    name = "text"

    def __init__(self, *, max_prefixes: int = 40, only_unresolved: bool = True) -> None:
        self.max_prefixes = max_prefixes
        self.only_unresolved = only_unresolved

    def block(self, ctx: BlockingContext) -> None:
        """Scan all labels once and add the items whose keys occur in them."""
        shared = ctx.index.shared
        if shared is None:
            pattern = derive_reference_pattern(ctx.index.items, max_prefixes=self.max_prefixes)
        else:  # a partition of a distributed run: the pattern of all the items
            prefixes, lengths = shared.reference_shapes
            pattern = reference_pattern(prefixes, lengths, max_prefixes=self.max_prefixes)
        parts: list[str] = []
        starts: list[int] = []
        position = 0
        lines = ctx.lines
        scanned = ctx.open_lines() if self.only_unresolved else range(len(lines))
        owners: list[int] = []
        for i in scanned:
            line = lines[i]
            text = line.label
            if ctx.candidates[i] is None and line.references:
                text = text + " | " + " | ".join(line.references)
            owners.append(i)
            starts.append(position)
            parts.append(text)
            position += len(text) + 1
        joined = "\n".join(parts).upper()
        by_key = ctx.index.by_key
        norm = normalise_reference
        right = bisect.bisect_right
        split = _SEP_PATTERN.split
        # (owner, prefix, digit groups or None, the token's text), in text order
        tokens: list[tuple[int, str, list[str] | None, str]] = []
        prefixed = "p" in pattern.groupindex  # not when no item number has a prefix
        for match in pattern.finditer(joined):
            owner = owners[right(starts, match.start()) - 1]
            prefix = match.group("p") if prefixed else None
            if prefix is not None:
                groups = split(match.group("d"))
                tokens.append((owner, prefix, groups, prefix + "".join(groups)))
            elif match.group("rf") is not None:
                groups = match.group().split(" ")
                tokens.append((owner, "", groups, "".join(groups)))
            else:
                tokens.append((owner, "", None, match.group()))
        keys = normalise_references([token[3] for token in tokens])
        for (owner, prefix, found, _), key in zip(tokens, keys, strict=True):
            hit = by_key.get(key)
            if found is not None:
                while hit is None and len(found) > 1:  # drop trailing groups (a date, a suffix)
                    found.pop()
                    hit = by_key.get(norm(prefix + "".join(found)))
            if hit is None:
                ctx.miss(owner, key)
                continue
            for item in postings(hit):
                ctx.add(owner, item, REF_TEXT)


def _narrowed(ctx: BlockingContext, crowded: list[int]) -> list[list[int]]:
    """The items of each crowded line's amount bucket that share something else with it.

    The payer's IBAN names their partner, the payer's name is their partner's
    (normalised), or a reference-shaped token of the line nearly equals
    their number (a typo): the amount plus one of these is a candidate. The
    names of all the lines are joined with the items' at once
    (:meth:`ItemIndex.named_with_amounts
    <ecomrules.reconcile.index.ItemIndex.named_with_amounts>`), an IBAN goes
    through its partner's few open items, and a near reference is one
    rapidfuzz pass over the bucket's numbers (listed once per amount).
    """
    index = ctx.index
    lines = ctx.lines
    named_lines = [i for i in crowded if lines[i].name]
    named = dict(
        zip(
            named_lines,
            index.named_with_amounts(
                [ctx.name(lines[i].name) for i in named_lines],
                [lines[i].cents + lines[i].fee for i in named_lines],
            ),
            strict=True,
        )
    )
    # the items of the IBAN's partners with the line's amount: one join too
    owners = [
        (i, partner)
        for i in crowded
        if lines[i].iban
        for partner in index.partners_by_iban.get(lines[i].iban, ())
    ]
    paid_to: dict[int, list[int]] = {}
    for (i, _), owned in zip(
        owners,
        index.owned_with_amounts(
            [partner for _, partner in owners],
            [lines[i].cents + lines[i].fee for i, _ in owners],
        ),
        strict=True,
    ):
        if owned:
            paid_to.setdefault(i, []).extend(owned)
    by_amount = index.by_amount
    out: list[list[int]] = []
    for i in crowded:
        line = lines[i]
        paid = line.cents + line.fee
        kept: set[int] = set(named.get(i, ()))
        kept.update(paid_to.get(i, ()))
        keys = [normalise_reference(r) for r in line.references]
        keys.extend(ctx.missed_keys.get(i, ()))
        if keys:
            bucket = postings(by_amount.get(paid))
            numbers = index.numbers_with_amount(paid)
            for key in keys:
                for _, _, position in process.extract(
                    key, numbers, scorer=fuzz.ratio, score_cutoff=_NEAR, limit=None
                ):
                    kept.add(bucket[position])
        out.append(sorted(kept))
    return out


_NEAR = 85.0


@frozen
class AmountBlocker:
    """Items whose residual equals the line's amount (or PSP gross).

    A bucket of more than ``max_bucket`` items is narrowed to those whose
    partner, partner name or number also matches the line. With
    ``only_unresolved``, lines that already have a candidate of their exact
    amount are skipped.
    """

    name: str = "amount"
    max_bucket: int = 5
    only_unresolved: bool = True

    def block(self, ctx: BlockingContext) -> None:
        """Join line amounts with item residuals."""
        by_amount = ctx.index.by_amount
        currencies = ctx.index.currencies
        shared = ctx.index.shared
        lines = ctx.lines
        crowded: list[int] = []  # narrowed all at once, after the others
        for i in ctx.open_lines() if self.only_unresolved else range(len(lines)):
            line = lines[i]
            paid = line.cents + line.fee
            hit = by_amount.get(paid)
            if hit is None:
                continue
            bucket = postings(hit)
            crowd = len(bucket) if shared is None else shared.amount_counts.get(paid, len(bucket))
            if crowd > self.max_bucket:
                crowded.append(i)
                continue
            for item in bucket:
                if currencies[item] == line.currency:
                    ctx.add(i, item, SAME_AMOUNT)
        if not crowded:
            return
        for i, bucket in zip(crowded, _narrowed(ctx, crowded), strict=True):
            if len(bucket) > self.max_bucket:
                continue
            currency = lines[i].currency
            for item in bucket:
                if currencies[item] == currency:
                    ctx.add(i, item, SAME_AMOUNT)


def _by_reference(found: dict[int, int]) -> bool:
    """True when a candidate was found by a reference."""
    for flags in found.values():  # noqa: SIM110 - a loop, not any(): no generator per line
        if flags & _BY_REFERENCE:
            return True
    return False


def _paid_to(found: dict[int, int], line: LineRecord, index: ItemIndex, partners: set[str]) -> bool:
    """True when a candidate of the line's exact amount belongs to one of ``partners``."""
    paid = line.cents + line.fee
    residuals = index.residuals
    for j in found:  # noqa: SIM110 - a loop, not any(): no generator per line
        if residuals[j] == paid and index.partners[j] in partners:
            return True
    return False


_BY_REFERENCE = REF_KEY | REF_TEXT


@frozen
class PartyBlocker:
    """The open items of the partner the payer is identified as (and of their group).

    The payer is identified by a valid IBAN on file (the line's IBAN belongs
    to the partner), else, with ``by_name``, by its name: the full name of
    exactly one partner, legal form included (:meth:`ItemIndex.partner_named
    <ecomrules.reconcile.index.ItemIndex.partner_named>`). With
    ``only_unresolved``, lines that already have a candidate found by a
    reference, or one of their exact amount from the same partner, are skipped.
    """

    name: str = "party"
    max_items: int = 60
    only_unresolved: bool = True
    by_name: bool = True

    def block(self, ctx: BlockingContext) -> None:
        """Join line IBANs with the partners' IBANs, else payer names, and take their items."""
        by_iban = ctx.index.partners_by_iban
        by_partner = ctx.index.by_partner
        index = ctx.index
        group_of = ctx.index.group_of
        candidates = ctx.candidates
        skip_resolved = self.only_unresolved
        by_name = self.by_name
        for i, line in enumerate(ctx.lines):
            iban = line.iban
            if not iban and not (by_name and line.name):
                continue
            found = candidates[i] if skip_resolved else None
            if found is not None and _by_reference(found):
                continue  # before the IBAN lookup: most lines are settled by a reference
            partners = by_iban.get(iban) if iban else None
            flag = PARTY
            if not partners:
                named = index.partner_named(line.name) if by_name and line.name else None
                if named is None:
                    continue
                partners, flag = {named}, NAMED
            if found is not None and _paid_to(found, line, index, partners):
                continue
            for partner in sorted(partners):
                owned = by_partner.get(partner, ())
                if len(owned) > self.max_items:
                    continue
                for item in owned:
                    ctx.add(i, item, flag)
            if group_of:
                self._add_group(ctx, i, partners)

    def _add_group(self, ctx: BlockingContext, i: int, partners: set[str]) -> None:
        """The open items of the other members of the payers' groups."""
        index = ctx.index
        for partner in sorted(partners):
            group = index.group_of.get(partner)
            if group is None:
                continue
            for member in index.group_members.get(group, ()):
                owned = index.by_partner.get(member, ())
                if member in partners or len(owned) > self.max_items:
                    continue
                for item in owned:
                    ctx.add(i, item, GROUP)
