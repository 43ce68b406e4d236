"""``ecomrules.fx.FxRates``: the one exchange-rate table of credit and reconciliation."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomrules.errors import ConfigError, MoneyError, UnknownCurrencyError
from ecomrules.fx import FxRates
from ecomrules.money import Currency, Money
from ecomrules.reconcile.config import load_config
from ecomrules.reconcile.settings import default_settings

EUR, USD, JPY = Currency.of("EUR"), Currency.of("USD"), Currency.of("JPY")


def test_pairs_written_either_way_are_the_same_table() -> None:
    assert FxRates({"usd/eur": "0.92"}) == FxRates({("USD", "EUR"): Decimal("0.92")})


@pytest.mark.parametrize(
    ("table", "error"),
    [
        ({"USDEUR": "0.9"}, MoneyError),
        ({"USD/EUR": "0"}, MoneyError),
        ({"USD/EUR": "-1"}, MoneyError),
        ({"USD/XXY": "1"}, UnknownCurrencyError),
        ({"USD/EUR": 0.92}, TypeError),  # a float is refused, as everywhere
    ],
)
def test_bad_tables_are_refused_when_built(table: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        FxRates(table)  # type: ignore[arg-type]


def test_an_inverse_serves_only_when_asked() -> None:
    given_one_way = {("USD", "EUR"): Decimal("0.8")}
    with pytest.raises(MoneyError, match="EUR/USD"):
        FxRates(given_one_way).convert(Money("8.00", "EUR"), USD)
    assert FxRates(given_one_way).convert_minor(800, "EUR", "USD") is None
    both_ways = FxRates(given_one_way, derive_inverse=True)
    assert both_ways.convert(Money("8.00", "EUR"), USD) == Money("10.00", "USD")
    assert both_ways.convert_minor(800, "EUR", "USD") == 1000


def test_minor_units_follow_each_currency() -> None:
    rates = FxRates({("JPY", "EUR"): "0.00615"}, ROUND_HALF_EVEN, derive_inverse=True)
    assert rates.convert_minor(1000, "JPY", "EUR") == 615  # 1000 yen = 6.15 EUR
    assert rates.convert_minor(615, "EUR", "JPY") == 1000
    assert rates.convert_minor(123, "EUR", "EUR") == 123


def test_rounding_is_the_table_s() -> None:
    half = {("USD", "EUR"): "0.5"}
    assert FxRates(half, ROUND_HALF_UP).convert_minor(1, "USD", "EUR") == 1
    assert FxRates(half, ROUND_HALF_EVEN).convert_minor(1, "USD", "EUR") == 0


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from(["0.92", "1.0837", "0.00615", "151.3"]),
)
def test_minor_and_money_conversions_agree(units: int, rate: str) -> None:
    rates = FxRates({("USD", "EUR"): rate}, ROUND_HALF_EVEN)
    money = Money(Decimal(units).scaleb(-2), "USD")
    converted = rates.convert(money, EUR)
    assert rates.convert_minor(units, "USD", "EUR") == int(converted.amount.scaleb(2))


def test_the_matcher_refuses_an_unknown_currency_in_its_rates(tmp_path: Path) -> None:
    with pytest.raises(UnknownCurrencyError):
        attrs.evolve(default_settings(), rates={"ABC/EUR": Decimal("1.2")})
    config = tmp_path / "reconcile.toml"
    config.write_text('[rates]\n"ABC/EUR" = "1.2"\n')
    with pytest.raises(ConfigError, match="unknown currency code 'ABC'"):
        load_config(config)
