"""Pre-order values check their fields on construction, as the other core types do."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from ecomrules.errors import FieldTypeError, FieldValueError
from ecomrules.preorder.model import PreorderLine, PreorderProduct, SupplyEvent

_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _line(**changes: Any) -> PreorderLine:
    values: dict[str, Any] = {
        "order_id": "O1",
        "customer_id": "C1",
        "sku": "GAME",
        "quantity": 1,
        "ordered_at": _AT,
        "country": "FR",
        "carrier_service": "colissimo",
    }
    return PreorderLine(**{**values, **changes})


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: PreorderProduct("GAME", "Game", release_at="2026-12-04"), "release_at"),
        (lambda: PreorderProduct("G", "G", _AT, supplier_cutoff="2026-11-20"), "supplier_cutoff"),
        (lambda: PreorderProduct("GAME", "Game", _AT, cap=2.5), "cap"),
        (lambda: _line(quantity="2"), "quantity"),
        (lambda: _line(ordered_at=date(2026, 11, 2)), "ordered_at"),
        (lambda: _line(ordered_at="2026-11-02T09:00:00Z"), "ordered_at"),
        (lambda: _line(sku=None), "sku"),
        (lambda: SupplyEvent("GAME", 10, arrival="2026-11-30"), "arrival"),
        (lambda: SupplyEvent("GAME", 10, arrival=_AT), "arrival"),
    ],
)  # fmt: skip
def test_a_field_of_the_wrong_type_is_named(build: Any, field: str) -> None:
    with pytest.raises(FieldTypeError) as caught:
        build()
    assert caught.value.field == field


def test_counts_keep_their_rule_and_name_the_field() -> None:
    with pytest.raises(FieldValueError, match="quantity must be at least 1, got 0"):
        _line(quantity=0)
    with pytest.raises(FieldValueError, match="quantity must not be negative"):
        SupplyEvent("GAME", -1, arrival=date(2026, 11, 30))
    assert _line().quantity == 1
