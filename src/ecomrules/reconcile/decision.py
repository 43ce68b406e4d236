"""The assigner: from a line's scored candidates to one proposal, or a refusal.

It picks the best pair, refuses ties, looks for combinations (several
references in the text, or a bounded subset-sum over the party's open items,
credit notes netted in) and works out allocation, write-off and surplus.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations

from attrs import define

from ecomrules.reconcile.blocking import NAMED, PARTY, REF_KEY, REF_TEXT
from ecomrules.reconcile.combination import find_subsets
from ecomrules.reconcile.comparison import (
    AmountComparison,
    ComparisonContext,
    Level,
    ScoredPair,
)
from ecomrules.reconcile.index import ItemIndex
from ecomrules.reconcile.records import ItemRecord, LineRecord
from ecomrules.reconcile.settings import MatcherSettings

__all__ = ["Proposal", "Refusal", "bits", "decide", "probability", "ranked"]

_REF = REF_KEY | REF_TEXT


@define(slots=True)
class Proposal:
    """A line's proposed match, before the items' residuals are shared out across lines."""

    line: int
    auto: bool
    total: float
    allocations: list[tuple[int, int]]
    """(item index, signed minor units)."""
    contributions: tuple[Level, ...]
    reasons: tuple[str, ...] = ()
    write_off: int = 0
    unallocated: int = 0


@define(slots=True)
class Refusal:
    """A line left unmatched, why, and the candidates it weighed (item indices)."""

    line: int
    reasons: tuple[str, ...]
    candidates: tuple[int, ...] = ()


_Scored = ScoredPair
"""(-total, due, item id, item index, levels, flags): sorts best first, deterministically."""


def _score(
    line_index: int,
    line: LineRecord,
    candidates: dict[int, int],
    items: Sequence[ItemRecord],
    settings: MatcherSettings,
    ctx: ComparisonContext,
    *,
    full: bool = False,
) -> list[_Scored]:
    compares = ctx.compares
    prior = settings.prior
    if len(candidates) == 1 and not full:
        ((item_index, flags),) = candidates.items()
        item = items[item_index]
        total, levels = _score_only(line_index, line, item, flags, prior, ctx)
        return [(-total, item.due, item.id, item_index, levels, flags)]
    scorer = ctx.scorer
    if scorer is not None:
        scored = scorer.score(line_index, line, candidates, items, prior, ctx)
        if len(scored) > 1:
            scored.sort()
        return scored
    scored = []
    for item_index, flags in candidates.items():
        item = items[item_index]
        levels = tuple([compare(line_index, line, item, flags, ctx) for compare in compares])
        total = prior
        for level in levels:
            total += level.weight
        scored.append((-total, item.due, item.id, item_index, levels, flags))
    if len(scored) > 1:
        scored.sort()
    return scored


def ranked(
    line_index: int,
    line: LineRecord,
    candidates: dict[int, int] | None,
    items: Sequence[ItemRecord],
    settings: MatcherSettings,
    ctx: ComparisonContext,
) -> list[tuple[int, float, tuple[Level, ...]]]:
    """Every candidate of a line, best first: (item index, total bits, every level).

    The scoring :func:`decide` uses, without its early stop on a lone
    candidate, so each pair shows all its contributions (the review page).
    """
    if not candidates:
        return []
    scored = _score(line_index, line, candidates, items, settings, ctx, full=True)
    return [(s[3], -s[0], s[4]) for s in scored]


def _score_only(
    line_index: int,
    line: LineRecord,
    item: ItemRecord,
    flags: int,
    prior: float,
    ctx: ComparisonContext,
) -> tuple[float, tuple[Level, ...]]:
    """A line's only pair: its total and levels, stopping once the rest cannot undo ``auto``."""
    decisive = ctx.auto_bits
    floors = ctx.floors
    total = prior
    found: list[Level] = []
    for k, compare in enumerate(ctx.compares):
        level = compare(line_index, line, item, flags, ctx)
        found.append(level)
        total += level.weight
        if total + floors[k] >= decisive:
            break
    return total, tuple(found)


