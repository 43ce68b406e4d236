"""Exposure: buckets, groups, credits, deposits, pre-orders, currencies, increments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest

from ecomrules.credit import (
    CreditPolicy,
    ExposureBook,
    FxRates,
    OpenOrder,
    OpenOrderStatus,
    Order,
    OrderLine,
    PaymentMethod,
)
from ecomrules.errors import InvariantError, MoneyError
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.money import Money
from ecomrules.testing.credit import make_customer, make_item, make_order

AS_OF = date(2026, 11, 20)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def customer(id: str = "C1", **kwargs: Any) -> Customer:
    return make_customer(id, **kwargs)


def item(id: str, residual: str, **kwargs: Any) -> OpenItem:
    return make_item(id, residual, as_of=AS_OF, **kwargs)


def order(amount: str, **kwargs: Any) -> Order:
    return make_order(amount, **kwargs)


def test_items_fall_into_age_buckets() -> None:
    items = [
        item("nd", "10.00", days_overdue=0),
        item("a", "1.00", days_overdue=1),
        item("b", "30.00", days_overdue=30),
        item("c", "31.00", days_overdue=31),
        item("d", "60.00", days_overdue=60),
        item("e", "61.00", days_overdue=61),
        item("f", "90.00", days_overdue=90),
        item("g", "91.00", days_overdue=91),
        item("cn", "-5.00", days_overdue=200),
    ]
    book = ExposureBook.build([customer()], CreditPolicy(), AS_OF, open_items=items)
    exp = book.exposure("C1")
    assert exp.not_due == eur("10.00")
    assert exp.overdue_1_30 == eur("31.00")
    assert exp.overdue_31_60 == eur("91.00")
    assert exp.overdue_61_90 == eur("151.00")
    assert exp.overdue_over_90 == eur("91.00")
    assert exp.credits == eur("5.00")
    assert exp.total == eur("369.00")
    assert exp.max_days_overdue == 91
    assert exp.entries == 9


def test_disputed_and_promised_items_count_in_exposure_not_in_overdue_age() -> None:
    items = [
        item(
            "d",
            "100.00",
            days_overdue=120,
            status=__import__("ecomrules").ledger.ItemStatus.DISPUTED,
        ),
    ]

    items = [
        item("d", "100.00", days_overdue=120, status=ItemStatus.DISPUTED),
        item(
            "p",
            "50.00",
            days_overdue=40,
            status=ItemStatus.PROMISED,
            promise_until=AS_OF + timedelta(days=5),
        ),
        item(
            "late",
            "20.00",
            days_overdue=20,
            status=ItemStatus.PROMISED,
            promise_until=AS_OF - timedelta(days=1),
        ),
    ]
    exp = ExposureBook.build([customer()], CreditPolicy(), AS_OF, open_items=items).exposure("C1")
    assert exp.overdue == eur("170.00")
    assert exp.max_days_overdue == 20


def test_group_sums_its_members_and_the_parent() -> None:
    people = [
        customer("P", limit="5000.00"),
        customer("M1", group_id="P"),
        customer("M2", group_id="P"),
        customer("X"),
    ]
    items = [
        item("1", "100.00", partner="P"),
        item("2", "200.00", partner="M1"),
        item("3", "300.00", partner="M2"),
        item("4", "400.00", partner="X"),
    ]
    book = ExposureBook.build(people, CreditPolicy(), AS_OF, open_items=items)
    group = book.group(people[1])
    assert group is not None
    assert group.group_id == "P"
    assert group.exposure.total == eur("600.00")
    assert group.limit == eur("5000.00")
    head = book.group(people[0])
    assert head is not None
    assert head.exposure.total == eur("600.00")
    assert book.group(people[3]) is None
    assert book.exposure("M1").total == eur("200.00")


def test_policy_group_limit_wins_over_a_parent_customer() -> None:
    people = [customer("M1", group_id="G"), customer("M2", group_id="G")]
    policy = CreditPolicy(group_limits={"G": eur("900.00")})
    group = ExposureBook(people, policy, AS_OF).group(people[0])
    assert group is not None
    assert group.limit == eur("900.00")


def test_open_orders_drafts_deposits_and_preorders() -> None:
    orders = [
        OpenOrder("o1", "C1", eur("100.00")),
        OpenOrder("o2", "C1", eur("40.00"), status=OpenOrderStatus.DRAFT_INVOICE),
        OpenOrder("o3", "C1", eur("80.00"), deposit=eur("30.00")),
        OpenOrder(
            "o4",
            "C1",
            eur("500.00"),
            preorder=True,
            expected_invoice_date=AS_OF + timedelta(days=60),
            deposit=eur("50.00"),
        ),
        OpenOrder(
            "o5", "C1", eur("25.00"), preorder=True, expected_invoice_date=AS_OF + timedelta(days=3)
        ),
        OpenOrder("o6", "C1", eur("999.00"), payment_method=PaymentMethod.PREPAID),
    ]
    exp = ExposureBook.build([customer()], CreditPolicy(), AS_OF, open_orders=orders).exposure("C1")
    assert exp.open_orders == eur("180.00")
    assert exp.draft_invoices == eur("40.00")
    assert exp.deposits == eur("30.00")
    assert exp.scheduled == eur("475.00")
    assert exp.total == eur("190.00")
    wide = CreditPolicy(preorder_horizon_days=60)
    exp = ExposureBook.build([customer()], wide, AS_OF, open_orders=orders).exposure("C1")
    assert exp.open_orders == eur("705.00")
    assert exp.deposits == eur("80.00")
    assert exp.scheduled == eur("0.00")


def test_order_preorder_lines_count_from_their_invoice_date() -> None:
    later = AS_OF + timedelta(days=45)
    o = Order(
        "SO",
        "C1",
        eur("300.00"),
        PaymentMethod.INVOICE,
        lines=[OrderLine(eur("100.00")), OrderLine(eur("200.00"), "PRE", True, later)],
    )
    assert o.exposure_split(AS_OF, 0) == (eur("100.00"), eur("200.00"))
    assert o.exposure_split(AS_OF, 45) == (eur("300.00"), eur("0.00"))
    assert o.exposure_split(later, 0) == (eur("300.00"), eur("0.00"))
    with pytest.raises(InvariantError, match="lines add up"):
        Order("SO", "C1", eur("301.00"), lines=[OrderLine(eur("300.00"))])


def test_currencies_are_converted_per_item_with_explicit_rounding() -> None:
    rates = FxRates({("USD", "EUR"): "0.9235", ("JPY", "EUR"): "0.00615"}, ROUND_HALF_EVEN)
    policy = CreditPolicy(rates=rates)
    items = [
        item("u1", "10.05", currency="USD"),  # 9.281175 -> 9.28
        item("u2", "0.01", currency="USD"),  # 0.009235 -> 0.01
        item("j", "1000", currency="JPY"),  # 6.15
        item("e", "1.00"),
    ]
    exp = ExposureBook.build([customer()], policy, AS_OF, open_items=items).exposure("C1")
    assert exp.not_due == eur("16.44")
    with pytest.raises(MoneyError, match="GBP/EUR"):
        ExposureBook.build(
            [customer()], policy, AS_OF, open_items=[item("g", "1.00", currency="GBP")]
        )


def test_incremental_updates_equal_a_full_recomputation() -> None:
    policy = CreditPolicy(rates=FxRates({("USD", "EUR"): "0.91"}))
    items = [item("a", "10.00"), item("b", "33.33", currency="USD", days_overdue=12)]
    accepted = [order("20.00", id="n1"), order("7.77", id="n2", currency="USD")]
    book = ExposureBook.build([customer()], policy, AS_OF, open_items=items)
    before = book.exposure("C1")
    for o in accepted:
        book.add_order(o)
    full = ExposureBook.build(
        [customer()],
        policy,
        AS_OF,
        open_items=items,
        open_orders=[OpenOrder(o.id, o.customer_id, o.amount) for o in accepted],
    )
    assert book.exposure("C1") == full.exposure("C1")
    assert book.exposure("C1").total - before.total == eur("27.07")
    assert book.counts_order("n1")


def test_an_unknown_customer_is_refused() -> None:
    with pytest.raises(InvariantError, match="'Z'"):
        ExposureBook.build(
            [customer()], CreditPolicy(), AS_OF, open_items=[item("a", "1", partner="Z")]
        )


def test_secured_orders_add_nothing() -> None:
    book = ExposureBook([customer()], CreditPolicy(), AS_OF)
    book.add_order(order("50.00", method=PaymentMethod.CARD_AUTHORIZED))
    assert book.exposure("C1").total == Money(Decimal("0.00"), "EUR")
