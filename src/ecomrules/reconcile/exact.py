"""The exact-reference rule: the lines a reference settles alone, one definition for both engines.

Most statement lines name one open item by a reference and pay it exactly.
For such a line the blockers add no other candidate and the scorer stops
among the first comparisons, so its decision is known from two facts of
the pair: how the reference matched (:data:`REF_KINDS`) and how far the
booking is from the due date (:data:`DATE_KINDS`). The embedded matcher
(:mod:`ecomrules.reconcile.engine`) and the Spark engine
(:mod:`ecomrules.reconcile.spark`) both decide those lines set-wise from
:func:`exact_verdicts`, without blocking or scoring them one by one, and
both only when :func:`exact_cases` says the settings make the shortcut
exact (ADR 0050, ADR 0100).

A line qualifies when its reference (the reference blocker's key), else the
tokens of its text (as the text blocker looks them up), reach exactly one
open item, of the line's currency, whose residual (not zero) equals the
line's amount, with no PSP fee and no invalid IBAN. Another line claiming
the same item is settled by the engines' common share-out, as any claim.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from operator import attrgetter

from attrs import frozen

from ecomrules.reconcile.blocking import (
    REF_TEXT,
    AmountBlocker,
    BlockingContext,
    PartyBlocker,
    ReferenceBlocker,
    TextReferenceBlocker,
)
from ecomrules.reconcile.checksums import structured_kind
from ecomrules.reconcile.comparison import (
    AmountComparison,
    DateComparison,
    Level,
    ReferenceComparison,
    weight_floors,
)
from ecomrules.reconcile.decision import Proposal, bits
from ecomrules.reconcile.index import ItemIndex
from ecomrules.reconcile.records import LineRecord, normalise_references
from ecomrules.reconcile.settings import MatcherSettings

__all__ = [
    "DATE_KINDS",
    "REF_KINDS",
    "ExactRule",
    "Verdict",
    "date_kind",
    "exact_cases",
    "exact_verdicts",
]

REF_KINDS = ("structured", "exact", "normalised", "in_text")
"""How the reference matched: the :class:`ReferenceComparison` level's attribute names."""
DATE_KINDS = ("near", "far", "distant")
"""How far the booking is from the due date: the :class:`DateComparison` level's names."""

_FAR = 365  # days: DateComparison's "within a year"
_REFERENCES = attrgetter("references")


@frozen
class Verdict:
    """The decision of a qualifying line with these reference and date kinds."""

    ref_kind: str
    date_kind: str
    auto: bool
    total: float
    """The pair's total weight (bits)."""
    levels: tuple[Level, ...]
    """The levels the scorer reads before it stops: the match's contributions."""


def exact_cases(settings: MatcherSettings) -> tuple[bool, bool]:
    """Whether a line's reference (``[0]``) or a token of its text (``[1]``) hitting one item
    paid exactly makes that item its only candidate, under these blockers.

    The blockers then add nothing more: the text, amount and party
    blockers skip a line that has a candidate of its exact amount (found by
    a reference) when they run after the reference blockers, with
    ``only_unresolved``. Any other arrangement (another blocker among them)
    leaves every line to the general path.
    """
    rank = {ReferenceBlocker: 0, TextReferenceBlocker: 1, AmountBlocker: 2, PartyBlocker: 2}
    ranks = [rank.get(type(b), -1) for b in settings.blockers]
    if (
        -1 in ranks
        or ranks != sorted(ranks)
        or not all(getattr(b, "only_unresolved", True) for b in settings.blockers)
    ):
        return False, False
    return 0 in ranks, 1 in ranks


def exact_verdicts(settings: MatcherSettings) -> list[Verdict]:
    """The decision of a line whose only candidate it pays exactly, for each reference kind
    and date kind where it does not depend on anything else.

    Worked out as the engine scores a lone candidate (:func:`decision._score_only
    <ecomrules.reconcile.decision>`): the comparisons in order, stopping as soon
    as the rest cannot undo ``auto``. When the reference, amount and date
    comparisons come first and the stop falls among them, the decision is
    one of these verdicts; below the review threshold (a refusal), or when
    another comparison (the party's) would decide, there is none: such
    lines go the general way.
    """
    compares = settings.comparisons
    if (
        len(compares) < 2
        or not isinstance(compares[0], ReferenceComparison)
        or not isinstance(compares[1], AmountComparison)
    ):
        return []
    date = compares[2] if len(compares) > 2 and isinstance(compares[2], DateComparison) else None
    floors = weight_floors(compares)  # the scorer's own
    auto_bits = bits(settings.auto_threshold)
    review_bits = bits(settings.review_threshold)
    verdicts: list[Verdict] = []
    for ref_kind in REF_KINDS:
        for kind in DATE_KINDS:
            picks = [getattr(compares[0], ref_kind), compares[1].exact]
            if date is not None:
                picks.append(getattr(date, kind))
            total = settings.prior
            levels: list[Level] = []
            for k, level in enumerate(picks):
                levels.append(level)
                total += level.weight
                if total + floors[k] >= auto_bits:
                    break
            else:
                if len(picks) < len(compares):
                    continue  # the next comparison decides: not here
            if total < review_bits:
                continue
            verdicts.append(Verdict(ref_kind, kind, total >= auto_bits, total, tuple(levels)))
    return verdicts