def bits(p: float) -> float:
    """The total weight (bits) whose probability is ``p``."""
    if p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return math.inf
    return math.log2(p / (1.0 - p))


def probability(total: float) -> float:
    """The match probability of a total weight in bits."""
    if total < -60:
        return 0.0
    return 1.0 / (1.0 + math.pow(2.0, -total))


def decide(
    line_index: int,
    line: LineRecord,
    candidates: dict[int, int] | None,
    index: ItemIndex,
    settings: MatcherSettings,
    ctx: ComparisonContext,
) -> Proposal | Refusal:
    """Decide one line: a proposal (auto or review) or a refusal with reasons.

    A payment that names no reference is told apart from the payer's other
    open items by its amount alone: when another open item of the same
    partner has the same residual, which one is paid is a guess, so the
    proposal goes to review (``reconcile.amount.not_unique``), however sure
    the payer is.
    """
    if candidates is not None and len(candidates) == 1:
        ((item_index, flags),) = candidates.items()
        item = index.items[item_index]
        paid = line.cents + line.fee
        if paid == item.residual and item.currency == line.currency:
            # the common case (four lines in five), decided here: one candidate, paid exactly
            total, levels = _score_only(line_index, line, item, flags, settings.prior, ctx)
            if total < ctx.review_bits:
                return Refusal(line_index, ("reconcile.below_threshold",), (item_index,))
            if total < ctx.auto_bits:
                return Proposal(line_index, False, total, [(item_index, paid)], levels)
            if not flags & _REF and index.amount_shared(item_index):
                return Proposal(
                    line_index,
                    False,
                    total,
                    [(item_index, paid)],
                    levels,
                    ("reconcile.amount.not_unique",),
                )
            return Proposal(line_index, True, total, [(item_index, paid)], levels)
    return _general(line_index, line, candidates, index, settings, ctx)


def _general(
    line_index: int,
    line: LineRecord,
    candidates: dict[int, int] | None,
    index: ItemIndex,
    settings: MatcherSettings,
    ctx: ComparisonContext,
) -> Proposal | Refusal:
    """:func:`decide` without its shortcut: the general assigner, then the amount rule."""
    decision = _decide(line_index, line, candidates, index, settings, ctx)
    if type(decision) is Proposal and decision.auto and len(decision.allocations) == 1:
        chosen = decision.allocations[0][0]
        if candidates and not candidates.get(chosen, 0) & _REF and index.amount_shared(chosen):
            decision.auto = False
            decision.reasons = (*decision.reasons, "reconcile.amount.not_unique")
    return decision


def _decide(
    line_index: int,
    line: LineRecord,
    candidates: dict[int, int] | None,
    index: ItemIndex,
    settings: MatcherSettings,
    ctx: ComparisonContext,
) -> Proposal | Refusal:
    items = index.items
    if not candidates:
        return Refusal(line_index, ("reconcile.no_candidate",))
    paid = line.cents + line.fee
    scored = _score(line_index, line, candidates, items, settings, ctx)
    best = scored[0]
    best_total = -best[0]
    best_item = items[best[3]]
    if best_item.currency != line.currency:
        paid = ctx.rates.convert_minor(paid, line.currency, best_item.currency) or 0
    if len(scored) == 1 and paid == best_item.residual:  # paid exactly once converted
        if best_total < ctx.review_bits:
            return Refusal(line_index, ("reconcile.below_threshold",), (best[3],))
        return Proposal(
            line_index, best_total >= ctx.auto_bits, best_total, [(best[3], paid)], best[4]
        )
    tie = _is_tie(scored, settings)
    best_by_ref = bool(scored[0][5] & _REF) and not tie
    several_refs = best_by_ref and len(scored) > 1 and bool(scored[1][5] & _REF)
    credits = best_item.partner_id in index.with_credit_notes
    if (
        tie
        or not _amount_fits(best_item, paid, ctx.amount)
        or _payer_elsewhere(scored)
        or _short_of_exact(scored, paid, best_item)
    ) and (several_refs or credits or not best_by_ref):
        combined = _combine(
            line_index, line, scored, index, settings, ctx.amount.exact, ctx.auto_bits
        )
        if combined is not None and (
            not best_by_ref or any(i == scored[0][3] for i, _ in combined.allocations)
        ):
            return combined
    if probability(best_total) < settings.review_threshold:
        return Refusal(line_index, ("reconcile.below_threshold",), tuple(s[3] for s in scored[:3]))
    if tie:
        tied = tuple(s[3] for s in scored if -s[0] >= best_total - settings.tie_margin)
        return Refusal(line_index, ("reconcile.tie_refused",), tied)
    return _single(line_index, paid, scored[0], best_item, settings, ctx.amount)


