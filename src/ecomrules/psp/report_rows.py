"""Reading CSV-like PSP reports: rows with their place, columns by name, typed cells.

One module for every delimited report, with two row kits over the same text:

- :class:`ReportTable` reads a report (any delimiter, the :mod:`csv` module)
  whose first row names the columns; each :class:`ReportRow` knows its file
  line and gives cells by column name. Cell conversions raise
  :class:`~ecomrules.errors.MalformedRecordError` naming file, line and
  column, so a parser can hand them to its
  :class:`~ecomrules.parsing.base.ErrorPolicy`.
- For million-row reports (Stripe, PayPal) :func:`rows_of` gives
  ``(line, fields, raw)`` records of comma-delimited lines (a line without a
  quote split at its commas: the fields the :mod:`csv` reader would give, at
  a fraction of the cost), :func:`report_lines` streams a report from a path
  or a binary file in chunks (ADR 0031), :class:`Header` resolves columns by
  their documented names (case and inner spaces ignored) to positions once
  per file, and :class:`AmountReader` parses each distinct amount text once.

Columns are never read by a fixed position: reports add, drop and move
columns between versions.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from ecomrules.decimals import (
    MAX_INTEGER_DIGITS,
    DecimalFormat,
    DecimalRangeError,
    parse_decimal,
    parse_minor_units,
)
from ecomrules.errors import MalformedRecordError, ParseError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.limits import current_limits, record_too_long
from ecomrules.parsing.source import clean_text, decode

__all__ = [
    "MAX_MAGNITUDE",
    "AmountReader",
    "Header",
    "ReportInput",
    "ReportRow",
    "ReportTable",
    "amount_in_range",
    "bad_field",
    "csv_rows",
    "field_getter",
    "header_cells",
    "input_bytes",
    "naive_time",
    "normalise",
    "read_rows",
    "report_lines",
    "rows_of",
    "text_of",
    "width_error",
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
        return bad_field(
            message, path=self._table.source, line=self.line, column=column, value=value
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
        self._records: Iterator[tuple[int, list[str], str]] | None = None
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
        return cls(csv_rows(text, source, delimiter), source, delimiter=delimiter)

    @classmethod
    def from_records(
        cls,
        records: Iterator[tuple[int, list[str], str]],
        source: str,
        *,
        header: Sequence[str] | None = None,
        empty: str = "no header row",
    ) -> ReportTable:
        """A table over :func:`rows_of` records; its header is ``header``, else the first record.

        :meth:`records` gives the records as they are (fields unstripped, raw
        text as written), :meth:`rows` the same as :class:`ReportRow`. A file
        without a record is refused with ``empty``.
        """
        if header is None:
            first = next(records, None)
            if first is None:
                raise MalformedRecordError(empty, location=SourceLocation(source, 1))
            header = first[1]
        table = cls(((line, fields) for line, fields, _ in records), source, header=header)
        table._records = records
        return table

    def records(self) -> Iterator[tuple[int, list[str], str]]:
        """The ``(line, fields, raw)`` records of a table made by :meth:`from_records`."""
        if self._records is None:
            raise TypeError("a table read by the csv module has rows, not records")
        return self._records

    def resolve(self, columns: Mapping[str, Sequence[str]]) -> dict[str, int]:
        """Each field of ``columns`` (field -> header names) to its position, when present.

        Names are compared with case ignored and inner spaces collapsed
        (:class:`Header`); of several names the first present wins.
        """
        return Header(self.header).lookup(columns)

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


def csv_rows(text: str, source: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of each record of ``text`` read by the :mod:`csv` module.

    The line is the one where the record starts; a row the module cannot read
    raises :class:`MalformedRecordError` at that line.
    """
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


# -- the fast kit: comma-delimited records with their raw text ------------------


def text_of(data: bytes, source: str) -> str:
    """Decode (UTF-8, else cp1252) and clean (BOM, 0x1A, line ends) a report."""
    return clean_text(decode(data, source, _ENCODINGS))


def read_rows(text: str) -> Iterator[tuple[int, list[str], str]]:
    """Yield ``(line number, fields, raw text)`` for each CSV record of ``text``.

    ``text`` has LF line ends (:func:`text_of`); see :func:`rows_of`.
    """
    lines = text.split("\n")
    del text  # the lines hold it all now
    if lines and not lines[-1]:
        lines.pop()
    return rows_of(lines)


