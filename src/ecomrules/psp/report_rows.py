"""Delimited PSP reports read by header name, with typed cell access.

:class:`ReportTable` reads a CSV (any delimiter) whose first row names the
columns; each :class:`ReportRow` knows its file line and gives cells by column
name. Cell conversions raise :class:`~ecomrules.errors.MalformedRecordError`
naming file, line and column, so a parser can hand them to its
:class:`~ecomrules.parsing.base.ErrorPolicy`. Columns are never read by
position: reports add, drop and move columns between versions.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from ecomrules.decimals import DecimalFormat, DecimalRangeError, parse_decimal
from ecomrules.errors import MalformedRecordError
from ecomrules.money import Currency
from ecomrules.outcome import SourceLocation

__all__ = [
    "MAX_MAGNITUDE",
    "ReportRow",
    "ReportTable",
    "amount_in_range",
    "header_cells",
    "naive_time",
]

_POINT = DecimalFormat(decimal=".")
_new_money = object.__new__
_set = object.__setattr__

MAX_MAGNITUDE = 15
"""Amounts of 10**15 and more (or with more than 15 integer digits) are refused as out of range."""


def amount_in_range(value: Decimal) -> bool:
    """Whether ``value`` is plausible: below 10**15 in magnitude, at most 20 decimals (rates)."""
    return value.is_zero() or (
        value.adjusted() < MAX_MAGNITUDE and value.as_tuple().exponent >= -20  # type: ignore[operator]
    )


def header_cells(head: bytes, delimiter: str = ",") -> list[str]:
    """Return the cells of the first line of ``head`` (for sniffing; never raises)."""
    text = head[:8192].decode("utf-8", errors="replace").removeprefix("\ufeff")
    first = text.split("\n", 1)[0].rstrip("\r")
    try:
        return [cell.strip() for cell in next(csv.reader([first], delimiter=delimiter))]
    except (csv.Error, StopIteration):
        return []


@functools.lru_cache(maxsize=4096)
def naive_time(text: str, formats: tuple[str, ...]) -> datetime | None:
    """``text`` read with the first matching ``strptime`` format, or ``None``.

    An ISO 8601 text without offset is read by ``datetime.fromisoformat``
    first (far faster) when one of the formats is ISO-like. Results are
    cached per distinct text: a report repeats its dates and times.
    """
    if any(fmt.startswith("%Y-%m-%d") for fmt in formats):
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if value.tzinfo is None:
                return value
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


class ReportRow:
    """One data row of a :class:`ReportTable`: cells by column name and a location."""

    __slots__ = ("_index", "_table", "cells", "line")

    def __init__(self, table: ReportTable, line: int, cells: Sequence[str]) -> None:
        self._table = table
        self._index = table.index
        self.line = line
        self.cells = cells

    @property
    def source(self) -> str:
        """The file the row comes from."""
        return self._table.source

    def location(self, column: str | None = None) -> SourceLocation:
        """The row's place, optionally naming a column."""
        return SourceLocation(self._table.source, self.line, column)

    @property
    def raw(self) -> str:
        """The row as it was read, re-joined with the file's delimiter."""
        return self._table.delimiter.join(self.cells)

    def get(self, column: str) -> str:
        """The cell of ``column`` stripped, or ``""`` when the column or cell is absent."""
        position = self._index.get(column)
        if position is None or position >= len(self.cells):
            return ""
        return self.cells[position].strip()

    def texts(self, columns: Iterable[tuple[str, str]]) -> dict[str, str]:
        """The non-empty cells of ``(column, key)`` pairs, keyed by ``key`` in the given order."""
        return {key: text for column, key in columns if (text := self.get(column))}

    def has(self, column: str) -> bool:
        """Whether the table has ``column``."""
        return column in self._table.index

    def decimal(self, column: str, fmt: DecimalFormat = _POINT) -> Decimal | None:
        """The cell as a Decimal; ``None`` when empty; raise when it is not a number."""
        return self.number(column, self.get(column), fmt)

    def number(self, column: str, text: str, fmt: DecimalFormat = _POINT) -> Decimal | None:
        """``text``, the stripped cell of ``column``, as :meth:`decimal` reads it.

        A plain ``123.45`` or ``-123.45`` (ASCII digits, at most one point) is
        read by ``Decimal`` at once; anything else goes through
        :func:`~ecomrules.decimals.parse_decimal`, which gives the same value.
        """
        if not text:
            return None
        body = text[1:] if text[0] == "-" else text
        if fmt is _POINT and body.isascii() and body.replace(".", "", 1).isdigit():
            value = Decimal(body)
            if body is not text and value:  # exact, as parse_decimal negates; -0 is 0
                value = value.copy_negate()
            point = body.find(".")
            if len(body) <= 28:  # exact even negated: the range check, decimals counted on the text
                if value.adjusted() < MAX_MAGNITUDE and (point < 0 or len(body) - point <= 21):
                    return value
                if value.is_zero():
                    return value
            elif amount_in_range(value):  # negating may have rounded it to 28 digits
                return value
            raise self.error(column, f"{text!r} is out of range for an amount", text)
        try:
            value = parse_decimal(text, fmt)
        except DecimalRangeError:
            raise self.error(column, f"{text!r} is out of range for an amount", text) from None
        except ValueError as exc:
            raise self.error(column, f"{text!r} is not a decimal ({exc})", text) from None
        if not amount_in_range(value):
            raise self.error(column, f"{text!r} is out of range for an amount", text)
        return value

    def values(self) -> list[str]:
        """Every cell stripped, one per header column, plus a last ``""``.

        A column the row lacks is ``""``; with :meth:`ReportTable.position`
        (which sends an absent column to that last ``""``) a parser reads all
        the cells it needs without a lookup by name per cell.
        """
        width, cells = self._table.width, self.cells
        values = [cell.strip() for cell in (cells if len(cells) == width else cells[:width])]
        values.extend([""] * (width + 1 - len(values)))
        return values

    def amount(self, column: str, fmt: DecimalFormat = _POINT) -> Decimal:
        """The cell as a Decimal; raise when it is empty or not a number."""
        value = self.decimal(column, fmt)
        if value is None:
            raise self.error(column, "is empty")
        return value

    def required(self, column: str, text: str | None = None) -> str:
        """The non-empty cell of ``column`` (``text`` when given); raise when it is empty."""
        if text is None:
            text = self.get(column)
        if not text:
            raise self.error(column, "is empty", text)
        return text

    def currency(self, column: str, text: str | None = None) -> Currency:
        """The cell (``text`` when given) as an ISO 4217 currency; raise when empty or unknown."""
        text = self.required(column, text)
        try:
            return Currency.of(text)
        except (ValueError, TypeError):
            raise self.error(column, f"{text!r} is not an ISO 4217 currency", text) from None

    def timestamp(self, column: str, formats: Sequence[str]) -> datetime:
        """The cell parsed with the first matching ``strptime`` format; raise otherwise.

        An ISO 8601 text without offset is read by ``datetime.fromisoformat``
        first (far faster) when one of the formats is ISO-like.
        """
        text = self.required(column)
        value = naive_time(text, tuple(formats))
        if value is None:
            raise self.error(column, f"{text!r} is not a date/time ({' or '.join(formats)})", text)
        return value

    def day(self, column: str, formats: Sequence[str]) -> date | None:
        """The date of the cell read by :meth:`timestamp`; ``None`` when the cell is empty."""
        return self.timestamp(column, formats).date() if self.get(column) else None

    def error(self, column: str, message: str, value: str | None = None) -> MalformedRecordError:
        """A :class:`MalformedRecordError` for ``column`` of this row."""
        return MalformedRecordError(
            f"column {column!r}: {message}",
            location=self.location(column),
            field=column,
            value=value,
        )


