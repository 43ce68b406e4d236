"""CSV plumbing shared by the Stripe and PayPal parsers: rows with their place,
header lookup by name, and amounts parsed once per distinct text.

The hot path of a million-row report is here, so it stays lean: the standard
:mod:`csv` reader, no regular expression per row, and a bounded cache from an
amount's text to its :class:`~ecomrules.money.Money` (prices and fees repeat).
Amounts still go through :func:`ecomrules.decimals.parse_decimal`, once per
distinct text.
"""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal

from ecomrules.decimals import DecimalFormat, parse_decimal
from ecomrules.errors import MalformedRecordError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.source import clean_text, decode

__all__ = [
    "AmountReader",
    "Header",
    "bad_field",
    "bulk_load",
    "normalise",
    "read_rows",
    "text_of",
]

csv.field_size_limit(16 * 1024 * 1024)


@contextmanager
def bulk_load() -> Iterator[None]:
    """Pause the cyclic garbage collector while a report's lines are built.

    The lines hold no reference cycles; without the pause the collector
    rescans the growing list of lines again and again (about a third of the
    time of a million-row parse). At the end the new objects are moved to
    the oldest generation at once (``gc.freeze`` then ``gc.unfreeze``, two
    list splices) instead of being scanned by the first young collection;
    that step is skipped when the application froze objects itself. The
    collector is switched back on, if it was on, whatever happens.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def text_of(data: bytes, source: str) -> str:
    """Decode (UTF-8, else cp1252) and clean (BOM, 0x1A, line ends) a report."""
    return clean_text(decode(data, source, ("utf-8", "cp1252")))


def read_rows(text: str) -> Iterator[tuple[int, list[str], str]]:
    """Yield ``(line number, fields, raw text)`` for each CSV record of ``text``.

    ``text`` has LF line ends (:func:`text_of`). The line number is the
    record's first physical line (1-based); a record with a quoted line break
    spans several lines and its raw text keeps them. Blank lines are skipped.
    """
    lines = text.split("\n")
    del text  # the lines hold it all now; a streaming reader keeps one copy only
    if lines and not lines[-1]:
        lines.pop()
    reader = csv.reader(lines)
    done = 0
    for fields in reader:
        end = reader.line_num
        if end == done + 1:
            raw = lines[done]
        else:  # a quoted field spans lines: read it again with its line breaks
            raw = "\n".join(lines[done:end])
            fields = next(csv.reader(io.StringIO(raw)))
        line = done + 1
        done = end
        if len(fields) > 1 or (fields and fields[0].strip()):
            yield line, fields, raw


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
        money = Money(-value if negative else value, currency)
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
