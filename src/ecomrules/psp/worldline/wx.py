"""Worldline GlobalCollect WX file (``.wx1``), XML layout, amounts in minor units.

A daily report of the merchant's processed and collected transactions and of
the amount due per currency. Each ``DataRecord`` becomes a line: its amount
is ``AmountDue`` in ``CurrencyDue`` (what the record adds to or takes from the
amount due), else ``AmountDelivered`` / ``PaymentAmount`` / ``AmountLocal``
with their currencies, all in the currency's minor units (ISO 4217 exponent) and signed.
The record's category (``X`` processed, ``+`` credit, ``-`` debit) and type
(``ON`` card online, ``IP`` invoice/bank payment, ``AP`` direct debit, ``CB``
chargeback, ``CR`` refund) give the kind. Each ``TotalAmount`` block states
the amount due per currency and ``NumberOfRecords`` the record count; both
are checked. Times carry no zone: ``booked_at`` is left empty and the time
is kept in the metadata. The ASCII and CSV layouts of the WX file are not read.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Final
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET

from ecomrules.errors import ControlTotalError, MalformedRecordError, ParseError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError, WholeFileLines
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import Counterparty, LineKind, ParseResult, StatementLine
from ecomrules.parsing.source import decode, sniffable
from ecomrules.psp.report_result import AccountLine, assemble

__all__ = ["WxParser"]

_KINDS: Final = {
    "ON": LineKind.CHARGE,
    "OF": LineKind.CHARGE,
    "IP": LineKind.CHARGE,
    "AP": LineKind.CHARGE,
    "BP": LineKind.CHARGE,
    "CB": LineKind.CHARGEBACK,
    "CR": LineKind.REFUND,
    "RF": LineKind.REFUND,
    "RB": LineKind.CHARGEBACK_REVERSAL,
}
_RECORD_TAG: Final = re.compile(r"<(?:[\w.-]+:)?DataRecord[\s>]")
_TOTAL_TAG: Final = re.compile(r"<(?:[\w.-]+:)?TotalAmount[\s>]")
_COUNT_TAG: Final = re.compile(r"<(?:[\w.-]+:)?NumberOfRecords[\s>]")
_INTEGER: Final = re.compile(r"^[+-]?\d{1,17}$", re.ASCII)
_AMOUNTS: Final = (
    ("CurrencyDue", "AmountDue"),
    ("CurrencyDelivered", "AmountDelivered"),
    ("PaymentCurrency", "PaymentAmount"),
    ("CurrencyLocal", "AmountLocal"),
)


class WxParser(WholeFileLines):
    """Parser for the GlobalCollect WX1 report in its XML layout."""

    name: ClassVar[str] = "worldline.globalcollect_wx"
    provider: ClassVar[str] = "Worldline GlobalCollect"
    spec_url: ClassVar[str] = "https://docs.connect.worldline-solutions.com/reporting/"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES for an XML report in a ``wx.*.globalcollect.com`` namespace (UTF-8 or -16)."""
        head = sniffable(head[:4096])
        if b"<" in head[:200] and re.search(
            rb"xmlns(:\w+)?=\"https?://wx\.[\w.]*globalcollect\.com", head[:2048]
        ):
            return Confidence.YES
        return Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse a WX1 XML report."""
        policy = ErrorPolicy(on_error)
        text = decode(data, source, ("utf-8",))
        try:
            root = SafeET.fromstring(data)
        except Exception as exc:  # defusedxml and expat raise several unrelated types
            raise MalformedRecordError(
                f"not well-formed XML: {exc}", location=SourceLocation(source)
            ) from None
        namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        if root.tag != f"{namespace}report" or "globalcollect" not in namespace:
            raise MalformedRecordError(
                "not a GlobalCollect WX report (root element is not wx 'report')",
                location=SourceLocation(source, 1),
            )
        reader = _Reader(namespace)
        lines_of = [text.count("\n", 0, m.start()) + 1 for m in _RECORD_TAG.finditer(text)]
        account = reader.text(root, "AccountID") or None
        produced = reader.text(root, "DateProduction")
        fingerprint = Fingerprinter(self.name)
        entries: list[AccountLine] = []
        records = root.findall(f"{namespace}DataRecord")
        for index, record in enumerate(records):
            line_no = lines_of[index] if index < len(lines_of) else None
            location = SourceLocation(source, line_no)
            try:
                entries.append(
                    (account, _line(reader, record, location, produced, fingerprint, policy))
                )
            except ParseError as exc:
                policy.fail(exc, "psp.worldline.malformed_record")
        _check_totals(reader, root, entries, len(records), _Places(text, source), policy)
        return assemble(self.name, source, entries, policy)


class _Places:
    """File lines of the trailer elements, for messages."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.totals = [text.count("\n", 0, m.start()) + 1 for m in _TOTAL_TAG.finditer(text)]
        counts = [text.count("\n", 0, m.start()) + 1 for m in _COUNT_TAG.finditer(text)]
        self.count = counts[-1] if counts else None

    def total(self, index: int) -> SourceLocation:
        line = self.totals[index] if index < len(self.totals) else None
        return SourceLocation(self.source, line, "TotalAmount")