class ReportTable:
    """A table of rows whose first row (or the ``header`` given) names the columns."""

    def __init__(
        self,
        rows: Iterator[tuple[int, list[str]]],
        source: str,
        *,
        delimiter: str = ",",
        header: Sequence[str] | None = None,
    ) -> None:
        self.source = source
        self.delimiter = delimiter
        self._rows = rows
        if header is None:
            first = next(rows, None)
            if first is None or not any(cell.strip() for cell in first[1]):
                raise MalformedRecordError("no header row", location=SourceLocation(source, 1))
            header = first[1]
        self.header = [cell.strip() for cell in header]
        self.width = len(self.header)
        self.index: dict[str, int] = {}
        """Column name -> position; of a column named twice the first one wins."""
        for position, name in enumerate(self.header):
            if name:
                self.index.setdefault(name, position)

    @classmethod
    def from_text(cls, text: str, source: str, *, delimiter: str = ",") -> ReportTable:
        """Read delimited ``text``; a row's line is the line where it starts."""
        return cls(_csv_rows(text, source, delimiter), source, delimiter=delimiter)

    def position(self, column: str) -> int:
        """Where ``column`` stands in :meth:`ReportRow.values` (the last, blank one when absent)."""
        return self.index.get(column, self.width)

    def present(self, columns: Sequence[str]) -> tuple[str, ...]:
        """Those of ``columns`` the header has, in the given order."""
        return tuple(c for c in columns if c in self.index)

    def require_columns(self, columns: Sequence[str]) -> None:
        """Raise naming every one of ``columns`` the header lacks."""
        missing = [c for c in columns if c not in self.index]
        if missing:
            raise MalformedRecordError(
                f"header lacks column(s) {', '.join(repr(c) for c in missing)}",
                location=SourceLocation(self.source, 1),
            )

    def rows(self) -> Iterator[ReportRow]:
        """The data rows; blank rows are skipped."""
        for line, cells in self._rows:
            if "".join(cells).strip():  # not blank: some cell holds more than white space
                yield ReportRow(self, line, cells)


def _text_lines(text: str) -> Iterator[str]:
    """The lines of ``text``, each with its ``\\n``, as ``io.StringIO`` gives them.

    Without the copy a StringIO makes (four bytes a character).
    """
    start, size, find = 0, len(text), text.find
    while start < size:
        end = find("\n", start) + 1 or size
        yield text[start:end]
        start = end


def _csv_rows(text: str, source: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(_text_lines(text), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise MalformedRecordError(
            f"unreadable row: {exc}", location=SourceLocation(source, start)
        ) from None
