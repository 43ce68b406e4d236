"""The strict decimal parser."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomrules.decimals import DecimalFormat, parse_decimal

EU = DecimalFormat(decimal=",", group=".")
US = DecimalFormat(decimal=".", group=",")


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("1234.56", None, "1234.56"),
        ("-12", None, "-12"),
        ("12-", None, "-12"),
        ("+3.5", None, "3.5"),
        ("(12.00)", None, "-12.00"),
        (".11", None, "0.11"),
        ("1,5", None, "1.5"),
        ("1.2302025304E+012", None, "1.2302025304E+12"),
        ("4.626,81", EU, "4626.81"),
        ("-1.653,75", EU, "-1653.75"),
        ("1,653.75", US, "1653.75"),
        ("380115,", DecimalFormat(decimal=","), "380115"),
        ("1 234,50", DecimalFormat(decimal=",", group=" "), "1234.50"),
        ("  7  ", None, "7"),
    ],
)
def test_accepts(text: str, fmt: DecimalFormat | None, expected: str) -> None:
    value = parse_decimal(text, fmt)
    assert value == Decimal(expected)
    assert value.as_tuple().exponent == Decimal(expected).as_tuple().exponent


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("1,234", None, "ambiguous"),
        ("1,234.5", None, "mixes"),
        ("", None, "empty"),
        ("12a", None, "not a decimal"),
        ("1_000", None, "not a decimal"),
        ("NaN", None, "not a decimal"),
        ("Infinity", None, "not a decimal"),
        ("()", None, "not a decimal"),
        ("(-)", None, "not a decimal"),
        ("1.234.567,8", US, "more than one decimal separator"),
        ("12.34,5", EU, "misplaced group"),
        ("1.5", DecimalFormat(decimal=","), "'.' where the decimal separator is ','"),
        ("1" + "0" * 18, None, "more than 18 digits before the point"),
        ("1E+18", None, "more than 18 digits before the point"),
        ("1e999999", None, "more than 18 digits before the point"),
        ("-1E-21", None, "more than 20 digits after the point"),
        ("1\u0668", None, "not a decimal"),
        ("\uff11\uff12", None, "not a decimal"),
        ("1\u00b2", None, "not a decimal"),
    ],
)
def test_refuses(text: str, fmt: DecimalFormat | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_decimal(text, fmt)


@pytest.mark.parametrize(
    "text", ["9" * 18, "-" + "9" * 18 + "." + "9" * 20, "1.000000000000000000000000", "0E-30"]
)
def test_the_largest_and_finest_amounts_are_read_exactly(text: str) -> None:
    assert parse_decimal(text) == Decimal(text)


def test_separators_must_differ() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        DecimalFormat(decimal=",", group=",")


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_round_trips_through_every_format(value: Decimal) -> None:
    plain = f"{value:f}"
    assert parse_decimal(plain) == value
    grouped_us = f"{value:,.2f}"
    assert parse_decimal(grouped_us, US) == value
    grouped_eu = grouped_us.replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_decimal(grouped_eu, EU) == value
