"""Credit reservations: an accepted order holds its amount until it is invoiced.

Two orders taken at once must not both pass on the same headroom. A caller
that reserves goes through :func:`decide_and_reserve`: inside the store's
lock it adds the amounts other orders hold, decides, and records the order's
own reservation when it is accepted. The SQLite workspace implements the
store (:class:`ecomrules.workspace.credit.SqliteReservationStore`); an ERP
adapter can put its own in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date
from typing import Protocol

from attrs import frozen

from ecomrules.credit.book import ExposureBook
from ecomrules.credit.decide import decide
from ecomrules.credit.decision import CreditDecision, Override
from ecomrules.credit.exposure import Exposure, GroupExposure
from ecomrules.credit.order import Order
from ecomrules.errors import InvariantError
from ecomrules.money import Money

__all__ = ["Reservation", "ReservationStore", "decide_and_reserve"]


@frozen
class Reservation:
    """The amount an accepted order holds on its customer's (and group's) headroom."""

    order_id: str
    customer_id: str
    group_id: str | None
    amount: Money
    reserved_on: date


class ReservationStore(Protocol):
    """Where reservations live, with a lock held across check-then-reserve."""

    def locked(self) -> AbstractContextManager[None]:
        """Hold an exclusive lock (a write transaction) for one decide-and-reserve."""
        ...

    def reservations(self, customer_ids: Sequence[str]) -> list[Reservation]:
        """Return the reservations of these customers, or of their groups."""
        ...

    def add(self, reservation: Reservation) -> None:
        """Record (or replace) the reservation of an order."""
        ...

    def release(self, order_id: str) -> bool:
        """Drop an order's reservation (invoiced or cancelled); True if it existed."""
        ...


def decide_and_reserve(
    store: ReservationStore,
    book: ExposureBook,
    order: Order,
    *,
    dunning_level: int | None = None,
    dunning_blocks_credit: bool = False,
    overrides: Iterable[Override] = (),
) -> CreditDecision:
    """Decide on ``order`` counting the orders reserved elsewhere, and reserve it if accepted.

    Reservations of orders the book already counts (an open order, say) and
    the order's own earlier reservation are not counted again. An accepted
    order that adds exposure is reserved; a refused one leaves nothing behind.
    """
    customer = book.customers.get(order.customer_id)
    if customer is None:
        raise InvariantError(f"order {order.id}: customer {order.customer_id!r} is not known")
    policy, as_of = book.policy, book.as_of
    with store.locked():
        group = book.group(customer)
        members = [customer.id]
        if group is not None:
            members = sorted(
                c.id for c in book.customers.values() if group.group_id in (c.group_id, c.id)
            )
        held = [
            r
            for r in store.reservations(members)
            if r.order_id != order.id and not book.counts_order(r.order_id)
        ]
        exposure = _with(book.exposure(customer.id), held, customer.id, book)
        if group is not None:
            shared = _with(group.exposure, held, None, book)
            group = GroupExposure(group.group_id, shared, group.limit)
        decision = decide(
            order,
            customer,
            exposure,
            policy,
            as_of,
            group=group,
            dunning_level=dunning_level,
            dunning_blocks_credit=dunning_blocks_credit,
            overrides=overrides,
        )
        now, _ = order.exposure_split(as_of, policy.preorder_horizon_days)
        if decision.accepted and now:
            store.add(Reservation(order.id, customer.id, customer.group_id, now, as_of))
    return decision


def _with(
    exposure: Exposure, held: list[Reservation], customer_id: str | None, book: ExposureBook
) -> Exposure:
    total = Money.zero(exposure.currency)
    for reservation in held:
        if customer_id is None or reservation.customer_id == customer_id:
            total = total + book.policy.rates.convert(reservation.amount, exposure.currency)
    return exposure.with_reserved(total) if total else exposure
