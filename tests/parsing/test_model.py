"""The parsers' output model: the fast line constructor agrees with the attrs one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest

from ecomrules.money import Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine


def _values() -> tuple[object, ...]:
    eur = Money(Decimal("9.70"), "EUR")
    return (
        "txn_1",
        LineKind.CHARGE,
        date(2026, 11, 2),
        eur,
        "label",
        ("SO-1", "INV-2"),
        Counterparty(name="Ada", email="ada@example.com"),
        datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
        date(2026, 11, 3),
        date(2026, 11, 4),
        Money(Decimal("10.00"), "EUR"),
        Money(Decimal("0.30"), "EUR"),
        "po_1",
        "ch_1",
        "parent",
        "related",
        {"b": "2", "a": "1"},
        "txn_1,2026-11-02,...",
        SourceLocation("s.csv", 2),
    )


def test_trusted_sets_every_field_as_the_constructor_does() -> None:
    fast = StatementLine._trusted(*_values())  # type: ignore[arg-type]
    slow = StatementLine(*_values())  # type: ignore[arg-type]
    for field in attrs.fields(StatementLine):
        assert getattr(fast, field.name) == getattr(slow, field.name), field.name
    assert fast == slow
    assert fast.to_json() == slow.to_json()
    assert attrs.evolve(fast, related_id=None) == attrs.evolve(slow, related_id=None)


def test_trusted_metadata_is_read_only() -> None:
    fast = StatementLine._trusted(*_values())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fast.metadata["c"] = "3"  # type: ignore[index]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.id = "other"  # type: ignore[misc]