def date_kind(gap: int, date: DateComparison) -> str:
    """The :data:`DATE_KINDS` name of ``booking - due`` days, as ``date`` compares them."""
    if -date.near_before <= gap <= date.near_after:
        return "near"
    return "far" if -_FAR <= gap <= _FAR else "distant"


def _pays_exactly(line: LineRecord, residual: int, currency: str) -> bool:
    """Whether ``line`` pays an item of this residual and currency exactly: the
    same amount, not zero, in the item's currency, with no PSP fee beside it
    (the one amount condition of both set-wise steps)."""
    paid = line.cents
    return residual == paid and bool(paid) and not line.fee and currency == line.currency


class ExactRule:
    """The rule as the embedded matcher applies it: the verdicts by reference, then date kind.

    Built once per run from the settings; ``by_reference`` and ``by_text``
    are :func:`exact_cases`. :meth:`by_references` decides the lines whose
    one reference settles an item before any blocker runs;
    :meth:`by_tokens` the lines the text blockers left with one candidate
    found in their text, before the other blockers and the scorer.
    """

    def __init__(self, settings: MatcherSettings) -> None:
        self.by_reference, self.by_text = exact_cases(settings)
        self.verdicts: dict[str, dict[str, Verdict]] = {}
        """The verdicts by reference kind, then date kind (:func:`exact_verdicts`)."""
        for verdict in exact_verdicts(settings):
            self.verdicts.setdefault(verdict.ref_kind, {})[verdict.date_kind] = verdict
        date = next((c for c in settings.comparisons if isinstance(c, DateComparison)), None)
        self.date = date or DateComparison()
        if not self.verdicts:
            self.by_reference = self.by_text = False

    def by_references(
        self, lines: Sequence[LineRecord], index: ItemIndex, skip: Collection[int]
    ) -> dict[int, Proposal]:
        """The proposals of the lines whose one reference reaches one item paid exactly.

        The reference is normalised as the reference blocker normalises it
        (all of them in one pass), its key looked up in the index's key
        table; the reference kind is the reference comparison's, the date
        kind the date comparison's. Lines at positions in ``skip`` (an
        invalid IBAN) are left out.
        """
        if not self.by_reference:
            return {}
        refs_of = list(map(_REFERENCES, lines))
        at = [i for i, refs in enumerate(refs_of) if len(refs) == 1]
        refs = [refs_of[i][0] for i in at]
        by_key = index.by_key
        keys = normalise_references(refs)
        hits = list(map(by_key.get, keys))  # one pass in C: the key table is large
        if "" in by_key:  # an item without a number: the blocker looks its empty key up
            hits = [hit if key else None for key, hit in zip(keys, hits, strict=True)]
        residuals = index.residuals
        currencies = index.currencies
        items = index.items
        verdicts = self.verdicts
        date = self.date
        out: dict[int, Proposal] = {}
        for k, hit in enumerate(hits):
            if hit is None:
                continue
            if not isinstance(hit, int):  # a key several rows bear: one item twice at most
                first = hit[0]
                if any(other != first for other in hit):
                    continue
                hit = first
            i = at[k]
            line = lines[i]
            if not _pays_exactly(line, residuals[hit], currencies[hit]):
                continue
            item = items[hit]
            ref = refs[k]
            if ref == item.reference and structured_kind(ref) is not None:
                kinds = verdicts.get("structured")
            elif ref == item.number or ref == item.reference or ref == item.order_id:
                kinds = verdicts.get("exact")
            else:
                kinds = verdicts.get("normalised")
            verdict = kinds.get(date_kind(line.day - item.due, date)) if kinds else None
            if verdict is None or (skip and i in skip):
                continue
            out[i] = Proposal(i, verdict.auto, verdict.total, [(hit, line.cents)], verdict.levels)
        return out

    def by_tokens(self, blocking: BlockingContext, skip: Collection[int]) -> dict[int, Proposal]:
        """The proposals of the lines whose only candidate, found in their text, they pay exactly.

        Read from ``blocking`` once the reference and text blockers have run
        (and no other): a line whose one candidate was found by a token of
        its text alone. Positions are ``blocking``'s.
        """
        if not self.by_text:
            return {}
        in_text = self.verdicts.get("in_text")
        if not in_text:
            return {}
        index = blocking.index
        residuals = index.residuals
        currencies = index.currencies
        items = index.items
        lines = blocking.lines
        date = self.date
        out: dict[int, Proposal] = {}
        for i, found in enumerate(blocking.candidates):
            if found is None or len(found) != 1:
                continue
            ((hit, flags),) = found.items()
            if flags != REF_TEXT:
                continue
            line = lines[i]
            if i in skip or not _pays_exactly(line, residuals[hit], currencies[hit]):
                continue
            verdict = in_text.get(date_kind(line.day - items[hit].due, date))
            if verdict is not None:
                out[i] = Proposal(
                    i, verdict.auto, verdict.total, [(hit, line.cents)], verdict.levels
                )
        return out