def _payer_elsewhere(scored: list[_Scored]) -> bool:
    """True when the best pair was found by its amount alone and the payer is identified
    as another partner (IBAN or exact name): that partner's items are searched first."""
    if scored[0][5] & (_REF | _IDENTIFIED):
        return False
    for s in scored:  # noqa: SIM110 - a loop, not any(): no generator per line
        if s[5] & _IDENTIFIED:
            return True
    return False


_IDENTIFIED = PARTY | NAMED


def _short_of_exact(scored: list[_Scored], paid: int, best_item: ItemRecord) -> bool:
    """True when the best pair is an identified payer's item, named by no reference, that
    ``paid`` settles only within a tolerance: an exact sum of that payer's items wins."""
    flags = scored[0][5]
    return paid != best_item.residual and not flags & _REF and bool(flags & _IDENTIFIED)


def _is_tie(scored: list[_Scored], settings: MatcherSettings) -> bool:
    if len(scored) < 2:
        return False
    second = -scored[1][0]
    return (
        probability(second) >= settings.review_threshold
        and -scored[0][0] - second < settings.tie_margin
    )


def _amount_fits(item: ItemRecord, paid: int, amount: AmountComparison) -> bool:
    """True when ``paid`` settles ``item`` exactly or within a tolerance."""
    if paid == item.residual:
        return True
    if (paid > 0) != (item.residual > 0):
        return False
    paid, due = abs(paid), abs(item.residual)
    if paid <= due:
        return amount.under.allows(due - paid, due, item.currency)
    return amount.over.allows(paid - due, due, item.currency)


def _single(
    line_index: int,
    paid: int,
    best: _Scored,
    item: ItemRecord,
    settings: MatcherSettings,
    amount: AmountComparison,
) -> Proposal:
    """Allocate ``paid`` (in the item's currency) to the best item; write-off or surplus."""
    neg_total, _, _, item_index, levels, _ = best
    total = -neg_total
    sign = 1 if paid > 0 else -1
    paid, due = abs(paid), abs(item.residual)
    auto = probability(total) >= settings.auto_threshold
    if paid <= due:
        write_off = due - paid if amount.under.allows(due - paid, due, item.currency) else 0
        return Proposal(
            line_index, auto, total, [(item_index, sign * paid)], levels, (), sign * write_off
        )
    surplus = paid - due
    if amount.over.allows(surplus, due, item.currency):
        return Proposal(
            line_index, auto, total, [(item_index, sign * due)], levels, (), -sign * surplus
        )
    return Proposal(
        line_index,
        False,
        total,
        [(item_index, sign * due)],
        levels,
        ("reconcile.amount.surplus",),
        0,
        sign * surplus,
    )


