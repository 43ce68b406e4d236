"""Money beyond 28 significant digits: exact, or an error; never a silent rounding, and
never a change to the thread's decimal context."""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal, getcontext, localcontext

import pytest

from ecomrules.errors import InexactAmountError
from ecomrules.money import Money, sum_money

MONEY_DIGITS = 50  # ecomrules.money.MONEY_DIGITS

BIG = Decimal("1" + "0" * 28)


def test_sums_past_28_digits_are_exact() -> None:
    total = Money(BIG, "EUR") + Money(Decimal("0.01"), "EUR")
    assert total.amount == Decimal("10000000000000000000000000000.01")
    assert (total - Money(BIG, "EUR")).amount == Decimal("0.01")
    assert sum_money([Money(BIG, "EUR"), Money("0.01", "EUR")], currency="EUR") == total
    assert (Money("99999999999999999.99", "EUR") * 1000).amount == Decimal("99999999999999999990")


def test_rounding_and_minor_units_work_past_28_digits() -> None:
    amount = Money(Decimal("123456789012345678901234567.125"), "EUR")
    assert amount.rounded(rounding=ROUND_HALF_UP).amount == Decimal(
        "123456789012345678901234567.13"
    )
    assert not amount.is_exact()
    assert Money.from_minor_units(10**30 + 1, "EUR").amount == Decimal("1" + "0" * 28 + ".01")
    assert Money("1" + "0" * 28 + ".01", "EUR").to_minor_units() == 10**30 + 1


def test_a_result_past_the_money_digits_is_an_error() -> None:
    huge = Money(Decimal(10) ** (MONEY_DIGITS + 1), "EUR")
    with pytest.raises(InexactAmountError, match="more than 50 significant digits"):
        huge + Money("0.01", "EUR")
    with pytest.raises(InexactAmountError):
        sum_money([huge, Money("0.01", "EUR")], currency="EUR")
    assert (Money("10.00", "EUR") / 4).amount == Decimal("2.5")
    third = (Money(BIG, "EUR") / 3).amount  # a quotient keeps 50 digits, to be rounded
    assert len(third.as_tuple().digits) == MONEY_DIGITS
    assert Money(third, "EUR").rounded(rounding=ROUND_HALF_UP).amount == Decimal("3" * 28 + ".33")


def test_the_threads_context_neither_rounds_money_nor_is_changed() -> None:
    before = getcontext().copy()
    with localcontext() as context:
        context.prec = 5
        context.rounding = decimal.ROUND_DOWN
        assert (Money("123456.78", "EUR") + Money("0.01", "EUR")).amount == Decimal("123456.79")
        assert (-Money("123456.78", "EUR")).amount == Decimal("-123456.78")
    after = getcontext()
    assert (after.prec, after.rounding, after.traps) == (before.prec, before.rounding, before.traps)
    assert str(-Money("0.00", "EUR")) == "0.00 EUR"


def test_sum_money_leaves_a_generators_own_arithmetic_to_the_threads_context() -> None:
    thirds = (Money(Decimal(i) / 3, "EUR") for i in range(1, 3))  # inexact, in the caller's context
    total = sum_money(thirds, currency="EUR")
    assert total.amount == Decimal(1) / 3 + Decimal(2) / 3
