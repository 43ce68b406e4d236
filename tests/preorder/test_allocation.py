"""Allocation policies: FIFO, paid first, tier, pro-rata, caps, all-or-nothing, tie-breaks."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ecomrules.preorder import (
    AllocationPolicy,
    LineMode,
    PreorderLine,
    PreorderProduct,
    Priority,
    SupplyEvent,
    SupplyStatus,
    allocate,
)
from ecomrules.testing.preorder import PARIS, line

GAME = PreorderProduct("GAME", "Game", datetime(2026, 12, 4, tzinfo=PARIS), cap=None)


def run(lines: list[PreorderLine], supply: int, product: PreorderProduct = GAME, **policy):
    events = [SupplyEvent("GAME", supply, date(2026, 11, 30))]
    result = allocate(lines, [product], events, AllocationPolicy(**policy))
    return {order_id: result[(order_id, "GAME")] for order_id, _ in sorted(result)}


def test_fifo_explains_the_queue() -> None:
    result = run([line("A", quantity=120), line("B", quantity=5, minutes=1)], supply=120)
    assert result["A"].allocated == 120
    assert result["B"].allocated == 0
    assert result["B"].units_ahead == 120
    assert result["B"].reasons[0].code == "preorder.allocation.none"
    assert result["B"].reasons[0].message.startswith("got 0: 120 units ahead in the queue")


def test_fifo_ties_on_ordered_at_are_broken_by_order_id() -> None:
    result = run([line("B", quantity=2), line("A", quantity=2)], supply=3)
    assert (result["A"].allocated, result["B"].allocated) == (2, 1)
    assert result["B"].reasons[0].code == "preorder.allocation.partial"


def test_paid_first_then_fifo() -> None:
    lines = [line("A", quantity=2, paid=False), line("B", quantity=2, minutes=5)]
    result = run(lines, supply=2, priority=Priority.PAID_FIRST)
    assert (result["A"].allocated, result["B"].allocated) == (0, 2)


def test_tier_order_with_unknown_tiers_last() -> None:
    lines = [
        line("A", quantity=2, tier=None),
        line("B", quantity=2, tier="silver", minutes=1),
        line("C", quantity=2, tier="gold", minutes=2),
    ]
    result = run(lines, supply=4, priority=Priority.TIER, tiers=("gold", "silver"))
    assert [result[k].allocated for k in "ABC"] == [0, 2, 2]


def test_pro_rata_rounds_by_largest_remainder_exactly() -> None:
    lines = [
        line("A", quantity=5),
        line("B", quantity=3, minutes=1),
        line("C", quantity=2, minutes=2),
    ]
    result = run(lines, supply=7, priority=Priority.PRO_RATA)
    # Exact shares 3.5, 2.1 and 1.4: floors 3, 2, 1 and the last unit to the largest remainder.
    assert [result[k].allocated for k in "ABC"] == [4, 2, 1]
    assert result["B"].reasons[0].code == "preorder.allocation.pro_rata"
    equal = [line(k, quantity=3, minutes=i) for i, k in enumerate("ABCD")]
    shares = run(equal, supply=10, priority=Priority.PRO_RATA)
    assert [shares[k].allocated for k in "ABCD"] == [3, 3, 2, 2]  # ties go in queue order


def test_cap_per_customer_applies_in_queue_order() -> None:
    lines = [
        line("A", quantity=3, customer_id="C1"),
        line("B", quantity=3, customer_id="C1", minutes=1),
        line("C", quantity=3, customer_id="C2", minutes=2),
    ]
    result = run(lines, supply=100, cap_per_customer=4)
    assert [result[k].allocated for k in "ABC"] == [3, 1, 3]
    codes = [reason.code for reason in result["B"].reasons]
    assert codes == ["preorder.allocation.customer_cap", "preorder.allocation.partial"]


def test_all_or_nothing_skips_a_line_and_serves_the_next() -> None:
    lines = [
        line("A", quantity=3),
        line("B", quantity=3, minutes=1),
        line("C", quantity=2, minutes=2),
    ]
    result = run(lines, supply=5, mode=LineMode.ALL_OR_NOTHING)
    assert [result[k].allocated for k in "ABC"] == [3, 0, 2]
    assert result["B"].reasons[0].code == "preorder.allocation.all_or_nothing"


def test_product_cap_refuses_lines_past_it_in_order_of_arrival() -> None:
    capped = PreorderProduct("GAME", "Game", datetime(2026, 12, 4, tzinfo=PARIS), cap=4)
    lines = [line("A", quantity=3), line("B", quantity=3, minutes=1)]
    result = run(lines, supply=10, product=capped)
    assert (result["B"].accepted, result["B"].allocated) == (1, 1)
    assert result["B"].reasons[0].code == "preorder.allocation.over_cap"


def test_supply_is_traced_in_arrival_order() -> None:
    events = [
        SupplyEvent("GAME", 2, date(2026, 12, 10)),
        SupplyEvent("GAME", 2, date(2026, 11, 10), SupplyStatus.RECEIVED),
    ]
    lines = [line("A", quantity=2), line("B", quantity=2, minutes=1)]
    result = allocate(lines, [GAME], events)
    assert result[("A", "GAME")].available_on == date(2026, 11, 10)
    assert result[("B", "GAME")].available_on == date(2026, 12, 10)
    received_only = allocate(lines, [GAME], events, AllocationPolicy(count_expected=False))
    assert received_only[("B", "GAME")].allocated == 0


def test_pro_rata_cannot_be_all_or_nothing() -> None:
    with pytest.raises(ValueError, match="pro-rata"):
        AllocationPolicy(priority=Priority.PRO_RATA, mode=LineMode.ALL_OR_NOTHING)
