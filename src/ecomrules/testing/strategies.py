"""Hypothesis strategies for the core values (imports hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from ecomrules.money import Currency, Money

__all__ = ["currencies", "money"]

_COMMON = ("EUR", "USD", "GBP", "CHF", "JPY", "BHD", "SEK")


def currencies() -> st.SearchStrategy[Currency]:
    """Common currencies, including 0- and 3-decimal ones."""
    return st.sampled_from(_COMMON).map(Currency.of)


def money(
    currency: str | None = None,
    *,
    min_value: Decimal | int = -(10**9),
    max_value: Decimal | int = 10**9,
) -> st.SearchStrategy[Money]:
    """Amounts exact in the currency's minor units, within ``[min_value, max_value]``."""
    chosen = st.just(Currency.of(currency)) if currency else currencies()
    return chosen.flatmap(
        lambda cur: st.decimals(
            min_value=min_value, max_value=max_value, places=cur.exponent, allow_nan=False
        ).map(lambda amount: Money(amount, cur))
    )
