"""dLocal legacy transaction report: semicolon-separated, one row per payment event.

Columns read by name: ``Type`` (``Payment``, ``Refund``, ``Chargebacks``),
``Creation date`` / ``Settlement date`` (local time without offset, read as
UTC), ``Reference`` (dLocal id), ``Invoice`` (the merchant's order id),
``Net Amount (local)`` with ``currency``, ``Amount (USD)``, ``Fee`` and
``IOF`` (Brazilian tax, in USD), ``Status``, ``User Mail``, ``Transaction
Reference`` / ``Transaction Invoice`` (the original payment of a refund or
chargeback). Amounts are unsigned; the type gives the sign.

A row with an ``Amount (USD)`` becomes a USD line (what dLocal settles):
gross the USD amount, fee ``Fee + IOF``, net their difference. A row without
one (refunds and chargebacks in these reports) becomes a line in the local
currency with no fee, and a note says the settlement amount is missing.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import ClassVar, Final

from ecomrules.errors import ParseError
from ecomrules.money import Currency, Money
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import Counterparty, LineKind, ParseResult, StatementLine
from ecomrules.parsing.source import clean_text, decode
from ecomrules.psp.report_result import AccountLine, assemble
from ecomrules.psp.report_rows import ReportRow, ReportTable, header_cells

__all__ = ["LegacyReportParser"]

_KINDS: Final = {
    "payment": (LineKind.CHARGE, 1),
    "payments": (LineKind.CHARGE, 1),
    "refund": (LineKind.REFUND, -1),
    "refunds": (LineKind.REFUND, -1),
    "chargeback": (LineKind.CHARGEBACK, -1),
    "chargebacks": (LineKind.CHARGEBACK, -1),
}
_TIMES: Final = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
_REQUIRED: Final = ("Type", "Creation date", "Reference", "Net Amount (local)", "currency")
_USD: Final = Currency.of("USD")


class LegacyReportParser:
    """Parser for dLocal's legacy semicolon-separated transaction report."""

    name: ClassVar[str] = "dlocal.legacy_report"
    provider: ClassVar[str] = "dLocal"
    spec_url: ClassVar[str] = "https://docs.dlocal.com/docs/reports"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES when the semicolon header names dLocal's columns."""
        cells = set(header_cells(head, delimiter=";"))
        if {"Type", "Creation date", "Net Amount (local)", "Amount (USD)"} <= cells:
            return Confidence.YES
        return Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse a legacy report."""
        policy = ErrorPolicy(on_error)
        table = ReportTable.from_text(clean_text(decode(data, source)), source, delimiter=";")
        table.require_columns(_REQUIRED)
        fingerprint = Fingerprinter(self.name)
        entries: list[AccountLine] = []
        for row in table.rows():
            try:
                entries.append((None, _line(row, fingerprint, policy)))
            except ParseError as exc:
                policy.fail(exc, "psp.dlocal.malformed_row")
        return assemble(self.name, source, entries, policy)


def _line(row: ReportRow, fingerprint: Fingerprinter, policy: ErrorPolicy) -> StatementLine:
    event = row.required("Type")
    kind, sign = _KINDS.get(event.lower(), (LineKind.OTHER, 1))
    if kind is LineKind.OTHER:
        policy.warn(
            "psp.dlocal.unknown_type",
            f"type {event!r} is not known; kept as kind 'other' with its sign as given",
            row.location("Type"),
        )
    created = row.timestamp("Creation date", _TIMES).replace(tzinfo=UTC)
    settled = (
        row.timestamp("Settlement date", _TIMES).date() if row.get("Settlement date") else None
    )
    local = row.decimal("Net Amount (local)")
    if local is None:
        raise row.error("Net Amount (local)", "is empty")
    local_currency = row.currency("currency")
    metadata = {
        "local_amount": str(sign * local),
        "local_currency": local_currency.code,
    }
    for column, key in (
        ("Status", "status"),
        ("Country", "country"),
        ("Payment Method", "payment_method"),
        ("Payment Method Type", "payment_method_type"),
        ("Fee", "fee"),
        ("IOF", "iof"),
    ):
        if row.get(column):
            metadata[key] = row.get(column)
    usd = row.decimal("Amount (USD)")
    gross: Money | None = None
    fee: Money | None = None
    if usd is not None:
        charges = (row.decimal("Fee") or Decimal(0)) + (row.decimal("IOF") or Decimal(0))
        gross = Money(sign * usd, _USD)
        fee = Money(charges, _USD)
        amount = gross - fee
    else:
        amount = Money(sign * local, local_currency)
        policy.info(
            "psp.dlocal.no_settlement_amount",
            f"{event} row has no 'Amount (USD)'; kept in {local_currency.code} without fees",
            row.location("Amount (USD)"),
        )
    invoice = row.get("Invoice")
    email = row.get("User Mail")
    return StatementLine(
        id=fingerprint(*row.cells),
        kind=kind,
        booked_on=created.date(),
        booked_at=created,
        value_date=settled,
        amount=amount,
        gross=gross,
        fee=fee,
        label=event,
        references=tuple(r for r in (invoice, row.get("Transaction Invoice")) if r),
        counterparty=Counterparty(email=email) if email else None,
        transaction_id=row.get("Reference") or None,
        related_id=row.get("Transaction Reference") or None,
        metadata=metadata,
        raw=row.raw,
        location=row.location(),
    )
