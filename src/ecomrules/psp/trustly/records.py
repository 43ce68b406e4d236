"""The record layout shared by Trustly's P11K files: typed lines, fields by position.

Trustly's files have no header row; a line's first field names its record
type (``H`` header, ``I``/``T`` items, ``F`` funding, ``L`` ledger trailer) and
the fields of each type come in a fixed order. :class:`Record` gives a field
by its documented position with the file's line for error messages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

from ecomrules.decimals import DecimalFormat, parse_decimal
from ecomrules.errors import MalformedRecordError
from ecomrules.money import Currency
from ecomrules.outcome import SourceLocation
from ecomrules.psp.report_rows import amount_in_range

__all__ = ["Record", "read_records", "sniff_kind"]

_POINT = DecimalFormat(decimal=".")


def sniff_kind(head: bytes) -> str | None:
    """The file kind (``P11KFUN``, ``P11KREC``) named by the header record, or ``None``."""
    first = head[:200].decode("ascii", errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    parts = first.split(",")
    if len(parts) >= 6 and parts[0] == "H" and parts[1] in {"P11KFUN", "P11KREC"}:
        return parts[1]
    return None


class Record:
    """One line of a P11K file."""

    __slots__ = ("fields", "line", "source")

    def __init__(self, source: str, line: int, fields: list[str]) -> None:
        self.source = source
        self.line = line
        self.fields = fields

    @property
    def kind(self) -> str:
        """The record type (first field)."""
        return self.fields[0].strip()

    @property
    def raw(self) -> str:
        """The line as read."""
        return ",".join(self.fields)

    def location(self, field: int | None = None) -> SourceLocation:
        """The record's place; ``field`` is its 1-based position after the type."""
        return SourceLocation(self.source, self.line, None if field is None else f"field {field}")

    def text(self, position: int) -> str:
        """Field ``position`` (0 is the record type), stripped; ``""`` when absent."""
        return self.fields[position].strip() if position < len(self.fields) else ""

    def error(self, position: int, message: str) -> MalformedRecordError:
        """A malformed-record error for field ``position``."""
        return MalformedRecordError(
            f"{self.kind} record, field {position}: {message}",
            location=self.location(position),
            field=str(position),
            value=self.text(position),
        )

    def decimal(self, position: int, *, required: bool = True) -> Decimal | None:
        """Field ``position`` as a Decimal (``None`` when empty and not required)."""
        text = self.text(position)
        if not text:
            if required:
                raise self.error(position, "is empty")
            return None
        try:
            value = parse_decimal(text, _POINT)
        except ValueError:
            raise self.error(position, f"{text!r} is not a decimal") from None
        if not amount_in_range(value):
            raise self.error(position, f"{text!r} is out of range for an amount")
        return value

    def currency(self, position: int) -> Currency:
        """Field ``position`` as an ISO 4217 currency."""
        text = self.text(position)
        try:
            return Currency.of(text)
        except (ValueError, TypeError):
            raise self.error(position, f"{text!r} is not an ISO 4217 currency") from None

    def instant(self, position: int) -> datetime:
        """Field ``position`` as an ISO 8601 UTC instant (``...Z``)."""
        text = self.text(position)
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.error(position, f"{text!r} is not an ISO 8601 date-time") from None
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    def require(self, count: int) -> None:
        """Raise unless the record has at least ``count`` fields after the type."""
        if len(self.fields) < count + 1:
            raise MalformedRecordError(
                f"{self.kind} record has {len(self.fields) - 1} fields, expected {count}",
                location=self.location(),
            )


def read_records(text: str, source: str) -> Iterator[Record]:
    """The non-blank records of ``text``."""
    reader = csv.reader(io.StringIO(text))
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise MalformedRecordError(
                f"unreadable record: {exc}", location=SourceLocation(source, start)
            ) from None
        if any(f.strip() for f in fields):
            yield Record(source, start, fields)
        start = reader.line_num + 1
