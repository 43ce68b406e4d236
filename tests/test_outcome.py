"""Reasons, issues and locations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ecomrules import Issue, Money, Reason, Severity, SourceLocation
from ecomrules.errors import ParseError


def test_location_renders_path_line_column() -> None:
    assert str(SourceLocation("a.csv")) == "a.csv"
    assert str(SourceLocation("a.csv", 42)) == "a.csv:42"
    assert str(SourceLocation("a.csv", 42, "Net")) == "a.csv:42:Net"


def test_codes_are_dotted_snake_case() -> None:
    Reason("credit.limit_exceeded", "over the limit")
    for bad in ("limit", "Credit.limit", "credit.limit-exceeded", "credit..x"):
        with pytest.raises(ValueError, match="dotted snake case"):
            Reason(bad, "x")


def test_reason_data_is_frozen_and_json_ready() -> None:
    reason = Reason(
        "credit.limit_exceeded",
        "over the limit",
        {"limit": Money(Decimal("500.00"), "EUR"), "on": date(2026, 11, 20), "n": 2},
    )
    with pytest.raises(TypeError):
        reason.data["n"] = 3  # type: ignore[index]
    assert reason.to_json() == {
        "code": "credit.limit_exceeded",
        "message": "over the limit",
        "data": {"limit": "500.00 EUR", "on": "2026-11-20", "n": 2},
    }


def test_issue_and_parse_error_start_with_the_place() -> None:
    where = SourceLocation("stripe-2026-10.csv", 42, "Net")
    issue = Issue(Severity.ERROR, "parse.decimal", "'1.234,5x' is not a decimal", where)
    assert str(issue) == (
        "stripe-2026-10.csv:42:Net: error: '1.234,5x' is not a decimal [parse.decimal]"
    )
    error = ParseError("column 'Net': '1.234,5x' is not a decimal", location=where, field="Net")
    assert str(error).startswith("stripe-2026-10.csv:42:Net: column 'Net'")
    assert error.field == "Net"
    assert isinstance(error, ValueError)
