"""The issue codes of the bank parsers and the record error that carries one.

Every bad record raises :class:`RecordError` (a
:class:`~ecomrules.errors.MalformedRecordError`) with its code, so a parser in
lenient mode turns it into an error issue with that code.
"""

from __future__ import annotations

from typing import Final

from ecomrules.errors import MalformedRecordError
from ecomrules.outcome import SourceLocation

__all__ = [
    "BALANCE_MISMATCH",
    "CONTROL_BYTES",
    "INVALID_AMOUNT",
    "INVALID_DATE",
    "MALFORMED",
    "MISSING_FIELD",
    "RecordError",
]

BALANCE_MISMATCH: Final = "bank.balance_mismatch"
"""Opening balance + the sum of the lines differs from the closing balance."""
INVALID_AMOUNT: Final = "bank.invalid_amount"
"""An amount is not a decimal the format allows."""
INVALID_DATE: Final = "bank.invalid_date"
"""A date or time is impossible (30 February) or not in the format's layout."""
MISSING_FIELD: Final = "bank.missing_field"
"""A field the format requires is absent or empty."""
MALFORMED: Final = "bank.malformed"
"""The record or document cannot be read at all (broken XML or SGML, bad CSV row)."""
CONTROL_BYTES: Final = "bank.control_bytes_removed"
"""Control bytes (NUL, 0x1A, ...) were removed before reading."""


class RecordError(MalformedRecordError):
    """A malformed record, with the issue ``code`` it is reported under in lenient mode."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        location: SourceLocation | None = None,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(message, location=location, field=field, value=value)
        self.code = code
