"""The matcher: blocking -> comparison -> scoring -> assignment, then the residuals shared out.

Pure: no clock, no I/O. Same input, same output whatever the input order:
candidates are sorted by score then due date then id, contested items are
shared out in line-id order, results are sorted by id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_EVEN
from itertools import compress
from operator import attrgetter, not_
from typing import cast

import attrs

from ecomrules.errors import ReconcileError
from ecomrules.fx import FxRates
from ecomrules.ledger import OpenItem
from ecomrules.parsing.model import Payout, StatementLine
from ecomrules.reconcile.blocking import BlockingContext, ReferenceBlocker, TextReferenceBlocker
from ecomrules.reconcile.comparison import ComparisonContext
from ecomrules.reconcile.decision import Proposal, Refusal, bits, decide, probability, ranked
from ecomrules.reconcile.exact import ExactRule
from ecomrules.reconcile.iban import describe_problem
from ecomrules.reconcile.index import ItemIndex, SharedFacts
from ecomrules.reconcile.payouts import PayoutRecord, match_payouts, payout_record
from ecomrules.reconcile.records import ItemRecord, LineRecord, item_record, line_record
from ecomrules.reconcile.result import (
    Candidate,
    InputIssue,
    Match,
    Matches,
    MatchFields,
    MatchResult,
    MatchStatus,
    PayoutMatch,
    UnmatchedLine,
)
from ecomrules.reconcile.settings import MatcherSettings, default_settings

__all__ = ["Matcher", "iban_issue", "settle"]

_CHUNK = 10_000


def _check_unique(kind: str, ids: list[str]) -> None:
    if len(set(ids)) == len(ids):
        return
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ReconcileError(f"{kind} id {value!r} appears twice; ids must be unique")
        seen.add(value)


class Matcher:
    """Proposes which open items each statement line settles.

    >>> from ecomrules.reconcile import Matcher
    >>> Matcher().settings.auto_threshold
    0.99
    """

    def __init__(self, settings: MatcherSettings | None = None) -> None:
        self.settings = settings or default_settings()

    def match(
        self,
        lines: Iterable[StatementLine],
        items: Iterable[OpenItem],
        *,
        payouts: Iterable[Payout] = (),
        progress: Callable[[int], None] | None = None,
    ) -> MatchResult:
        """Match statement lines against open items (and PSP payouts, when given)."""
        return self.match_records(
            [line_record(line) for line in lines],
            [item_record(item) for item in items],
            payouts=[payout_record(p) for p in payouts],
            progress=progress,
        )

    def match_records(
        self,
        lines: Sequence[LineRecord],
        items: Sequence[ItemRecord],
        *,
        payouts: Sequence[PayoutRecord] = (),
        progress: Callable[[int], None] | None = None,
    ) -> MatchResult:
        """Match lean records; ``progress`` is called with the count of lines decided."""
        return self._match(lines, items, payouts, progress)

    def _match(
        self,
        lines: Sequence[LineRecord],
        items: Sequence[ItemRecord],
        payouts: Sequence[PayoutRecord],
        progress: Callable[[int], None] | None,
    ) -> MatchResult:
        _check_unique("line", [line.id for line in lines])
        _check_unique("open item", [item.id for item in items])
        settled: dict[str, Match] = {}
        payout_matches: tuple[PayoutMatch, ...] = ()
        if payouts or not {"transfer"}.issuperset(map(attrgetter("kind"), lines)):
            outcome = match_payouts(lines, payouts)
            payout_matches = outcome.matches
            for pm in outcome.matches:
                by_amount = pm.bank_line_id in outcome.by_amount
                how = "reconcile.payout.by_amount" if by_amount else "reconcile.payout.matched"
                code = "reconcile.payout.ties_out" if pm.ties_out else "reconcile.payout.difference"
                status = MatchStatus.AUTO if pm.ties_out and not by_amount else MatchStatus.REVIEW
                settled[pm.bank_line_id] = Match(
                    pm.bank_line_id, status, 1.0, (), pm.currency, (), (how, code)
                )
            currencies = {line.id: line.currency for line in lines}
            for line_id, code in outcome.own_lines.items():
                settled.setdefault(
                    line_id,
                    Match(line_id, MatchStatus.AUTO, 1.0, (), currencies[line_id], (), (code,)),
                )
        work = [line for line in lines if line.id not in settled] if settled else list(lines)
        decisions, invalid_lines, pairs, issues = self._propose(work, items, progress, None)
        result = settle(decisions, work, items, invalid_lines, settled, payout_matches, pairs)
        return attrs.evolve(result, issues=issues) if issues else result

    def propose(
        self, lines: Sequence[LineRecord], items: Sequence[ItemRecord], *, shared: SharedFacts
    ) -> tuple[list[Proposal | Refusal], list[LineRecord], list[int]]:
        """Each line's decision before the items' residuals are shared out across lines.

        For a distributed run (:mod:`ecomrules.reconcile.spark`): ``items``
        is the part of the open items these lines can touch, ``shared`` what
        a decision reads from all of them. Returns the decisions (by position
        in ``lines``), the lines as decided (an invalid IBAN taken off) and
        the positions of the lines whose IBAN was invalid; :func:`settle`
        then makes the result, over any set of decisions that holds every
        claim on the items they claim.
        """
        work = list(lines)
        decisions, invalid_lines, _, _ = self._propose(work, items, None, shared)
        return decisions, work, invalid_lines

    def _propose(
        self,
        work: list[LineRecord],
        items: Sequence[ItemRecord],
        progress: Callable[[int], None] | None,
        shared: SharedFacts | None,
    ) -> tuple[list[Proposal | Refusal], list[int], int, tuple[InputIssue, ...]]:
        """Each line's decision: the exact-reference rule first, set-wise, then line by line.

        The lines the rule settles (:mod:`ecomrules.reconcile.exact`: one
        reference, or text tokens, reaching one item paid exactly) skip the
        blockers and the scorer; the others are blocked and decided one by
        one, as they would be without the rule (the rule applies only where
        it gives the same decision).
        """
        settings = self.settings
        index, issues, invalid_lines = self._index(work, items, shared)
        rule = ExactRule(settings)
        skip = set(invalid_lines)
        exact = rule.by_references(work, index, skip)
        rest = [i for i in range(len(work)) if i not in exact] if exact else list(range(len(work)))
        lines = [work[i] for i in rest] if exact else work
        blocking = BlockingContext(lines, index)
        blockers = settings.blockers
        early = 0  # the reference and text blockers, which come first when the rule applies
        if rule.by_text:
            early = sum(isinstance(b, ReferenceBlocker | TextReferenceBlocker) for b in blockers)
        for blocker in blockers[:early]:
            blocker.block(blocking)
        if rule.by_text:
            exact_text = rule.by_tokens(blocking, {k for k, i in enumerate(rest) if i in skip})
        else:
            exact_text = {}
        for blocker in blockers[early:]:
            blocker.block(blocking)
        ctx = self._context(index, blocking)
        decisions: list[Proposal | Refusal | None] = [None] * len(work)
        for i, proposal in exact.items():
            decisions[i] = proposal
        for k, proposal in exact_text.items():
            proposal.line = rest[k]
            decisions[rest[k]] = proposal
        if progress is not None and exact:
            progress(len(exact))
        candidates = blocking.candidates
        pairs = len(exact) + sum(map(len, filter(None, candidates)))
        for start in range(0, len(lines), _CHUNK):
            for k in range(start, min(start + _CHUNK, len(lines))):
                if k in exact_text:
                    continue
                decision = decide(k, lines[k], candidates[k], index, settings, ctx)
                decision.line = rest[k]
                decisions[rest[k]] = decision
            if progress is not None:
                progress(min(_CHUNK, len(lines) - start))
        return cast(list[Proposal | Refusal], decisions), invalid_lines, pairs, issues

    def _index(
        self,
        work: list[LineRecord],
        items: Sequence[ItemRecord],
        shared: SharedFacts | None = None,
    ) -> tuple[ItemIndex, tuple[InputIssue, ...], list[int]]:
        """Index the items and check the IBANs (an invalid one taken off its line)."""
        index = ItemIndex(
            items,
            partner_ibans=self.settings.partner_ibans,
            partner_groups=self.settings.partner_groups,
            shared=shared,
        )
        issues, invalid_lines = _iban_issues(work, index)
        return index, issues, invalid_lines

    def _context(self, index: ItemIndex, blocking: BlockingContext) -> ComparisonContext:
        """The comparisons' context over the blocked lines."""
        ctx = ComparisonContext(index, blocking.missed_keys, self.settings.comparisons)
        ctx.auto_bits = bits(self.settings.auto_threshold)
        ctx.rates = FxRates(self.settings.rates, ROUND_HALF_EVEN, derive_inverse=True)
        ctx.review_bits = bits(self.settings.review_threshold)
        return ctx

    def _prepare(
        self,
        work: list[LineRecord],
        items: Sequence[ItemRecord],
        shared: SharedFacts | None = None,
    ) -> tuple[ItemIndex, tuple[InputIssue, ...], list[int], BlockingContext, ComparisonContext]:
        """Index the items, block every line's candidate pairs and set up the comparisons."""
        index, issues, invalid_lines = self._index(work, items, shared)
        blocking = BlockingContext(work, index)
        for blocker in self.settings.blockers:
            blocker.block(blocking)
        return index, issues, invalid_lines, blocking, self._context(index, blocking)

    def candidates(
        self, lines: Sequence[LineRecord], items: Sequence[ItemRecord], *, limit: int = 5
    ) -> dict[str, tuple[Candidate, ...]]:
        """Each line's candidate items, best first, with score and every contribution.

        What the matcher weighed for a line, to show side by side when a
        person decides it (``ecomrules serve``): the same blocking and
        scoring as :meth:`match_records`, every comparison applied to each
        pair, at most ``limit`` candidates a line.
        """
        work = list(lines)
        index, _, _, blocking, ctx = self._prepare(work, items)
        out: dict[str, tuple[Candidate, ...]] = {}
        for i, line in enumerate(work):
            found = ranked(i, line, blocking.candidates[i], index.items, self.settings, ctx)
            out[line.id] = tuple(
                Candidate(index.items[k].id, probability(total), levels)
                for k, total, levels in found[:limit]
            )
        return out


