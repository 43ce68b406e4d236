"""Reservations in the SQLite workspace: concurrent orders cannot share one headroom."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from ecomrules.credit import (
    CreditDecision,
    CreditPolicy,
    ExposureBook,
    OpenOrder,
    Outcome,
    PaymentMethod,
    decide_and_reserve,
)
from ecomrules.credit.reservation import Reservation
from ecomrules.money import Money
from ecomrules.testing.credit import make_customer, make_item, make_order
from ecomrules.testing.race import race
from ecomrules.workspace import Workspace
from ecomrules.workspace.credit import SqliteReservationStore

AS_OF = date(2026, 11, 20)
PEOPLE = [
    make_customer("C1", limit="1000.00", group_id="G"),
    make_customer("C2", limit="1000.00", group_id="G"),
]
POLICY = CreditPolicy(group_limits={"G": Money(Decimal("1500.00"), "EUR")})


def book() -> ExposureBook:
    items = [make_item("I1", "300.00", as_of=AS_OF)]
    return ExposureBook.build(PEOPLE, POLICY, AS_OF, open_items=items)


class SlowStore(SqliteReservationStore):
    """Reads slowly, so that without the lock both orders would read before either writes."""

    def reservations(self, customer_ids: Sequence[str]) -> list[Reservation]:
        found = super().reservations(customer_ids)
        time.sleep(0.05)
        return found


def test_two_concurrent_orders_cannot_both_pass_on_the_same_headroom(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    Workspace(path).close()

    def take(n: int) -> CreditDecision:
        with Workspace(path) as space:
            return decide_and_reserve(SlowStore(space), book(), make_order("600.00", id=f"SO-{n}"))

    raced = race(take, 2)
    results = [d for d in raced if isinstance(d, CreditDecision)]
    assert len(results) == 2, raced
    outcomes = sorted(d.outcome.value for d in results)
    assert outcomes == ["require_prepayment", "warn"]
    refused = next(d for d in results if d.outcome is Outcome.REQUIRE_PREPAYMENT)
    assert refused.exposure.reserved == Money(Decimal("600.00"), "EUR")
    with Workspace(path) as space:
        held = SqliteReservationStore(space).reservations(["C1"])
    assert [r.order_id for r in held] == [next(d.order_id for d in results if d.accepted)]


def test_reservations_count_for_the_group_and_can_be_released(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws.db") as space:
        store = SqliteReservationStore(space)
        first = decide_and_reserve(store, book(), make_order("700.00", id="A"))
        assert first.outcome is Outcome.WARN
        sister = make_order("600.00", id="B", customer_id="C2")
        second = decide_and_reserve(store, book(), sister)
        assert second.outcome is Outcome.REQUIRE_PREPAYMENT
        assert second.codes() == ("credit.limit_ok", "credit.group_limit_exceeded")
        assert store.release("A")
        assert not store.release("A")
        assert decide_and_reserve(store, book(), sister).outcome is Outcome.ALLOW


def test_rechecking_an_order_does_not_count_it_twice(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws.db") as space:
        store = SqliteReservationStore(space)
        order = make_order("650.00", id="A")
        assert decide_and_reserve(store, book(), order).accepted
        again = decide_and_reserve(store, book(), order)
        assert again.exposure_after == Money(Decimal("950.00"), "EUR")
        assert len(store.reservations(["C1"])) == 1


def test_refused_and_secured_orders_reserve_nothing(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws.db") as space:
        store = SqliteReservationStore(space)
        decide_and_reserve(store, book(), make_order("5000.00", id="big"))
        paid = make_order("50.00", id="paid", method=PaymentMethod.PREPAID)
        decide_and_reserve(store, book(), paid)
        assert store.reservations(["C1", "C2"]) == []


def test_an_order_the_book_already_counts_is_not_counted_again(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws.db") as space:
        store = SqliteReservationStore(space)
        assert decide_and_reserve(store, book(), make_order("400.00", id="A")).accepted
        later = ExposureBook.build(
            PEOPLE,
            POLICY,
            AS_OF,
            open_items=[make_item("I1", "300.00", as_of=AS_OF)],
            open_orders=[OpenOrder("A", "C1", Money(Decimal("400.00"), "EUR"))],
        )
        d = decide_and_reserve(store, later, make_order("10.00", id="B"))
        assert d.exposure_before == Money(Decimal("700.00"), "EUR")
