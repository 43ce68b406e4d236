"""The plan as a whole: mixed orders, re-planning diffs, the board and its JSON."""

from __future__ import annotations

import gc
from datetime import date, datetime

import pytest

from ecomrules.errors import InputError
from ecomrules.preorder import (
    LineStatus,
    MixedPolicy,
    PlanPolicy,
    PreorderProduct,
    ReleasePlan,
    SupplyEvent,
    Warehouse,
    board,
    diff_plans,
    plan_release,
    snapshot,
    snapshot_from_json,
)
from ecomrules.testing.preorder import PARIS, carrier, line, warehouse
from ecomrules.time import BusinessCalendar

AS_OF = datetime(2026, 11, 20, 9, 0, tzinfo=PARIS)
GAME = PreorderProduct(
    "GAME", "Game", datetime(2026, 12, 4, tzinfo=PARIS), supplier_cutoff=date(2026, 11, 27)
)


def run(lines, supply, mixed=MixedPolicy.SPLIT, product=GAME) -> ReleasePlan:
    return plan_release(
        products=[product],
        lines=lines,
        supply=supply,
        warehouse=warehouse(),
        carriers=[carrier(transit_days=1)],
        as_of=AS_OF,
        policy=PlanPolicy(mixed=mixed),
    )


MIXED = [line("O1", quantity=1), line("O1", sku="SLEEVES", quantity=2, in_stock=True)]
STOCK = [SupplyEvent("GAME", 5, date(2026, 11, 30))]


def test_split_ships_the_in_stock_line_now_with_an_extra_shipment_later() -> None:
    result = run(MIXED, STOCK)
    sleeves = result.line("O1", "SLEEVES")
    assert (sleeves.status, sleeves.ship_on) == (LineStatus.IN_STOCK, date(2026, 11, 20))
    assert result.line("O1", "GAME").ship_on == date(2026, 12, 3)
    assert [(s.number, s.ship_on, s.extra) for s in result.shipments] == [
        (1, date(2026, 11, 20), False),
        (2, date(2026, 12, 3), True),
    ]


def test_wait_ships_everything_together() -> None:
    result = run(MIXED, STOCK, mixed=MixedPolicy.WAIT)
    sleeves = result.line("O1", "SLEEVES")
    assert (sleeves.status, sleeves.ship_on) == (LineStatus.HELD_FOR_ORDER, date(2026, 12, 3))
    assert sleeves.notes[-1][0] == "preorder.mixed.wait"
    assert [(s.number, s.ship_on, s.extra) for s in result.shipments] == [
        (1, date(2026, 12, 3), False)
    ]


def test_wait_holds_the_order_while_a_line_has_no_supply() -> None:
    result = run(MIXED, [], mixed=MixedPolicy.WAIT)
    sleeves = result.line("O1", "SLEEVES")
    assert (sleeves.status, sleeves.ship_on) == (LineStatus.HELD_FOR_ORDER, None)
    assert result.line("O1", "GAME").status is LineStatus.WAITING
    assert [(s.ship_on, s.items) for s in result.shipments] == [
        (None, (("GAME", 1), ("SLEEVES", 2)))
    ]


def test_replanning_lists_the_lines_that_change() -> None:
    lines = [line("O1", quantity=3), line("O2", quantity=2, minutes=1)]
    before = run(lines, [SupplyEvent("GAME", 5, date(2026, 11, 30))])
    after = run(lines, [SupplyEvent("GAME", 3, date(2026, 12, 4))])  # fewer units, later
    changes = diff_plans(snapshot(before), snapshot(after))
    assert [(c.order_id, c.code, c.before, c.after) for c in changes.changes] == [
        ("O1", "preorder.replan.ship_on", "2026-12-03", "2026-12-04"),
        ("O1", "preorder.replan.expected_delivery", "2026-12-04", "2026-12-07"),
        ("O2", "preorder.replan.allocation", "2", "0"),
        ("O2", "preorder.replan.ship_on", "2026-12-03", None),
        ("O2", "preorder.replan.expected_delivery", "2026-12-04", None),
    ]
    # A plan saved as JSON compares the same way.
    assert diff_plans(snapshot_from_json(before.to_json()), snapshot(after)) == changes
    assert diff_plans(snapshot(after), snapshot(after)).changes == ()


