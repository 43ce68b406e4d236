"""Allocation of scarce supply among the pre-orders of a product.

The queue is ordered by the policy's priority (FIFO by ``ordered_at`` by
default, paid first, customer tier), then always by ``ordered_at``, then by
``order_id``: every tie is broken explicitly, so the result never depends on
input order. The product's pre-order cap is applied first in ``ordered_at``
order (lines past it are refused), then the cap per customer in queue order.
Pro-rata shares are exact: floors of ``supply * demand / total`` with the
remaining units given by largest remainder (ties in queue order).

Allocated units are traced to supply events in arrival order, the head of the
queue taking the earliest, so each line knows the day its last unit arrives.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from attrs import field, frozen

from ecomrules.outcome import Reason
from ecomrules.preorder.model import PreorderLine, PreorderProduct, SupplyEvent, SupplyStatus

__all__ = [
    "Allocation",
    "AllocationPolicy",
    "LineMode",
    "Priority",
    "allocate",
    "allocate_product",
]

Note = tuple[str, str]
"""A reason not yet built: ``(code, message)``; plans build :class:`Reason` on demand."""


class Priority(enum.Enum):
    """Who is served first when supply is short."""

    FIFO = "fifo"
    """First ordered, first served (the default)."""
    PAID_FIRST = "paid_first"
    """Paid lines before authorised or unpaid ones, then FIFO."""
    TIER = "tier"
    """Customer tiers in the policy's order (unknown tiers last), then FIFO."""
    PRO_RATA = "pro_rata"
    """Everyone gets the same share of their demand, exact to the unit."""


class LineMode(enum.Enum):
    """Whether a line may receive part of its quantity."""

    PARTIAL = "partial"
    ALL_OR_NOTHING = "all_or_nothing"


