"""The release plan: allocation, ship and delivery days, mixed orders and alerts in one pass.

:func:`plan_release` is pure: it takes the products, lines, supply, warehouse, carrier
services and an aware ``as_of`` instant, and returns a :class:`ReleasePlan`.
Lines come back sku by sku (sorted): a pre-order product's lines in its
allocation queue order, other lines (in stock, unknown products) by order id.
Nothing depends on input order.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Any

from attrs import field, frozen

from ecomrules.errors import InputError
from ecomrules.preorder.alerts import Alert, AlertPolicy, ProductSummary, product_alerts
from ecomrules.preorder.allocation import AllocatedRow, AllocationPolicy, Note, allocate_product
from ecomrules.preorder.model import (
    CarrierService,
    PreorderLine,
    PreorderProduct,
    SupplyEvent,
    SupplyStatus,
    Warehouse,
)
from ecomrules.preorder.orders import apply_mixed_policy
from ecomrules.preorder.result import LineStatus, MixedPolicy, PlanLine, ReleasePlan
from ecomrules.preorder.schedule import Route, Scheduler, Target
from ecomrules.time import require_aware

__all__ = ["PlanPolicy", "plan_release"]


@frozen
class PlanPolicy:
    """The choices of a plan: allocation, mixed orders and alert horizons."""

    allocation: AllocationPolicy = field(factory=AllocationPolicy)
    mixed: MixedPolicy = MixedPolicy.SPLIT
    alerts: AlertPolicy = field(factory=AlertPolicy)


def plan_release(
    *,
    products: Iterable[PreorderProduct],
    lines: Iterable[PreorderLine],
    supply: Iterable[SupplyEvent],
    warehouse: Warehouse,
    carriers: Iterable[CarrierService],
    as_of: datetime,
    policy: PlanPolicy | None = None,
) -> ReleasePlan:
    """Plan every line at ``as_of``: allocate scarce supply, schedule, split orders, alert.

    The plan creates no reference cycles: with a million lines the cyclic
    collector's full collections cost more than a third of the time, and a
    program may pause it around the call (:mod:`ecomrules.gcpause`; the
    command line does).
    """
    require_aware(as_of, "as_of")
    return _plan(products, lines, supply, warehouse, carriers, as_of, policy or PlanPolicy())


def _plan(
    products: Iterable[PreorderProduct],
    lines: Iterable[PreorderLine],
    supply: Iterable[SupplyEvent],
    warehouse: Warehouse,
    carriers: Iterable[CarrierService],
    as_of: datetime,
    policy: PlanPolicy,
) -> ReleasePlan:
    run = _Run(warehouse, carriers, as_of)
    catalogue: dict[str, PreorderProduct] = {}
    for product in products:
        if product.sku in catalogue:
            raise InputError("products", [f"sku {product.sku!r} is listed twice"])
        catalogue[product.sku] = product
    by_sku: dict[str, list[PreorderLine]] = defaultdict(list)
    others: dict[str, list[PreorderLine]] = defaultdict(list)
    lines = list(lines)
    counts = Counter(map(_ID, lines))
    multi = {order_id for order_id, count in counts.items() if count > 1}
    for line in lines:
        if line.in_stock or line.sku not in catalogue:
            others[line.sku].append(line)
        else:
            by_sku[line.sku].append(line)
    events: dict[str, list[SupplyEvent]] = defaultdict(list)
    for event in supply:
        events[event.sku].append(event)
    planned: list[PlanLine] = []
    summaries = []
    # Lines come out sku by sku, each product's in its queue order: no global sort.
    for sku in sorted(catalogue.keys() | others.keys()):
        if sku in catalogue:
            rows = allocate_product(
                catalogue[sku], by_sku.get(sku, ()), events.get(sku, ()), policy.allocation
            )
            planned.extend(run.schedule(catalogue[sku], rows))
            summaries.append(run.summarise(catalogue[sku], rows, events.get(sku, ())))
        planned.extend(run.other(line) for line in sorted(others.get(sku, ()), key=_ID))
    shipments = apply_mixed_policy(run.scheduler, planned, multi, policy.mixed)
    alerts = [
        alert
        for summary in summaries
        for alert in product_alerts(catalogue[summary.sku], summary, as_of, policy.alerts)
    ]
    alerts.extend(run.authorisations(planned, policy.alerts))
    alerts.sort(key=lambda a: (a.sku, a.code, a.order_id or ""))
    return ReleasePlan(
        as_of=as_of,
        lines=tuple(planned),
        shipments=tuple(shipments),
        products=tuple(summaries),
        alerts=tuple(alerts),
    )


_ID = attrgetter("order_id")


_Decision = tuple[LineStatus, date | None, date | None, date, str, tuple[Note, ...]]
"""``(status, ship_on, expected_delivery, release_day, route name, notes)`` of a line."""
_WAITING: Note = ("preorder.schedule.waiting_supply", "no ship day until supply is allocated")
_MISSING: Any = object()


def _on_time(strict: bool, route: Route, target: Target) -> _Decision:
    if not strict:
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
            f"ships {target.ship_on}, expected {target.delivery}: no ship day of the "
            f"warehouse and {route.name} delivers on release day {target.release_day}",
        )
    return (
        LineStatus.SCHEDULED, target.ship_on, target.delivery, target.release_day, route.name,
        (note,),
    )  # fmt: skip


class _Run:
    """One planning run: the scheduler and the per-route caches of ``as_of``."""

    def __init__(
        self, warehouse: Warehouse, carriers: Iterable[CarrierService], as_of: datetime
    ) -> None:
        self.scheduler = Scheduler(warehouse, carriers)
        self.as_of = as_of
        self.today = as_of.astimezone(warehouse.zone).date()
        self._first: dict[int, date] = {}
        self._decisions: dict[tuple[int, int, date | None], _Decision] = {}
        self._on_time: dict[tuple[int, int], _Decision] = {}

    def first_pickup(self, route: Route) -> date:
        """The first ship day at or after ``as_of`` on ``route``."""
        found = self._first.get(id(route))
        if found is None:
            found = self.scheduler.first_pickup_day(route, self.as_of)
            self._first[id(route)] = found
        return found

    def schedule(self, product: PreorderProduct, rows: list[AllocatedRow]) -> list[PlanLine]:
        """Schedule one product's allocated rows.

        A decision depends only on the route, the product's release schedule
        (shared by products released the same day) and the day its stock
        arrives, so each is computed once per run (and looked up once per
        product).
        """
        out: list[PlanLine] = []
        local: dict[tuple[str, str, date | None], _Decision | None] = {}
        partial = LineStatus.PARTIAL
        for line, accepted, allocated, available_on, ahead, notes in rows:
            key = (line.carrier_service, line.country, available_on)
            decision = local.get(key, _MISSING)
            if decision is _MISSING:
                decision = local[key] = self._lookup(product, key)
            if decision is None:
                out.append(_unrouted(line, accepted, allocated, available_on, ahead, notes))
                continue
            status, ship, delivery, release_day, route_name, extra = decision
            if 0 < allocated < line.quantity:
                status = partial
            out.append(
                PlanLine(
                    line, accepted, allocated, status, ship, delivery, release_day, available_on,
                    ahead, route_name, notes + extra,
                )
            )  # fmt: skip
        return out

    def _lookup(
        self, product: PreorderProduct, key: tuple[str, str, date | None]
    ) -> _Decision | None:
        service, country, available_on = key
        route = self.scheduler.route(service, country)
        if route is None:
            return None
        target = self.scheduler.target(product, route)
        shared = (id(target), id(route), available_on)
        decision = self._decisions.get(shared)
        if decision is None:
            decision = self._decide(product.strict, route, target, available_on)
            self._decisions[shared] = decision
        return decision

    def _decide(
        self, strict: bool, route: Route, target: Target, available_on: date | None
    ) -> _Decision:
        if available_on is None:  # nothing allocated
            return (LineStatus.WAITING, None, None, target.release_day, route.name, (_WAITING,))
        first = self.first_pickup(route)
        stocked = self.scheduler.next_ship_day(route, available_on)
        if first <= target.ship_on and stocked <= target.ship_on:
            on_time = self._on_time.get((id(target), id(route)))
            if on_time is None:
                on_time = _on_time(strict, route, target)
                self._on_time[(id(target), id(route))] = on_time
            return on_time
        if stocked > first:
            ship, cause = stocked, f"its stock arrives {available_on}"
        else:
            ship, cause = first, f"the first pick-up from now is {first}"
        delivery = self.scheduler.delivery_on(route, ship)
        late = (
            "preorder.schedule.late",
            f"cannot reach release day {target.release_day}: {cause}; "
            f"ships {ship}, expected {delivery}",
        )
        return (LineStatus.LATE, ship, delivery, target.release_day, route.name, (late,))

    def other(self, line: PreorderLine) -> PlanLine:
        if not line.in_stock:
            note = (
                "preorder.line.unknown_product",
                f"{line.sku} is not a pre-order product and the line is not marked in stock",
            )
            return PlanLine(
                line, 0, 0, LineStatus.UNKNOWN_PRODUCT, None, None, None, None, 0, None, (note,)
            )
        route = self.scheduler.route(line.carrier_service, line.country)
        if route is None:
            return _unrouted(line, line.quantity, line.quantity, None, 0, ())
        ship = self.first_pickup(route)
        delivery = self.scheduler.delivery_on(route, ship)
        note = ("preorder.schedule.in_stock", f"in stock: ships {ship}, expected {delivery}")
        return PlanLine(
            line, line.quantity, line.quantity, LineStatus.IN_STOCK, ship, delivery, None, None,
            0, route.name, (note,),
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

    def authorisations(self, planned: list[PlanLine], policy: AlertPolicy) -> list[Alert]:
        """Alerts for card authorisations that expire before their line ships."""
        alerts = []
        validity = timedelta(days=policy.authorization_days)
        for planned_line in planned:
            line = planned_line.line
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
        line, accepted, allocated, LineStatus.NO_ROUTE, None, None, None, available_on, ahead,
        None, (*notes, note),
    )  # fmt: skip
