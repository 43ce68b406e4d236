"""Exact money: :class:`Currency`, :class:`Money`, :func:`sum_money`.

Amounts are :class:`decimal.Decimal` and nothing else: a float or a bool is
refused with ``TypeError``. Amounts of different currencies never mix silently
(:class:`~ecomrules.errors.CurrencyMismatchError`). Rounding is always asked for
with an explicit mode. Arithmetic runs in this module's own decimal context,
never the thread's: :data:`MONEY_DIGITS` significant digits; a sum,
difference or product that would need more is an
:class:`~ecomrules.errors.InexactAmountError` rather than a silent rounding
(the default context keeps 28 digits, so ``10**28 + 0.01`` was ``10**28``).
A quotient keeps :data:`MONEY_DIGITS` digits and is meant to be rounded.
Minor units come from the ISO 4217 table shipped in ``ecomrules._iso4217``
(JPY 0, EUR 2, BHD 3), then the withdrawn codes of
``ecomrules._iso4217_withdrawn`` with the minor units they had (DEM 2, ITL 0).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import TYPE_CHECKING, Any, Final

from attrs import field, frozen

from ecomrules._iso4217 import CURRENCIES
from ecomrules._iso4217_withdrawn import WITHDRAWN
from ecomrules.errors import (
    CurrencyMismatchError,
    InexactAmountError,
    MoneyError,
    UnknownCurrencyError,
)

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

__all__ = ["Currency", "Money", "sum_money", "to_decimal"]

_ZERO: Final = Decimal(0)


@frozen(order=False)
class Currency:
    """An ISO 4217 currency. Build it with ``Currency.of("EUR")`` (cached).

    ``minor_units`` is ``None`` for the codes where ISO 4217 gives none (gold,
    SDR, testing codes); such amounts cannot be rounded to minor units.
    """

    code: str
    numeric: int
    minor_units: int | None
    name: str

    @staticmethod
    @functools.cache
    def of(code: str) -> Currency:
        """Return the currency for an ISO 4217 alphabetic code, case-insensitive.

        Withdrawn codes (``DEM``, ``FRF``, ``ITL``...) are known too, with the
        minor units they had, so old statements read.
        """
        if not isinstance(code, str):
            raise TypeError(f"a currency code is a str, not {type(code).__name__}")
        key = code.strip().upper()
        found = CURRENCIES.get(key) or WITHDRAWN.get(key)
        if found is None:
            raise UnknownCurrencyError(code)
        numeric, units, name = found
        return Currency(key, numeric, units, name)

    @property
    def exponent(self) -> int:
        """The number of minor-unit digits; raises ``MoneyError`` where ISO gives none."""
        if self.minor_units is None:
            raise MoneyError(f"{self.code} has no minor units in ISO 4217")
        return self.minor_units

    @property
    def quantum(self) -> Decimal:
        """The smallest amount in minor units: ``Decimal('0.01')`` for EUR."""
        return _QUANTA[self.exponent]

    def __str__(self) -> str:
        return self.code

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """Let pydantic models hold a Currency, given and dumped as its code."""
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(
            Currency.of,
            core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )


_QUANTA: Final = {n: Decimal(1).scaleb(-n) for n in range(9)}


def _as_currency(value: Currency | str) -> Currency:
    if isinstance(value, Currency):
        return value
    return Currency.of(value)


MONEY_DIGITS: Final = 50
"""Significant digits money arithmetic carries; more is an error, never a rounding.