def _combine(
    line_index: int,
    line: LineRecord,
    scored: list[_Scored],
    index: ItemIndex,
    settings: MatcherSettings,
    exact: Level,
    auto_bits: float,
) -> Proposal | None:
    """One payment for several items: by the references in the text, else by amount."""
    items = index.items
    paid = line.cents + line.fee
    sign = 1 if paid > 0 else -1
    target = abs(paid)
    limits = settings.combination
    ref_hits = [s for s in scored if s[5] & _REF and items[s[3]].currency == line.currency]
    party = sorted({items[s[3]].partner_id for s in scored if s[5] & (_REF | PARTY | NAMED)})
    if len(ref_hits) >= 2:
        pool = sorted(ref_hits, key=lambda s: (s[1], s[2]))
        values = [sign * items[s[3]].residual for s in pool]
        if all(v > 0 for v in values):
            found = find_subsets(values, target, max_items=min(len(values), limits.max_items))
            if len(found) == 1:
                chosen = [pool[k] for k in found[0]]
                return _combination(
                    line_index,
                    chosen,
                    items,
                    True,
                    "reconcile.combination.references",
                    exact,
                    auto_bits,
                )
    if len(party) != 1:
        return None
    currencies, residuals = index.currencies, index.residuals
    partner_items = [
        i for i in index.by_partner.get(party[0], ()) if currencies[i] == line.currency
    ]
    positive = sorted(
        (i for i in partner_items if sign * residuals[i] > 0),
        key=lambda i: (items[i].due, items[i].id),
    )[: limits.max_pool]
    credits = sorted(
        (i for i in partner_items if sign * residuals[i] < 0),
        key=lambda i: (items[i].due, items[i].id),
    )[: limits.max_credit_notes]
    values = [sign * residuals[i] for i in positive]
    solutions: list[tuple[int, ...]] = []
    for size in range(len(credits) + 1):
        for netted in combinations(credits, size):
            goal = target - sum(sign * residuals[c] for c in netted)
            room = limits.max_items - size
            for subset in find_subsets(values, goal, max_items=room):
                solutions.append(tuple(positive[k] for k in subset) + netted)
        if solutions:
            break
    if not solutions:
        return None
    fewest = min(len(s) for s in solutions)
    best = [s for s in solutions if len(s) == fewest]
    if fewest == 1:
        return None  # a single item: the pair scoring (and its tie rule) decides
    by_index = {s[3]: s for s in scored}
    chosen = [by_index.get(i) or _unscored(i, items) for i in best[0]]
    ref_known = any(s[5] & _REF for s in chosen)
    unique = len(best) == 1
    auto = unique and (ref_known or fewest <= limits.auto_max_items)
    code = "reconcile.combination.subset_sum" if unique else "reconcile.combination.ambiguous"
    return _combination(line_index, chosen, items, auto, code, exact, auto_bits)


def _unscored(item_index: int, items: Sequence[ItemRecord]) -> _Scored:
    item = items[item_index]
    return (0.0, item.due, item.id, item_index, (), 0)


def _settled(scored: _Scored, exact: Level) -> tuple[float, tuple[Level, ...]]:
    """A pair's total and levels once its amount level reads as settled by the combination."""
    total = -scored[0]
    levels: list[Level] = []
    for level in scored[4]:
        if level.code.startswith("reconcile.amount."):
            total += exact.weight - level.weight
            level = exact
        levels.append(level)
    return total, tuple(levels)


def _combination(
    line_index: int,
    chosen: list[_Scored],
    items: Sequence[ItemRecord],
    auto: bool,
    code: str,
    exact: Level,
    auto_bits: float,
) -> Proposal:
    """The combination's score is its weakest pair's, its amount level read as exact."""
    total, levels = (
        min(_settled(s, exact) for s in chosen if s[4]) if any(s[4] for s in chosen) else (0.0, ())
    )
    allocations = [(s[3], items[s[3]].residual) for s in sorted(chosen, key=lambda s: s[2])]
    return Proposal(line_index, auto and total >= auto_bits, total, allocations, levels, (code,))
