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
from operator import attrgetter

from attrs import field, frozen

from ecomrules.outcome import Reason
from ecomrules.preorder.model import PreorderLine, PreorderProduct, SupplyEvent, SupplyStatus

__all__ = [
    "AllocationPolicy",
    "LineMode",
    "Priority",
    "SupplyAllocation",
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
class SupplyAllocation:
    """What one line gets: ``accepted`` after the caps, ``allocated`` from supply, and why."""

    order_id: str
    sku: str
    quantity: int
    accepted: int
    allocated: int
    available_on: date | None
    units_ahead: int
    reasons: tuple[Reason, ...]


_FIFO = attrgetter("ordered_at", "order_id")

AllocatedRow = tuple[PreorderLine, int, int, date | None, int, tuple[Note, ...]]
"""``(line, accepted, allocated, available_on, units_ahead, notes)``: the plan's raw form."""


def allocate(
    lines: Iterable[PreorderLine],
    products: Iterable[PreorderProduct],
    supply: Iterable[SupplyEvent],
    policy: AllocationPolicy | None = None,
) -> dict[tuple[str, str], SupplyAllocation]:
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
    out: dict[tuple[str, str], SupplyAllocation] = {}
    for sku in sorted(by_sku):
        for line, accepted, allocated, available_on, ahead, notes in allocate_product(
            catalogue[sku], by_sku[sku], events.get(sku, ()), policy
        ):
            out[line.key] = SupplyAllocation(
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
    queue = sorted(lines, key=_FIFO)
    accepted = _accept_under_cap(product, queue)
    if policy.priority is Priority.PAID_FIRST:
        order = sorted(range(len(queue)), key=lambda i: not queue[i].paid)
    elif policy.priority is Priority.TIER:
        rank = {tier: number for number, tier in enumerate(policy.tiers)}
        worst = len(rank)
        order = sorted(range(len(queue)), key=lambda i: rank.get(queue[i].tier or "", worst))
    else:
        order = list(range(len(queue)))
    notes: dict[int, list[Note]] = {}
    if product.cap is not None:
        for index, amount in enumerate(accepted):
            if amount < queue[index].quantity:
                notes[index] = [
                    (
                        "preorder.allocation.over_cap",
                        f"accepted {amount} of {queue[index].quantity}: "
                        f"the pre-order cap of {product.cap} is reached",
                    )
                ]
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
    explain = _Explainer(policy, total, sum(accepted))
    return _trace(queue, order, accepted, given, events, notes, explain, _window(product))


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
    notes: dict[int, list[Note]],
) -> None:
    used: dict[str, int] = defaultdict(int)
    for index in order:
        customer = queue[index].customer_id
        take = min(accepted[index], cap - used[customer])
        if take < accepted[index]:
            notes.setdefault(index, []).append(
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


class _Explainer:
    """Builds the allocation note of each line (the common "got n of n" notes are shared)."""

    def __init__(self, policy: AllocationPolicy, total: int, demand: int) -> None:
        self.policy = policy
        self.total = total
        self.demand = demand
        self.full: dict[int, Note] = {}

    def note(self, want: int, accepted: int, got: int, ahead: int) -> Note:
        if got == want:
            found = self.full.get(got)
            if found is None:
                found = self.full[got] = ("preorder.allocation.full", f"got {got} of {want}")
            return found
        if got == accepted:
            code = "preorder.allocation.partial" if got else "preorder.allocation.none"
            return (code, f"got {got} of {want}: all that the caps accept")
        if self.policy.priority is Priority.PRO_RATA:
            return (
                "preorder.allocation.pro_rata",
                f"got {got} of {want}: pro-rata share of {self.total} units "
                f"for {self.demand} demanded",
            )
        if got == 0 and self.policy.mode is LineMode.ALL_OR_NOTHING:
            return (
                "preorder.allocation.all_or_nothing",
                f"got 0 of {want}: fewer units left when its turn came, all or nothing",
            )
        if got == 0:
            return (
                "preorder.allocation.none",
                f"got 0: {ahead} units ahead in the queue, {self.total} in supply",
            )
        return (
            "preorder.allocation.partial",
            f"got {got} of {want}: {ahead} units ahead in the queue, {self.total} in supply",
        )


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
    notes: dict[int, list[Note]],
    explain: _Explainer,
    window: tuple[datetime | None, datetime | None],
) -> list[AllocatedRow]:
    rows: list[AllocatedRow] = []
    position = 0
    left = events[0].quantity if events else 0
    ahead = 0
    start, end = window
    full = explain.full
    for index in order:
        line = queue[index]
        need = got = given[index]
        available_on = None
        while need:
            while left == 0:
                position += 1
                left = events[position].quantity
            take = min(need, left)
            need -= take
            left -= take
            available_on = events[position].arrival
        want = line.quantity
        if got == want:
            note = full.get(got) or explain.note(want, accepted[index], got, ahead)
        else:
            note = explain.note(want, accepted[index], got, ahead)
        extra = notes.get(index)
        if (start is not None and line.ordered_at < start) or (
            end is not None and line.ordered_at >= end
        ):
            extra = [*(extra or ()), _outside(line)]
        line_notes = (note,) if extra is None else (*extra, note)
        rows.append((line, accepted[index], got, available_on, ahead, line_notes))
        ahead += accepted[index]
    return rows


def _outside(line: PreorderLine) -> Note:
    return (
        "preorder.line.outside_window",
        f"ordered {line.ordered_at.isoformat()}, outside the pre-order window",
    )