Amounts read from files have at most 18 digits before the point and 20 after
(:mod:`ecomrules.decimals`), so sums of many of them stay well inside.
"""

_EXACT: Final = Context(
    prec=MONEY_DIGITS,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)
"""Adds, subtracts, multiplies: a result that is not exact raises (``Inexact``)."""

_ADD: Final = _EXACT.add  # bound once: a method looked up per call costs a third of an add
_SUBTRACT: Final = _EXACT.subtract
_MULTIPLY: Final = _EXACT.multiply

_ROUNDING: Final = Context(
    prec=MONEY_DIGITS, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
"""Rounds on request (``quantize`` with an explicit mode); only the precision is widened."""


def _too_big(what: str) -> InexactAmountError:
    """The error for a result past :data:`MONEY_DIGITS`; the message is built only then."""
    return InexactAmountError(
        f"{what} needs more than {MONEY_DIGITS} significant digits, or is out of range"
    )


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as a finite Decimal. Floats and bools raise ``TypeError``.

    A ``str`` must be a plain decimal literal (``"-12.30"``); locale formats go
    through :func:`ecomrules.decimals.parse_decimal` instead.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(
            f"an amount is a Decimal, int or str, not {type(value).__name__}: {value!r}"
        )
    elif isinstance(value, int):
        result = Decimal(value)
    else:
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"{value!r} is not a decimal number") from None
    if not result.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    return result


@frozen(order=False)
class Money:
    """An exact amount in one currency: ``Money(Decimal("12.30"), "EUR")``.

    The amount keeps the precision it was given (a PSP fee may carry four
    decimals); :meth:`rounded` brings it to the currency's minor units with the
    rounding mode you name.
    """

    amount: Decimal = field(converter=to_decimal)
    currency: Currency = field(converter=_as_currency)

    @classmethod
    def _trusted(cls, amount: Decimal, currency: Currency) -> Money:
        """Build without the converters, for an amount already a finite Decimal.

        For hot loops of parsers that have checked ``amount`` themselves (a
        finite :class:`~decimal.Decimal`) and hold a :class:`Currency`; the
        result is the same as ``Money(amount, currency)``.
        """
        money = _new(cls)
        _set_amount(money, amount)
        _set_currency(money, currency)
        return money

    @classmethod
    def zero(cls, currency: Currency | str) -> Money:
        """Return zero in ``currency``."""
        return cls(_ZERO, currency)

    @classmethod
    def from_minor_units(
        cls, units: int, currency: Currency | str, *, exponent: int | None = None
    ) -> Money:
        """Build from an integer count of minor units (``1234`` EUR cents is 12.34 EUR).

        ``exponent`` overrides the ISO minor units for formats with their own
        rule (PayPal reports use two implied decimals even for JPY).
        """
        if isinstance(units, bool) or not isinstance(units, int):
            raise TypeError(f"minor units are an int, not {type(units).__name__}")
        cur = _as_currency(currency)
        digits = cur.exponent if exponent is None else exponent
        try:
            amount = Decimal(units).scaleb(-digits, _EXACT)
        except DecimalException:
            raise _too_big(f"{units} minor units") from None
        return cls(amount, cur)

    def to_minor_units(self) -> int:
        """Return the amount as an int of minor units; raise if that would lose digits."""
        exponent = self.currency.exponent
        try:
            scaled = self.amount.scaleb(exponent, _EXACT)
        except DecimalException:
            raise _too_big(f"{self} in minor units") from None
        if scaled != scaled.to_integral_value():
            raise InexactAmountError(f"{self} has more than {exponent} decimal(s); round it first")
        return int(scaled)

    def rounded(self, *, rounding: str) -> Money:
        """Return the amount rounded to the currency's minor units with ``rounding``.

        ``rounding`` is one of the :mod:`decimal` modes (``ROUND_HALF_UP``, ...).
        """
        try:
            rounded = self.amount.quantize(self.currency.quantum, rounding, _ROUNDING)
        except DecimalException:
            raise _too_big(f"{self} rounded") from None
        return Money(rounded, self.currency)

    def is_exact(self) -> bool:
        """Return True when the amount has no more digits than the currency's minor units."""
        try:
            return self.amount == self.amount.quantize(self.currency.quantum, context=_ROUNDING)
        except DecimalException:
            raise _too_big(f"{self} rounded") from None

    def _check(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {operation} Money and {type(other).__name__}")
        if other.currency is not self.currency and other.currency != self.currency:
            raise CurrencyMismatchError(self.currency.code, other.currency.code, operation)
        return other

    def __add__(self, other: Money) -> Money:
        b = self._check(other, "add").amount
        try:
            return Money._trusted(_ADD(self.amount, b), self.currency)
        except DecimalException:
            raise _too_big(f"{self} + {other}") from None

    def __sub__(self, other: Money) -> Money:
        b = self._check(other, "subtract").amount
        try:
            return Money._trusted(_SUBTRACT(self.amount, b), self.currency)
        except DecimalException:
            raise _too_big(f"{self} - {other}") from None

    def __neg__(self) -> Money:
        amount = self.amount  # exact; zero stays an unsigned zero, as "-" gave it
        return Money._trusted(amount.copy_negate() if amount else amount.copy_abs(), self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money._trusted(self.amount.copy_abs(), self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            return NotImplemented
        try:
            product = _MULTIPLY(self.amount, factor)
        except DecimalException:
            raise _too_big(f"{self} * {factor}") from None
        return Money(product, self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Decimal | int) -> Money:
        if isinstance(divisor, bool) or not isinstance(divisor, Decimal | int):
            return NotImplemented
        # a quotient is rarely exact (19.99 / 3): it keeps MONEY_DIGITS digits, to be rounded
        try:
            quotient = _ROUNDING.divide(self.amount, divisor)
        except DecimalException:
            raise _too_big(f"{self} / {divisor}") from None
        return Money(quotient, self.currency)

    def _compare(self, other: object, op: Callable[[Decimal, Decimal], bool]) -> bool:
        return op(self.amount, self._check(other, "compare").amount)

    def __lt__(self, other: Money) -> bool:
        return self._compare(other, Decimal.__lt__)

    def __le__(self, other: Money) -> bool:
        return self._compare(other, Decimal.__le__)

    def __gt__(self, other: Money) -> bool:
        return self._compare(other, Decimal.__gt__)

    def __ge__(self, other: Money) -> bool:
        return self._compare(other, Decimal.__ge__)

    def __bool__(self) -> bool:
        return bool(self.amount)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency.code}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency.code}')"

    def allocate(self, weights: Sequence[Decimal | int]) -> tuple[Money, ...]:
        """Split the amount in proportion to ``weights`` without losing or creating a cent.

        The amount must be exact in minor units. Each part is the exact share
        rounded down, and the minor units left over go one by one to the parts
        with the largest remainders (earlier parts first on a tie), so the parts
        always add up to the whole and each differs from its exact share by
        less than one minor unit.
        """
        if not weights:
            raise ValueError("allocate needs at least one weight")
        ws = [to_decimal(w) for w in weights]
        if any(w < 0 for w in ws):
            raise ValueError("allocation weights cannot be negative")
        total_weight = sum(ws, _ZERO)
        if total_weight == 0:
            raise ValueError("allocation weights add up to zero")
        units = self.to_minor_units()
        sign = -1 if units < 0 else 1
        units = abs(units)
        shares: list[int] = []
        remainders: list[tuple[Decimal, int]] = []
        for index, weight in enumerate(ws):
            exact = units * weight / total_weight
            share = int(exact)  # floor: exact is non-negative
            shares.append(share)
            remainders.append((exact - share, -index))
        left = units - sum(shares)
        for _, neg_index in sorted(remainders, reverse=True)[:left]:
            shares[-neg_index] += 1
        return tuple(Money.from_minor_units(sign * s, self.currency) for s in shares)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """Let pydantic models hold Money as ``{"amount": "12.30", "currency": "EUR"}``.

        The amount must be a string or an integer in JSON: a float is refused.
        """
        from pydantic_core import core_schema

        def build(value: Any) -> Money:
            if isinstance(value, Money):
                return value
            if not isinstance(value, dict) or set(value) != {"amount", "currency"}:
                raise ValueError("money is an object with exactly 'amount' and 'currency'")
            amount = value["amount"]
            if isinstance(amount, float):
                raise ValueError("a money amount must be a string, not a float")
            return Money(amount, value["currency"])

        return core_schema.no_info_plain_validator_function(
            build,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda m: {"amount": str(m.amount), "currency": m.currency.code}
            ),
        )


_new: Final = object.__new__
_set_amount: Final = Money.__dict__["amount"].__set__
_set_currency: Final = Money.__dict__["currency"].__set__


def sum_money(items: Iterable[Money], *, currency: Currency | str) -> Money:
    """Add amounts of one currency; ``currency`` names it, so an empty sum is defined."""
    cur = _as_currency(currency)
    amounts = []
    for item in items:  # outside the exact context: a generator's own arithmetic is its own
        if not isinstance(item, Money):
            raise TypeError(f"sum_money adds Money, not {type(item).__name__}")
        if item.currency is not cur and item.currency != cur:
            raise CurrencyMismatchError(cur.code, item.currency.code, "add")
        amounts.append(item.amount)
    try:
        with localcontext(_EXACT):  # a copy, this thread's only: sum() adds in C, exactly
            total = sum(amounts, _ZERO)
    except DecimalException:
        raise _too_big(f"the sum in {cur.code}") from None
    return Money(total, cur)
