"""The release plan: allocation, ship and delivery days, mixed orders and alerts in one pass.

:func:`plan` is pure: it takes the products, lines, supply, warehouse, carrier
services and an aware ``as_of`` instant, and returns a :class:`ReleasePlan`.
Lines come back sorted by ``(order_id, sku)``; nothing depends on input order.
"""

from __future__ import annotations

import enum
import itertools
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from attrs import evolve, field, frozen

from ecomrules.errors import InputError
from ecomrules.outcome import Reason
from ecomrules.preorder.alerts import Alert, AlertPolicy, ProductSummary, product_alerts
from ecomrules.preorder.allocation import (
    AllocatedRow,
    AllocationPolicy,
    Note,
    allocate_product,
)
from ecomrules.preorder.model import (
    CarrierService,
    PreorderLine,
    PreorderProduct,
    SupplyEvent,
    SupplyStatus,
    Warehouse,
)
from ecomrules.preorder.schedule import Route, Scheduler
from ecomrules.time import require_aware

__all__ = [
    "LineStatus",
    "MixedPolicy",
    "PlanLine",
    "PlanPolicy",
    "ReleasePlan",
    "Shipment",
    "plan",
]


class LineStatus(enum.Enum):
    """Where a line stands in the plan."""

    SCHEDULED = "scheduled"
    """Allocated in full; ships on its release schedule."""
    LATE = "late"
    """Allocated in full, but it cannot reach release day (late stock, or planned too late)."""
    PARTIAL = "partial"
    """Part of the quantity is allocated and scheduled; the rest waits for supply."""
    WAITING = "waiting"
    """Nothing allocated yet: waits for supply."""
    IN_STOCK = "in_stock"
    """An ordinary line of a mixed order: ships at the first pick-up."""
    HELD_FOR_ORDER = "held_for_order"
    """Waits for the other lines of its order (the ``wait`` mixed-order policy)."""
    NO_ROUTE = "no_route"
    """No carrier service serves the destination: cannot be scheduled."""
    UNKNOWN_PRODUCT = "unknown_product"
    """The sku is neither a pre-order product nor marked in stock."""


class MixedPolicy(enum.Enum):
    """Orders with lines shipping on different days."""

    SPLIT = "split"
    """Ship what is available now and the rest later (extra shipments)."""
    WAIT = "wait"
    """Ship everything together once every line can ship."""


@frozen
class PlanPolicy:
    """The choices of a plan: allocation, mixed orders and alert horizons."""

    allocation: AllocationPolicy = field(factory=AllocationPolicy)
    mixed: MixedPolicy = MixedPolicy.SPLIT
    alerts: AlertPolicy = field(factory=AlertPolicy)


@frozen
class PlanLine:
    """One line of the plan: what it gets, when it ships and arrives, and why.

    ``ship_on`` is a day in the warehouse's zone, ``expected_delivery`` and
    ``release_day`` days in the destination's. ``notes`` hold ``(code,
    message)`` pairs; :attr:`reasons` builds the :class:`Reason` values.
    """

    order_id: str
    sku: str
    customer_id: str
    quantity: int
    accepted: int
    allocated: int
    status: LineStatus
    ship_on: date | None
    expected_delivery: date | None
    release_day: date | None
    available_on: date | None
    units_ahead: int
    route: str | None
    notes: tuple[Note, ...]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The reasons behind the line's allocation and dates."""
        return tuple(Reason(code, message) for code, message in self.notes)

    def to_json(self) -> dict[str, Any]:
        """The line as a JSON-ready dict."""
        return {
            "order_id": self.order_id,
            "sku": self.sku,
            "customer_id": self.customer_id,
            "quantity": self.quantity,
            "accepted": self.accepted,
            "allocated": self.allocated,
            "status": self.status.value,
            "ship_on": _iso(self.ship_on),
            "expected_delivery": _iso(self.expected_delivery),
            "release_day": _iso(self.release_day),
            "available_on": _iso(self.available_on),
            "units_ahead": self.units_ahead,
            "route": self.route,
            "reasons": [{"code": code, "message": message} for code, message in self.notes],
        }


@frozen
class Shipment:
    """One parcel of a multi-line order; ``ship_on`` None means when supply allows."""

    order_id: str
    number: int
    ship_on: date | None
    items: tuple[tuple[str, int], ...]

    @property
    def extra(self) -> bool:
        """True for every shipment after the order's first."""
        return self.number > 1

    def to_json(self) -> dict[str, Any]:
        """The shipment as a JSON-ready dict."""
        return {
            "order_id": self.order_id,
            "number": self.number,
            "extra": self.extra,
            "ship_on": _iso(self.ship_on),
            "items": [{"sku": sku, "quantity": quantity} for sku, quantity in self.items],
        }