_IBAN_INVALID = "reconcile.iban_invalid"


def iban_issue(record: str, owner: str, iban: str, problem: str) -> InputIssue:
    """The input issue of an invalid IBAN (``problem`` as :meth:`IbanCheck.problem
    <ecomrules.reconcile.iban.IbanCheck.problem>` says) of a line, an item or the
    partner mapping (``record``), the record's id being ``owner``."""
    text = f"{record} {owner}: IBAN {iban} is not valid: {describe_problem(problem)}"
    return InputIssue(record, owner, "iban", iban, _IBAN_INVALID, text)


def _iban_issues(
    work: list[LineRecord], index: ItemIndex
) -> tuple[tuple[InputIssue, ...], list[int]]:
    """The invalid IBANs of the items, the partner mapping and the lines, as input issues.

    A line's invalid IBAN is taken off its record in ``work`` (it would join
    nobody anyway, and the party comparison must not read it as evidence);
    the positions of those lines are returned so their decisions say so.
    """
    check = index.iban_check
    items = index.items
    issues: list[InputIssue] = []

    def issue(record: str, owner: str, iban: str) -> None:
        issues.append(iban_issue(record, owner, iban, check.problem(iban) or ""))

    for i in index.invalid_iban_items:
        issue("item", items[i].id, items[i].iban)
    for iban in index.invalid_partner_ibans:
        issue("partners", iban, iban)
    # the distinct IBANs not on file (those are valid) are checked, then only
    # lines with an invalid one are looked at: a million lines, a few set operations
    line_ibans = set(map(attrgetter("iban"), work))
    line_ibans.difference_update(index.partners_by_iban)
    line_ibans.discard("")
    invalid = {iban for iban in line_ibans if check.problem(iban) is not None}
    invalid_lines: list[int] = []
    if invalid:
        for i, line in enumerate(work):
            if line.iban in invalid:
                invalid_lines.append(i)
                issue("line", line.id, line.iban)
                work[i] = line._replace(iban="")
    issues.sort(key=lambda found: (found.record, found.id))
    return tuple(issues), invalid_lines


