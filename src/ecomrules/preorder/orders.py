"""Orders with several lines: ship what is ready now and the rest later, or wait for all.

Under :attr:`MixedPolicy.SPLIT` every line keeps its own ship day and each
distinct day is a parcel (the parcels after the first are *extra* shipments);
units still waiting for supply form a last parcel without a date. Under
:attr:`MixedPolicy.WAIT` the whole order ships on the latest ship day of its
lines once every line is allocated in full, and is held until then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set
from datetime import date

from attrs import evolve

from ecomrules.errors import InputError
from ecomrules.preorder.result import LineStatus, MixedPolicy, PlanLine, Shipment
from ecomrules.preorder.schedule import Scheduler

__all__ = ["apply_mixed_policy"]


def apply_mixed_policy(
    scheduler: Scheduler, planned: list[PlanLine], orders: Set[str], policy: MixedPolicy
) -> list[Shipment]:
    """Apply ``policy`` in place to the lines of ``orders`` (those with several lines).

    Returns their shipments, order by order; an order with the same sku on
    two lines is refused with an ``InputError``.
    """
    if not orders:
        return []
    groups: dict[str, list[int]] = {order_id: [] for order_id in orders}
    for index, current in enumerate(planned):
        group = groups.get(current.line.order_id)
        if group is not None:
            group.append(index)
    shipments: list[Shipment] = []
    for order_id in sorted(groups):
        indices = sorted(groups[order_id], key=lambda i: planned[i].line.sku)
        _refuse_repeated_skus([planned[i] for i in indices])
        if policy is MixedPolicy.WAIT:
            _wait(scheduler, planned, indices)
        shipments.extend(_parcels([planned[i] for i in indices]))
    return shipments


def _refuse_repeated_skus(lines: list[PlanLine]) -> None:
    skus = [planned.line.sku for planned in lines]
    if len(set(skus)) < len(skus):
        repeated = sorted({sku for sku in skus if skus.count(sku) > 1})
        order_id = lines[0].line.order_id
        raise InputError(
            "lines",
            [f"order {order_id!r} has sku {sku!r} on more than one line" for sku in repeated],
        )


def _wait(scheduler: Scheduler, planned: list[PlanLine], indices: list[int]) -> None:
    lines = [planned[i] for i in indices]
    complete = all(p.ship_on is not None and p.allocated == p.line.quantity for p in lines)
    day = max((p.ship_on for p in lines if p.ship_on is not None), default=None)
    order_id = lines[0].line.order_id
    for index in indices:
        current = planned[index]
        if complete and day is not None:
            if current.ship_on == day:
                continue
            source = current.line
            route = scheduler.route(source.carrier_service, source.country)
            delivery = None if route is None else scheduler.delivery_on(route, day)
            status = current.status
            if status is LineStatus.SCHEDULED:
                status = LineStatus.LATE
            elif status is LineStatus.IN_STOCK:
                status = LineStatus.HELD_FOR_ORDER
            note = ("preorder.mixed.wait", f"waits for the rest of order {order_id}: ships {day}")
            planned[index] = evolve(
                current,
                ship_on=day,
                expected_delivery=delivery,
                status=status,
                notes=(*current.notes, note),
            )
        elif current.ship_on is not None:
            note = (
                "preorder.mixed.wait",
                f"waits for the rest of order {order_id}, not yet allocated in full",
            )
            planned[index] = evolve(
                current,
                ship_on=None,
                expected_delivery=None,
                status=LineStatus.HELD_FOR_ORDER,
                notes=(*current.notes, note),
            )


def _parcels(lines: list[PlanLine]) -> list[Shipment]:
    days: dict[date, list[tuple[str, int]]] = defaultdict(list)
    later: list[tuple[str, int]] = []
    for planned in lines:
        sku, quantity = planned.line.sku, planned.line.quantity
        if planned.ship_on is not None and planned.allocated:
            days[planned.ship_on].append((sku, planned.allocated))
            if planned.allocated < quantity:
                later.append((sku, quantity - planned.allocated))
        else:
            later.append((sku, quantity))
    groups: list[tuple[date | None, list[tuple[str, int]]]] = [
        (day, days[day]) for day in sorted(days)
    ]
    if later:
        groups.append((None, later))
    order_id = lines[0].line.order_id
    return [
        Shipment(order_id, number, day, tuple(items))
        for number, (day, items) in enumerate(groups, start=1)
    ]
