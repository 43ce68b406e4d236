"""The BAI2 reader: file, group and account envelopes into statements, streamed.

Records: 01 file header, 02 group header (as-of date, currency), 03 account
(status and summary entries: type code, amount, item count, funds type), 16
detail, 49 account trailer, 98 group trailer, 99 file trailer, 88
continuation of any of them. Amounts have implied decimals set by the
currency (USD 2, JPY 0). A detail's direction comes from its type code: 100-399
and 920-959 credit, 400-699 and 960-999 debit. Funds types ``0 1 2 Z`` carry
nothing more, ``S`` three amounts, ``V`` a value date and time, ``D`` a count
and that many (days, amount) pairs. Trailers are checked: 49 is the sum of
every amount of its 03 and 16 records (status amounts signed) and counts its
records; 98 and 99 sum and count their envelopes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from ecomrules.bank._events import StatementEnd
from ecomrules.bank.bai2._records import Record, logical_records
from ecomrules.decimals import parse_minor_units
from ecomrules.errors import ControlTotalError, MalformedRecordError, UnknownCurrencyError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.model import LineKind, StatementLine

__all__ = ["direction", "read_bai2"]

_OPENING, _CLOSING = "010", "015"
_MAX_DISTRIBUTIONS = 99


def direction(type_code: int) -> int:
    """+1 for a credit type code, -1 for a debit, 0 for status, summary or no direction."""
    if 100 < type_code < 400 or 920 <= type_code <= 959:
        return 1
    if 400 < type_code < 700 or 960 <= type_code <= 999:
        return -1
    return 0


class _Cursor:
    """Reads delimited fields from a detail's pieces; what is left is the text."""

    def __init__(self, pieces: list[str]) -> None:
        self.text = "\x00".join(pieces)
        self.pos = 0

    def next(self) -> str:
        text, start = self.text, self.pos
        ends = [i for i in (text.find(",", start), text.find("\x00", start)) if i >= 0]
        if not ends:
            self.pos = len(text)
            return text[start:].strip()
        end = min(ends)
        self.pos = end + 1
        return text[start:end].strip()

    def rest(self) -> str:
        return " ".join(part.strip() for part in self.text[self.pos :].split("\x00")).strip()


def _funds(take: Iterator[str] | _Cursor) -> tuple[str, str | None]:
    """Consume a funds type and its extra fields; return the type and a V value date."""
    read = take.next if isinstance(take, _Cursor) else lambda: next(take, "")
    kind = read().upper()
    value_date = None
    if kind == "S":
        for _ in range(3):
            read()
    elif kind == "V":
        value_date = read()
        read()
    elif kind == "D":
        count = read()
        if not (count.isascii() and count.isdigit()) or int(count) > _MAX_DISTRIBUTIONS:
            raise ValueError(f"distribution count {count!r}")
        for _ in range(2 * int(count)):
            read()
    return kind, value_date