def settle(
    decisions: list[Proposal | Refusal],
    lines: Sequence[LineRecord],
    items: Sequence[ItemRecord],
    invalid_lines: Sequence[int] = (),
    settled: dict[str, Match] | None = None,
    payout_matches: tuple[PayoutMatch, ...] = (),
    pairs: int = 0,
) -> MatchResult:
    """The result of the decisions: residuals shared out, then matches and what is left.

    ``decisions[k].line`` indexes ``lines`` and allocations index ``items``;
    ``invalid_lines`` are the positions whose IBAN was invalid (their
    decision says so). The matcher's last step, and a distributed run's.
    """
    _share_out(decisions, lines, items)
    for i in invalid_lines:  # the decision says its IBAN was not taken as given
        decisions[i].reasons = (*decisions[i].reasons, _IBAN_INVALID)
    return _result(decisions, lines, items, settled or {}, payout_matches, pairs)


def _share_out(
    decisions: list[Proposal | Refusal], lines: Sequence[LineRecord], items: Sequence[ItemRecord]
) -> None:
    """Make sure no item gets more than its residual: contested items go by score, then line id.

    One proposal never allocates more than an item's residual, so only the
    items claimed by two proposals or more are checked.
    """
    first: dict[int, int] = {}  # item -> the position of its first claim
    twice: set[int] = set()
    touched: set[int] = set()  # the positions of the proposals that claim one of those
    for position, decision in enumerate(decisions):
        if isinstance(decision, Proposal):
            for item_index, _ in decision.allocations:
                owner = first.get(item_index)
                if owner is None:
                    first[item_index] = position
                else:
                    twice.add(item_index)
                    touched.add(owner)
                    touched.add(position)
    if not twice:
        return
    del first
    claimed = dict.fromkeys(twice, 0)
    contested: set[int] = set()
    touching: list[tuple[int, Proposal]] = []  # in position order, as they were decided
    for position in sorted(touched):
        proposal = cast(Proposal, decisions[position])
        for item_index, units in proposal.allocations:
            total = claimed.get(item_index)
            if total is not None:
                total += units
                claimed[item_index] = total
                if abs(total) > abs(items[item_index].residual):
                    contested.add(item_index)
        touching.append((position, proposal))
    if not contested:
        return
    claims = sorted(
        (
            (not d.auto, -d.total, lines[d.line].id, position, d)
            for position, d in touching
            if any(i in contested for i, _ in d.allocations)
        ),
        key=lambda claim: claim[:4],
    )
    left = {i: abs(items[i].residual) for i in contested}
    for *_, position, proposal in claims:
        short = any(i in left and abs(units) > left[i] for i, units in proposal.allocations)
        if short and len(proposal.allocations) > 1:
            # a combination is all or nothing: its items no longer add up
            decisions[position] = Refusal(
                proposal.line, ("reconcile.item_taken",), tuple(i for i, _ in proposal.allocations)
            )
            continue
        kept: list[tuple[int, int]] = []
        lost = 0
        for item_index, units in proposal.allocations:
            if item_index not in left:
                kept.append((item_index, units))
                continue
            take = min(abs(units), left[item_index])
            left[item_index] -= take
            lost += abs(units) - take
            if take:
                kept.append((item_index, take if units > 0 else -take))
        if not lost:
            continue
        if not kept:
            decisions[position] = Refusal(
                proposal.line, ("reconcile.item_taken",), tuple(i for i, _ in proposal.allocations)
            )
            continue
        proposal.allocations = kept
        proposal.auto = False
        proposal.write_off = 0
        proposal.unallocated += lost if kept[0][1] > 0 else -lost
        proposal.reasons = (*proposal.reasons, "reconcile.item_taken")


