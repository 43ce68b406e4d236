"""What a run remembers: accepted matches, so a later run does not propose them again.

The engine stays pure: :class:`MatchStore` is the small protocol an adapter
implements (the CLI uses the SQLite workspace,
:class:`ecomrules.workspace.reconcile.SqliteMatchStore`), and
:func:`without_committed` turns what the store holds into the inputs of the
next run.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from attrs import evolve, frozen

from ecomrules.ledger import OpenItem
from ecomrules.money import Money
from ecomrules.reconcile.result import Match, MatchResult, MatchStatus

__all__ = [
    "COMMITTED_ELSEWHERE_ITEM",
    "COMMITTED_ELSEWHERE_LINE",
    "Commitment",
    "MatchStore",
    "commit_against",
    "commit_matches",
    "commitments",
    "without_committed",
]

COMMITTED_ELSEWHERE_ITEM = "reconcile.committed_elsewhere.item"
"""An auto match sent to review: another run recorded a payment of its item meanwhile."""
COMMITTED_ELSEWHERE_LINE = "reconcile.committed_elsewhere.line"
"""An auto match sent to review: another run recorded this line meanwhile."""


@frozen
class Commitment:
    """One accepted allocation: a line paid ``amount`` of an item then ``residual`` open."""

    line_id: str
    item_id: str
    amount: Money
    residual: Money
    """The item's residual when the match was accepted."""
    write_off: Money | None = None
    """What the match wrote off of the item (it settled the item in full), if anything."""

    @property
    def settled(self) -> Money:
        """How much of the item's residual the commitment settles: paid and written off."""
        return self.amount if self.write_off is None else self.amount + self.write_off


class MatchStore(Protocol):
    """Where accepted matches are kept between runs, with a lock held across check-then-record."""

    def locked(self) -> AbstractContextManager[None]:
        """Hold an exclusive lock (a write transaction) for one :func:`commit_matches`."""
        ...

    def commitments(
        self, items: Collection[str] | None = None, lines: Collection[str] | None = None
    ) -> list[Commitment]:
        """The accepted allocations so far; given ``items`` or ``lines``, only theirs.

        That is, those of any of the items and those of any of the lines:
        :func:`commit_matches` asks, under the lock, for what its result
        touches, since the store grows with every run.
        """

    def record(self, commitments: Sequence[Commitment]) -> int:
        """Store accepted allocations (idempotent per line and item); return how many are new."""


def commitments(result: MatchResult, items: Iterable[OpenItem]) -> list[Commitment]:
    """The allocations of the ``auto`` matches of ``result``, ready to record."""
    residuals = {item.id: item.residual for item in items}
    out: list[Commitment] = []
    for match in result.matches:
        if match.status is not MatchStatus.AUTO:
            continue
        out.extend(_of(match, residuals))
    return out


def commit_matches(
    store: MatchStore, result: MatchResult, items: Iterable[OpenItem]
) -> tuple[MatchResult, int]:
    """Record the ``auto`` matches of ``result`` that still fit; send the others to review.

    The run matched against what the store held when it started; another run
    may have recorded since. Inside the store's lock the allocations are
    checked again against what is open now (the ``items`` as read, less every
    commitment recorded so far), in the result's order: a match whose line was
    recorded meanwhile, or one of whose allocations no longer fits an item's
    residual, becomes ``review`` with :data:`COMMITTED_ELSEWHERE_LINE` or
    :data:`COMMITTED_ELSEWHERE_ITEM` and is not recorded. So two runs at once
    never settle one item twice, and each prints as ``auto`` only what it
    recorded. Returns the result as recorded and how many allocations were new.
    """
    return commit_against(store, result, {item.id: item.residual for item in items})


