"""The CFONB 120 reader: records 01, 04, 05 and 07 into statement lines, streamed.

Record layout (columns 1-based, "Relevé de compte sur support informatique"):
code 1-2, bank 3-7, guichet 12-16, currency 17-19, decimals 20, account
22-32, date 35-40 (DDMMYY), amount 91-104 with the sign and last digit
overpunched in its final character. 04 adds the interbank operation code
33-34, reject code 41-42, value date 43-48, label 49-79, entry number
82-88 and reference 105-120; 05 a qualifier 46-48 and its text 49-118.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from ecomrules.bank._events import StatementEnd, check_balance
from ecomrules.bank.cfonb120._fields import decode_amount, decode_date
from ecomrules.errors import MalformedRecordError, ParseError, UnknownCurrencyError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine

__all__ = ["RECORD_LENGTH", "read_cfonb120"]

RECORD_LENGTH = 120
_CODES = frozenset({"01", "04", "05", "07"})
_OTHER_CFONB = {
    "03": "CFONB 160 (transfer or direct debit orders)",
    "06": "CFONB 160 (transfer or direct debit orders)",
    "08": "CFONB 160 (transfer or direct debit orders)",
    "31": "CFONB 240 (remittances)",
    "34": "CFONB 240 (remittances)",
    "39": "CFONB 240 (remittances)",
}
_LABEL_QUALIFIERS = frozenset({"LIB", "LCC", "LC2", "LCS"})


class _Statement:
    """The open statement between a 01 and its 07."""

    __slots__ = (
        "account_field",
        "account_number",
        "bank",
        "branch",
        "currency",
        "decimals",
        "id_prefix",
        "key",
        "location",
        "number",
        "opening",
        "opening_date",
        "tail",
    )

    def __init__(
        self,
        key: str,
        currency: Currency,
        decimals: int,
        opening: Money,
        opening_date: date,
        location: SourceLocation,
        tail: str,
    ) -> None:
        self.key = key
        self.currency = currency
        self.decimals = decimals
        self.opening = opening
        self.opening_date = opening_date
        self.location = location
        self.number = 0
        self.bank, self.branch, self.account_number = key.split("/", 2)
        self.account_field = self.account_number.rjust(11)
        self.id_prefix = f"{key}:{opening_date.isoformat()}:"
        self.tail = tail
        """The 01's columns 12-32 (branch, currency, decimals, account): a 04 or 05 with the
        same text and bank code needs no other check."""


class _Reader:
    """State of one pass over a CFONB 120 file."""

    def __init__(self, source: str, policy: ErrorPolicy) -> None:
        self.source = source
        self.policy = policy
        self.statement: _Statement | None = None
        self.total = Decimal(0)
        self.movement: tuple[str, SourceLocation] | None = None
        self.complements: list[str] = []

    # -- records -------------------------------------------------------------

    def _split(self, number: int, line: str, first: bool) -> list[tuple[str, str | None]]:
        """The records of a physical line longer than 120 characters, or shorter ones."""
        stripped = line.rstrip()
        if first and stripped:
            self._check_family(line, number, long_line=len(stripped) > RECORD_LENGTH)
        if len(stripped) <= RECORD_LENGTH:
            return [(stripped, None)] if stripped else []
        return [
            (stripped[start : start + RECORD_LENGTH], str(start + 1))
            for start in range(0, len(stripped), RECORD_LENGTH)
        ]

    def _check_family(self, line: str, number: int, *, long_line: bool) -> None:
        """Refuse CFONB 160/240 files at their first record with a clear error."""
        family = _OTHER_CFONB.get(line[:2])
        length = len(line)
        if family is None and long_line and line[RECORD_LENGTH : RECORD_LENGTH + 2] not in _CODES:
            family = f"records of {length} characters"
        if family is not None:
            raise ParseError(
                f"this is {family}, not a CFONB 120 account statement"
                f" (first record is {length} characters long, code {line[:2]!r});"
                " only CFONB 120 statements are read",
                location=SourceLocation(self.source, number),
                field="record_code",
                value=line[:2],
            )

    # -- the pass ------------------------------------------------------------

    def run(self, lines: Iterable[tuple[int, str]]) -> Iterator[StatementLine | StatementEnd]:
        """Yield each movement as a line and each statement's end."""
        first = True
        source = self.source
        for number, line in lines:
            if first or len(line) > RECORD_LENGTH:
                records = self._split(number, line, first)
                first = first and not records
                for record, column in records:
                    done = self._record(record, number, column)
                    if done:
                        yield from done
                continue
            # the common records first, without the general dispatch
            code = line[:2]
            if code == "05" and self.movement is not None:
                self.complements.append(line)
                continue
            if code == "04" and self.statement is not None:
                if self.movement is not None:
                    movement = self._flush()
                    if movement is not None:
                        yield movement
                self.movement = (line, SourceLocation(source, number))
                continue
            if not line or line.isspace():
                continue
            done = self._record(line, number, None)
            if done:
                yield from done
        if self.movement is not None:
            last = self._flush()
            if last is not None:
                yield last
        if self.statement is not None:
            self._fail(
                self.statement.location,
                "statement has no closing 07 record before the end of the file",
            )
            yield self._end(None, None)

    def _record(
        self, record: str, number: int, column: str | None
    ) -> tuple[StatementLine | StatementEnd, ...]:
        """Take one record; return the movement it completes and the statement it ends."""
        code = record[:2]
        if code == "05":
            if self.movement is None:
                self._fail(
                    SourceLocation(self.source, number, column),
                    "complement record 05 without a movement 04 before it",
                )
            else:
                self.complements.append(record)
            return ()
        done: tuple[StatementLine | StatementEnd, ...] = ()
        if self.movement is not None:
            line = self._flush()
            if line is not None:
                done = (line,)
        where = SourceLocation(self.source, number, column)
        if code == "04":
            if self.statement is None:
                self._fail(where, "movement record 04 outside a statement (no 01 before it)")
            else:
                self.movement = (record, where)
        elif code == "01":
            if self.statement is not None:
                self._fail(
                    where, "new statement (01) before the previous one ended with a 07 record"
                )
                done = (*done, self._end(None, None))
            self._open(record, where)
        elif code == "07":
            done = (*done, *self._close(record, where))
        else:
            self._fail(where, f"unknown record code {code!r} (expected 01, 04, 05 or 07)")
        return done

    def _check_account(
        self, record: str, statement: _Statement, where: SourceLocation, what: str
    ) -> None:
        """Bank, branch and account of a 04 or 05 must be the open 01's (as the 07's are).

        A record of another account is an error; in lenient mode it is still read.
        """
        if (
            record[2:7] == statement.bank
            and record[11:16] == statement.branch
            and (
                record[21:32] == statement.account_field
                or record[21:32].strip() == statement.account_number
            )
        ):
            return
        self._fail(
            where,
            f"{what} is for account {self._key(record)}, inside the statement of {statement.key}",
            "account",
        )

    def _fail(self, where: SourceLocation, message: str, field: str | None = None) -> None:
        self.policy.fail(
            MalformedRecordError(message, location=where, field=field), "bank.cfonb120.record"
        )

    def _date(self, text: str, where: SourceLocation, field: str) -> date | None:
        day = decode_date(text)
        if day is None:
            self.policy.fail(
                MalformedRecordError(
                    f"{field} {text!r} is not a date (DDMMYY)",
                    location=where,
                    field=field,
                    value=text,
                ),
                "bank.invalid_date",
            )
        return day

    def _amount(self, text: str, decimals: int, where: SourceLocation) -> Decimal | None:
        value = decode_amount(text, decimals)
        if value is None:
            self.policy.fail(
                MalformedRecordError(
                    f"amount {text!r} is not 13 digits and an overpunched sign character",
                    location=where,
                    field="amount",
                    value=text,
                ),
                "bank.cfonb120.amount",
            )
        return value

    def _currency(self, record: str, where: SourceLocation) -> Currency | None:
        code = record[16:19]
        if not code.strip():
            self.policy.info(
                "bank.cfonb120.currency_assumed",
                "no currency code in columns 17-19; EUR assumed",
                where,
            )
            return Currency.of("EUR")
        try:
            return Currency.of(code)
        except UnknownCurrencyError:
            self._fail(where, f"unknown currency code {code!r}", "currency")
            return None

    @staticmethod
    def _decimals(record: str, currency: Currency) -> int:
        digit = record[19:20]
        if "0" <= digit <= "9":
            return int(digit)
        return currency.minor_units if currency.minor_units is not None else 2

    @staticmethod
    def _key(record: str) -> str:
        return f"{record[2:7]}/{record[11:16]}/{record[21:32].strip()}"

    def _balance(
        self, record: str, where: SourceLocation
    ) -> tuple[Currency, int, Money, date] | None:
        currency = self._currency(record, where)
        day = self._date(record[34:40], where, "date")
        if currency is None or day is None:
            return None
        decimals = self._decimals(record, currency)
        amount = self._amount(record[90:104].ljust(14), decimals, where)
        if amount is None:
            return None
        return currency, decimals, Money(amount, currency), day

    def _open(self, record: str, where: SourceLocation) -> None:
        balance = self._balance(record, where)
        if balance is None:
            self.statement = None
            return
        currency, decimals, opening, day = balance
        self.statement = _Statement(
            self._key(record), currency, decimals, opening, day, where, record[11:32]
        )
        self.total = Decimal(0)

    def _close(self, record: str, where: SourceLocation) -> Iterator[StatementEnd]:
        statement = self.statement
        if statement is None:
            self._fail(where, "new balance record 07 without an old balance 01 before it")
            return
        key = self._key(record)
        if key != statement.key:
            self._fail(
                where,
                f"new balance 07 is for account {key}, but the open statement"
                f" (01 at line {statement.location.line}) is for {statement.key}",
                "account",
            )
            # lenient mode: the closing balance is kept, with the error above
        balance = self._balance(record, where)
        if balance is None:
            yield self._end(None, None)
            return
        _, _, closing, day = balance
        check_balance(
            self.policy,
            statement.opening,
            self.total,
            closing,
            where,
            f"statement of account {statement.key} on {statement.opening_date.isoformat()}",
        )
        yield self._end(closing, day)

    def _end(self, closing: Money | None, day: date | None) -> StatementEnd:
        statement = self.statement
        self.statement = None
        if statement is None:  # pragma: no cover - callers check
            raise AssertionError("no open statement")
        return StatementEnd(
            account=statement.key,
            currency=statement.currency,
            id=f"{statement.key}:{statement.opening_date.isoformat()}",
            opening_balance=statement.opening,
            closing_balance=closing,
            opening_date=statement.opening_date,
            closing_date=day,
            location=statement.location,
        )

    def _flush(self) -> StatementLine | None:
        movement, self.movement = self.movement, None
        complements, self.complements = self.complements, []
        statement = self.statement
        if movement is None or statement is None:  # pragma: no cover - callers check
            return None
        record, where = movement
        line = self._line(statement, record, where, complements)
        if line is not None:
            statement.number += 1
            self.total += line.amount.amount
        return line

    def _line(
        self, statement: _Statement, record: str, where: SourceLocation, complements: list[str]
    ) -> StatementLine | None:
        original = record
        if len(record) < 104:
            record = record.ljust(RECORD_LENGTH)
        currency = statement.currency
        if record[11:32] != statement.tail or record[2:7] != statement.bank:
            code = record[16:19]
            if code != currency.code and code.strip():
                self._fail(
                    where,
                    f"movement currency {code!r} differs from the statement's {currency.code}",
                    "currency",
                )
                return None
            self._check_account(record, statement, where, "movement")
        digit = record[19]
        decimals = int(digit) if "0" <= digit <= "9" else statement.decimals
        amount = decode_amount(record[90:104], decimals)
        if amount is None:
            self._amount(record[90:104], decimals, where)
        booked = decode_date(record[34:40])
        if booked is None:
            self._date(record[34:40], where, "booking_date")
        value_text = record[42:48]
        value_date = None
        if value_text != "      ":
            value_date = decode_date(value_text)
            if value_date is None:
                self._date(value_text, where, "value_date")
        if booked is None:
            booked = value_date
        if amount is None or booked is None:
            return None
        metadata = {"operation_code": record[32:34]}
        label = record[48:79].strip()
        references: list[str] = []
        reference = record[104:120].strip()
        if reference:
            references.append(reference)
        entry = record[81:88].strip()
        if entry:
            metadata["entry_number"] = entry
        reject = record[40:42].strip()
        if reject:
            metadata["reject_code"] = reject
        counterparty = None
        raw = original
        if complements:
            for complement in complements:
                if complement[11:32] != statement.tail or complement[2:7] != statement.bank:
                    self._check_account(
                        complement, statement, where, "complement record 05 of movement"
                    )
            raw = "\n".join([original, *complements])
            label, counterparty = _complements(complements, label, references, metadata)
        return StatementLine(
            id=f"{statement.id_prefix}{statement.number + 1}",
            kind=LineKind.TRANSFER,
            booked_on=booked,
            amount=Money(amount, currency),
            label=label,
            references=tuple(references),
            counterparty=counterparty,
            value_date=value_date,
            metadata=metadata,
            raw=raw,
            location=where,
        )