@frozen
class ReleasePlan:
    """The plan at ``as_of``: lines, shipments of multi-line orders, products and alerts."""

    as_of: datetime
    lines: tuple[PlanLine, ...]
    shipments: tuple[Shipment, ...]
    products: tuple[ProductSummary, ...]
    alerts: tuple[Alert, ...]

    def line(self, order_id: str, sku: str) -> PlanLine:
        """The plan line of ``(order_id, sku)``; ``KeyError`` when absent."""
        for candidate in self.lines:
            if candidate.order_id == order_id and candidate.sku == sku:
                return candidate
        raise KeyError((order_id, sku))

    def to_json(self) -> dict[str, Any]:
        """The plan as a JSON-ready dict (the CLI's ``--json`` document)."""
        return {
            "as_of": self.as_of.isoformat(),
            "lines": [line.to_json() for line in self.lines],
            "shipments": [shipment.to_json() for shipment in self.shipments],
            "alerts": [alert.to_json() for alert in self.alerts],
        }


def plan(
    *,
    products: Iterable[PreorderProduct],
    lines: Iterable[PreorderLine],
    supply: Iterable[SupplyEvent],
    warehouse: Warehouse,
    carriers: Iterable[CarrierService],
    as_of: datetime,
    policy: PlanPolicy | None = None,
) -> ReleasePlan:
    """Plan every line at ``as_of``: allocate scarce supply, schedule, split orders, alert."""
    require_aware(as_of, "as_of")
    policy = policy or PlanPolicy()
    run = _Run(warehouse, carriers, as_of)
    catalogue: dict[str, PreorderProduct] = {}
    for product in products:
        if product.sku in catalogue:
            raise InputError("products", [f"sku {product.sku!r} is listed twice"])
        catalogue[product.sku] = product
    by_sku: dict[str, list[PreorderLine]] = defaultdict(list)
    others: list[PreorderLine] = []
    for line in lines:
        if line.in_stock or line.sku not in catalogue:
            others.append(line)
        else:
            by_sku[line.sku].append(line)
    events: dict[str, list[SupplyEvent]] = defaultdict(list)
    for event in supply:
        events[event.sku].append(event)
    planned: list[tuple[PlanLine, PreorderLine]] = []
    summaries = []
    for sku in sorted(catalogue):
        product = catalogue[sku]
        rows = allocate_product(
            product, by_sku.get(sku, ()), events.get(sku, ()), policy.allocation
        )
        planned.extend((run.schedule(product, row), row[0]) for row in rows)
        summaries.append(run.summarise(product, rows, events.get(sku, ())))
    planned.extend((run.other(line), line) for line in others)
    planned.sort(key=lambda pair: (pair[0].order_id, pair[0].sku))
    _refuse_duplicates(planned)
    shipments = _orders(run, planned, policy.mixed)
    alerts = [
        alert
        for summary in summaries
        for alert in product_alerts(catalogue[summary.sku], summary, as_of, policy.alerts)
    ]
    alerts.extend(run.authorisations(planned, policy.alerts))
    alerts.sort(key=lambda a: (a.sku, a.code, a.order_id or ""))
    return ReleasePlan(
        as_of=as_of,
        lines=tuple(line for line, _ in planned),
        shipments=tuple(shipments),
        products=tuple(summaries),
        alerts=tuple(alerts),
    )


