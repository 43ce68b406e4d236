"""Arrival scheduling: which day to ship so that a parcel arrives on release day.

A *ship day* is a business day of both the warehouse and the carrier route;
a parcel handed over by the pick-up cut-off (warehouse local time) leaves that
day. Delivery comes ``transit_days`` carrier business days later (Saturday
counts only when the route delivers on Saturdays). The *street day* of a
release in a destination zone is the first date whose midnight there is not
before the release instant: a strict street date is never delivered before it.

:class:`Scheduler` caches every lookup per route and per product, so a plan of
a million lines computes each (product, route) schedule once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from attrs import evolve, frozen

from ecomrules.preorder.model import CarrierService, PreorderProduct, Warehouse
from ecomrules.time import BusinessCalendar

__all__ = ["Route", "Scheduler", "Target"]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5
_MIDNIGHT = time(0, 0)


@frozen
class Route:
    """A carrier service resolved for shipping: its transit calendar, cut-off and zone."""

    carrier: CarrierService
    transit: BusinessCalendar
    pickup_cutoff: time
    delivery_zone: ZoneInfo
    name: str
    """``service/zone`` as written in carriers.csv."""


@frozen
class Target:
    """The release schedule of one product on one route.

    ``ship_on`` is the planned ship day and ``delivery`` its expected delivery
    (when strict: the latest ship day that reaches the earliest delivery not
    before release; when relaxed: the first pick-up after the release);
    ``release_day`` is the street day in the destination's zone;
    ``earliest_ship_on`` / ``earliest_ship_at`` are when the embargo lifts.
    """

    ship_on: date
    delivery: date
    release_day: date
    earliest_ship_on: date
    earliest_ship_at: datetime


class Scheduler:
    """Ship and delivery days for a warehouse and its carrier services, with cached lookups."""

    def __init__(self, warehouse: Warehouse, carriers: Iterable[CarrierService]) -> None:
        self.warehouse = warehouse
        self._routes: dict[tuple[str, str], Route] = {}
        for carrier in carriers:
            key = (carrier.service, carrier.zone)
            if key in self._routes:
                raise ValueError(f"carrier service {carrier.service!r} zone {carrier.zone!r} twice")
            self._routes[key] = _route(carrier, warehouse)
        self._lookup: dict[tuple[str, str], Route | None] = {}
        self._ship_day: dict[tuple[int, date], bool] = {}
        self._next: dict[tuple[int, date], date] = {}
        self._delivery: dict[tuple[int, date], date] = {}
        self._streets: dict[tuple[str, ZoneInfo], date] = {}
        self._shared: dict[tuple[int, bool, object], Target] = {}

    def route(self, service: str, country: str) -> Route | None:
        """The route of ``service`` to ``country`` (its own row, else its ``*`` row), or None."""
        key = (service, country)
        found = self._lookup.get(key, self)
        if found is self:
            found = self._routes.get(key) or self._routes.get((service, "*"))
            self._lookup[key] = found
        return found  # type: ignore[return-value]

    def is_ship_day(self, route: Route, day: date) -> bool:
        """True when the warehouse works and the carrier collects on ``day``."""
        key = (id(route), day)
        known = self._ship_day.get(key)
        if known is None:
            known = self.warehouse.calendar.is_business_day(day) and route.transit.is_business_day(
                day
            )
            self._ship_day[key] = known
        return known

    def next_ship_day(self, route: Route, day: date) -> date:
        """``day`` if it is a ship day, else the first one after it."""
        key = (id(route), day)
        found = self._next.get(key)
        if found is None:
            found = day
            while not self.is_ship_day(route, found):
                found += _ONE_DAY
            self._next[key] = found
        return found

    def pickup_at(self, route: Route, day: date) -> datetime:
        """The pick-up instant of ``day``: its cut-off in the warehouse's zone."""
        return datetime.combine(day, route.pickup_cutoff, tzinfo=self.warehouse.zone)

    def first_pickup_day(self, route: Route, instant: datetime) -> date:
        """The ship day of the first pick-up at or after ``instant``."""
        local = instant.astimezone(self.warehouse.zone).date()
        day = self.next_ship_day(route, local)
        if day == local and instant > self.pickup_at(route, day):
            day = self.next_ship_day(route, day + _ONE_DAY)
        return day

    def delivery_on(self, route: Route, ship_day: date) -> date:
        """The expected delivery day of a parcel that leaves on ``ship_day``."""
        key = (id(route), ship_day)
        found = self._delivery.get(key)
        if found is None:
            found = route.transit.add_business_days(ship_day, route.carrier.transit_days)
            self._delivery[key] = found
        return found

    def street_day(self, product: PreorderProduct, route: Route) -> date:
        """The first day whose midnight in the destination zone is not before the release."""
        key = (product.sku, route.delivery_zone)
        found = self._streets.get(key)
        if found is None:
            local = product.release_at.astimezone(route.delivery_zone)
            found = local.date() if local.time() == _MIDNIGHT else local.date() + _ONE_DAY
            self._streets[key] = found
        return found

    def target(self, product: PreorderProduct, route: Route) -> Target:
        """The release schedule of ``product`` on ``route``.

        Products released on the same street day (strict) or at the same
        instant (relaxed) share one schedule per route, computed once.
        """
        street = self.street_day(product, route)
        key = (id(route), product.strict, street if product.strict else product.release_at)
        found = self._shared.get(key)
        if found is None:
            if product.strict:
                found = self._strict(street, route)
            else:
                found = self._relaxed(product.release_at, street, route)
            self._shared[key] = found
        return found

    def _strict(self, street: date, route: Route) -> Target:
        # A parcel never arrives sooner than transit_days calendar days after it
        # leaves, so shipping transit_days before the street day (or later)
        # arrives on it or after: start there and step back while that holds.
        first = self.next_ship_day(route, street - timedelta(days=route.carrier.transit_days))
        while True:
            earlier = self._previous_ship_day(route, first - _ONE_DAY)
            if self.delivery_on(route, earlier) < street:
                break
            first = earlier
        delivery = self.delivery_on(route, first)
        day = first
        following = self.next_ship_day(route, day + _ONE_DAY)
        while self.delivery_on(route, following) == delivery:
            day = following
            following = self.next_ship_day(route, day + _ONE_DAY)
        opens = datetime.combine(first, _MIDNIGHT, tzinfo=self.warehouse.zone)
        return Target(day, delivery, street, first, opens)

    def _previous_ship_day(self, route: Route, day: date) -> date:
        while not self.is_ship_day(route, day):
            day -= _ONE_DAY
        return day

    def _relaxed(self, release: datetime, street: date, route: Route) -> Target:
        day = self.next_ship_day(route, release.astimezone(self.warehouse.zone).date())
        if self.pickup_at(route, day) < release:
            day = self.next_ship_day(route, day + _ONE_DAY)
        return Target(day, self.delivery_on(route, day), street, day, release)


def _route(carrier: CarrierService, warehouse: Warehouse) -> Route:
    closed = set(carrier.calendar.weekly_closed)
    if carrier.delivers_saturday:
        closed.discard(_SATURDAY)
    else:
        closed.add(_SATURDAY)
    transit = evolve(carrier.calendar, weekly_closed=frozenset(closed))
    return Route(
        carrier=carrier,
        transit=transit,
        pickup_cutoff=carrier.pickup_cutoff or warehouse.pickup_cutoff,
        delivery_zone=carrier.delivery_zone or warehouse.zone,
        name=f"{carrier.service}/{carrier.zone}",
    )