def rows_of(lines: Iterable[str]) -> Iterator[tuple[int, list[str], str]]:
    """Yield ``(line number, fields, raw text)`` for each CSV record of ``lines``.

    ``lines`` are the physical lines, without their line ends. The line number
    is the record's first line (1-based); a record with a quoted line break
    spans several lines and its raw text keeps them. Blank lines are skipped.

    The fields are those of :func:`csv.reader` (the ``excel`` dialect). A line
    without a quote is split at its commas, and a line of quoted fields with no
    other quote (``"a","b,c"``) at its ``","``: for such lines that is what the
    csv module reads, at a fraction of the cost. Other lines go through it.
    """
    it = iter(lines)
    number = 0
    for line in it:
        number += 1
        if '"' not in line:
            fields = line.split(",")
        elif (quoted := _quoted_fields(line)) is not None:
            fields = quoted
        else:
            taken = [line]
            try:
                fields = next(csv.reader(_taking(line, it, taken)), [])
                if len(taken) > 1:  # a quoted field spans lines: read it again with its breaks
                    first = number
                    number += len(taken) - 1
                    raw = "\n".join(taken)
                    fields = next(csv.reader(io.StringIO(raw)))
            except csv.Error as exc:  # a quote left open runs past csv.field_size_limit()
                raise MalformedRecordError(
                    f"line {number}: not readable as CSV ({exc}); "
                    "a quoted field is not closed, or is longer than csv.field_size_limit()"
                ) from None
            if len(taken) > 1:
                if len(fields) > 1 or (fields and fields[0].strip()):
                    yield first, fields, raw
                continue
        if len(fields) > 1 or (fields and fields[0].strip()):
            yield number, fields, line


def _quoted_fields(line: str) -> list[str] | None:
    """The fields of ``"a","b,c"`` (every field quoted, no quote inside one), else ``None``."""
    if len(line) < 2 or line[0] != '"' or line[-1] != '"':
        return None
    inner = line[1:-1]
    if inner.count('"') != 2 * inner.count('","'):
        return None
    return inner.split('","')


def _taking(first: str, rest: Iterator[str], taken: list[str]) -> Iterator[str]:
    """``first`` then the lines of ``rest`` the csv reader asks for, noted in ``taken``."""
    yield first
    for line in rest:
        taken.append(line)
        yield line


ReportInput = bytes | str | os.PathLike[str] | BinaryIO
"""What ``iter_lines`` reads: the bytes of a report, a path to one, or a binary file."""


