"""Field types shared by the row models: strict amounts, dates, flags and codes.

Each turns the text of a cell into a value or fails with a short message that
:func:`~ecomrules.inputs.reader.row_errors` prefixes with file, line and column.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator

from ecomrules.inputs.layout import currency_code, date_value, flag_value, plain_amount

__all__ = ["Amount", "CurrencyCode", "Flag", "IsoDate", "IsoDateTime"]


def _amount(value: Any) -> Decimal:
    """The amount rule of :func:`~ecomrules.inputs.layout.amount_units`, before the currency."""
    return Decimal(plain_amount(value))


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


Amount = Annotated[Decimal, BeforeValidator(_amount)]
"""A plain decimal amount written as text (no exponent, no separators); floats are refused."""
IsoDate = Annotated[date, BeforeValidator(date_value)]
"""A calendar date ``YYYY-MM-DD``."""
IsoDateTime = Annotated[datetime, BeforeValidator(_datetime)]
"""An ISO 8601 date-time with its UTC offset."""
Flag = Annotated[bool, BeforeValidator(flag_value)]
"""``true``/``false`` (also yes/no, 1/0)."""
CurrencyCode = Annotated[str, BeforeValidator(currency_code)]
"""An ISO 4217 code, returned upper case."""