class _Reader:
    def __init__(self, source: str, policy: ErrorPolicy) -> None:
        self.source = source
        self.policy = policy
        self.file_total = 0
        self.file_groups = 0
        self.file_records = 0
        self.group_currency = Currency.of("USD")
        self.as_of: date | None = None
        self.group: Record | None = None
        self.group_total = 0
        self.group_accounts = 0
        self.group_records = 0
        self.account: Record | None = None
        self.account_id = ""
        self.currency = self.group_currency
        self.account_total = 0
        self.account_records = 0
        self.lines_total = Decimal(0)
        self.number = 0
        self.opening: Money | None = None
        self.closing: Money | None = None
        self.continuations = 0
        self.account_start = 0
        self.group_start = 0

    def fail(self, record: Record, message: str, code: str = "bank.bai2.record") -> None:
        self.policy.fail(
            MalformedRecordError(
                f"record {record.code or '?'}: {message}",
                location=record.location,
                value=record.raw[0][:80] if record.raw else None,
            ),
            code,
        )

    def control(self, record: Record, what: str, expected: int, found: int, unit: str = "") -> None:
        if expected != found:
            unit = f" {unit}" if unit else ""
            self.policy.fail(
                ControlTotalError(
                    f"{what} says {expected}{unit}, the file holds {found}",
                    location=record.location,
                    field=what,
                    value=str(expected),
                ),
                "bank.bai2.control_total",
            )

    def count(self, record: Record, what: str, expected: int, found: int, start: int) -> None:
        """Check a trailer's record count; some banks leave the 88 continuations out."""
        without = found - (self.continuations - start)
        if expected == without and expected != found:
            self.policy.info(
                "bank.bai2.count_without_continuations",
                f"{what} record count {expected} leaves out the 88 continuation records",
                record.location,
            )
            return
        self.control(record, f"{what} record count", expected, found, "records")

    def integer(self, record: Record, text: str, what: str) -> int | None:
        body = text.strip()
        if not (body[1:] if body[:1] in "+-" else body):
            return 0
        try:
            return parse_minor_units(body)
        except ValueError as exc:
            self.fail(record, f"{what}: {exc}", "bank.bai2.amount")
            return None

    def day(self, record: Record, text: str, what: str) -> date | None:
        try:
            if len(text) != 6 or not text.isdigit() or not text.isascii():
                raise ValueError
            return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
        except ValueError:
            self.policy.fail(
                MalformedRecordError(
                    f"record {record.code}: {what} {text!r} is not a date (YYMMDD)",
                    location=record.location,
                    field=what,
                    value=text,
                ),
                "bank.invalid_date",
            )
            return None

    def money(self, units: int) -> Money:
        return Money.from_minor_units(units, self.currency)

    def currency_of(self, record: Record, code: str, default: Currency) -> Currency:
        if not code.strip():
            return default
        try:
            currency = Currency.of(code)
        except UnknownCurrencyError:
            self.fail(record, f"unknown currency code {code!r}")
            return default
        if currency.minor_units is None:  # XXX, XAU: BAI2 amounts are in minor units
            self.fail(record, f"currency {currency.code} has no minor units to count amounts in")
            return default
        return currency

    # -- the pass ----------------------------------------------------------------

    def run(self, lines: Iterable[tuple[int, str]]) -> Iterator[StatementLine | StatementEnd]:
        seen_header = seen_trailer = False
        for record in logical_records(lines, self.source):
            code = record.code
            if not seen_header and code != "01":
                self.fail(record, "a BAI2 file starts with a 01 file header")
                return
            self.file_records += record.count
            self.group_records += record.count
            self.account_records += record.count
            self.continuations += record.count - 1
            if code == "01":
                if seen_header:
                    self.fail(record, "second file header")
                seen_header = True
                fields = record.fields()
                if len(fields) > 7 and fields[7].strip() not in ("2", ""):
                    self.policy.warn(
                        "bank.bai2.version",
                        f"version {fields[7].strip()!r}; this reader follows BAI version 2",
                        record.location,
                    )
            elif code == "02":
                self.open_group(record)
            elif code == "03":
                self.open_account(record)
            elif code == "16":
                line = self.detail(record)
                if line is not None:
                    yield line
            elif code == "49":
                end = self.close_account(record)
                if end is not None:
                    yield end
            elif code == "98":
                self.close_group(record)
            elif code == "99":
                self.close_file(record)
                seen_trailer = True
            else:
                self.fail(record, f"unknown record code {code!r}")
        if seen_header and not seen_trailer:
            self.policy.fail(
                MalformedRecordError(
                    "file ends without a 99 file trailer", location=SourceLocation(self.source)
                ),
                "bank.bai2.record",
            )

    def open_group(self, record: Record) -> None:
        fields = [*record.fields(), "", "", "", "", "", ""]
        if self.group is not None:
            self.fail(record, "group header before the previous group's 98 trailer")
        self.group = record
        self.group_total = self.group_accounts = 0
        self.group_records = record.count
        self.group_start = self.continuations - (record.count - 1)
        self.as_of = self.day(record, fields[3].strip(), "as_of_date")
        self.group_currency = self.currency_of(record, fields[5], Currency.of("USD"))

    def open_account(self, record: Record) -> None:
        fields = [f.strip() for f in record.fields()]
        if self.group is None:
            self.fail(record, "account record outside a group (no 02 before it)")
        if self.account is not None:
            self.fail(record, "account record before the previous account's 49 trailer")
        self.account = record
        self.account_id = fields[0]
        self.currency = self.currency_of(
            record, fields[1] if len(fields) > 1 else "", self.group_currency
        )
        self.account_total = 0
        self.account_records = record.count
        self.account_start = self.continuations - (record.count - 1)
        self.lines_total = Decimal(0)
        self.number = 0
        self.opening = self.closing = None
        phantoms = _piece_ends(record) if record.count > 1 else frozenset()
        at = [1]

        def tracked() -> Iterator[str]:
            for at[0], text in enumerate(fields[2:], start=2):
                yield text

        entries = tracked()
        for type_code in entries:
            if not type_code and at[0] in phantoms:
                # ``...,/`` then ``88,``: the comma before the slash ended the last
                # field; it starts no defaulted entry.
                continue
            if not type_code:
                # a defaulted entry: its amount, count and funds type follow empty
                for _ in range(3):
                    next(entries, "")
                continue
            amount = self.integer(record, next(entries, ""), f"amount of type {type_code}")
            next(entries, "")
            try:
                _funds(entries)
            except ValueError:
                self.fail(record, f"funds type D of type {type_code} needs a distribution count")
                break
            if amount is None:
                continue
            self.account_total += amount
            if type_code == _OPENING:
                self.opening = self.money(amount)
            elif type_code == _CLOSING:
                self.closing = self.money(amount)

    def detail(self, record: Record) -> StatementLine | None:
        if self.account is None or self.as_of is None:
            self.fail(record, "detail record outside an account (no 03 before it)")
            return None
        cursor = _Cursor(record.pieces)
        type_text = cursor.next()
        amount = self.integer(record, cursor.next(), "amount")
        try:
            funds, value_text = _funds(cursor)
        except ValueError:
            self.fail(record, "funds type D needs a count of distributions")
            return None
        bank_ref, customer_ref = cursor.next(), cursor.next()
        text = cursor.rest()
        if amount is None:
            return None
        self.account_total += amount
        if not (type_text.isascii() and type_text.isdigit()):
            self.fail(record, f"type code {type_text!r} is not a number", "bank.bai2.type_code")
            return None
        sign = direction(int(type_text))
        if sign == 0 and int(type_text) != 890:
            self.fail(
                record,
                f"type code {type_text} is neither a credit (101-399, 920-959)"
                " nor a debit (401-699, 960-999) detail",
                "bank.bai2.type_code",
            )
            return None
        value = self.money(amount * sign)
        value_date = None if not value_text else self.day(record, value_text, "value_date")
        self.number += 1
        self.lines_total += value.amount
        metadata = {"type_code": type_text}
        if funds:
            metadata["funds_type"] = funds
        return StatementLine(
            id=f"{self.account_id}:{self.as_of.isoformat()}:{self.number}",
            kind=LineKind.OTHER if sign == 0 else LineKind.TRANSFER,
            booked_on=self.as_of,
            amount=value,
            label=text,
            references=tuple(r for r in (customer_ref,) if r),
            value_date=value_date,
            transaction_id=bank_ref or None,
            metadata=metadata,
            raw="\n".join(record.raw),
            location=record.location,
        )

    def close_account(self, record: Record) -> StatementEnd | None:
        account = self.account
        if account is None:
            self.fail(record, "account trailer 49 without an account record 03")
            return None
        fields = [*record.fields(), "", ""]
        total = self.integer(record, fields[0], "account control total")
        count = self.integer(record, fields[1], "record count")
        if total is not None and fields[0].strip():
            self.control(record, "account control total", total, self.account_total, "")
        if count is not None and fields[1].strip():
            self.count(record, "account", count, self.account_records, self.account_start)
        if self.opening is not None and self.closing is not None:
            expected = self.opening.amount + self.lines_total
            if expected != self.closing.amount:
                self.policy.warn(
                    "bank.bai2.ledger_mismatch",
                    f"account {self.account_id}: opening ledger (010) {self.opening.amount}"
                    f" + details {self.lines_total} = {expected}, but the closing ledger (015)"
                    f" is {self.closing.amount}",
                    record.location,
                )
        self.group_total += self.account_total
        self.group_accounts += 1
        self.account = None
        return StatementEnd(
            account=self.account_id,
            currency=self.currency,
            id=f"{self.account_id}:{self.as_of.isoformat() if self.as_of else ''}",
            opening_balance=self.opening,
            closing_balance=self.closing,
            opening_date=self.as_of,
            closing_date=self.as_of,
            location=account.location,
        )

    def close_group(self, record: Record) -> None:
        if self.group is None:
            self.fail(record, "group trailer 98 without a group header 02")
            return
        fields = [*record.fields(), "", "", ""]
        total = self.integer(record, fields[0], "group control total")
        if total is not None and fields[0].strip():
            self.control(record, "group control total", total, self.group_total, "")
        accounts = self.integer(record, fields[1], "number of accounts")
        if accounts is not None and fields[1].strip():
            self.control(record, "group number of accounts", accounts, self.group_accounts, "")
        count = self.integer(record, fields[2], "record count")
        if count is not None and fields[2].strip():
            self.count(record, "group", count, self.group_records, self.group_start)
        self.file_total += self.group_total
        self.file_groups += 1
        self.group = None

    def close_file(self, record: Record) -> None:
        fields = [*record.fields(), "", "", ""]
        total = self.integer(record, fields[0], "file control total")
        if total is not None and fields[0].strip():
            self.control(record, "file control total", total, self.file_total, "")
        groups = self.integer(record, fields[1], "number of groups")
        if groups is not None and fields[1].strip():
            self.control(record, "file number of groups", groups, self.file_groups, "")
        count = self.integer(record, fields[2], "record count")
        if count is not None and fields[2].strip():
            self.count(record, "file", count, self.file_records, 0)


def read_bai2(
    lines: Iterable[tuple[int, str]], source: str, policy: ErrorPolicy
) -> Iterator[StatementLine | StatementEnd]:
    """Yield the lines and statement (account) ends of a BAI2 file's physical lines."""
    return _Reader(source, policy).run(lines)


def _piece_ends(record: Record) -> frozenset[int]:
    """Field positions that are an empty last field of a continued record's piece."""
    ends = set()
    position = -1
    for piece in record.pieces[:-1]:
        parts = piece.split(",")
        position += len(parts)
        if len(parts) > 1 and not parts[-1].strip():
            ends.add(position)
    return frozenset(ends)