class _Reader:
    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def find(self, element: Element, path: str) -> Element | None:
        return element.find("/".join(self.ns + part for part in path.split("/")))

    def text(self, element: Element, path: str) -> str:
        found = self.find(element, path)
        return (found.text or "").strip() if found is not None else ""


def _minor(text: str, currency: Currency, where: SourceLocation, field: str) -> Money:
    if not _INTEGER.match(text):
        raise MalformedRecordError(
            f"{field}: {text!r} is not an amount in minor units",
            location=SourceLocation(where.path, where.line, field),
            field=field,
            value=text,
        )
    return Money.from_minor_units(int(text), currency)


def _currency(text: str, where: SourceLocation, field: str) -> Currency:
    try:
        return Currency.of(text)
    except (ValueError, TypeError):
        raise MalformedRecordError(
            f"{field}: {text!r} is not an ISO 4217 currency",
            location=SourceLocation(where.path, where.line, field),
            field=field,
            value=text,
        ) from None


def _line(
    reader: _Reader,
    record: Element,
    location: SourceLocation,
    produced: str,
    fingerprint: Fingerprinter,
    policy: ErrorPolicy,
) -> StatementLine:
    payment = reader.find(record, "PaymentData")
    if payment is None:
        raise MalformedRecordError("DataRecord has no PaymentData", location=location)
    category = reader.text(payment, "Recordcategory")
    record_type = reader.text(payment, "Recordtype")
    kind = _KINDS.get(record_type)
    if kind is None:
        kind = LineKind.OTHER
        policy.warn(
            "psp.worldline.unknown_type",
            f"record type {category}{record_type} is not known; kept as kind 'other'",
            location,
        )
    amount: Money | None = None
    for currency_field, amount_field in _AMOUNTS:
        value = reader.text(payment, amount_field)
        if value:
            currency = _currency(reader.text(payment, currency_field), location, currency_field)
            amount = _minor(value, currency, location, amount_field)
            break
    if amount is None:
        raise MalformedRecordError("DataRecord states no amount", location=location)
    when = reader.text(payment, "TransactionDateTime")
    due = reader.text(payment, "DateDue")
    booked_on = _date(when or due or produced, location)
    metadata = {
        "record": f"{category}{record_type}",
        "order_id": reader.text(record, "OrderID"),
        "effort_id": reader.text(record, "EffortID"),
        "attempt_id": reader.text(record, "AttemptID"),
        "payment_status": reader.text(payment, "PaymentStatus"),
        "transaction_time": when,
        "payment_product_id": reader.text(payment, "PaymentProductId"),
        "deduction_reason": reader.text(payment, "DeductionReasonDescription"),
        "original_payment_reference": reader.text(payment, "ReferenceOriginalPayment"),
    }
    reference = reader.text(payment, "AdditionalReference")
    names = " ".join(
        part
        for part in (
            reader.text(record, "CustomerData/BillingFirstname"),
            reader.text(record, "CustomerData/BillingSurname"),
        )
        if part
    )
    email = reader.text(record, "CustomerData/Email")
    order = metadata["order_id"]
    return StatementLine(
        id=fingerprint(
            order,
            metadata["effort_id"],
            metadata["attempt_id"],
            category,
            record_type,
            reference,
            reader.text(payment, "PaymentReference"),
            str(amount.amount),
            amount.currency.code,
            when,
        ),
        kind=kind,
        booked_on=booked_on,
        value_date=_date(due, location) if due else None,
        amount=amount,
        label=f"{category}{record_type}",
        references=(reference,) if reference else (),
        counterparty=Counterparty(name=names or None, email=email or None)
        if names or email
        else None,
        transaction_id=order if order and order != "0" else None,
        related_id=reader.text(payment, "PaymentReference") or None,
        metadata={k: v for k, v in metadata.items() if v},
        location=location,
    )


def _date(text: str, location: SourceLocation) -> date:
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise MalformedRecordError(f"{text!r} is not an ISO date", location=location) from None


def _check_totals(
    reader: _Reader,
    root: Element,
    entries: list[AccountLine],
    count: int,
    places: _Places,
    policy: ErrorPolicy,
) -> None:
    stated_count = reader.text(root, "NumberOfRecords")
    if stated_count and stated_count != str(count):
        policy.fail(
            ControlTotalError(
                f"NumberOfRecords states {stated_count}, the file has {count} DataRecord(s)",
                location=SourceLocation(places.source, places.count, "NumberOfRecords"),
            ),
            "psp.worldline.count_mismatch",
        )
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for _, line in entries:
        sums[line.currency.code] += line.amount.amount
    for index, block in enumerate(root.findall(f"{reader.ns}TotalAmount")):
        code = reader.text(block, "CurrencyDue")
        due = reader.text(block, "TotalAmountDue")
        where = places.total(index)
        try:
            stated = _minor(due, _currency(code, where, "CurrencyDue"), where, "TotalAmountDue")
        except ParseError as exc:
            policy.fail(exc, "psp.worldline.malformed_record")
            continue
        actual = sums.get(stated.currency.code, Decimal(0))
        if stated.amount != actual:
            policy.fail(
                ControlTotalError(
                    f"TotalAmountDue {stated.currency.code} {stated.amount} != "
                    f"sum of the records {actual}",
                    location=where,
                ),
                "psp.worldline.total_mismatch",
            )
