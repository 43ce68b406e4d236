"""Money: exactness, currencies, rounding, allocation."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomrules import Currency, Money, sum_money
from ecomrules.errors import CurrencyMismatchError, InexactAmountError, UnknownCurrencyError

amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)
euros = amounts.map(lambda a: Money(a, "EUR"))


def test_float_and_bool_are_refused() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "EUR")
    with pytest.raises(TypeError):
        Money(Decimal(1), "EUR") * 1.5  # type: ignore[operator]


def test_minor_units_come_from_iso_4217() -> None:
    assert Currency.of("JPY").minor_units == 0
    assert Currency.of("bhd").minor_units == 3
    assert Currency.of("EUR").minor_units == 2
    with pytest.raises(UnknownCurrencyError):
        Currency.of("XYZ")


def test_mixed_currencies_raise() -> None:
    with pytest.raises(CurrencyMismatchError):
        Money("1", "EUR") + Money("1", "USD")
    with pytest.raises(CurrencyMismatchError):
        _ = Money("1", "EUR") < Money("1", "USD")


def test_to_minor_units_raises_rather_than_truncates() -> None:
    assert Money("12.34", "EUR").to_minor_units() == 1234
    assert Money("-5", "JPY").to_minor_units() == -5
    with pytest.raises(InexactAmountError):
        Money("12.345", "EUR").to_minor_units()
    assert Money.from_minor_units(10000, "JPY", exponent=2) == Money("100", "JPY")


def test_rounding_is_explicit() -> None:
    assert Money("2.675", "EUR").rounded(rounding=ROUND_HALF_UP) == Money("2.68", "EUR")
    assert Money("2.665", "EUR").rounded(rounding=ROUND_HALF_EVEN) == Money("2.66", "EUR")
    assert Money("1.0005", "BHD").rounded(rounding=ROUND_HALF_EVEN).amount == Decimal("1.000")


def test_pydantic_hook_refuses_floats() -> None:
    from pydantic import BaseModel, ValidationError

    class Doc(BaseModel):
        total: Money

    doc = Doc.model_validate_json('{"total": {"amount": "12.30", "currency": "EUR"}}')
    assert doc.total == Money("12.30", "EUR")
    assert doc.model_dump(mode="json") == {"total": {"amount": "12.30", "currency": "EUR"}}
    with pytest.raises(ValidationError):
        Doc.model_validate_json('{"total": {"amount": 12.3, "currency": "EUR"}}')


@given(euros, euros, euros)
def test_group_laws(a: Money, b: Money, c: Money) -> None:
    zero = Money.zero("EUR")
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert a + zero == a
    assert a + (-a) == zero
    assert a - b == a + (-b)


@given(euros)
def test_minor_unit_round_trip(a: Money) -> None:
    assert Money.from_minor_units(a.to_minor_units(), "EUR") == a


@given(euros, st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=20))
def test_allocate_never_loses_a_cent(a: Money, weights: list[int]) -> None:
    if sum(weights) == 0:
        weights = [*weights[:-1], 1]
    parts = a.allocate(weights)
    assert sum_money(parts, currency="EUR") == a
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = a.amount * weight / total
        assert abs(part.amount - exact) < Decimal("0.01")


@given(euros, st.integers(min_value=1, max_value=50))
def test_equal_parts_differ_by_at_most_one_minor_unit(a: Money, n: int) -> None:
    units = [p.to_minor_units() for p in a.allocate([1] * n)]
    assert max(units) - min(units) <= 1


@given(euros, euros)
def test_arithmetic_results_are_the_money_the_constructor_builds(a: Money, b: Money) -> None:
    for result, amount in (
        (a + b, a.amount + b.amount),
        (a - b, a.amount - b.amount),
        (-a, -a.amount),
        (abs(a), abs(a.amount)),
    ):
        built = Money(amount, "EUR")
        assert type(result) is Money
        assert (result, hash(result), repr(result)) == (built, hash(built), repr(built))
        assert result.currency is built.currency
        assert str(result.amount) == str(built.amount)
    with pytest.raises(CurrencyMismatchError):
        a + Money(b.amount, "USD")


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.sampled_from(["EUR", "JPY", "BHD"]),
)
def test_trusted_constructor_builds_the_same_money(amount: Decimal, code: str) -> None:
    currency = Currency.of(code)
    fast = Money._trusted(amount, currency)
    slow = Money(amount, currency)
    assert (fast, hash(fast), repr(fast)) == (slow, hash(slow), repr(slow))
    assert fast.amount is amount
    assert fast.currency is currency


def test_withdrawn_currencies_keep_their_historic_minor_units() -> None:
    from ecomrules._iso4217 import CURRENCIES
    from ecomrules._iso4217_withdrawn import WITHDRAWN

    assert not set(WITHDRAWN) & set(CURRENCIES)  # a code in use is never shadowed
    assert Currency.of("frf").minor_units == 2
    assert Currency.of("ITL").minor_units == 0
    assert Money.from_minor_units(1050, "DEM") == Money("10.50", "DEM")
