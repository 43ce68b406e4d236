"""The credit engine's order types check their fields on construction, like the ledger's.

A wrong type (a ``Decimal`` for ``Money``, a string for a date) raises
``FieldTypeError``, a broken rule (a negative amount, more decimals than the
currency has, a deposit above the amount) ``FieldValueError``; both are the
library's errors and name the field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ecomrules import Money
from ecomrules.credit import OpenOrder, Order, OrderLine
from ecomrules.errors import EcomrulesError, FieldTypeError, FieldValueError

EUR100 = Money("100.00", "EUR")


@pytest.mark.parametrize(
    ("build", "owner", "field", "error"),
    [
        (lambda: Order("O-1", "C1", Decimal("100.00")), "order O-1", "amount", FieldTypeError),
        (
            lambda: Order("O-1", "C1", Money("1240.505", "EUR")),
            "order O-1",
            "amount",
            FieldValueError,
        ),
        (lambda: Order("O-1", "C1", Money("-1.00", "EUR")), "order O-1", "amount", FieldValueError),
        (lambda: Order(7, "C1", EUR100), "order 7", "id", FieldTypeError),
        (lambda: Order("O-1", None, EUR100), "order O-1", "customer_id", FieldTypeError),
        (
            lambda: Order("O-1", "C1", EUR100, "invoice"),
            "order O-1",
            "payment_method",
            FieldTypeError,
        ),
        (lambda: OrderLine(Decimal("5")), "order line", "amount", FieldTypeError),
        (lambda: OrderLine(Money("0.001", "EUR")), "order line", "amount", FieldValueError),
        (
            lambda: OrderLine(EUR100, "SKU", True, "2026-12-01"),
            "order line SKU",
            "expected_invoice_date",
            FieldTypeError,
        ),
        (
            lambda: OrderLine(EUR100, "SKU", True),
            "order line SKU",
            "expected_invoice_date",
            FieldValueError,
        ),
        (lambda: OpenOrder("S-1", "C1", 100), "open order S-1", "amount", FieldTypeError),
        (
            lambda: OpenOrder("S-1", "C1", EUR100, deposit=Decimal("5")),
            "open order S-1",
            "deposit",
            FieldTypeError,
        ),
        (
            lambda: OpenOrder("S-1", "C1", EUR100, deposit=Money("500.00", "EUR")),
            "open order S-1",
            "deposit",
            FieldValueError,
        ),
        (
            lambda: OpenOrder("S-1", "C1", Money("10.005", "EUR")),
            "open order S-1",
            "amount",
            FieldValueError,
        ),
        (
            lambda: OpenOrder(
                "S-1", "C1", EUR100, preorder=True, expected_invoice_date="2026-12-01"
            ),
            "open order S-1",
            "expected_invoice_date",
            FieldTypeError,
        ),
        (
            lambda: OpenOrder("S-1", "C1", EUR100, status="confirmed"),
            "open order S-1",
            "status",
            FieldTypeError,
        ),
    ],
)
def test_a_bad_order_field_is_named_by_a_library_error(
    build: Any, owner: str, field: str, error: type[FieldValueError]
) -> None:
    with pytest.raises(error) as caught:
        build()
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{owner}: {field} ")
    assert isinstance(caught.value, EcomrulesError)


def test_good_orders_are_built() -> None:
    line = OrderLine(Money("60.00", "EUR"), "SKU", True, date(2026, 12, 1))
    order = Order("O-1", "C1", EUR100, lines=[line, OrderLine(Money("40.00", "EUR"))])
    assert order.lines[0] is line
    assert OpenOrder("S-1", "C1", EUR100, deposit=Money("100.00", "EUR")).deposit == EUR100
    assert Order("O-2", "C1", Money("0", "JPY")).currency.code == "JPY"