def commit_against(
    store: MatchStore, result: MatchResult, residuals: Mapping[str, Money]
) -> tuple[MatchResult, int]:
    """:func:`commit_matches` given each item's residual as the ledger reads it.

    What the review page records a decision through (its entries keep the
    residuals, not the open items).
    """
    # what each auto match takes, and whether it fits the items as read, known before the
    # lock: under it, only what other runs recorded meanwhile is checked
    wanted = [
        _wanted(m, residuals) if m.status is MatchStatus.AUTO else None for m in result.matches
    ]
    items_taken = {c.item_id for w in wanted if w for c in w[0]}
    lines = {m.line_id for m, w in zip(result.matches, wanted, strict=True) if w is not None}
    with store.locked():  # only what this result touches: the store grows with every run
        held = store.commitments(items=items_taken, lines=lines)
        checked, accepted = _recheck(result, wanted, residuals, held)
        new = store.record(accepted)
    return checked, new


def _recheck(
    result: MatchResult,
    wanted: Sequence[tuple[list[Commitment], bool] | None],
    residuals: Mapping[str, Money],
    committed: Sequence[Commitment],
) -> tuple[MatchResult, list[Commitment]]:
    """Each auto match checked against ``committed`` and the matches before it.

    ``wanted`` holds, for each auto match, its commitments and whether they
    fit the items' residuals as read; an item nothing touched since needs no
    other check.
    """
    open_now: dict[str, Money] = {}
    lines: set[str] = set()
    for c in committed:
        lines.add(c.line_id)
        residual = residuals.get(c.item_id)
        if residual is not None and c.residual == residual:
            open_now[c.item_id] = open_now.get(c.item_id, residual) - c.settled
    matches: list[Match] = []
    accepted: list[Commitment] = []
    for match, want in zip(result.matches, wanted, strict=True):
        if want is None:
            matches.append(match)
            continue
        taken, fits_as_read = want
        if match.line_id in lines:
            reason = COMMITTED_ELSEWHERE_LINE
        elif (
            fits_as_read
            if not any(c.item_id in open_now for c in taken)
            else all(_fits(c.settled, open_now.get(c.item_id, c.residual)) for c in taken)
        ):
            for c in taken:
                open_now[c.item_id] = open_now.get(c.item_id, c.residual) - c.settled
            accepted.extend(taken)
            matches.append(match)
            continue
        else:
            reason = COMMITTED_ELSEWHERE_ITEM
        matches.append(evolve(match, status=MatchStatus.REVIEW, reasons=(*match.reasons, reason)))
    return evolve(result, matches=tuple(matches)), accepted


def _wanted(match: Match, residuals: Mapping[str, Money]) -> tuple[list[Commitment], bool]:
    """The match's commitments, and whether each fits its item's residual as read."""
    taken = _of(match, residuals)
    return taken, all(_fits(c.settled, c.residual) for c in taken)


def _fits(amount: Money, open_amount: Money) -> bool:
    """True when ``amount`` settles no more than ``open_amount``, on the same side."""
    if amount.currency != open_amount.currency:
        return False
    paid, left = amount.amount, open_amount.amount
    if not paid:
        return True
    return paid * left > 0 and abs(paid) <= abs(left)


def _of(match: Match, residuals: Mapping[str, Money]) -> list[Commitment]:
    """The match's allocations; with a write-off each item is settled in full."""
    out = []
    for a in match.allocations:
        residual = residuals.get(a.item_id)
        if residual is None:
            continue
        paid = a.amount
        left = residual - paid if match.write_off else None
        out.append(Commitment(match.line_id, a.item_id, paid, residual, left or None))
    return out


def without_committed(
    items: Sequence[OpenItem], committed: Sequence[Commitment]
) -> tuple[list[OpenItem], frozenset[str]]:
    """The items still open after the commitments, and the ids of the lines already committed.

    A commitment lowers an item's residual (by what it paid and wrote off)
    only while the item still shows the residual it had when the match was
    accepted (the ledger has not booked the payment yet); items left with
    nothing open are dropped. The
    caller leaves the committed lines out of the next run.
    """
    by_item: dict[str, list[Commitment]] = {}
    for c in committed:
        by_item.setdefault(c.item_id, []).append(c)
    kept: list[OpenItem] = []
    for item in items:
        pending = [c for c in by_item.get(item.id, ()) if c.residual == item.residual]
        if not pending:
            kept.append(item)
            continue
        residual = item.residual
        for c in pending:
            residual = residual - c.settled
        if residual.amount != 0:
            kept.append(evolve(item, residual=residual))
    return kept, frozenset(c.line_id for c in committed)
