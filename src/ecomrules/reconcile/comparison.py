"""Comparisons: ordered levels per pair, the first that applies wins.

Each comparison returns one :class:`Level` for a (line, item) pair: a stable
reason code and a weight in bits (a log2 likelihood ratio, as Splink and the
Fellegi-Sunter model have it). Levels are constants, so a pair costs a few
comparisons and no allocation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol, cast, runtime_checkable

from attrs import field, frozen
from rapidfuzz import fuzz

from ecomrules.fx import FxRates
from ecomrules.money import Currency
from ecomrules.reconcile.blocking import GROUP, PARTY, REF_KEY, REF_TEXT
from ecomrules.reconcile.checksums import structured_kind
from ecomrules.reconcile.index import ItemIndex
from ecomrules.reconcile.records import ItemRecord, LineRecord, normalise_reference

__all__ = [
    "AmountComparison",
    "Comparison",
    "ComparisonContext",
    "DateComparison",
    "Level",
    "LineScorer",
    "PartyComparison",
    "ReferenceComparison",
    "Tolerance",
]


@frozen
class Level:
    """One comparison level: its reason code, weight (bits) and a short description."""

    code: str
    weight: float
    description: str


def lowest_weight(comparison: object) -> float:
    """The lowest weight a comparison can give (its levels' minimum), ``-inf`` if unknown.

    The scorer uses it to stop early on a line's only candidate once no
    remaining comparison could bring the pair below the auto threshold.
    """
    weights = [
        value.weight
        for value in getattr(comparison, "__dict__", {}).values()
        if isinstance(value, Level)
    ]
    if not weights and hasattr(type(comparison), "__attrs_attrs__"):
        weights = [
            getattr(comparison, a.name).weight
            for a in type(comparison).__attrs_attrs__  # type: ignore[attr-defined]
            if isinstance(getattr(comparison, a.name), Level)
        ]
    return min(weights) if weights else -math.inf


def weight_floors(comparisons: Sequence[Comparison]) -> tuple[float, ...]:
    """``floors[k]``: the least the comparisons after the k-th can add to a pair's total.

    The scorer stops once the total plus this floor is sure of ``auto``; an
    engine that decides some lines elsewhere (Spark's exact-reference stage)
    stops at the same place by the same floors.
    """
    lows = [lowest_weight(c) for c in comparisons]
    return tuple(sum(lows[k + 1 :]) for k in range(len(lows)))


class ComparisonContext:
    """Shared, read-only facts the comparisons need, with small caches."""

    def __init__(
        self,
        index: ItemIndex,
        missed_keys: Mapping[int, list[str]],
        comparisons: tuple[Comparison, ...] = (),
    ) -> None:
        self.index = index
        self.missed_keys = missed_keys
        self.compares = tuple(c.compare for c in comparisons)
        """The bound ``compare`` methods, looked up once per run."""
        self.floors = weight_floors(comparisons)
        """``floors[k]``: the least the comparisons after the k-th can add."""
        self.amount = next(
            (c for c in comparisons if isinstance(c, AmountComparison)), AmountComparison()
        )
        """The amount comparison, whose tolerances the assigner applies."""
        self.rates = FxRates()
        """Exchange rates for pairs in two currencies (set by the matcher)."""
        self.auto_bits = math.inf
        """The total weight at which a pair is auto (set by the matcher)."""
        self.review_bits = math.inf
        """The total weight at which a pair is proposed for review (set by the matcher)."""
        self.name = index.normalised_name
        """The normalised form of a party name (cached on the index)."""
        self._missed: tuple[int, list[str]] = (-1, [])  # the last line's, see missed()
        self.name_scores: dict[tuple[str, str], float] = {}
        """(payer name, partner name), as written -> their fuzzy similarity (cached)."""
        self.scorer = LineScorer.of(comparisons)
        """Scores a line's pairs at once (the built-in comparisons), else None."""

    def missed(self, line_index: int, line: LineRecord) -> list[str]:
        """The line's references, normalised, and its reference-shaped keys that joined
        nothing: what a near reference is looked for with (kept for the line's next pair)."""
        last, found = self._missed
        if last != line_index:
            found = [normalise_reference(r) for r in line.references]
            found.extend(self.missed_keys.get(line_index, ()))
            self._missed = (line_index, found)
        return found


@runtime_checkable
class Comparison(Protocol):
    """Compares one aspect of a pair and returns the first level that applies."""

    @property
    def name(self) -> str:
        """The component's kind."""

    def compare(
        self,
        line_index: int,
        line: LineRecord,
        item: ItemRecord,
        flags: int,
        ctx: ComparisonContext,
    ) -> Level:
        """Return the level of the pair."""


@frozen
class ReferenceComparison:
    """Reference levels: structured (checksum valid) / exact / normalised / in text / fuzzy."""

    name: str = "reference"
    fuzzy_threshold: float = 85.0
    structured: Level = Level(
        "reconcile.reference.structured", 22.0, "structured reference, check digit valid"
    )
    exact: Level = Level("reconcile.reference.exact", 20.0, "reference equal")
    normalised: Level = Level(
        "reconcile.reference.normalised", 18.0, "reference equal once normalised"
    )
    in_text: Level = Level("reconcile.reference.in_text", 15.0, "reference found in the label")
    fuzzy: Level = Level("reconcile.reference.fuzzy", 9.0, "reference nearly equal (typo)")
    mismatch: Level = Level(
        "reconcile.reference.mismatch", -4.0, "the line names another reference"
    )
    none: Level = Level("reconcile.reference.none", 0.0, "no reference to compare")

    def compare(
        self,
        line_index: int,
        line: LineRecord,
        item: ItemRecord,
        flags: int,
        ctx: ComparisonContext,
    ) -> Level:
        """Return the reference level of the pair."""
        if flags & REF_KEY:
            raws = (item.number, item.reference, item.order_id)
            for ref in line.references:
                if ref in raws:
                    if ref == item.reference and structured_kind(ref) is not None:
                        return self.structured
                    return self.exact
            return self.normalised
        if flags & REF_TEXT:
            return self.in_text
        if not line.references and line_index not in ctx.missed_keys:
            return self.none
        missed = ctx.missed(line_index, line)
        if not missed:
            return self.none
        keys = [normalise_reference(k) for k in (item.number, item.reference, item.order_id) if k]
        best = max(fuzz.ratio(m, k) for m in missed for k in keys)
        return self.fuzzy if best >= self.fuzzy_threshold else self.mismatch


@frozen
class Tolerance:
    """How far an amount may differ and still settle the item, with a write-off.

    ``absolute`` in currency units (``Decimal("5.00")``) and ``percent`` of the
    residual (``Decimal("2")`` for 2 %); a difference is within tolerance when
    it is within every limit that is set. With neither set, only 0 is.
    """

    absolute: Decimal | None = None
    percent: Decimal | None = None
    _bounds: dict[str, tuple[int, int, int]] = field(factory=dict, init=False, eq=False, repr=False)

    def allows(self, difference: int, residual: int, currency: str) -> bool:
        """Return True when ``difference`` (>= 0, minor units) is within the tolerance."""
        if self.absolute is None and self.percent is None:
            return difference == 0
        limit, numerator, denominator = self.bounds(currency)
        return (limit < 0 or difference <= limit) and (
            difference * 100 * denominator <= numerator * abs(residual)
        )

    def bounds(self, currency: str) -> tuple[int, int, int]:
        """The tolerance in integers: (absolute limit in minor units, percent as a ratio).

        A difference ``d`` (>= 0) of a residual ``r`` is within it when ``d <=
        limit`` (no limit: ``-1``) and ``d * 100 * denominator <= numerator *
        abs(r)``: the percent as an exact ratio of integers, so a pair is
        checked without Decimal arithmetic. No percent is ``(1, 0)`` (always
        true), neither limit set ``(-1, 0, 1)`` (only 0 passes). Worked out
        once per currency.
        """
        found = self._bounds.get(currency)
        if found is None:
            limit = -1
            if self.absolute is not None:
                limit = int(self.absolute.scaleb(Currency.of(currency).exponent))
            if self.percent is not None:
                numerator, denominator = self.percent.as_integer_ratio()
            else:
                numerator, denominator = (0, 1) if self.absolute is None else (1, 0)
            found = self._bounds[currency] = (limit, numerator, denominator)
        return found


@frozen
class AmountComparison:
    """Amount levels: exact / net of the PSP fee / within tolerance / partial / over / other."""

    name: str = "amount"
    under: Tolerance = Tolerance(absolute=Decimal("5.00"), percent=Decimal(5))
    over: Tolerance = Tolerance(absolute=Decimal("1.00"), percent=Decimal(1))
    exact: Level = Level("reconcile.amount.exact", 8.0, "amount equal to the residual")
    within_fee: Level = Level(
        "reconcile.amount.within_fee", 7.0, "gross equal, the PSP kept its fee"
    )
    under_tolerance: Level = Level(
        "reconcile.amount.within_tolerance", 4.0, "underpaid within tolerance: write-off proposed"
    )
    over_tolerance: Level = Level(
        "reconcile.amount.over_within_tolerance",
        4.0,
        "overpaid within tolerance: write-off proposed",
    )
    exchanged: Level = Level(
        "reconcile.amount.converted", 5.0, "paid in another currency: equal at the given rate"
    )
    partial: Level = Level("reconcile.amount.partial", -3.0, "pays part of the residual")
    overpaid: Level = Level("reconcile.amount.overpaid", -5.0, "pays more than the residual")
    other: Level = Level("reconcile.amount.mismatch", -30.0, "other currency or sign")

    def compare(
        self,
        line_index: int,
        line: LineRecord,
        item: ItemRecord,
        flags: int,
        ctx: ComparisonContext,
    ) -> Level:
        """Return the amount level of the pair."""
        paid: int | None = line.cents + line.fee
        residual = item.residual
        converted = line.currency != item.currency
        if converted:
            paid = ctx.rates.convert_minor(line.cents + line.fee, line.currency, item.currency)
        if paid is None or (paid > 0) != (residual > 0) or residual == 0:
            return self.other
        if paid == residual and not converted:
            return self.within_fee if line.fee else self.exact
        paid, residual = abs(paid), abs(residual)
        if converted:
            gap = abs(paid - residual)
            if self.under.allows(gap, residual, item.currency) or self.over.allows(
                gap, residual, item.currency
            ):
                return self.exchanged
        if paid < residual:
            return (
                self.under_tolerance
                if self.under.allows(residual - paid, residual, line.currency)
                else self.partial
            )
        return (
            self.over_tolerance
            if self.over.allows(paid - residual, residual, line.currency)
            else self.overpaid
        )


@frozen
class DateComparison:
    """Date levels: paid near the due date / within a year / far from it."""

    name: str = "date"
    near_before: int = 45
    near_after: int = 120
    near: Level = Level("reconcile.date.near", 1.0, "booked near the due date")
    far: Level = Level("reconcile.date.far", 0.0, "booked within a year of the due date")
    distant: Level = Level(
        "reconcile.date.distant", -3.0, "booked more than a year from the due date"
    )

    def compare(
        self,
        line_index: int,
        line: LineRecord,
        item: ItemRecord,
        flags: int,
        ctx: ComparisonContext,
    ) -> Level:
        """Return the date level of the pair."""
        gap = line.day - item.due
        if -self.near_before <= gap <= self.near_after:
            return self.near
        return self.far if -365 <= gap <= 365 else self.distant


@frozen
class PartyComparison:
    """Party levels: the payer identified (IBAN, group, exact unique name) / name near / other.

    Identification is told apart from similarity. A valid IBAN on file, or a
    payer name equal to the full name of exactly one partner (legal form
    included, :func:`~ecomrules.reconcile.records.name_key`), identifies the
    payer beyond doubt: its items get ``iban`` or ``name_exact``, and every
    other partner's items get ``name_other``, however similar their names.
    Only a name that identifies nobody (no partner bears it, or several do)
    is compared fuzzily (rapidfuzz token sort ratio, legal forms removed).
    """

    name: str = "party"
    name_threshold: float = 90.0
    similar_threshold: float = 75.0
    iban: Level = Level("reconcile.party.iban", 8.0, "the payer's IBAN belongs to the partner")
    name_exact: Level = Level(
        "reconcile.party.name_exact",
        8.0,
        "the payer's name is the partner's full name, which no other partner bears",
    )
    name_equal: Level = Level("reconcile.party.name", 4.0, "payer name matches the partner")
    name_similar: Level = Level(
        "reconcile.party.name_similar", 1.5, "payer name resembles the partner"
    )
    group: Level = Level(
        "reconcile.party.group", 6.0, "the IBAN belongs to a partner of the same group"
    )
    other_iban: Level = Level(
        "reconcile.party.other_iban", -6.0, "the IBAN belongs to another partner"
    )
    name_other: Level = Level(
        "reconcile.party.name_other", -2.0, "the payer's name is another partner's full name"
    )
    different: Level = Level(
        "reconcile.party.name_different", -2.0, "payer name unlike the partner"
    )
    unknown: Level = Level("reconcile.party.unknown", 0.0, "no payer to compare")

    def compare(
        self,
        line_index: int,
        line: LineRecord,
        item: ItemRecord,
        flags: int,
        ctx: ComparisonContext,
    ) -> Level:
        """Return the party level of the pair."""
        other_partner = False
        if line.iban:
            if flags & PARTY or line.iban == item.iban:
                return self.iban
            partners = ctx.index.partners_by_iban.get(line.iban)
            if partners:
                if item.partner_id in partners:
                    return self.iban
                if flags & GROUP or ctx.index.same_group(item.partner_id, partners):
                    return self.group
                other_partner = True
        if not line.name:
            return self.other_iban if other_partner else self.unknown
        named = ctx.index.partner_named(line.name)
        if named is not None:
            if named == item.partner_id:  # the IBAN of another partner makes it a name only
                return self.name_equal if other_partner else self.name_exact
            if ctx.index.same_group(item.partner_id, (named,)):
                return self.group
            return self.other_iban if other_partner else self.name_other
        if item.partner_name:
            pair = (line.name, item.partner_name)
            score = ctx.name_scores.get(pair)
            if score is None:
                score = ctx.name_scores[pair] = fuzz.token_sort_ratio(
                    ctx.name(line.name), ctx.name(item.partner_name)
                )
            if score >= self.name_threshold:
                return self.name_equal
            if score >= self.similar_threshold:
                return self.name_similar
        if other_partner:
            return self.other_iban
        return self.different


ScoredPair = tuple[float, int, str, int, tuple[Level, ...], int]
"""(-total, due, item id, item index, levels, flags), as the assigner sorts a line's pairs."""


class LineScorer:
    """Every candidate pair of one line scored at once, for the built-in comparisons.

    The contract: :meth:`score` gives, pair for pair, the levels and total
    that calling each comparison's ``compare`` in turn gives (the same
    :class:`Level` objects, the total summed in the same order), for the
    four built-in comparisons in their default order (reference, amount,
    date, party) with any levels, weights and tolerances. What depends on
    the line alone (its amount, currency, the partners its IBAN and its
    exact name identify, its references and unjoined keys) is worked out
    once a line instead of once a pair, and each pair's party level read
    from those facts; the amount tolerances are integer bounds; an item's
    reference keys are normalised once a run, and a near reference stops
    at the first key within the threshold (only whether one is matters).
    A pair in two currencies and one found by a reference key are handed
    to ``compare``.
    :meth:`of` gives no scorer for any other set of comparisons: the
    assigner then calls each ``compare``.
    """

    __slots__ = ("_amount", "_date", "_keys", "_party", "_reference")

    def __init__(
        self,
        reference: ReferenceComparison,
        amount: AmountComparison,
        date: DateComparison,
        party: PartyComparison,
    ) -> None:
        self._reference = reference
        self._amount = amount
        self._date = date
        self._party = party
        self._keys: dict[int, list[str]] = {}
        """Item index -> its reference keys normalised (one scorer per run: one item set)."""

    @classmethod
    def of(cls, comparisons: Sequence[Comparison]) -> LineScorer | None:
        """The scorer of ``comparisons``, None unless they are exactly the built-in four."""
        if tuple(map(type, comparisons)) != _BUILT_IN:
            return None
        reference, amount, date, party = comparisons
        return cls(
            cast(ReferenceComparison, reference),
            cast(AmountComparison, amount),
            cast(DateComparison, date),
            cast(PartyComparison, party),
        )

    def score(
        self,
        line_index: int,
        line: LineRecord,
        candidates: Mapping[int, int],
        items: Sequence[ItemRecord],
        prior: float,
        ctx: ComparisonContext,
    ) -> list[ScoredPair]:
        """Each candidate's (-total, due, id, item index, levels, flags), in candidate order."""
        reference, amount, date, party = self._reference, self._amount, self._date, self._party
        compare_reference, compare_amount = reference.compare, amount.compare
        name_scores, normalised, token_sort_ratio = ctx.name_scores, ctx.name, fuzz.token_sort_ratio
        name_threshold, similar_threshold = party.name_threshold, party.similar_threshold
        name_equal, name_similar = party.name_equal, party.name_similar
        in_text, no_reference = reference.in_text, reference.none
        exact, other = (amount.within_fee if line.fee else amount.exact), amount.other
        under_level, partial = amount.under_tolerance, amount.partial
        over_level, overpaid = amount.over_tolerance, amount.overpaid
        near, far, distant = date.near, date.far, date.distant
        low, high = -date.near_before, date.near_after
        by_iban = party.iban
        paid = line.cents + line.fee
        currency = line.currency
        day = line.day
        # the line's references and unjoined keys; none: the same reference level for every pair
        bare = not line.references and line_index not in ctx.missed_keys
        missed = () if bare else ctx.missed(line_index, line)
        item_keys, ratio, cutoff = self._keys, fuzz.ratio, reference.fuzzy_threshold
        typo, mismatch = reference.fuzzy, reference.mismatch
        iban = line.iban
        u_limit, u_num, u_den = amount.under.bounds(currency)
        o_limit, o_num, o_den = amount.over.bounds(currency)
        # the payer as the line identifies it, as PartyComparison.compare reads it
        payers = ctx.index.partners_by_iban.get(iban) if iban else None
        if not payers:
            payers = None
        name = line.name
        named = ctx.index.partner_named(name) if name else None
        grouped = bool(ctx.index.group_of)
        same_group = ctx.index.same_group
        group = party.group
        if payers is None:
            no_name, own_name, other_name = party.unknown, party.name_exact, party.name_other
            unlike = party.different
        else:  # the IBAN is another partner's: a name is a name only
            no_name, own_name, other_name = party.other_iban, party.name_equal, party.other_iban
            unlike = party.other_iban
        scored: list[ScoredPair] = []
        for item_index, flags in candidates.items():
            item = items[item_index]
            if flags & REF_KEY:
                r = compare_reference(line_index, line, item, flags, ctx)
            elif flags & REF_TEXT:
                r = in_text
            elif not missed:
                r = no_reference
            else:  # a near reference: the item's keys normalised once a run
                keys = item_keys.get(item_index)
                if keys is None:
                    raws = (item.number, item.reference, item.order_id)
                    keys = item_keys[item_index] = [normalise_reference(k) for k in raws if k]
                r = mismatch
                for key in keys:
                    for wanted in missed:
                        if ratio(wanted, key, score_cutoff=cutoff) >= cutoff:
                            r = typo
                            break
                    if r is typo:
                        break
                if not keys:
                    r = compare_reference(line_index, line, item, flags, ctx)
            residual = item.residual
            if item.currency != currency:
                a = compare_amount(line_index, line, item, flags, ctx)
            elif (paid > 0) != (residual > 0) or residual == 0:
                a = other
            elif paid == residual:
                a = exact
            else:
                given, due = abs(paid), abs(residual)
                if given < due:
                    gap = due - given
                    a = (
                        under_level
                        if (u_limit < 0 or gap <= u_limit) and gap * 100 * u_den <= u_num * due
                        else partial
                    )
                else:
                    gap = given - due
                    a = (
                        over_level
                        if (o_limit < 0 or gap <= o_limit) and gap * 100 * o_den <= o_num * due
                        else overpaid
                    )
            gap = day - item.due
            d = near if low <= gap <= high else far if -365 <= gap <= 365 else distant
            if iban and (flags & PARTY or iban == item.iban):
                p = by_iban
            else:
                partner = item.partner_id
                if payers is not None and partner in payers:
                    p = by_iban
                elif payers is not None and (
                    flags & GROUP or (grouped and same_group(partner, payers))
                ):
                    p = group
                elif not name:
                    p = no_name
                elif named is not None:
                    if named == partner:
                        p = own_name
                    elif grouped and same_group(partner, (named,)):
                        p = group
                    else:
                        p = other_name
                elif item.partner_name:
                    pair = (name, item.partner_name)
                    similarity = name_scores.get(pair)
                    if similarity is None:
                        similarity = name_scores[pair] = token_sort_ratio(
                            normalised(name), normalised(item.partner_name)
                        )
                    if similarity >= name_threshold:
                        p = name_equal
                    elif similarity >= similar_threshold:
                        p = name_similar
                    else:
                        p = unlike
                else:
                    p = unlike
            total = prior + r.weight + a.weight + d.weight + p.weight
            scored.append((-total, item.due, item.id, item_index, (r, a, d, p), flags))
        return scored


_BUILT_IN = (ReferenceComparison, AmountComparison, DateComparison, PartyComparison)
