"""GoCardless payout breakdown export ("Export transactions" of one or more payouts).

One row per resource (payment, refund, chargeback, late failure, fee) paid out
in a payout. Columns read by name: ``resources.type``, ``resources.description``,
``resources.created_at``, ``resources.charge_date``, ``resources.status``,
``resources.reference``, ``gross_amount``, ``gocardless_fees``, ``app_fees``,
``surcharge_fees``, ``net_amount``, ``currency``, ``payouts.id``,
``payouts.arrival_date``, ``payments.id``, ``refunds.id``, ``mandates.id``,
``subscriptions.id``, ``creditors.id`` and the ``customers.*`` name and e-mail.

The amount is ``net_amount`` (major units, signed: debits negative); the gross
is ``gross_amount``; the fee is the sum of the fee columns. GoCardless
documents the fees as "deducted" without fixing their sign, so either sign is
accepted, row by row, as the one for which ``gross - fee == net``; a row that
fits neither is reported by the net control. ``payouts.id`` groups a payout
and ``payouts.arrival_date`` is its arrival date.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import ClassVar, Final

from ecomrules.errors import ParseError
from ecomrules.money import Money
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import Counterparty, LineKind, ParseResult, StatementLine
from ecomrules.parsing.source import clean_text, decode
from ecomrules.psp.report_result import AccountLine, assemble
from ecomrules.psp.report_rows import ReportRow, ReportTable, header_cells

__all__ = ["PayoutTransactionsParser"]

_KINDS: Final = {
    "payment": LineKind.CHARGE,
    "payment_paid_out": LineKind.CHARGE,
    "refund": LineKind.REFUND,
    "payment_refunded": LineKind.REFUND,
    "chargeback": LineKind.CHARGEBACK,
    "payment_charged_back": LineKind.CHARGEBACK,
    "payment_failed": LineKind.REVERSAL,
    "late_failure": LineKind.REVERSAL,
    "refund_funds_returned": LineKind.REVERSAL,
    "gocardless_fee": LineKind.FEE,
    "app_fee": LineKind.FEE,
    "surcharge_fee": LineKind.FEE,
    "revenue_share": LineKind.ADJUSTMENT,
}
_FEES: Final = ("gocardless_fees", "app_fees", "surcharge_fees")
_REQUIRED: Final = ("resources.type", "gross_amount", "net_amount", "currency", "payouts.id")
_DATES: Final = ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


class PayoutTransactionsParser:
    """Parser for GoCardless's payout breakdown (transactions) CSV export."""

    name: ClassVar[str] = "gocardless.payout_transactions"
    provider: ClassVar[str] = "GoCardless"
    spec_url: ClassVar[str] = (
        "https://support.gocardless.com/hc/en-us/articles/"
        "17144251867548-Payout-breakdown-reports-Transactions"
    )

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES when the header has the resource type, net amount and payout id columns."""
        cells = set(header_cells(head))
        if {"resources.type", "net_amount", "payouts.id", "gross_amount"} <= cells:
            return Confidence.YES
        return Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse a payout breakdown export."""
        policy = ErrorPolicy(on_error)
        table = ReportTable.from_text(clean_text(decode(data, source)), source)
        table.require_columns(_REQUIRED)
        fingerprint = Fingerprinter(self.name)
        entries: list[AccountLine] = []
        arrival = {}
        for row in table.rows():
            try:
                entries.append(_line(row, fingerprint, policy))
                if row.get("payouts.arrival_date"):
                    arrival[row.get("payouts.id")] = row.timestamp(
                        "payouts.arrival_date", _DATES
                    ).date()
            except ParseError as exc:
                policy.fail(exc, "psp.gocardless.malformed_row")
        return assemble(self.name, source, entries, policy, arrival=arrival)


def _line(row: ReportRow, fingerprint: Fingerprinter, policy: ErrorPolicy) -> AccountLine:
    resource = row.required("resources.type")
    kind = _KINDS.get(resource.lower())
    if kind is None:
        kind = LineKind.OTHER
        policy.warn(
            "psp.gocardless.unknown_type",
            f"resource type {resource!r} is not known; kept as kind 'other'",
            row.location("resources.type"),
        )
    currency = row.currency("currency")
    gross = row.decimal("gross_amount") or Decimal(0)
    net = row.decimal("net_amount")
    if net is None:
        raise row.error("net_amount", "is empty")
    fees = sum((row.decimal(column) or Decimal(0) for column in _FEES), Decimal(0))
    fee = -fees if gross + fees == net and fees else fees
    created_text = row.get("resources.created_at")
    booked_at = (
        row.timestamp("resources.created_at", _DATES).replace(tzinfo=UTC) if created_text else None
    )
    charge_date = (
        row.timestamp("resources.charge_date", _DATES).date()
        if row.get("resources.charge_date")
        else None
    )
    booked_on = booked_at.date() if booked_at else charge_date
    if booked_on is None:
        raise row.error("resources.created_at", "is empty and so is resources.charge_date")
    name = " ".join(
        p for p in (row.get("customers.given_name"), row.get("customers.family_name")) if p
    ) or row.get("customers.company_name")
    email = row.get("customers.email")
    metadata = {
        key: row.get(column)
        for column, key in (
            ("resources.status", "status"),
            ("resources.description", "description"),
            ("mandates.id", "mandate_id"),
            ("subscriptions.id", "subscription_id"),
            ("customers.id", "customer_id"),
            ("creditors.id", "creditor_id"),
            *((column, column) for column in _FEES),
        )
        if row.get(column)
    }
    reference = row.get("resources.reference")
    resource_id = row.get("refunds.id") or row.get("payments.id")
    line = StatementLine(
        id=fingerprint(*row.cells),
        kind=kind,
        booked_on=booked_on,
        booked_at=booked_at,
        value_date=charge_date,
        amount=Money(net, currency),
        gross=Money(gross, currency),
        fee=Money(fee, currency),
        label=row.get("resources.description") or resource,
        references=(reference,) if reference else (),
        counterparty=Counterparty(name=name or None, email=email or None)
        if name or email
        else None,
        payout_id=row.get("payouts.id") or None,
        transaction_id=resource_id or None,
        related_id=row.get("payments.id") if row.get("refunds.id") else None,
        metadata=metadata,
        raw=row.raw,
        location=row.location(),
    )
    return row.get("creditors.id") or None, line
