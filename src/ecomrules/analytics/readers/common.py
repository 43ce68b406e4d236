"""What every analytics reader shares: amounts, times, placeholders, errors.

A reader turns one export file into rows of the canonical tables
(:mod:`ecomrules.analytics.model`). Problems are collected per file and raised
together as one :class:`~ecomrules.errors.InputError` whose lines start with the
place: ``file:record N: field 'x': ...`` (a line number for CSV and NDJSON, a
record number for JSON arrays and XML).

Amounts: shops send decimal strings, web-analytics tools send numbers (GA4's
``purchase_revenue`` is a float, UA counts micros, Matomo formats display
strings such as ``$13,351.11``). Every amount is read from its text, never
through a binary float, and rounded to the currency's minor units with
``ROUND_HALF_EVEN`` (the rounding is explicit and documented, since a float
written by an analytics tool can carry more digits than the currency has).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Final

from attrs import define, field

from ecomrules.errors import InputError, MoneyError
from ecomrules.money import Currency

__all__ = [
    "PLACEHOLDERS",
    "Batch",
    "Problems",
    "amount",
    "clean_text",
    "epoch_micros",
    "parse_timestamp",
]

PLACEHOLDERS: Final = frozenset(
    {
        "",
        "(not set)",
        "(data deleted)",
        "(none)",
        "<other>",
        "not available in demo dataset",
        "(not provided)",
        "nan",
        "null",
        "none",
    }
)
"""Values analytics tools write where they know nothing; read as missing.

``(direct)``/``(none)`` as a *source*/*medium* pair is kept by the readers that
know it means direct traffic; elsewhere ``(none)`` is a placeholder."""

_MAX_PROBLEMS: Final = 1000
_BLANKS: Final = " \t\r\n"  # what clean_text strips, the SQL path's trim alike


@define
class Problems:
    """Problems of one file, raised together by :meth:`raise_if_any`."""

    source: str
    items: list[str] = field(factory=list)

    def add(self, where: str, message: str) -> None:
        if len(self.items) < _MAX_PROBLEMS:
            self.items.append(f"{self.source}:{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.source, self.items)


@define
class Batch:
    """Rows of the canonical tables read from one file."""

    kind: str
    orders: list[dict[str, Any]] = field(factory=list)
    lines: list[dict[str, Any]] = field(factory=list)
    events: list[dict[str, Any]] = field(factory=list)
    refunds: list[dict[str, Any]] = field(factory=list)
    """Refunds of orders already in the store (Shopify refund objects)."""


def clean_text(value: object) -> str | None:
    """Return ``value`` as stripped text, or ``None`` for missing and placeholder values."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip(_BLANKS)
    if text.lower() in PLACEHOLDERS:
        return None
    return text


_DISPLAY_AMOUNT: Final = re.compile(r"^\s*[^\d\-+.,]*\s*([+-]?[\d,]*\.?\d*)\s*[^\d]*$")


def amount(
    value: object,
    currency: str,
    *,
    micros: bool = False,
    display: bool = False,
    exact: bool = False,
) -> Decimal:
    """Return ``value`` as an exact Decimal rounded to ``currency``'s minor units.

    ``micros`` divides by 10^6 (UA revenue); ``display`` accepts a formatted
    string with a symbol and thousands separators (``$13,351.11``, Matomo).
    ``exact`` is the rule for the books (shop exports): no exponent and no
    digit beyond the currency's minor units (trailing zeros aside), refused
    rather than rounded.
    Floats are read through ``repr`` (the shortest text that round-trips), so
    ``0.1`` is ``0.1``, not the binary expansion. Raises ``MoneyError``.

    >>> amount("598.94", "USD")
    Decimal('598.94')
    >>> amount(435910000, "USD", micros=True)
    Decimal('435.91')
    >>> amount("$13,351.11", "USD", display=True)
    Decimal('13351.11')
    >>> amount(4.9495798319328, "EUR")
    Decimal('4.95')
    >>> amount("59.800000", "EUR", exact=True)
    Decimal('59.80')
    >>> amount("10.005", "EUR", exact=True)
    Traceback (most recent call last):
    ...
    ecomrules.errors.MoneyError: '10.005' has more decimals than EUR allows
    """
    if value is None or isinstance(value, bool):
        raise MoneyError(f"{value!r} is not an amount")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise MoneyError(f"{value!r} is not a finite amount")
        text = repr(value)
    else:
        text = str(value).strip()
        if display:
            match = _DISPLAY_AMOUNT.match(text)
            if match is None or not match.group(1):
                raise MoneyError(f"{value!r} is not an amount")
            text = match.group(1).replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise MoneyError(f"{value!r} is not a decimal number") from None
    if not number.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    if micros:
        number = number.scaleb(-6)
    if abs(number) >= Decimal(10) ** 15:
        raise MoneyError(f"{value!r} is beyond the largest amount the store keeps (10^15)")
    quantum = Currency.of(currency).quantum
    rounded = number.quantize(quantum, rounding=ROUND_HALF_EVEN)
    if exact:
        if "e" in text.lower():
            raise MoneyError(f"{value!r} has an exponent: write the amount in full")
        if rounded != number:
            raise MoneyError(f"{value!r} has more decimals than {currency} allows")
    return rounded


def epoch_micros(value: object) -> dt.datetime:
    """Return a naive UTC datetime from epoch microseconds (int, numeric string or float)."""
    if isinstance(value, float):
        value = int(value)
    micros = int(str(value).strip())
    return dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=micros)


def parse_timestamp(value: object) -> dt.datetime:
    """Return a naive UTC datetime from an ISO 8601 or ``... UTC`` text.

    A value without offset is taken as UTC. Raises ``ValueError``.

    >>> parse_timestamp("2008-01-10T11:00:00-05:00")
    datetime.datetime(2008, 1, 10, 16, 0)
    >>> parse_timestamp("2022-10-25 08:14:20.415 UTC")
    datetime.datetime(2022, 10, 25, 8, 14, 20, 415000)
    """
    text = str(value).strip()
    if text.endswith(" UTC"):
        text = text[:-4]
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # "2018-01-04 15:51:23 -0800" (Shopify's CSV export)
    text = re.sub(r" ([+-]\d{2}):?(\d{2})$", r"\1:\2", text)
    stamp = dt.datetime.fromisoformat(text)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return stamp


def get_path(record: Mapping[str, Any], *path: str) -> Any:
    """Return ``record[path[0]][path[1]]...``, or ``None`` where a step is missing."""
    value: Any = record
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value
