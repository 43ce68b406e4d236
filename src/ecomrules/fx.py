"""Exchange rates given by the caller: one class for every area that converts.

Credit brings exposure into the limit's currency; reconciliation compares a
line paid in one currency with an item in another. Both convert with
:class:`FxRates`: rates ``1 from = rate to`` given as ``{("USD", "EUR"):
rate}`` or ``{"USD/EUR": rate}``, each amount converted on its own and rounded
to the target currency's minor units with an explicit rounding mode, so a
total is the same whatever the order of its items and however it is split.

The library never fetches rates: they are data the caller states. By default
only the rates given are used and a missing one is an error
(:class:`~ecomrules.errors.MoneyError`). ``derive_inverse=True`` lets a rate
given one way serve the other (``1 / rate``), as reconciliation allows, since
a bank line may be in either currency of the pair.

>>> from decimal import Decimal
>>> from ecomrules.money import Currency, Money
>>> usd, eur = Currency.of("USD"), Currency.of("EUR")
>>> rates = FxRates({"USD/EUR": Decimal("0.92")})
>>> rates.convert(Money(Decimal("100.00"), usd), eur)
Money('92.00', 'EUR')
>>> rates.convert_minor(9200, "EUR", "USD") is None
True
>>> FxRates({"USD/EUR": Decimal("0.92")}, derive_inverse=True).convert_minor(9200, "EUR", "USD")
10000
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from attrs import field, frozen

from ecomrules.errors import MoneyError
from ecomrules.money import Currency, Money, to_decimal

__all__ = ["FxRates"]

RateKey = tuple[str, str] | str


def _pair(key: RateKey) -> tuple[str, str]:
    if isinstance(key, str):
        source, _, target = key.upper().partition("/")
        if not target:
            raise MoneyError(f"rate {key!r}: write the pair as 'FROM/TO'")
        return source, target
    return key


def _freeze(
    value: Mapping[tuple[str, str], Decimal | int | str] | Mapping[str, Decimal | int | str],
) -> Mapping[tuple[str, str], Decimal]:
    frozen_rates: dict[tuple[str, str], Decimal] = {}
    for key, rate in value.items():
        source, target = _pair(key)
        number = to_decimal(rate)
        if number <= 0:
            raise MoneyError(f"rate {source}/{target} must be positive, not {number}")
        frozen_rates[(Currency.of(source).code, Currency.of(target).code)] = number
    return MappingProxyType(frozen_rates)


@frozen
class FxRates:
    """Rates ``(from, to) -> rate`` (``1 from = rate to``), a rounding mode, and inverse or not.

    >>> from decimal import ROUND_HALF_EVEN
    >>> FxRates({("JPY", "EUR"): "0.00615"}, ROUND_HALF_EVEN).convert_minor(1000, "JPY", "EUR")
    615
    """

    rates: Mapping[tuple[str, str], Decimal] = field(factory=dict, converter=_freeze)
    rounding: str = ROUND_HALF_UP
    derive_inverse: bool = False

    def __bool__(self) -> bool:
        return bool(self.rates)

    def find(self, source: str, target: str) -> Decimal | None:
        """The rate from ``source`` to ``target`` by currency code (1 for the same), or None."""
        if source == target:
            return Decimal(1)
        rate = self.rates.get((source, target))
        if rate is None and self.derive_inverse:
            inverse = self.rates.get((target, source))
            if inverse is not None:
                rate = Decimal(1) / inverse
        return rate

    def rate(self, source: Currency, target: Currency) -> Decimal:
        """Return the rate from ``source`` to ``target`` (1 for the same currency)."""
        found = self.find(source.code, target.code)
        if found is None:
            raise MoneyError(f"no exchange rate {source.code}/{target.code} was given")
        return found

    def convert(self, money: Money, target: Currency) -> Money:
        """Return ``money`` in ``target``, rounded to its minor units with ``rounding``."""
        if money.currency is target or money.currency == target:
            return money
        converted = Money(money.amount * self.rate(money.currency, target), target)
        return converted.rounded(rounding=self.rounding)

    def convert_minor(self, units: int, source: str, target: str) -> int | None:
        """``units`` minor units of ``source`` in minor units of ``target``; None without a rate.

        For engines that count in minor units (reconciliation): the same
        conversion as :meth:`convert`, on integers and currency codes.
        """
        if source == target:
            return units
        rate = self.find(source, target)
        if rate is None:
            return None
        shift = Currency.of(target).exponent - Currency.of(source).exponent
        value = Decimal(units).scaleb(shift) * rate
        return int(value.quantize(Decimal(1), rounding=self.rounding))

    def amount_converter(self, source: Currency, target: Currency) -> Callable[[Decimal], Decimal]:
        """Return a function taking a bare ``source`` amount to ``target`` as :meth:`convert` does.

        For loops over many amounts: the rate is looked up once (a missing
        rate raises ``MoneyError`` here), and each call rounds on its own.
        """
        if source == target:
            return _unchanged
        rate = self.rate(source, target)
        quantum = target.quantum
        rounding = self.rounding

        def convert(amount: Decimal) -> Decimal:
            return (amount * rate).quantize(quantum, rounding=rounding)

        return convert


def _unchanged(amount: Decimal) -> Decimal:
    return amount
