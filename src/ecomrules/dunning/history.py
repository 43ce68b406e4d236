"""What was already done: notices sent per item and level, charges, blocks and pauses.

:class:`DunningHistory` is the state a plan starts from; an adapter keeps it in
its own store behind the :class:`DunningHistoryStore` protocol (the CLI's is
:class:`ecomrules.workspace.dunning.SqliteDunningStore`). :func:`customer_levels`
tells other areas (credit) the highest level each customer has reached.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from contextlib import AbstractContextManager
from datetime import date
from typing import TYPE_CHECKING, Protocol

from attrs import field, frozen

from ecomrules.money import Money

if TYPE_CHECKING:
    from ecomrules.dunning.plan import DunningPlan

__all__ = [
    "ChargeKind",
    "CustomerLevel",
    "CustomerPause",
    "DunningCharge",
    "DunningEvent",
    "DunningHistory",
    "DunningHistoryStore",
    "ItemBlock",
    "customer_levels",
    "highest_levels",
]


@frozen
class DunningEvent:
    """One item sent one level on one day. ``rank`` 0 is the preventive reminder."""

    item_id: str
    customer_id: str
    level: str
    rank: int
    sent_on: date
    key: str
    notice_key: str = ""
    block_credit: bool = False
    handover: str | None = None


class ChargeKind(enum.Enum):
    """What a charge is for."""

    FEE = "fee"
    INDEMNITY = "indemnity"
    INTEREST = "interest"


@frozen
class DunningCharge:
    """A fee, indemnity or interest charged to a customer: a receivable of its own.

    ``paid`` is what was paid of it; a charge stays a claim until it is paid,
    even when the invoice it came from is settled. Interest charges keep the
    last day they cover in ``period_end`` so no day is charged twice.
    """

    key: str
    customer_id: str
    item_id: str | None
    kind: ChargeKind
    level: str
    amount: Money
    charged_on: date
    paid: Money | None = None
    period_end: date | None = None

    @property
    def open_amount(self) -> Money:
        """What is still owed."""
        return self.amount if self.paid is None else self.amount - self.paid


@frozen
class ItemBlock:
    """A manual block on one item, until (and including) ``until``; for ever when None."""

    item_id: str
    until: date | None = None
    note: str = ""

    def active(self, as_of: date) -> bool:
        """Return True when the block holds on ``as_of``."""
        return self.until is None or as_of <= self.until


@frozen
class CustomerPause:
    """No notices to a customer until (and including) ``until``; for ever when None."""

    customer_id: str
    until: date | None = None
    note: str = ""

    def active(self, as_of: date) -> bool:
        """Return True when the pause holds on ``as_of``."""
        return self.until is None or as_of <= self.until


def _events(value: Iterable[DunningEvent]) -> tuple[DunningEvent, ...]:
    return tuple(value)


def _charges(value: Iterable[DunningCharge]) -> tuple[DunningCharge, ...]:
    return tuple(value)


def _blocks(value: Iterable[ItemBlock]) -> tuple[ItemBlock, ...]:
    return tuple(value)


def _pauses(value: Iterable[CustomerPause]) -> tuple[CustomerPause, ...]:
    return tuple(value)


@frozen
class DunningHistory:
    """Everything a plan needs to know about the past, in any order."""

    events: tuple[DunningEvent, ...] = field(default=(), converter=_events)
    charges: tuple[DunningCharge, ...] = field(default=(), converter=_charges)
    blocks: tuple[ItemBlock, ...] = field(default=(), converter=_blocks)
    pauses: tuple[CustomerPause, ...] = field(default=(), converter=_pauses)

    def item_levels(self, item_id: str) -> tuple[DunningEvent, ...]:
        """The levels one item was sent, oldest first."""
        return tuple(
            sorted(
                (e for e in self.events if e.item_id == item_id), key=lambda e: (e.sent_on, e.rank)
            )
        )


class DunningHistoryStore(Protocol):
    """Where an adapter keeps the dunning history between runs, with a lock for one commit."""

    def locked(self) -> AbstractContextManager[None]:
        """Hold an exclusive lock (a write transaction) for one plan-and-record."""
        ...

    def changes(self) -> int:
        """A number that differs from an earlier answer when another writer recorded since.

        A store that cannot tell may answer a new number each time: every
        commit then plans again under the lock.
        """
        ...

    def load(self) -> DunningHistory:
        """Return the whole history."""
        ...

    def record(self, plan: DunningPlan, sent_on: date) -> int:
        """Record that the plan's notices were sent on ``sent_on``; return the events added.

        Recording the same plan twice adds nothing (idempotency keys).
        """
        ...


@frozen
class CustomerLevel:
    """The highest dunning level a customer has reached, as :func:`customer_levels` reports it."""

    customer_id: str
    level: str
    rank: int
    reached_on: date
    block_credit: bool
    handover: str | None


def customer_levels(
    history: DunningHistory | Iterable[DunningEvent],
    *,
    open_item_ids: Collection[str] | None = None,
) -> dict[str, CustomerLevel]:
    """Return each customer's highest level reached, by customer id.

    Only ladder levels count (the preventive reminder is no level). With
    ``open_item_ids`` only items still open count, so a customer who paid the
    invoice that reached the formal notice drops back. ``block_credit`` is True
    when any counted item reached a level that blocks credit. Ties on rank take
    the earliest date.
    """
    events = history.events if isinstance(history, DunningHistory) else tuple(history)
    best: dict[str, CustomerLevel] = {}
    for event in events:
        if event.rank < 1 or (open_item_ids is not None and event.item_id not in open_item_ids):
            continue
        current = best.get(event.customer_id)
        blocked = event.block_credit or (current is not None and current.block_credit)
        if current is None or (event.rank, current.reached_on) > (current.rank, event.sent_on):
            best[event.customer_id] = CustomerLevel(
                event.customer_id,
                event.level,
                event.rank,
                event.sent_on,
                blocked,
                event.handover,
            )
        elif blocked != current.block_credit:
            best[event.customer_id] = CustomerLevel(
                current.customer_id,
                current.level,
                current.rank,
                current.reached_on,
                blocked,
                current.handover,
            )
    return dict(sorted(best.items()))


def highest_levels(
    history: DunningHistory | Iterable[DunningEvent],
    *,
    open_item_ids: Collection[str] | None = None,
) -> dict[str, int]:
    """Return each customer's highest ladder level reached, as its rank (1 = first level).

    This is the ``dunning_level`` the credit engine takes
    (:func:`ecomrules.credit.decide`); customers never dunned are absent.
    ``open_item_ids`` counts only items still open, as in :func:`customer_levels`.
    """
    levels = customer_levels(history, open_item_ids=open_item_ids)
    return {customer_id: level.rank for customer_id, level in levels.items()}
