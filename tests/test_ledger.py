"""Core types check their fields on construction and name the field that is wrong."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ecomrules import Money
from ecomrules.errors import EcomrulesError, FieldTypeError, FieldValueError
from ecomrules.ledger import Customer, OpenItem

GOOD: dict[str, Any] = {
    "id": "I-1",
    "number": "FA-1",
    "partner_id": "C1",
    "partner_name": "Acme",
    "amount": Money("100.00", "EUR"),
    "residual": Money("40.00", "EUR"),
    "issue_date": date(2026, 10, 1),
    "due_date": date(2026, 10, 31),
}


def test_a_good_item_is_built() -> None:
    assert OpenItem(**GOOD).residual == Money("40.00", "EUR")


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"issue_date": "2026-10-01"}, "issue_date", FieldTypeError),
        ({"due_date": datetime(2026, 10, 31, 12)}, "due_date", FieldTypeError),
        ({"amount": Decimal("100.00")}, "amount", FieldTypeError),
        ({"residual": 40}, "residual", FieldTypeError),
        ({"residual": Money("500.00", "EUR")}, "residual", FieldValueError),
        ({"residual": Money("-5.00", "EUR")}, "residual", FieldValueError),
        ({"residual": Money("40.00", "USD")}, "residual", FieldValueError),
        ({"amount": Money("1240.505", "EUR")}, "amount", FieldValueError),
        ({"due_date": date(2026, 9, 1)}, "due_date", FieldValueError),
        ({"status": "open"}, "status", FieldTypeError),
        ({"id": 7}, "id", FieldTypeError),
    ],
)
def test_a_bad_field_is_named_by_a_library_error(
    change: dict[str, Any], field: str, error: type[FieldValueError]
) -> None:
    with pytest.raises(error) as caught:
        OpenItem(**{**GOOD, **change})
    assert caught.value.field == field
    owner = "open item 7" if field == "id" else "open item I-1"
    assert str(caught.value).startswith(f"{owner}: {field} ")
    assert isinstance(caught.value, EcomrulesError)


def test_a_type_error_is_a_type_error_and_a_value_error() -> None:
    with pytest.raises(TypeError):
        OpenItem(**{**GOOD, "issue_date": "2026-10-01"})
    with pytest.raises(ValueError, match="residual"):
        OpenItem(**{**GOOD, "residual": Money("500.00", "EUR")})


def test_a_customer_checks_its_credit_limit() -> None:
    with pytest.raises(FieldTypeError, match="customer C1: credit_limit is a Money, not Decimal"):
        Customer("C1", "Acme", "EUR", credit_limit=Decimal("500"))  # type: ignore[arg-type]
    with pytest.raises(FieldValueError, match=r"credit_limit 500\.00 USD is not in EUR"):
        Customer("C1", "Acme", "EUR", credit_limit=Money("500.00", "USD"))
    with pytest.raises(FieldTypeError, match="created_on"):
        Customer("C1", "Acme", "EUR", created_on="2026-01-01")  # type: ignore[arg-type]