def _tiers(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@frozen
class AllocationPolicy:
    """How scarce supply is shared.

    ``tiers`` ranks customer tiers best first (for :attr:`Priority.TIER`);
    ``cap_per_customer`` limits the units one customer gets of one product;
    ``count_expected`` counts supply still expected (else received only).
    """

    priority: Priority = Priority.FIFO
    tiers: tuple[str, ...] = field(default=(), converter=_tiers)
    cap_per_customer: int | None = None
    mode: LineMode = LineMode.PARTIAL
    count_expected: bool = True

    def __attrs_post_init__(self) -> None:
        if self.priority is Priority.PRO_RATA and self.mode is LineMode.ALL_OR_NOTHING:
            raise ValueError("pro-rata shares are partial by nature: all-or-nothing does not apply")
        if self.cap_per_customer is not None and self.cap_per_customer < 1:
            raise ValueError("cap_per_customer must be at least 1")


@frozen
class Allocation:
    """What one line gets: ``accepted`` after the caps, ``allocated`` from supply, and why."""

    order_id: str
    sku: str
    quantity: int
    accepted: int
    allocated: int
    available_on: date | None
    units_ahead: int
    reasons: tuple[Reason, ...]


AllocatedRow = tuple[PreorderLine, int, int, date | None, int, tuple[Note, ...]]
"""``(line, accepted, allocated, available_on, units_ahead, notes)``: the plan's raw form."""


def allocate(
    lines: Iterable[PreorderLine],
    products: Iterable[PreorderProduct],
    supply: Iterable[SupplyEvent],
    policy: AllocationPolicy | None = None,
) -> dict[tuple[str, str], Allocation]:
    """Allocate supply to every pre-order line of a known product, keyed by ``(order_id, sku)``."""
    policy = policy or AllocationPolicy()
    catalogue = {product.sku: product for product in products}
    by_sku: dict[str, list[PreorderLine]] = defaultdict(list)
    for line in lines:
        if not line.in_stock and line.sku in catalogue:
            by_sku[line.sku].append(line)
    events: dict[str, list[SupplyEvent]] = defaultdict(list)
    for event in supply:
        events[event.sku].append(event)
    out: dict[tuple[str, str], Allocation] = {}
    for sku in sorted(by_sku):
        for line, accepted, allocated, available_on, ahead, notes in allocate_product(
            catalogue[sku], by_sku[sku], events.get(sku, ()), policy
        ):
            out[line.key] = Allocation(
                line.order_id,
                line.sku,
                line.quantity,
                accepted,
                allocated,
                available_on,
                ahead,
                tuple(Reason(code, message) for code, message in notes),
            )
    return out


def allocate_product(
    product: PreorderProduct,
    lines: Sequence[PreorderLine],
    supply: Iterable[SupplyEvent],
    policy: AllocationPolicy,
) -> list[AllocatedRow]:
    """Allocate one product's supply to its lines; rows come back in queue order."""
    queue = sorted(lines, key=_fifo_key)
    accepted = _accept_under_cap(product, queue)
    if policy.priority is Priority.PAID_FIRST:
        order = sorted(range(len(queue)), key=lambda i: not queue[i].paid)
    elif policy.priority is Priority.TIER:
        rank = {tier: number for number, tier in enumerate(policy.tiers)}
        worst = len(rank)
        order = sorted(range(len(queue)), key=lambda i: rank.get(queue[i].tier or "", worst))
    else:
        order = list(range(len(queue)))
    notes: list[list[Note]] = [[] for _ in queue]
    for index, amount in enumerate(accepted):
        if amount < queue[index].quantity:
            notes[index].append(
                (
                    "preorder.allocation.over_cap",
                    f"accepted {amount} of {queue[index].quantity}: "
                    f"the pre-order cap of {product.cap} is reached",
                )
            )
    if policy.cap_per_customer is not None:
        _cap_customers(queue, order, accepted, policy.cap_per_customer, notes)
    events = sorted(
        (e for e in supply if policy.count_expected or e.status is SupplyStatus.RECEIVED),
        key=lambda e: (e.arrival, e.status is not SupplyStatus.RECEIVED, e.reference or ""),
    )
    total = sum(event.quantity for event in events)
    if policy.priority is Priority.PRO_RATA:
        given = _pro_rata(order, accepted, total)
    else:
        given = _queue(order, accepted, total, policy.mode)
    _explain(queue, order, accepted, given, total, policy, notes)
    return _trace(queue, order, accepted, given, events, notes, _window(product))


def _fifo_key(line: PreorderLine) -> tuple[float, str]:
    return (line.ordered_at.timestamp(), line.order_id)


def _accept_under_cap(product: PreorderProduct, queue: Sequence[PreorderLine]) -> list[int]:
    if product.cap is None:
        return [line.quantity for line in queue]
    room = product.cap
    accepted = []
    for line in queue:
        take = min(line.quantity, room)
        room -= take
        accepted.append(take)
    return accepted


def _cap_customers(
    queue: Sequence[PreorderLine],
    order: Sequence[int],
    accepted: list[int],
    cap: int,
    notes: list[list[Note]],
) -> None:
    used: dict[str, int] = defaultdict(int)
    for index in order:
        customer = queue[index].customer_id
        take = min(accepted[index], cap - used[customer])
        if take < accepted[index]:
            notes[index].append(
                (
                    "preorder.allocation.customer_cap",
                    f"limited to {take} of {queue[index].quantity}: at most {cap} per customer",
                )
            )
            accepted[index] = take
        used[customer] += take


def _queue(order: Sequence[int], accepted: Sequence[int], total: int, mode: LineMode) -> list[int]:
    given = [0] * len(accepted)
    left = total
    for index in order:
        want = accepted[index]
        take = min(want, left)
        if mode is LineMode.ALL_OR_NOTHING and take < want:
            take = 0
        given[index] = take
        left -= take
    return given


def _pro_rata(order: Sequence[int], accepted: Sequence[int], total: int) -> list[int]:
    demand = sum(accepted)
    if total >= demand:
        return list(accepted)
    given = [0] * len(accepted)
    remainders = []
    for position, index in enumerate(order):
        share, remainder = divmod(total * accepted[index], demand)
        given[index] = share
        remainders.append((-remainder, position, index))
    left = total - sum(given)
    remainders.sort()
    for _, _, index in remainders[:left]:
        given[index] += 1
    return given


def _explain(
    queue: Sequence[PreorderLine],
    order: Sequence[int],
    accepted: Sequence[int],
    given: Sequence[int],
    total: int,
    policy: AllocationPolicy,
    notes: list[list[Note]],
) -> None:
    ahead = 0
    demand = sum(accepted)
    for index in order:
        want = queue[index].quantity
        got = given[index]
        if got == want:
            note = ("preorder.allocation.full", f"got {got} of {want}")
        elif got == accepted[index]:
            note = (
                "preorder.allocation.partial" if got else "preorder.allocation.none",
                f"got {got} of {want}: all that the caps accept",
            )
        elif policy.priority is Priority.PRO_RATA and accepted[index]:
            note = (
                "preorder.allocation.pro_rata",
                f"got {got} of {want}: pro-rata share of {total} units for {demand} demanded",
            )
        elif got == 0 and accepted[index] and policy.mode is LineMode.ALL_OR_NOTHING:
            note = (
                "preorder.allocation.all_or_nothing",
                f"got 0 of {want}: fewer units left when its turn came, all or nothing",
            )
        elif got == 0:
            note = (
                "preorder.allocation.none",
                f"got 0: {ahead} units ahead in the queue, {total} in supply",
            )
        else:
            note = (
                "preorder.allocation.partial",
                f"got {got} of {want}: {ahead} units ahead in the queue, {total} in supply",
            )
        notes[index].append(note)
        ahead += accepted[index]


def _window(product: PreorderProduct) -> tuple[datetime | None, datetime | None]:
    zone = product.release_at.tzinfo
    start = end = None
    if product.preorder_start is not None:
        start = datetime.combine(product.preorder_start, time(0, 0), tzinfo=zone)
    if product.preorder_end is not None:
        end = datetime.combine(product.preorder_end + timedelta(days=1), time(0, 0), tzinfo=zone)
    return start, end


def _trace(
    queue: Sequence[PreorderLine],
    order: Sequence[int],
    accepted: Sequence[int],
    given: Sequence[int],
    events: Sequence[SupplyEvent],
    notes: list[list[Note]],
    window: tuple[datetime | None, datetime | None],
) -> list[AllocatedRow]:
    rows: list[AllocatedRow] = []
    position = 0
    left = events[0].quantity if events else 0
    ahead = 0
    start, end = window
    for index in order:
        line = queue[index]
        need = given[index]
        available_on = None
        while need:
            while left == 0:
                position += 1
                left = events[position].quantity
            take = min(need, left)
            need -= take
            left -= take
            available_on = events[position].arrival
        line_notes = notes[index]
        if (start is not None and line.ordered_at < start) or (
            end is not None and line.ordered_at >= end
        ):
            line_notes.append(
                (
                    "preorder.line.outside_window",
                    f"ordered {line.ordered_at.isoformat()}, outside the pre-order window",
                )
            )
        rows.append((line, accepted[index], given[index], available_on, ahead, tuple(line_notes)))
        ahead += accepted[index]
    return rows
