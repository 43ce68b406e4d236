"""Arrival scheduling scenarios: holidays, Saturdays, zones, DST and the pick-up cut-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from ecomrules.preorder import (
    CarrierService,
    LineStatus,
    PlanLine,
    PreorderProduct,
    Scheduler,
    SupplyEvent,
    plan_release,
)
from ecomrules.testing.preorder import PARIS, carrier, line, warehouse
from ecomrules.time import zone

TOKYO = zone("Asia/Tokyo")
AS_OF = datetime(2026, 11, 20, 9, 0, tzinfo=PARIS)


def product(release: datetime, *, strict: bool = True) -> PreorderProduct:
    return PreorderProduct("GAME", "Game", release, strict=strict)


def plan_one(
    release: datetime,
    *carriers: CarrierService,
    strict: bool = True,
    supply_on: date = date(2026, 11, 1),
    as_of: datetime = AS_OF,
    **line_kw: Any,
) -> PlanLine:
    result = plan_release(
        products=[product(release, strict=strict)],
        lines=[line("O1", **line_kw)],
        supply=[SupplyEvent("GAME", 10, supply_on)],
        warehouse=warehouse(),
        carriers=carriers or [carrier()],
        as_of=as_of,
    )
    return result.line("O1", "GAME")


def test_release_on_the_monday_after_a_public_holiday_ships_before_the_holiday() -> None:
    # Friday 25 December 2026 is Christmas: a one-day parcel must leave on Thursday 24th.
    monday = datetime(2026, 12, 28, 0, 0, tzinfo=PARIS)
    planned = plan_one(monday, carrier(transit_days=1))
    assert (planned.ship_on, planned.expected_delivery) == (date(2026, 12, 24), date(2026, 12, 28))
    assert planned.status is LineStatus.SCHEDULED
    assert planned.notes[-1][0] == "preorder.schedule.on_release"
    two_days = plan_one(monday, carrier(transit_days=2))
    assert (two_days.ship_on, two_days.expected_delivery) == (
        date(2026, 12, 23),
        date(2026, 12, 28),
    )


def test_carrier_without_saturday_delivery_arrives_on_monday_never_before() -> None:
    saturday = datetime(2026, 12, 5, 0, 0, tzinfo=PARIS)
    weekdays = plan_one(saturday, carrier(transit_days=1))
    assert weekdays.ship_on == date(2026, 12, 4)
    assert weekdays.expected_delivery == date(2026, 12, 7)
    assert weekdays.notes[-1][0] == "preorder.schedule.after_release"
    with_saturday = plan_one(saturday, carrier(transit_days=1, saturday=True))
    assert with_saturday.ship_on == date(2026, 12, 4)
    assert with_saturday.expected_delivery == date(2026, 12, 5)


def test_midnight_release_in_a_zone_ahead_of_the_warehouse() -> None:
    # 4 December 00:00 in Tokyo is 3 December 16:00 in Paris.
    release = datetime(2026, 12, 4, 0, 0, tzinfo=TOKYO)
    strict = plan_one(release, carrier(transit_days=1))
    assert strict.release_day == date(2026, 12, 4)  # 3 December in Paris began before release
    assert (strict.ship_on, strict.expected_delivery) == (date(2026, 12, 3), date(2026, 12, 4))
    # Relaxed: shipped at the first pick-up after the release instant, 3 December 17:00 Paris.
    relaxed = plan_one(release, carrier(transit_days=1), strict=False)
    assert relaxed.ship_on == date(2026, 12, 3)
    early_pickup = plan_one(release, carrier(transit_days=1, cutoff=time(15, 30)), strict=False)
    assert early_pickup.ship_on == date(2026, 12, 4)
    # Delivered in Tokyo: the street day is the Tokyo date.
    to_tokyo = plan_one(release, carrier(transit_days=3, delivery_zone="Asia/Tokyo"))
    assert to_tokyo.release_day == date(2026, 12, 4)
    assert to_tokyo.expected_delivery == date(2026, 12, 4)


def test_the_week_of_a_dst_change_keeps_the_local_pickup_cutoff() -> None:
    # Summer time ends on Sunday 25 October 2026: 17:00 is 15:00 UTC on Friday, 16:00 on Monday.
    scheduler = Scheduler(warehouse(), [carrier()])
    route = scheduler.route("colissimo", "FR")
    assert route is not None
    assert scheduler.pickup_at(route, date(2026, 10, 23)).astimezone(UTC).hour == 15
    assert scheduler.pickup_at(route, date(2026, 10, 26)).astimezone(UTC).hour == 16
    friday_late = datetime(2026, 10, 23, 15, 30, tzinfo=UTC)  # 17:30 in Paris
    assert scheduler.first_pickup_day(route, friday_late) == date(2026, 10, 26)
    monday = datetime(2026, 10, 26, 15, 30, tzinfo=UTC)  # 16:30 in Paris, before the cut-off
    assert scheduler.first_pickup_day(route, monday) == date(2026, 10, 26)
    release = datetime(2026, 10, 27, 0, 0, tzinfo=PARIS)
    planned = plan_one(
        release, carrier(), supply_on=date(2026, 10, 1), as_of=datetime(2026, 10, 20, tzinfo=UTC)
    )
    assert (planned.ship_on, planned.expected_delivery) == (date(2026, 10, 26), date(2026, 10, 27))


def test_late_stock_gives_the_earliest_possible_day_flagged() -> None:
    release = datetime(2026, 12, 4, 0, 0, tzinfo=PARIS)
    planned = plan_one(release, carrier(transit_days=2), supply_on=date(2026, 12, 3))
    assert planned.status is LineStatus.LATE
    assert (planned.ship_on, planned.expected_delivery) == (date(2026, 12, 3), date(2026, 12, 7))
    assert planned.notes[-1][0] == "preorder.schedule.late"
    assert "stock arrives 2026-12-03" in planned.notes[-1][1]


def test_a_plan_after_the_pickup_cutoff_ships_the_next_business_day() -> None:
    release = datetime(2026, 11, 23, 0, 0, tzinfo=PARIS)  # Monday
    friday_evening = datetime(2026, 11, 20, 18, 0, tzinfo=PARIS)
    planned = plan_one(release, carrier(transit_days=1), as_of=friday_evening)
    assert planned.status is LineStatus.LATE
    assert (planned.ship_on, planned.expected_delivery) == (date(2026, 11, 23), date(2026, 11, 24))
