"""Exchange rates given by the caller, to bring amounts into the limit's currency."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from attrs import field, frozen

from ecomrules.errors import MoneyError
from ecomrules.money import Currency, Money, to_decimal

__all__ = ["FxRates"]


def _freeze(
    value: Mapping[tuple[str, str], Decimal | int | str],
) -> Mapping[tuple[str, str], Decimal]:
    frozen_rates: dict[tuple[str, str], Decimal] = {}
    for (source, target), rate in value.items():
        number = to_decimal(rate)
        if number <= 0:
            raise MoneyError(f"rate {source}/{target} must be positive, not {number}")
        frozen_rates[(Currency.of(source).code, Currency.of(target).code)] = number
    return MappingProxyType(frozen_rates)


@frozen
class FxRates:
    """Rates ``(from, to) -> rate`` such that ``1 from = rate to``, and a rounding mode.

    Each amount is converted on its own and rounded to the target currency's
    minor units with ``rounding``, so a total is the same whatever the order
    of its items and however it is split. Only the rates given are used:
    an inverse is never guessed, and a missing rate raises ``MoneyError``.
    """

    rates: Mapping[tuple[str, str], Decimal] = field(factory=dict, converter=_freeze)
    rounding: str = ROUND_HALF_UP

    def rate(self, source: Currency, target: Currency) -> Decimal:
        """Return the rate from ``source`` to ``target`` (1 for the same currency)."""
        if source == target:
            return Decimal(1)
        try:
            return self.rates[(source.code, target.code)]
        except KeyError:
            raise MoneyError(f"no exchange rate {source.code}/{target.code} was given") from None

    def convert(self, money: Money, target: Currency) -> Money:
        """Return ``money`` in ``target``, rounded to its minor units with ``rounding``."""
        if money.currency is target or money.currency == target:
            return money
        converted = Money(money.amount * self.rate(money.currency, target), target)
        return converted.rounded(rounding=self.rounding)
