"""Each alert: cut-off soon and passed, release short, stock held, authorisation expiring."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ecomrules.outcome import Severity
from ecomrules.preorder import (
    Alert,
    AlertPolicy,
    PlanPolicy,
    PreorderProduct,
    SupplyEvent,
    SupplyStatus,
    plan_release,
    suggest_purchase,
)
from ecomrules.testing.preorder import PARIS, carrier, line, warehouse

AS_OF = datetime(2026, 11, 20, 9, 0, tzinfo=PARIS)


def game(**changes: object) -> PreorderProduct:
    values: dict[str, object] = {"release_at": datetime(2026, 12, 18, tzinfo=PARIS)}
    values.update(changes)
    return PreorderProduct("GAME", "Game", **values)  # type: ignore[arg-type]


def alerts(product: PreorderProduct, supply: list[SupplyEvent], *lines, **policy) -> list[Alert]:
    result = plan_release(
        products=[product],
        lines=lines or [line("O1", quantity=10)],
        supply=supply,
        warehouse=warehouse(),
        carriers=[carrier()],
        as_of=AS_OF,
        policy=PlanPolicy(alerts=AlertPolicy(**policy)),
    )
    return list(result.alerts)


def test_cutoff_soon_suggests_demand_plus_safety_rounded_to_minimum_and_packs() -> None:
    product = game(supplier_cutoff=date(2026, 11, 27), safety_stock=2, min_order=12, pack_size=5)
    found = alerts(product, [SupplyEvent("GAME", 3, date(2026, 12, 1))])
    assert [a.code for a in found] == ["preorder.alert.cutoff_soon"]
    assert found[0].data["uncovered"] == 7
    assert found[0].data["suggested_quantity"] == 15  # max(7 + 2, 12) = 12, three packs of 5
    assert found[0].data["days_to_cutoff"] == 7
    assert suggest_purchase(product, 20) == 25
    # Outside the horizon, or with the demand covered: no alert.
    assert alerts(product, [SupplyEvent("GAME", 3, date(2026, 12, 1))], cutoff_days=6) == []
    assert alerts(product, [SupplyEvent("GAME", 10, date(2026, 12, 1))]) == []


def test_cutoff_passed_with_demand_uncovered_is_an_error() -> None:
    found = alerts(game(supplier_cutoff=date(2026, 11, 19)), [])
    assert [a.code for a in found] == ["preorder.alert.cutoff_passed"]
    assert found[0].severity is Severity.ERROR
    assert found[0].data["uncovered"] == 10


def test_release_within_horizon_without_enough_supply_by_then() -> None:
    product = game(release_at=datetime(2026, 11, 25, tzinfo=PARIS))
    late = [SupplyEvent("GAME", 10, date(2026, 11, 30))]  # arrives after the release
    found = alerts(product, late)
    assert [a.code for a in found] == ["preorder.alert.release_short"]
    assert found[0].data == {"short": 10, "days_to_release": 5}
    assert alerts(product, late, release_days=4) == []


def test_stock_arrived_early_is_held_by_the_embargo() -> None:
    received = [SupplyEvent("GAME", 10, date(2026, 11, 18), SupplyStatus.RECEIVED)]
    found = alerts(game(), received)
    assert [a.code for a in found] == ["preorder.alert.stock_held"]
    assert found[0].severity is Severity.INFO
    assert found[0].data["held"] == 10


def test_card_authorisation_expiring_before_the_ship_day() -> None:
    supply = [SupplyEvent("GAME", 10, date(2026, 12, 1))]
    authorised = AS_OF - timedelta(days=1)
    unpaid = line("O1", quantity=5, paid=False, authorized_at=authorised)
    paid = line("O2", quantity=5, minutes=1)
    found = alerts(game(), supply, unpaid, paid)
    assert [(a.code, a.order_id) for a in found] == [
        ("preorder.alert.authorization_expiring", "O1")
    ]
    assert "capture or authorise again" in found[0].message
    assert alerts(game(), supply, unpaid, paid, authorization_days=40) == []