def test_board_summarises_each_product_with_its_alerts() -> None:
    lines = [line("O1", quantity=3), line("O2", quantity=4, minutes=1)]
    rows = board(run(lines, STOCK))
    assert [row.to_json() for row in rows] == [
        {
            "sku": "GAME",
            "name": "Game",
            "preorders": 2,
            "demanded": 7,
            "allocated": 5,
            "received": 0,
            "incoming": 5,
            "release_on": "2026-12-04",
            "days_to_release": 14,
            "supplier_cutoff": "2026-11-27",
            "days_to_cutoff": 7,
            "alerts": ["preorder.alert.cutoff_soon"],
        }
    ]


def test_plan_json_has_the_documented_shape() -> None:
    document = run([line("O1", quantity=1)], STOCK).to_json()
    assert set(document) == {"as_of", "lines", "shipments", "alerts"}
    assert {"order_id", "sku", "allocated", "ship_on", "expected_delivery", "status"} <= set(
        document["lines"][0]
    )
    assert document["lines"][0]["reasons"][0] == {
        "code": "preorder.allocation.full",
        "message": "got 1 of 1",
    }


def test_a_closed_warehouse_day_moves_the_ship_day() -> None:
    monday = PreorderProduct("GAME", "Game", datetime(2026, 12, 28, tzinfo=PARIS))
    closed = Warehouse(BusinessCalendar(country="FR", closed=[date(2026, 12, 24)]), PARIS)
    result = plan_release(
        products=[monday],
        lines=[line("O1")],
        supply=STOCK,
        warehouse=closed,
        carriers=[carrier(transit_days=1)],
        as_of=AS_OF,
    )
    planned = result.line("O1", "GAME")
    # Thursday 24th is closed and Friday 25th is Christmas: nothing reaches Monday 28th.
    assert (planned.ship_on, planned.expected_delivery) == (date(2026, 12, 28), date(2026, 12, 29))
    assert planned.notes[-1][0] == "preorder.schedule.after_release"


def test_wait_marks_a_pre_order_moved_past_its_release_late() -> None:
    later = PreorderProduct("LATER", "Later", datetime(2026, 12, 18, tzinfo=PARIS))
    lines = [line("O1", quantity=1), line("O1", sku="LATER", quantity=1)]
    supply = [*STOCK, SupplyEvent("LATER", 1, date(2026, 12, 1))]
    result = plan_release(
        products=[GAME, later],
        lines=lines,
        supply=supply,
        warehouse=warehouse(),
        carriers=[carrier(transit_days=1)],
        as_of=AS_OF,
        policy=PlanPolicy(mixed=MixedPolicy.WAIT),
    )
    game = result.line("O1", "GAME")
    assert (game.status, game.ship_on) == (LineStatus.LATE, date(2026, 12, 17))
    assert game.notes[-1] == (
        "preorder.mixed.wait",
        "waits for the rest of order O1: ships 2026-12-17",
    )


def test_unknown_products_missing_routes_and_repeated_lines() -> None:
    lines = [line("O1", sku="NOPE"), line("O2", country="JP"), line("O3", minutes=1)]
    result = run(lines, STOCK)
    assert result.line("O1", "NOPE").status is LineStatus.UNKNOWN_PRODUCT
    assert result.line("O2", "GAME").status is LineStatus.NO_ROUTE
    assert result.line("O3", "GAME").status is LineStatus.SCHEDULED
    with pytest.raises(InputError, match="'O1' has sku 'GAME' on more than one line"):
        run([line("O1"), line("O1", minutes=5)], STOCK)


def test_orders_outside_the_window_are_noted_but_planned() -> None:
    windowed = PreorderProduct(
        "GAME", "Game", datetime(2026, 12, 4, tzinfo=PARIS), preorder_start=date(2026, 10, 2)
    )
    planned = run([line("O1")], STOCK, product=windowed).line("O1", "GAME")
    assert [code for code, _ in planned.notes] == [
        "preorder.line.outside_window",
        "preorder.allocation.full",
        "preorder.schedule.on_release",
    ]


def test_plan_restores_the_garbage_collector_state() -> None:
    assert gc.isenabled()
    run([line("O1")], STOCK)
    assert gc.isenabled()
    gc.disable()
    try:
        run([line("O1")], STOCK)
        assert not gc.isenabled()
    finally:
        gc.enable()
