"""The configurable CSV statement parser (``bank.csv``).

The registered parser reads the default mapping (:data:`DEFAULT_COLUMNS`) and
recognises a file only by that exact header. Give another bank's layout with
``CsvParser(load_csv_config("mybank.toml"))`` or ``ecomrules parse FILE
--csv-config mybank.toml``. Columns are found by header name; a column the
mapping does not use is reported once. Each row keeps its physical text and
line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, Final

from ecomrules.bank.controls import Input, check_balance, open_input
from ecomrules.bank.csv.balance import RunningBalance
from ecomrules.bank.csv.config import DEFAULT_COLUMNS, CsvLayout
from ecomrules.bank.lines import make_line
from ecomrules.bank.problems import (
    CONTROL_BYTES,
    INVALID_AMOUNT,
    INVALID_DATE,
    MALFORMED,
    MISSING_FIELD,
    RecordError,
)
from ecomrules.decimals import parse_decimal
from ecomrules.errors import ParseError, UnknownCurrencyError
from ecomrules.money import Currency, Money
from ecomrules.outcome import Issue, SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import Counterparty, LineKind, ParseResult, Statement, StatementLine
from ecomrules.parsing.source import unwrap

__all__ = ["CsvParser", "parse_csv_file"]

_CONTROL_BYTES: Final = bytes(c for c in range(32) if c not in (9, 10, 13))
_WIDE: Final = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
_BLOCK: Final = 1 << 20
_PLAIN: Final = re.compile(r"^[+-]?\d+(\.\d+)?$")
_DEFAULT_SET: Final = frozenset(DEFAULT_COLUMNS)


def _default_layout() -> CsvLayout:
    from ecomrules.bank.csv.config import DEFAULT_LAYOUT

    return DEFAULT_LAYOUT


class CsvParser:
    """A bank statement in CSV, read through a :class:`CsvLayout` (the default mapping if none)."""

    name: ClassVar[str] = "bank.csv"
    provider: ClassVar[str] = "generic"
    spec_url: ClassVar[str] = "https://www.rfc-editor.org/rfc/rfc4180"

    def __init__(self, layout: CsvLayout | None = None) -> None:
        self.layout = layout or _default_layout()

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES only when the first line is exactly the default header (any order)."""
        try:
            first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip(b"\r\n\x1a")
            text = first.decode("utf-8")
            names = next(csv.reader([text]))
        except Exception:  # sniff never raises
            return Confidence.NO
        cleaned = [name.strip().lower() for name in names]
        if len(cleaned) == len(_DEFAULT_SET) and set(cleaned) == _DEFAULT_SET:
            return Confidence.YES
        return Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse the whole file into one statement."""
        policy = ErrorPolicy(on_error)
        reading = _Reading(self.layout, source, policy)
        lines = tuple(self._read(reading, io.BytesIO(data)))
        currency = self.layout.currency or (lines[0].currency if lines else None)
        opening = closing = None
        running = reading.running
        before, after = running.opening(), running.closing()
        if currency is not None and before is not None and after is not None:
            opening, closing = Money._trusted(before, currency), Money._trusted(after, currency)
            if not running.mismatches:
                total = sum((line.amount.amount for line in lines), Decimal(0))
                check_balance(opening, total, closing, policy, SourceLocation(source), "statement")
        statement = Statement(
            account=self.layout.account,
            currency=currency,
            lines=lines,
            opening_balance=opening,
            closing_balance=closing,
            location=SourceLocation(source),
        )
        return ParseResult(self.name, source, (statement,), issues=tuple(policy.issues))

    def iter_lines(
        self,
        data: Input,
        *,
        source: str = "<stream>",
        on_error: OnError = "raise",
        issues: list[Issue] | None = None,
    ) -> Iterator[StatementLine]:
        """Yield the lines one by one, reading ``data`` as a stream (memory stays flat)."""
        policy = ErrorPolicy(on_error)
        if issues is not None:
            policy.issues = issues
        with open_input(data, source) as stream:
            yield from self._read(_Reading(self.layout, source, policy), stream)

    def _read(self, reading: _Reading, stream: BinaryIO) -> Iterator[StatementLine]:
        policy, source = reading.policy, reading.source
        try:
            yield from reading.run(stream)
        except RecordError as exc:
            policy.fail(exc, exc.code)
        except ParseError as exc:
            policy.fail(exc, MALFORMED)
        if reading.removed:
            policy.warn(
                CONTROL_BYTES,
                f"{reading.removed} control character(s) removed before reading",
                SourceLocation(source),
            )


_UNSEEN: Final[Any] = object()
"""Marks a counterparty key not looked at yet (``None`` is a cached answer)."""


class _Reading:
    """One pass over a CSV stream: physical lines, header, rows."""

    def __init__(self, layout: CsvLayout, source: str, policy: ErrorPolicy) -> None:
        self.layout = layout
        self.source = source
        self.policy = policy
        self.removed = 0
        self.line = 0
        self.consumed: list[str] = []
        self.dates: dict[str, date] = {}
        self.currencies: dict[str, Currency] = {}
        self.fingerprint = Fingerprinter("bank.csv")
        self.parties: dict[tuple[str, str, str], Counterparty | None] = {}
        self.running = RunningBalance(policy, newest_first=layout.newest_first)

    def _physical(self, stream: BinaryIO) -> Iterator[str]:
        """Yield the physical lines (ends kept), decoded, control bytes removed, BOM dropped."""
        codec = codecs.lookup(self.layout.encoding)
        decoder = codecs.getincrementaldecoder(codec.name)(errors="strict")
        filtering = codec.name not in _WIDE
        consumed = self.consumed
        carry = ""
        first = True
        while True:
            block = stream.read(_BLOCK)
            final = not block
            if filtering:
                cleaned = block.translate(None, _CONTROL_BYTES)
                # 0x1A is the old end-of-file mark: dropped without a word
                self.removed += len(block) - len(cleaned) - block.count(b"\x1a")
                block = cleaned
            try:
                text = decoder.decode(block, final)
            except UnicodeDecodeError as exc:
                raise RecordError(
                    MALFORMED,
                    f"byte 0x{exc.object[exc.start]:02x} is not {codec.name}",
                    location=SourceLocation(
                        self.source, self.line + 1 + exc.object.count(b"\n", 0, exc.start)
                    ),
                ) from None
            if first and text:
                text, first = text.removeprefix("\ufeff"), False
            text = carry + text
            if final:
                cut = len(text)
            else:
                cut = text.rfind("\n") + 1 or text.rfind("\r", 0, len(text) - 1) + 1
            for physical in io.StringIO(text[:cut], newline=""):
                self.line += 1
                consumed.append(physical)
                yield physical
            carry = text[cut:]
            if final:
                return

    def run(self, stream: BinaryIO) -> Iterator[StatementLine]:
        layout = self.layout
        reader = csv.reader(
            self._physical(stream), delimiter=layout.delimiter, quotechar=layout.quote
        )
        header: list[str] | None = None
        try:
            for row in reader:
                if header is None:
                    if self.line < layout.header_row:
                        self.consumed.clear()
                        continue
                    header = [name.strip() for name in row]
                    self._columns(header)
                    self.consumed.clear()
                    continue
                consumed = self.consumed
                first_line = self.line - len(consumed) + 1  # a quoted field may span lines
                raw = (consumed[0] if len(consumed) == 1 else "".join(consumed)).rstrip("\r\n")
                consumed.clear()
                if not row or (not row[0].strip() and not "".join(row).strip()):
                    continue  # a blank line, or one of empty fields
                try:
                    yield self._line(row, raw, len(header), first_line)
                except RecordError as exc:
                    self.policy.fail(exc, exc.code)
        except csv.Error as exc:
            raise RecordError(
                MALFORMED, f"not valid CSV: {exc}", location=SourceLocation(self.source, self.line)
            ) from None
        if header is None:
            raise RecordError(
                MISSING_FIELD,
                f"no header row (expected on line {layout.header_row})",
                location=SourceLocation(self.source, self.line or 1),
            )

    def _columns(self, header: list[str]) -> None:
        where = SourceLocation(self.source, self.line)
        positions = {name: index for index, name in enumerate(header)}
        missing = [name for name in self.layout.mapped() if name not in positions]
        if missing:
            raise RecordError(
                MISSING_FIELD,
                f"the header lacks the column(s) {', '.join(repr(m) for m in missing)}",
                location=where,
            )
        unused = [name for name in header if name and name not in self.layout.mapped()]
        if unused:
            self.policy.warn(
                "bank.csv.unknown_column",
                f"column(s) not in the mapping, kept only in the raw record: {', '.join(unused)}",
                where,
            )
        c = self.layout.columns

        def at(name: str | None) -> int:
            return -1 if name is None else positions[name]

        self.i_id = at(c.id)
        self.i_booking = at(c.booking_date)
        self.i_value = at(c.value_date)
        self.i_amount = at(c.amount)
        self.i_debit = at(c.debit)
        self.i_credit = at(c.credit)
        self.i_direction = at(c.direction)
        self.i_currency = at(c.currency)
        self.i_party = at(c.counterparty)
        self.i_iban = at(c.iban)
        self.i_bic = at(c.bic)
        self.i_labels = [positions[name] for name in c.label]
        self.i_references = [positions[name] for name in c.reference]
        self.i_balance = at(c.balance)
        number = self.layout.number
        self.signed_plain = (
            self.layout.amount_mode == "signed" and number.decimal == "." and number.group is None
        )

    def _line(self, row: list[str], raw: str, width: int, line: int) -> StatementLine:
        where = SourceLocation(self.source, line)
        if len(row) != width:
            raise RecordError(
                MALFORMED, f"row has {len(row)} fields, the header {width}", location=where
            )
        dates = self.dates
        text = row[self.i_booking]
        booked_on = dates.get(text) or self._date(text, where, "booking_date")
        value_date = None
        if self.i_value >= 0:
            text = row[self.i_value]
            value_date = dates.get(text) or (
                self._date(text, where, "value_date") if text.strip() else None
            )
        currency = self.currencies.get(row[self.i_currency]) if self.i_currency >= 0 else None
        if currency is None:
            currency = self._currency(row, where)
        if self.signed_plain and _PLAIN.match(text := row[self.i_amount]):
            amount = Decimal(text)
        else:
            amount = self._amount(row, where)
        if self.i_balance >= 0:
            text = row[self.i_balance]
            if text.strip():
                self.running.step(self._decimal(text, where, "balance"), amount, where)
            else:
                self.running.gap()
        key = (
            row[self.i_party] if self.i_party >= 0 else "",
            row[self.i_iban] if self.i_iban >= 0 else "",
            row[self.i_bic] if self.i_bic >= 0 else "",
        )
        party = self.parties.get(key, _UNSEEN)
        if party is _UNSEEN:
            party = self._party(key)
        line_id = row[self.i_id].strip() if self.i_id >= 0 else ""
        if not line_id:
            line_id = self.fingerprint(*row)
        if len(self.i_labels) == 1:
            label = row[self.i_labels[0]].strip()
        else:
            label = " ".join(text for text in (row[i].strip() for i in self.i_labels) if text)
        if len(self.i_references) == 1:
            reference = row[self.i_references[0]].strip()
            references: tuple[str, ...] = (reference,) if reference else ()
        else:
            references = tuple(text for text in (row[i].strip() for i in self.i_references) if text)
        return make_line(
            line_id,
            LineKind.TRANSFER,
            booked_on,
            Money._trusted(amount, currency),
            label,
            references,
            party,
            None,
            value_date,
            raw,
            where,
        )

    def _party(self, key: tuple[str, str, str]) -> Counterparty | None:
        name, iban, bic = key[0].strip(), key[1].replace(" ", ""), key[2].strip()
        party = None
        if name or iban or bic:
            party = Counterparty(name=name or None, iban=iban or None, bic=bic or None)
        if len(self.parties) < 50_000:
            self.parties[key] = party
        return party

    def _date(self, text: str, where: SourceLocation, field: str) -> date:
        found = self.dates.get(text)
        if found is not None:
            return found
        value = text.strip()
        if not value:
            raise RecordError(
                MISSING_FIELD, f"column {field!r} is empty", location=where, field=field
            )
        try:
            if self.layout.date_format == "%Y-%m-%d":
                found = date.fromisoformat(value)
            else:
                found = datetime.strptime(value, self.layout.date_format).date()
        except ValueError:
            raise RecordError(
                INVALID_DATE,
                f"column {field!r}: {value!r} is not a valid date ({self.layout.date_format})",
                location=where,
                field=field,
                value=value,
            ) from None
        if len(self.dates) < 10_000:
            self.dates[text] = found
        return found

    def _currency(self, row: list[str], where: SourceLocation) -> Currency:
        if self.i_currency < 0 or not row[self.i_currency].strip():
            if self.layout.currency is None:
                raise RecordError(
                    MISSING_FIELD, "column 'currency' is empty", location=where, field="currency"
                )
            return self.layout.currency
        code = row[self.i_currency]
        found = self.currencies.get(code)
        if found is None:
            try:
                found = Currency.of(code)
            except UnknownCurrencyError:
                raise RecordError(
                    INVALID_AMOUNT,
                    f"column 'currency': {code!r} is not a currency",
                    location=where,
                    field="currency",
                ) from None
            self.currencies[code] = found
        return found

    def _amount(self, row: list[str], where: SourceLocation) -> Decimal:
        layout = self.layout
        if layout.amount_mode == "signed":
            return self._decimal(row[self.i_amount], where, "amount")
        if layout.amount_mode == "flag":
            amount = abs(self._decimal(row[self.i_amount], where, "amount"))
            flag = row[self.i_direction].strip().upper()
            if flag in layout.debit_flags:
                return -amount
            if flag in layout.credit_flags:
                return amount
            raise RecordError(
                INVALID_AMOUNT,
                f"column 'direction': {flag!r} is neither a debit nor a credit flag",
                location=where,
                field="direction",
            )
        debit = row[self.i_debit].strip()
        credit = row[self.i_credit].strip()
        if debit and credit:
            raise RecordError(
                INVALID_AMOUNT, "both the debit and the credit column are filled", location=where
            )
        if debit:
            return -abs(self._decimal(debit, where, "debit"))
        if credit:
            return abs(self._decimal(credit, where, "credit"))
        raise RecordError(
            MISSING_FIELD, "neither the debit nor the credit column is filled", location=where
        )

    def _decimal(self, text: str, where: SourceLocation, field: str) -> Decimal:
        number = self.layout.number
        if number.decimal == "." and number.group is None and _PLAIN.match(text):
            return Decimal(text)
        try:
            return parse_decimal(text, number)
        except ValueError as exc:
            raise RecordError(
                INVALID_AMOUNT, f"column {field!r}: {exc}", location=where, field=field, value=text
            ) from None


def parse_csv_file(
    path: str | Path, layout: CsvLayout, *, on_error: OnError = "raise"
) -> list[ParseResult]:
    """Read ``path`` (gzip and zip opened) with ``layout``: one result per member."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ParseError(
            f"cannot read: {exc.strerror}", location=SourceLocation(str(file))
        ) from None
    parser = CsvParser(layout)
    return [
        parser.parse(content, source=member, on_error=on_error)
        for member, content in unwrap(data, str(file))
    ]