class _Run:
    """One planning run: the scheduler and the per-route caches of ``as_of``."""

    def __init__(
        self, warehouse: Warehouse, carriers: Iterable[CarrierService], as_of: datetime
    ) -> None:
        self.scheduler = Scheduler(warehouse, carriers)
        self.as_of = as_of
        self.today = as_of.astimezone(warehouse.zone).date()
        self._first: dict[int, date] = {}
        self._on_time: dict[tuple[str, int], tuple[Note, ...]] = {}

    def first_pickup(self, route: Route) -> date:
        found = self._first.get(id(route))
        if found is None:
            found = self.scheduler.first_pickup_day(route, self.as_of)
            self._first[id(route)] = found
        return found

    def schedule(self, product: PreorderProduct, row: AllocatedRow) -> PlanLine:
        line, accepted, allocated, available_on, ahead, notes = row
        route = self.scheduler.route(line.carrier_service, line.country)
        if route is None:
            return _unrouted(line, accepted, allocated, available_on, ahead, notes)
        target = self.scheduler.target(product, route)
        if not allocated:
            waiting = ("preorder.schedule.waiting_supply", "no ship day until supply is allocated")
            return PlanLine(
                line.order_id, line.sku, line.customer_id, line.quantity, accepted, 0,
                LineStatus.WAITING, None, None, target.release_day, None, ahead, route.name,
                (*notes, waiting),
            )  # fmt: skip
        ship = target.ship_on
        first = self.first_pickup(route)
        cause = None
        if first > ship:
            ship, cause = first, f"the first pick-up from now is {first}"
        stocked = self.scheduler.next_ship_day(route, available_on or first)
        if stocked > ship:
            ship, cause = stocked, f"its stock arrives {available_on}"
        if cause is None:
            delivery = target.delivery
            extra = self._on_time_notes(product, route)
            status = LineStatus.SCHEDULED
        else:
            delivery = self.scheduler.delivery_on(route, ship)
            extra = (
                (
                    "preorder.schedule.late",
                    f"cannot reach release day {target.release_day}: {cause}; "
                    f"ships {ship}, expected {delivery}",
                ),
            )
            status = LineStatus.LATE
        if allocated < line.quantity:
            status = LineStatus.PARTIAL
        return PlanLine(
            line.order_id, line.sku, line.customer_id, line.quantity, accepted, allocated,
            status, ship, delivery, target.release_day, available_on, ahead, route.name,
            notes + extra,
        )  # fmt: skip

    def _on_time_notes(self, product: PreorderProduct, route: Route) -> tuple[Note, ...]:
        key = (product.sku, id(route))
        found = self._on_time.get(key)
        if found is None:
            target = self.scheduler.target(product, route)
            if not product.strict:
                note = (
                    "preorder.schedule.ships_on_release",
                    f"ships {target.ship_on} after the release, expected {target.delivery}",
                )
            elif target.delivery == target.release_day:
                note = (
                    "preorder.schedule.on_release",
                    f"ships {target.ship_on}, expected on release day {target.delivery}",
                )
            else:
                note = (
                    "preorder.schedule.after_release",
                    f"ships {target.ship_on}, expected {target.delivery}: release day "
                    f"{target.release_day} is not a delivery day of {route.name}",
                )
            found = (note,)
            self._on_time[key] = found
        return found

    def other(self, line: PreorderLine) -> PlanLine:
        if not line.in_stock:
            note = (
                "preorder.line.unknown_product",
                f"{line.sku} is not a pre-order product and the line is not marked in stock",
            )
            return PlanLine(
                line.order_id, line.sku, line.customer_id, line.quantity, 0, 0,
                LineStatus.UNKNOWN_PRODUCT, None, None, None, None, 0, None, (note,),
            )  # fmt: skip
        route = self.scheduler.route(line.carrier_service, line.country)
        if route is None:
            return _unrouted(line, line.quantity, line.quantity, None, 0, ())
        ship = self.first_pickup(route)
        delivery = self.scheduler.delivery_on(route, ship)
        note = ("preorder.schedule.in_stock", f"in stock: ships {ship}, expected {delivery}")
        return PlanLine(
            line.order_id, line.sku, line.customer_id, line.quantity, line.quantity,
            line.quantity, LineStatus.IN_STOCK, ship, delivery, None, None, 0, route.name,
            (note,),
        )  # fmt: skip

    def summarise(
        self, product: PreorderProduct, rows: list[AllocatedRow], events: Iterable[SupplyEvent]
    ) -> ProductSummary:
        received = incoming = by_release = 0
        release_zone = product.release_at.tzinfo
        release_on = product.release_at.date()
        for event in events:
            if event.status is SupplyStatus.RECEIVED:
                received += event.quantity
            else:
                incoming += event.quantity
            if event.arrival <= release_on:
                by_release += event.quantity
        allocated = sum(row[2] for row in rows)
        today_there = self.as_of.astimezone(release_zone).date()
        cutoff = product.supplier_cutoff
        return ProductSummary(
            sku=product.sku,
            name=product.name,
            lines=len(rows),
            demanded=sum(row[0].quantity for row in rows),
            accepted=sum(row[1] for row in rows),
            allocated=allocated,
            received=received,
            incoming=incoming,
            supply_by_release=by_release,
            release_on=release_on,
            supplier_cutoff=cutoff,
            days_to_release=(release_on - today_there).days,
            days_to_cutoff=None if cutoff is None else (cutoff - self.today).days,
            held=min(received, allocated) if self.as_of < product.release_at else 0,
        )

    def authorisations(
        self, planned: list[tuple[PlanLine, PreorderLine]], policy: AlertPolicy
    ) -> list[Alert]:
        alerts = []
        validity = timedelta(days=policy.authorization_days)
        for planned_line, line in planned:
            if line.paid or line.authorized_at is None or planned_line.ship_on is None:
                continue
            route = self.scheduler.route(line.carrier_service, line.country)
            if route is None:
                continue
            expires = line.authorized_at + validity
            ship_at = self.scheduler.pickup_at(route, planned_line.ship_on)
            if expires < ship_at:
                alerts.append(
                    Alert(
                        "preorder.alert.authorization_expiring",
                        line.sku,
                        f"order {line.order_id}: the card authorisation of "
                        f"{line.authorized_at.date()} expires {expires.date()}, before it "
                        f"ships on {planned_line.ship_on}: capture or authorise again",
                        order_id=line.order_id,
                        data={"expires_at": expires.isoformat(), "ship_on": planned_line.ship_on},
                    )
                )
        return alerts


