"""The embargo holds before release, with stock in hand, strict or relaxed."""

from __future__ import annotations

from datetime import date, datetime

from ecomrules.preorder import Embargo, PreorderProduct, Scheduler
from ecomrules.testing.preorder import PARIS, carrier, line, warehouse
from ecomrules.time import zone

RELEASE = datetime(2026, 12, 4, 0, 0, tzinfo=PARIS)  # a Friday


def embargo(*, strict: bool, release: datetime = RELEASE) -> Embargo:
    product = PreorderProduct("GAME", "Game", release, strict=strict)
    return Embargo([product], Scheduler(warehouse(), [carrier(transit_days=2)]))


def test_relaxed_street_date_holds_until_the_release_instant() -> None:
    decision = embargo(strict=False).can_ship(
        line("O1"), datetime(2026, 12, 3, 23, 59, tzinfo=PARIS)
    )
    assert not decision.allowed
    assert decision.earliest_ship_at == RELEASE
    assert decision.reasons[0].code == "preorder.embargo.before_release"
    assert "even with stock in hand" in decision.reasons[0].message
    after = embargo(strict=False).can_ship(line("O1"), RELEASE)
    assert after.allowed
    assert after.reasons[0].code == "preorder.embargo.released"


def test_strict_street_date_lets_parcels_travel_but_never_arrive_early() -> None:
    # Two transit days: leaving on Wednesday 2 December arrives on Friday 4th, release day.
    strict = embargo(strict=True)
    tuesday = strict.can_ship(line("O1"), datetime(2026, 12, 1, 16, 0, tzinfo=PARIS))
    assert not tuesday.allowed
    assert tuesday.earliest_ship_at == datetime(2026, 12, 2, 0, 0, tzinfo=PARIS)
    wednesday = strict.can_ship(line("O1"), datetime(2026, 12, 2, 9, 0, tzinfo=PARIS))
    assert wednesday.allowed


def test_the_embargo_is_read_in_the_release_zone() -> None:
    tokyo = datetime(2026, 12, 4, 0, 0, tzinfo=zone("Asia/Tokyo"))
    relaxed = embargo(strict=False, release=tokyo)
    assert not relaxed.can_ship(line("O1"), datetime(2026, 12, 3, 15, 59, tzinfo=PARIS)).allowed
    assert relaxed.can_ship(line("O1"), datetime(2026, 12, 3, 16, 0, tzinfo=PARIS)).allowed


def test_in_stock_lines_are_not_embargoed() -> None:
    decision = embargo(strict=True).can_ship(
        line("O1", sku="SLEEVES", in_stock=True), datetime(2026, 11, 20, tzinfo=PARIS)
    )
    assert decision.allowed
    assert decision.reasons[0].code == "preorder.embargo.not_embargoed"


def test_an_unknown_route_falls_back_to_the_release_instant() -> None:
    decision = embargo(strict=True).can_ship(
        line("O1", country="JP"), datetime(2026, 12, 2, 9, 0, tzinfo=PARIS)
    )
    assert not decision.allowed
    assert [r.code for r in decision.reasons] == [
        "preorder.embargo.before_release",
        "preorder.schedule.no_route",
    ]
    assert decision.earliest_ship_at is not None
    assert decision.earliest_ship_at.date() == date(2026, 12, 4)
