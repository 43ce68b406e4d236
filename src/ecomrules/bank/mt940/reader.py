"""The MT940/MT942 reader: messages of fields into statement lines, streamed.

``:61:`` is ``value date YYMMDD [entry date MMDD] mark [funds code] amount
type(4) owner reference (16x) [//bank reference] [newline supplementary details]``.
The mark is ``C``/``D`` (credit/debit), ``RC``/``RD`` (reversal of a credit,
booked as a debit, and of a debit, booked as a credit) or ``EC``/``ED``
(MT942 expected entries); a letter after it is the funds code (``CR`` is a
credit with funds code R, never a reversal). The entry date takes the year
that puts it nearest the value date (December entries of a January value date
fall in the year before).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Literal

from ecomrules.bank._events import StatementEnd, check_balance
from ecomrules.bank.mt940._fields import Field, Message, split_messages
from ecomrules.bank.mt940.details import Details, read_details
from ecomrules.errors import (
    ControlTotalError,
    MalformedRecordError,
    UnknownCurrencyError,
    UnrecognizedFormatError,
)
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine

__all__ = ["read_mt940"]

Variant = Literal["940", "942"]

_BALANCE = re.compile(r"^([CD])([0-9]{6})([A-Z]{3})([0-9]{1,18},[0-9]{0,18})$")
_LINE = re.compile(
    r"^(?P<value>[0-9]{6})(?P<entry>[0-9]{4})?(?P<mark>RC|RD|EC|ED|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>[0-9]{1,18},[0-9]{0,18}) ?(?P<type>[A-Z][A-Z0-9 ]{3})?(?P<rest>.*)$"
)
_SUM = re.compile(r"^([0-9]+)([A-Z]{3})([0-9]{1,18},[0-9]{0,18})$")
_FLOOR = re.compile(r"^([A-Z]{3})([CD]?)([0-9]+,[0-9]*)$")
_FLOOR_NO_COMMA = re.compile(r"^([A-Z]{3})([CD]?)([0-9]+)$")
_LEADING_CODE = re.compile(r"^([A-Z]{3})")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$")
_SUPPLEMENT = re.compile(r"/(OCMT|CHGS)/([A-Z]{3}[0-9]+,[0-9]*)/")
_FEE_TYPES = frozenset({"NCHG", "FCHG", "NCOM", "FCOM", "NINT", "FINT"})
_NO_OWNER_REF = frozenset({"", "NONREF", "EREF", "PREF", "KREF", "NOTPROVIDED"})
_SIGN = {"C": 1, "D": -1, "RC": -1, "RD": 1, "EC": 1, "ED": -1}


def _yymmdd(text: str) -> date:
    year = int(text[:2])
    return date(2000 + year if year < 70 else 1900 + year, int(text[2:4]), int(text[4:6]))


def _entry_date(mmdd: str, near: date | None, year: int) -> date:
    """The MMDD entry date in the year that puts it nearest ``near`` (the value date)."""
    month, day = int(mmdd[:2]), int(mmdd[2:])
    if near is None:
        return date(year, month, day)
    candidates = []
    for candidate_year in (near.year - 1, near.year, near.year + 1):
        try:
            candidates.append(date(candidate_year, month, day))
        except ValueError:
            continue
    if not candidates:
        raise ValueError(f"{mmdd} is not a month and day")
    return min(candidates, key=lambda d: (abs((d - near).days), d))


def _amount(text: str, currency: Currency) -> Decimal:
    value = Decimal(text.replace(",", ".").rstrip(".") or "0")
    exponent = -value.as_tuple().exponent  # type: ignore[operator]
    if currency.minor_units is not None and exponent < currency.minor_units:
        return value.quantize(currency.quantum)
    return value


class _Statement:
    """One message being read: header fields, running total and the pending line."""

    def __init__(self, message: Message, source: str, policy: ErrorPolicy, variant: Variant):
        self.message = message
        self.source = source
        self.policy = policy
        self.variant = variant
        self.reference = ""
        self.account: str | None = None
        self.number = ""
        self.currency: Currency | None = None
        self.opening: Money | None = None
        self.opening_date: date | None = None
        self.closing: Money | None = None
        self.closing_date: date | None = None
        self.closing_field: Field | None = None
        self.sums: dict[str, tuple[int, Decimal, Field]] = {}
        self.total = Decimal(0)
        self.count = 0
        self.debits = (0, Decimal(0))
        self.credits = (0, Decimal(0))

    def account_id(self) -> str | None:
        """``:25:`` less a trailing currency code (``...EUR``, ``... EUR``, ``.../HUF``)."""
        account = self.account
        if account is None or self.currency is None:
            return account
        code = self.currency.code
        if account.endswith(code) and len(account) > len(code):
            return account[: -len(code)].rstrip(" /") or account
        return account

    def where(self, field: Field) -> SourceLocation:
        return SourceLocation(self.source, field.line)

    def fail(self, field: Field, message: str, code: str, name: str | None = None) -> None:
        self.policy.fail(
            MalformedRecordError(
                f":{field.tag}: {message}",
                location=self.where(field),
                field=name,
                value=field.value,
            ),
            code,
        )

    # -- header fields ---------------------------------------------------------------

    def currency_of(self, code: str, field: Field) -> Currency | None:
        try:
            return Currency.of(code)
        except UnknownCurrencyError:
            self.fail(field, f"unknown currency code {code!r}", "bank.mt940.field", "currency")
            return None

    def balance(self, field: Field) -> tuple[Money, date] | None:
        match = _BALANCE.match(field.value.strip())
        if match is None:
            self.fail(field, "is not a balance (C/D, YYMMDD, currency, amount)", "bank.mt940.field")
            return None
        mark, day, code, amount = match.groups()
        currency = self.currency_of(code, field)
        try:
            when = _yymmdd(day)
        except ValueError:
            self.fail(field, f"{day!r} is not a date (YYMMDD)", "bank.invalid_date", "date")
            return None
        if currency is None:
            return None
        value = _amount(amount, currency)
        return Money(-value if mark == "D" else value, currency), when

    def header(self, field: Field) -> None:
        tag = field.tag
        if tag == "20":
            self.reference = field.value.strip()
        elif tag == "25":
            self.account = field.value.strip()
        elif tag == "28C":
            self.number = field.value.replace("\n", "").strip()
        elif tag in ("60F", "60M"):
            if self.opening is not None:
                self.fail(field, "second opening balance in one statement", "bank.mt940.field")
                return
            found = self.balance(field)
            if found is not None:
                self.opening, self.opening_date = found
                self.currency = found[0].currency
        elif tag in ("62F", "62M"):
            self.closing_field = field
            found = self.balance(field)
            if found is not None:
                self.closing, self.closing_date = found
                self.currency = self.currency or found[0].currency
        elif tag == "34F":
            self.floor_limit(field)
        elif tag in ("90D", "90C"):
            match = _SUM.match(field.value.strip())
            if match is None:
                self.fail(field, "is not a count, currency and amount", "bank.mt940.field")
            else:
                currency = self.currency_of(match.group(2), field)
                if currency is not None:
                    amount = _amount(match.group(3), currency)
                    self.sums[tag] = (int(match.group(1)), amount, field)

    def floor_limit(self, field: Field) -> None:
        """``:34F:`` gives an MT942 its currency; a bad amount must not cost the lines.

        ``PLN0`` (no decimal comma, as some banks write it) is read with a
        warning; any other malformed value is reported, and the currency is
        still taken from its first three letters when they are a currency code.
        """
        value = field.value.strip()
        match = _FLOOR.match(value)
        if match is None:
            match = _FLOOR_NO_COMMA.match(value)
            if match is not None:
                self.policy.warn(
                    "bank.mt942.floor_limit_without_comma",
                    f":34F: floor limit {value!r} has no decimal comma; read as {match.group(3)},",
                    self.where(field),
                )
        if match is None:
            self.fail(field, "is not a floor limit (currency, [D/C], amount)", "bank.mt940.field")
            match = _LEADING_CODE.match(value)
            if match is None or self.currency is not None:
                return
            try:
                self.currency = Currency.of(match.group(1))
            except UnknownCurrencyError:
                return
            return
        self.currency = self.currency or self.currency_of(match.group(1), field)

    # -- lines -----------------------------------------------------------------------

    def line(self, field: Field, details: list[Field], extra: list[Field]) -> StatementLine | None:
        first, *supplement = field.lines
        match = _LINE.match(first.strip())
        if match is None:
            self.fail(
                field,
                "is not a statement line (value date, [entry date], C/D mark, amount, type)",
                "bank.mt940.field",
            )
            return None
        if self.currency is None:
            self.fail(field, "comes before any balance that names the currency", "bank.mt940.field")
            return None
        value_text, entry_text = match.group("value"), match.group("entry")
        value_date: date | None
        try:
            value_date = _yymmdd(value_text)
        except ValueError:
            self.fail(
                field,
                f"value date {value_text!r} is not a date (YYMMDD)",
                "bank.invalid_date",
                "value_date",
            )
            value_date = None
        booked = value_date
        if entry_text:
            try:
                booked = _entry_date(entry_text, value_date, _yymmdd(value_text[:2] + "0101").year)
            except ValueError:
                self.fail(
                    field,
                    f"entry date {entry_text!r} is not a date (MMDD)",
                    "bank.invalid_date",
                    "entry_date",
                )
        if booked is None:
            return None
        mark = match.group("mark")
        amount = _amount(match.group("amount"), self.currency) * _SIGN[mark]
        type_code = (match.group("type") or "").strip()
        owner_ref, _, bank_ref = (match.group("rest") or "").partition("//")
        found = (
            read_details([line for d in details for line in d.lines]) if details else Details("")
        )
        metadata = dict(found.metadata)
        metadata["mark"] = mark
        if len(owner_ref) > 16:
            # the owner's reference is 16x; text after it (ABN AMRO writes the
            # counterparty's name there) is not part of it
            metadata["text_after_reference"] = owner_ref[16:].strip()
            owner_ref = owner_ref[:16]
        if type_code:
            metadata["transaction_type"] = type_code
        if match.group("funds"):
            metadata["funds_code"] = match.group("funds")
        counterparty = found.counterparty
        if supplement:
            text = "\n".join(supplement)
            metadata["supplementary"] = text
            for key, amount_text in _SUPPLEMENT.findall(text.replace("\n", "")):
                metadata["original_amount" if key == "OCMT" else "charges"] = amount_text
            if counterparty is None and _IBAN.match(supplement[0].strip()):
                counterparty = Counterparty(iban=supplement[0].strip())
        for item in extra:
            metadata[item.tag] = item.value
        kind = LineKind.TRANSFER
        if mark in ("RC", "RD"):
            kind = LineKind.REVERSAL
        elif type_code in _FEE_TYPES:
            kind = LineKind.FEE
        references = list(found.references)
        owner = owner_ref.strip()
        if owner.rstrip("+").upper() not in _NO_OWNER_REF and owner not in references:
            references.append(owner)
        raw = ":61:" + field.value + "".join(f"\n:{d.tag}:" + d.value for d in (*details, *extra))
        self.count += 1
        if amount < 0:
            self.debits = (self.debits[0] + 1, self.debits[1] - amount)
        else:
            self.credits = (self.credits[0] + 1, self.credits[1] + amount)
        self.total += amount
        return StatementLine(
            id=f"{self.account_id()}:{self.opening_date or booked}:{self.number}:{self.count}",
            kind=kind,
            booked_on=booked,
            amount=Money(amount, self.currency),
            label=found.label,
            references=tuple(references),
            counterparty=counterparty,
            value_date=value_date,
            transaction_id=bank_ref.strip() or None,
            metadata=metadata,
            raw=raw,
            location=self.where(field),
        )

    def end(self) -> StatementEnd:
        where = SourceLocation(self.source, self.message.line)
        if self.account is None:
            self.policy.fail(
                MalformedRecordError(
                    "statement has no account identification (:25:)",
                    location=where,
                    field="account",
                ),
                "bank.mt940.field",
            )
        if self.variant == "940":
            if self.opening is None:
                self.policy.fail(
                    MalformedRecordError(
                        "statement has no opening balance (:60F: or :60M:)",
                        location=where,
                        field="opening_balance",
                    ),
                    "bank.mt940.field",
                )
            if self.closing_field is None:
                self.policy.fail(
                    MalformedRecordError(
                        "statement has no closing balance (:62F: or :62M:)",
                        location=where,
                        field="closing_balance",
                    ),
                    "bank.mt940.field",
                )
            closing_where = where if self.closing_field is None else self.where(self.closing_field)
            check_balance(
                self.policy,
                self.opening,
                self.total,
                self.closing,
                closing_where,
                f"statement {self.reference} {self.number}".rstrip(),
            )
        else:
            self.check_sums()
        return StatementEnd(
            account=self.account_id(),
            currency=self.currency,
            id=f"{self.reference}/{self.number}" if self.number else self.reference or None,
            opening_balance=self.opening,
            closing_balance=self.closing,
            opening_date=self.opening_date,
            closing_date=self.closing_date,
            location=where,
        )

    def check_sums(self) -> None:
        for tag, (count, total), side in (
            ("90D", self.debits, "debit"),
            ("90C", self.credits, "credit"),
        ):
            if tag not in self.sums:
                continue
            expected_count, expected_total, field = self.sums[tag]
            if (expected_count, expected_total) != (count, total):
                self.policy.fail(
                    ControlTotalError(
                        f":{tag}: announces {expected_count} {side} entries for {expected_total},"
                        f" the lines hold {count} for {total}",
                        location=self.where(field),
                        field=tag,
                        value=field.value,
                    ),
                    "bank.mt942.sum_mismatch",
                )


def _read_message(
    message: Message, source: str, policy: ErrorPolicy, variant: Variant
) -> Iterator[StatementLine | StatementEnd]:
    statement = _Statement(message, source, policy, variant)
    pending: Field | None = None
    details: list[Field] = []
    extra: list[Field] = []
    for field in message.fields:
        if field.tag == "86" and pending is not None:
            details.append(field)
            continue
        if field.tag == "NS" and pending is not None:
            extra.append(field)
            continue
        if pending is not None:
            line = statement.line(pending, details, extra)
            if line is not None:
                yield line
            pending, details, extra = None, [], []
        if field.tag == "61":
            pending = field
        elif field.tag == "86":
            policy.info(
                "bank.mt940.statement_information",
                f"information to the account owner: {' '.join(field.lines).strip()}",
                statement.where(field),
            )
        else:
            statement.header(field)
    if pending is not None:
        line = statement.line(pending, details, extra)
        if line is not None:
            yield line
    yield statement.end()


def read_mt940(
    lines: Iterable[tuple[int, str]], source: str, policy: ErrorPolicy, variant: Variant = "940"
) -> Iterator[StatementLine | StatementEnd]:
    """Yield the lines and statement ends of an MT940 (or MT942) file's physical lines.

    A file with no message at all (no ``:20:``, ``:25:`` or ``:61:`` field:
    CSV, OFX, plain text) raises :class:`~ecomrules.errors.UnrecognizedFormatError`
    in both modes, never reads as zero statements.
    """
    found = False
    for message in split_messages(lines):
        found = True
        yield from _read_message(message, source, policy, variant)
    if not found:  # another format: refused in lenient mode too
        raise UnrecognizedFormatError(
            f"not an MT{variant} file: it has no message (no :20:, :25: or :61: field)",
            location=SourceLocation(source, 1),
        )
