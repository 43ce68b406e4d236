"""Field types shared by the row models: strict amounts, dates, flags and codes.

Each turns the text of a cell into a value or fails with a short message that
:func:`~ecomrules.inputs.reader.row_errors` prefixes with file, line and column.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator

from ecomrules.decimals import (
    MAX_FRACTION_DIGITS,
    MAX_INTEGER_DIGITS,
    DecimalRangeError,
    parse_decimal,
)
from ecomrules.money import Currency

__all__ = ["Amount", "CurrencyCode", "Flag", "IsoDate", "IsoDateTime"]


def _amount(value: Any) -> Decimal:
    """An amount as text, a JSON integer or a Decimal, within the documented maximum."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("is not a finite decimal")
    elif isinstance(value, bool | float) or not isinstance(value, int | str):
        raise ValueError("is not a decimal written as text")
    try:
        # an int or a Decimal goes through the text parser too: the same maximum for all
        return parse_decimal(value if isinstance(value, str) else str(value))
    except DecimalRangeError:
        raise ValueError(
            f"has more than {MAX_INTEGER_DIGITS} digits before the point "
            f"or {MAX_FRACTION_DIGITS} after"
        ) from None
    except ValueError:
        raise ValueError("is not a decimal") from None


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("is not a date")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("is not a date (YYYY-MM-DD)") from None


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("is not an ISO 8601 date-time") from None
    else:
        raise ValueError("is not an ISO 8601 date-time")
    if parsed.tzinfo is None:
        raise ValueError("has no UTC offset (write 2026-11-27T10:00:00+01:00)")
    return parsed


_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("is not true or false")


def _currency(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("is not a currency code")
    try:
        return Currency.of(value).code
    except ValueError:
        raise ValueError("is not an ISO 4217 currency code") from None


Amount = Annotated[Decimal, BeforeValidator(_amount)]
"""A decimal amount written as text; floats are refused."""
IsoDate = Annotated[date, BeforeValidator(_date)]
"""A calendar date ``YYYY-MM-DD``."""
IsoDateTime = Annotated[datetime, BeforeValidator(_datetime)]
"""An ISO 8601 date-time with its UTC offset."""
Flag = Annotated[bool, BeforeValidator(_flag)]
"""``true``/``false`` (also yes/no, 1/0)."""
CurrencyCode = Annotated[str, BeforeValidator(_currency)]
"""An ISO 4217 code, returned upper case."""
