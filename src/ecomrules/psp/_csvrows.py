"""CSV plumbing shared by the Stripe and PayPal parsers: rows with their place,
header lookup by name, and amounts parsed once per distinct text.

The hot path of a million-row report is here, so it stays lean: plain lines
split at their commas (the fields the :mod:`csv` reader would give, which reads
every other line), no regular expression per row, and a bounded cache from an
amount's text to its :class:`~ecomrules.money.Money` (prices and fees repeat).
Amounts still go through :func:`ecomrules.decimals.parse_decimal`, once per
distinct text. :func:`report_lines` reads a report from bytes, or streams it
from a path or a binary file in chunks (ADR 0031).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from ecomrules.decimals import DecimalFormat, parse_decimal
from ecomrules.errors import MalformedRecordError, ParseError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.source import clean_text, decode

__all__ = [
    "AmountReader",
    "Header",
    "ReportInput",
    "bad_field",
    "normalise",
    "read_rows",
    "report_lines",
    "rows_of",
    "text_of",
]


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
        carry = ""
        while chunk:
            lines = (carry + chunk).split("\n")
            carry = lines.pop()
            yield from lines
            chunk = text.read(_CHUNK)
        carry = carry.rstrip("\x1a")
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
        if not digits.isdigit() or not digits.isascii():
            raise ValueError(f"{text!r} is not an unsigned count of minor units")
        return Decimal(int(digits)).scaleb(-self._minor_exponent)


def _is_plain(text: str) -> bool:
    """``-12.34``, ``12``, ``.5``: digits with at most one point and a leading minus.

    Such text means the same to :class:`~decimal.Decimal` and to
    :func:`~ecomrules.decimals.parse_decimal`, so it skips the general parser.
    """
    digits = text[1:] if text[:1] == "-" else text
    return digits.isascii() and digits.replace(".", "", 1).isdigit()


def bad_field(
    message: str, *, path: str, line: int, column: str, value: str
) -> MalformedRecordError:
    """A :class:`MalformedRecordError` placed at ``path:line:column``."""
    return MalformedRecordError(
        f"column {column!r}: {message}",
        location=SourceLocation(path, line, column),
        field=column,
        value=value,
    )