def _complements(
    complements: list[str], label: str, references: list[str], metadata: dict[str, str]
) -> tuple[str, Counterparty | None]:
    """Fold the 05 records of a movement into its label, references, party and metadata."""
    labels = [label] if label else []
    name: str | None = None
    account: str | None = None
    for record in complements:
        qualifier = record[45:48]
        info = record[48:118].rstrip()
        text = info.strip()
        if qualifier in _LABEL_QUALIFIERS:
            if text:
                labels.append(text)
        elif qualifier in ("NPY", "NBE") and name is None:
            name = text or None
        elif qualifier in ("CBE", "CPY") and account is None:
            account = text or None
        elif qualifier in ("RCN", "REF"):
            parts = [info[:35].strip()]
            if qualifier == "REF":
                parts.append(info[35:70].strip())
            elif info[35:70].strip():
                metadata["purpose"] = info[35:70].strip()
            for part in parts:
                if part and part != "NOTPROVIDED" and part not in references:
                    references.append(part)
        elif qualifier == "MMO":
            metadata["original_currency"] = info[0:3]
            metadata["original_amount"] = _unsigned(info[4:18], info[3:4])
            if info[18:20].strip().isdigit() and info[20:31].strip().isdigit():
                metadata["exchange_rate"] = _unsigned(info[20:31], info[18:20])
        elif qualifier == "RUM":
            metadata["mandate"] = info[:35].strip()
            if info[35:39].strip():
                metadata["sequence_type"] = info[35:39].strip()
        else:
            key = qualifier.strip().lower() or "complement"
            metadata[key] = f"{metadata[key]} | {text}" if key in metadata else text
    party = None if name is None and account is None else Counterparty(name=name, account=account)
    return " ".join(labels), party


def _unsigned(digits: str, decimals: str) -> str:
    """Render an unsigned zero-padded amount with its decimals count, as found."""
    body = digits.strip()
    if not (body + decimals.strip()).isascii() or not body.isdigit():
        return body
    if not decimals.strip().isdigit():
        return body
    return str(Decimal(body).scaleb(-int(decimals)))


def read_cfonb120(
    lines: Iterable[tuple[int, str]], source: str, policy: ErrorPolicy
) -> Iterator[StatementLine | StatementEnd]:
    """Yield the lines and statement ends of a CFONB 120 file's physical lines."""
    return _Reader(source, policy).run(lines)
