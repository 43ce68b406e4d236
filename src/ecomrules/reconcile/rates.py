"""Exchange rates given by the caller, for lines paid in another currency than the item's."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal

from ecomrules.money import Currency

__all__ = ["Rates"]


class Rates:
    """Rates as ``{"USD/EUR": Decimal("0.92")}``: one USD is 0.92 EUR.

    The inverse direction is derived when only one is given. Conversions work
    on minor units and round half to even to the target's minor unit.

    >>> Rates({"USD/EUR": Decimal("0.92")}).convert(10000, "USD", "EUR")
    9200
    >>> Rates({"USD/EUR": Decimal("0.92")}).convert(9200, "EUR", "USD")
    10000
    >>> Rates({}).convert(100, "USD", "EUR") is None
    True
    """

    def __init__(self, table: Mapping[str, Decimal]) -> None:
        self._table: dict[tuple[str, str], Decimal] = {}
        for pair, rate in table.items():
            source, _, target = pair.upper().partition("/")
            if not target or rate <= 0:
                raise ValueError(f"rate {pair!r}: write 'FROM/TO' with a positive rate")
            self._table[(source, target)] = rate
        self._exponents: dict[str, int] = {}

    def __bool__(self) -> bool:
        return bool(self._table)

    def _exponent(self, code: str) -> int:
        found = self._exponents.get(code)
        if found is None:
            found = self._exponents[code] = Currency.of(code).exponent
        return found

    def convert(self, units: int, source: str, target: str) -> int | None:
        """``units`` minor units of ``source`` in minor units of ``target``; None without a rate."""
        if source == target:
            return units
        rate = self._table.get((source, target))
        if rate is None:
            inverse = self._table.get((target, source))
            if inverse is None:
                return None
            rate = Decimal(1) / inverse
        shift = self._exponent(target) - self._exponent(source)
        value = Decimal(units).scaleb(shift) * rate
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