class _Decided:
    """The matches of the matcher's proposals, worked out when read (a :class:`Matches`
    source): a proposal indexes ``lines`` and ``items``, which are not changed afterwards."""

    __slots__ = ("items", "lines", "scores")

    def __init__(self, lines: Sequence[LineRecord], items: Sequence[ItemRecord]) -> None:
        self.lines = lines
        self.items = items
        self.scores: dict[float, float] = {}  # total -> probability: sums of a few weights

    def fields(self, row: Proposal) -> MatchFields:
        line = self.lines[row.line]
        items = self.items
        shares = row.allocations
        if len(shares) == 1:  # the common case: one item
            ((i, units),) = shares
            item = items[i]
            allocations: tuple[tuple[str, int, str], ...] = ((item.id, units, item.currency),)
        else:
            allocations = tuple([(items[i].id, units, items[i].currency) for i, units in shares])
        total = row.total
        score = self.scores.get(total)
        if score is None:
            score = self.scores[total] = probability(total)
        return (
            line.id,
            MatchStatus.AUTO if row.auto else MatchStatus.REVIEW,
            score,
            allocations,
            allocations[0][2] if allocations else line.currency,
            row.contributions,
            row.reasons,
            row.write_off,
            row.unallocated,
            line.fee,
        )

    def status(self, row: Proposal) -> MatchStatus:
        return MatchStatus.AUTO if row.auto else MatchStatus.REVIEW


def _result(
    decisions: list[Proposal | Refusal],
    lines: Sequence[LineRecord],
    items: Sequence[ItemRecord],
    settled: dict[str, Match],
    payout_matches: tuple[PayoutMatch, ...],
    pairs: int,
) -> MatchResult:
    """The result of the final decisions: its matches a :class:`Matches` over the proposals
    (each match built when read), in line-id order, the unmatched lines and items."""
    rows: list[Match | Proposal] = list(settled.values())
    ids = list(settled)
    unmatched: list[UnmatchedLine] = []
    used = bytearray(len(items))  # 1 for an item some match allocates to
    line_ids = list(map(attrgetter("id"), lines))
    for decision in decisions:
        if isinstance(decision, Refusal):
            unmatched.append(
                UnmatchedLine(
                    line_ids[decision.line],
                    decision.reasons,
                    tuple(sorted(items[i].id for i in decision.candidates)),
                )
            )
            continue
        rows.append(decision)
        ids.append(line_ids[decision.line])
        for i, _ in decision.allocations:
            used[i] = 1
    if ids != sorted(ids):  # a sorted statement: one pass in C
        order = sorted(range(len(ids)), key=ids.__getitem__)
        rows = list(map(rows.__getitem__, order))
    unmatched.sort(key=attrgetter("line_id"))
    left = sorted(compress(list(map(attrgetter("id"), items)), map(not_, used)))
    matches = Matches(rows, _Decided(lines, items))
    return MatchResult(matches, tuple(unmatched), tuple(left), payout_matches, pairs)
