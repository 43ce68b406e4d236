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

from ecomrules.money import Currency, Money
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine
from ecomrules.psp.report_parser import HeaderReportParser, ReportContext, RowReader
from ecomrules.psp.report_rows import ReportRow

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
_METADATA: Final = (
    ("Status", "status"),
    ("Country", "country"),
    ("Payment Method", "payment_method"),
    ("Payment Method Type", "payment_method_type"),
    ("Fee", "fee"),
    ("IOF", "iof"),
)
_REQUIRED: Final = ("Type", "Creation date", "Reference", "Net Amount (local)", "currency")
_USD: Final = Currency.of("USD")


class LegacyReportParser(HeaderReportParser):
    """Parser for dLocal's legacy semicolon-separated transaction report."""

    name: ClassVar[str] = "dlocal.legacy_report"
    provider: ClassVar[str] = "dLocal"
    spec_url: ClassVar[str] = "https://docs.dlocal.com/docs/reports"
    signature = frozenset({"Type", "Creation date", "Net Amount (local)", "Amount (USD)"})
    required_columns = _REQUIRED
    malformed_row = "psp.dlocal.malformed_row"
    delimiter = ";"

    def row_reader(self, context: ReportContext) -> RowReader:
        """Each row is one payment event, one line (dLocal names no account)."""
        return lambda row: ((None, _line(row, context.fingerprint, context.policy)),)


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
    settled = row.day("Settlement date", _TIMES)
    local = row.amount("Net Amount (local)")
    local_currency = row.currency("currency")
    metadata = {
        "local_amount": str(sign * local),
        "local_currency": local_currency.code,
    }
    metadata.update(row.texts(_METADATA))
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
