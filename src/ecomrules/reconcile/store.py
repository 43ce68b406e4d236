"""What a run remembers: accepted matches, so a later run does not propose them again.

The engine stays pure: :class:`MatchStore` is the small protocol an adapter
implements (the CLI uses the SQLite workspace,
:class:`ecomrules.workspace.reconcile.SqliteMatchStore`), and
:func:`without_committed` turns what the store holds into the inputs of the
next run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from attrs import evolve, frozen

from ecomrules.ledger import OpenItem
from ecomrules.money import Money
from ecomrules.reconcile.result import Match, MatchResult, MatchStatus

__all__ = ["Commitment", "MatchStore", "commitments", "without_committed"]


@frozen
class Commitment:
    """One accepted allocation: a line paid ``amount`` of an item then ``residual`` open."""

    line_id: str
    item_id: str
    amount: Money
    residual: Money
    """The item's residual when the match was accepted."""


class MatchStore(Protocol):
    """Where accepted matches are kept between runs."""

    def commitments(self) -> list[Commitment]:
        """Every accepted allocation so far."""

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


def _of(match: Match, residuals: dict[str, Money]) -> list[Commitment]:
    return [
        Commitment(match.line_id, a.item_id, a.amount, residuals[a.item_id])
        for a in match.allocations
        if a.item_id in residuals
    ]


def without_committed(
    items: Sequence[OpenItem], committed: Sequence[Commitment]
) -> tuple[list[OpenItem], frozenset[str]]:
    """The items still open after the commitments, and the ids of the lines already committed.

    A commitment lowers an item's residual only while the item still shows
    the residual it had when the match was accepted (the ledger has not
    booked the payment yet); items left with nothing open are dropped. The
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
            residual = residual - c.amount
        if residual.amount != 0:
            kept.append(evolve(item, residual=residual))
    return kept, frozenset(c.line_id for c in committed)