@contextmanager
def report_lines(data: ReportInput, source: str) -> Iterator[Iterable[str]]:
    """The physical lines of a report (decoded, cleaned as :func:`text_of` does).

    Bytes are decoded whole. A path or a seekable binary file is read in
    chunks, so memory does not grow with the file: a first pass checks that
    it is UTF-8 (else cp1252, as for bytes), the second yields the lines. A
    stream that cannot seek is read whole.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        yield _whole_lines(bytes(data), source)
        return
    if isinstance(data, str | os.PathLike):
        try:
            handle = Path(data).open("rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise ParseError(
                f"cannot read: {exc.strerror}", location=SourceLocation(source)
            ) from None
        with handle:
            yield _stream_lines(handle, source)
        return
    if not data.seekable():
        yield _whole_lines(data.read(), source)
        return
    yield _stream_lines(data, source)


def input_bytes(data: ReportInput, source: str) -> bytes:
    """The whole content of ``data``: bytes as they are, a path or a binary file read."""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if isinstance(data, str | os.PathLike):
        try:
            return Path(data).read_bytes()
        except OSError as exc:
            raise ParseError(
                f"cannot read: {exc.strerror}", location=SourceLocation(source)
            ) from None
    return data.read()


def _whole_lines(data: bytes, source: str) -> list[str]:
    lines = text_of(data, source).split("\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


_ENCODINGS = ("utf-8", "cp1252")
_CHUNK = 1 << 20


def _stream_lines(stream: BinaryIO, source: str) -> Iterator[str]:
    start = stream.tell()
    encoding = _encoding_of(stream, source)
    stream.seek(start)
    text = io.TextIOWrapper(stream, encoding=encoding, newline=None)
    try:
        chunk = text.read(_CHUNK).removeprefix("\ufeff")
        # text after the last line end waits as parts: a long line is joined once
        pending: list[str] = []
        waiting = 0
        count = 0
        limit = current_limits().max_record_bytes
        while chunk:
            cut = chunk.rfind("\n")
            if cut < 0:
                pending.append(chunk)
                waiting += len(chunk)
                if waiting > limit:
                    where = SourceLocation(source, count + 1)
                    raise record_too_long(current_limits(), "a line", where)
            else:
                pending.append(chunk[:cut])
                lines = "".join(pending).split("\n")
                count += len(lines)
                yield from lines
                pending = [chunk[cut + 1 :]]
                waiting = len(pending[0])
            chunk = text.read(_CHUNK)
        carry = "".join(pending).rstrip("\x1a")
        if carry:
            yield carry
    finally:
        text.detach()


def _encoding_of(stream: BinaryIO, source: str) -> str:
    """The first of UTF-8 and cp1252 that decodes the whole stream (read in chunks).

    When neither does, the stream is read whole so that :func:`decode` names
    the line of the first bad byte, as it does for bytes.
    """
    start = stream.tell()
    head = stream.read(3)
    stream.seek(start)
    encodings = ("utf-8",) if head == b"\xef\xbb\xbf" else _ENCODINGS
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            stream.seek(start)
            continue
        return encoding
    decode(stream.read(), source, encodings)  # raises, naming the line
    raise AssertionError("decode accepted what its incremental decoders refused")


class Header:
    """A header row, looked up by normalised name (case and spaces ignored)."""

    __slots__ = ("index", "names")

    def __init__(self, names: Sequence[str]) -> None:
        self.names = [name.strip() for name in names]
        self.index: dict[str, int] = {}
        for position, name in enumerate(self.names):
            self.index.setdefault(normalise(name), position)

    def find(self, *aliases: str) -> int | None:
        """Return the position of the first alias present, else ``None``."""
        for alias in aliases:
            position = self.index.get(normalise(alias))
            if position is not None:
                return position
        return None

    def lookup(self, table: Mapping[str, Sequence[str]]) -> dict[str, int]:
        """Map each field of ``table`` (field -> aliases) to the position found, if any."""
        found: dict[str, int] = {}
        for field_name, aliases in table.items():
            position = self.find(*aliases)
            if position is not None:
                found[field_name] = position
        return found


def field_getter(
    fields: Iterable[str], positions: Mapping[str, int], absent: int, offset: int = 0
) -> Callable[[Sequence[str]], Any]:
    """One call that takes every one of ``fields`` from a record, in order.

    A field is at its resolved position (plus ``offset``, for a record that
    starts with its type); a field the header lacks is at ``absent`` (plus
    ``offset``), the empty cell the reader appends to every record.
    """
    return itemgetter(*(positions.get(name, absent) + offset for name in fields))


def normalise(name: str) -> str:
    """Lower-case a header name and collapse its inner whitespace."""
    return " ".join(name.replace("\ufeff", "").split()).lower()


class AmountReader:
    """Turn amount text into Money, parsing each distinct text once.

    ``minor_exponent`` set means the text is an integer count of minor units
    with that many implied decimals (PayPal's 2, for every currency).
    :meth:`table` gives the cache of one currency and sign, a plain ``dict``
    from text to Money: hot loops look the text up there and call
    :meth:`signed` on a miss. Keys are the texts themselves (no tuple to build
    and compare per row); each table holds at most ``limit`` entries.
    """

    __slots__ = ("_fmt", "_limit", "_minor_exponent", "_tables")

    def __init__(
        self,
        fmt: DecimalFormat | None = None,
        *,
        minor_exponent: int | None = None,
        limit: int = 100_000,
    ) -> None:
        self._fmt = fmt
        self._minor_exponent = minor_exponent
        self._limit = limit
        self._tables: dict[tuple[str, bool], dict[str, Money]] = {}

    def table(self, currency: Currency, negative: bool = False) -> dict[str, Money]:
        """The cache of ``currency`` (negated amounts when ``negative``): text -> Money."""
        key = (currency.code, negative)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = {}
        return table

    def money(self, text: str, currency: Currency) -> Money:
        """Return ``text`` in ``currency``; ``ValueError`` says why it is not an amount."""
        return self.signed(text, currency, False)

    def signed(self, text: str, currency: Currency, negative: bool) -> Money:
        """Like :meth:`money`, negated when ``negative`` (a debit flag beside the amount)."""
        table = self.table(currency, negative)
        cached = table.get(text)
        if cached is not None:
            return cached
        value = self._parse(text)
        money = Money._trusted(-value if negative else value, currency)
        if len(table) >= self._limit:
            table.clear()
        table[text] = money
        return money

    def _parse(self, text: str) -> Decimal:
        if self._minor_exponent is None:
            if self._fmt is None and _is_plain(text):
                return Decimal(text)
            return parse_decimal(text.replace("\u202f", "\u00a0"), self._fmt)
        digits = text.strip()
        if digits[:1] in ("+", "-"):
            raise ValueError(f"{text!r} is not an unsigned count of minor units")
        return Decimal(parse_minor_units(digits)).scaleb(-self._minor_exponent)


def _is_plain(text: str) -> bool:
    """``-12.34``, ``12``, ``.5``: digits with at most one point and a leading minus.

    Such text, when short enough to be within the maximum amount, means the
    same to :class:`~decimal.Decimal` and to
    :func:`~ecomrules.decimals.parse_decimal`, so it skips the general parser.
    """
    if len(text) > MAX_INTEGER_DIGITS:
        return False
    digits = text[1:] if text[:1] == "-" else text
    return digits.isascii() and digits.replace(".", "", 1).isdigit()


def width_error(
    found: int, width: int, *, path: str, line: int, raw: str, header: str = "the header"
) -> MalformedRecordError:
    """A :class:`MalformedRecordError` for a record of ``found`` fields where ``header``
    names ``width`` columns, placed at ``path:line`` with the record's text."""
    return MalformedRecordError(
        f"{found} fields where {header} has {width}",
        location=SourceLocation(path, line),
        value=raw,
    )


def bad_field(
    message: str, *, path: str, line: int, column: str, value: str | None
) -> MalformedRecordError:
    """A :class:`MalformedRecordError` placed at ``path:line:column``."""
    return MalformedRecordError(
        f"column {column!r}: {message}",
        location=SourceLocation(path, line, column),
        field=column,
        value=value,
    )