def _unrouted(
    line: PreorderLine,
    accepted: int,
    allocated: int,
    available_on: date | None,
    ahead: int,
    notes: tuple[Note, ...],
) -> PlanLine:
    note = (
        "preorder.schedule.no_route",
        f"no carrier service {line.carrier_service!r} to {line.country}",
    )
    return PlanLine(
        line.order_id, line.sku, line.customer_id, line.quantity, accepted, allocated,
        LineStatus.NO_ROUTE, None, None, None, available_on, ahead, None, (*notes, note),
    )  # fmt: skip


def _refuse_duplicates(planned: list[tuple[PlanLine, PreorderLine]]) -> None:
    problems = [
        f"order {b.order_id!r} has sku {b.sku!r} on more than one line"
        for (a, _), (b, _) in itertools.pairwise(planned)
        if a.order_id == b.order_id and a.sku == b.sku
    ]
    if problems:
        raise InputError("lines", problems)


def _orders(
    run: _Run, planned: list[tuple[PlanLine, PreorderLine]], policy: MixedPolicy
) -> list[Shipment]:
    """Apply the mixed-order policy to multi-line orders (adjacent once sorted)."""
    shipments: list[Shipment] = []
    start = 0
    count = len(planned)
    while start < count:
        end = start + 1
        order_id = planned[start][0].order_id
        while end < count and planned[end][0].order_id == order_id:
            end += 1
        if end - start > 1:
            if policy is MixedPolicy.WAIT:
                _wait(run, planned, start, end)
            shipments.extend(_parcels(planned, start, end))
        start = end
    return shipments


def _wait(run: _Run, planned: list[tuple[PlanLine, PreorderLine]], start: int, end: int) -> None:
    lines = [line for line, _ in planned[start:end]]
    complete = all(line.ship_on is not None and line.allocated == line.quantity for line in lines)
    day = max((line.ship_on for line in lines if line.ship_on is not None), default=None)
    for index in range(start, end):
        line, source = planned[index]
        if complete and day is not None:
            if line.ship_on == day:
                continue
            route = run.scheduler.route(source.carrier_service, source.country)
            delivery = None if route is None else run.scheduler.delivery_on(route, day)
            status = line.status
            if status is LineStatus.SCHEDULED:
                status = LineStatus.LATE
            elif status is LineStatus.IN_STOCK:
                status = LineStatus.HELD_FOR_ORDER
            note = (
                "preorder.mixed.wait",
                f"waits for the rest of order {line.order_id}: ships {day}",
            )
            updated = evolve(
                line,
                ship_on=day,
                expected_delivery=delivery,
                status=status,
                notes=(*line.notes, note),
            )
        else:
            if line.ship_on is None:
                continue
            note = (
                "preorder.mixed.wait",
                f"waits for the rest of order {line.order_id}, not yet allocated in full",
            )
            updated = evolve(
                line,
                ship_on=None,
                expected_delivery=None,
                status=LineStatus.HELD_FOR_ORDER,
                notes=(*line.notes, note),
            )
        planned[index] = (updated, source)


def _parcels(planned: list[tuple[PlanLine, PreorderLine]], start: int, end: int) -> list[Shipment]:
    days: dict[date, list[tuple[str, int]]] = defaultdict(list)
    later: list[tuple[str, int]] = []
    for line, _ in planned[start:end]:
        if line.ship_on is not None and line.allocated:
            days[line.ship_on].append((line.sku, line.allocated))
        if line.allocated < line.quantity or line.ship_on is None:
            waiting = line.quantity if line.ship_on is None else line.quantity - line.allocated
            later.append((line.sku, waiting))
    order_id = planned[start][0].order_id
    groups: list[tuple[date | None, list[tuple[str, int]]]] = [
        (day, days[day]) for day in sorted(days)
    ]
    if later:
        groups.append((None, later))
    return [
        Shipment(order_id, number, day, tuple(items))
        for number, (day, items) in enumerate(groups, start=1)
    ]


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
