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

from collections.abc import Iterator
from datetime import UTC
from decimal import Decimal
from typing import ClassVar, Final

from ecomrules.money import Money
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine
from ecomrules.psp.report_parser import HeaderReportParser, ReportContext, RowReader
from ecomrules.psp.report_result import AccountLine
from ecomrules.psp.report_rows import ReportRow

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
_METADATA: Final = (
    ("resources.status", "status"),
    ("resources.description", "description"),
    ("mandates.id", "mandate_id"),
    ("subscriptions.id", "subscription_id"),
    ("customers.id", "customer_id"),
    ("creditors.id", "creditor_id"),
    *((column, column) for column in _FEES),
)
_REQUIRED: Final = ("resources.type", "gross_amount", "net_amount", "currency", "payouts.id")
_DATES: Final = ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


class PayoutTransactionsParser(HeaderReportParser):
    """Parser for GoCardless's payout breakdown (transactions) CSV export."""

    name: ClassVar[str] = "gocardless.payout_transactions"
    provider: ClassVar[str] = "GoCardless"
    spec_url: ClassVar[str] = (
        "https://support.gocardless.com/hc/en-us/articles/"
        "17144251867548-Payout-breakdown-reports-Transactions"
    )
    signature = frozenset({"resources.type", "net_amount", "payouts.id", "gross_amount"})
    required_columns = _REQUIRED
    malformed_row = "psp.gocardless.malformed_row"

    def row_reader(self, context: ReportContext) -> RowReader:
        """Each row is one resource, one line; it may state its payout's arrival date."""
        return lambda row: _lines(row, context)


def _lines(row: ReportRow, context: ReportContext) -> Iterator[AccountLine]:
    yield _line(row, context.fingerprint, context.policy)
    if row.get("payouts.arrival_date"):
        arrival = row.timestamp("payouts.arrival_date", _DATES).date()
        context.arrival[row.get("payouts.id")] = arrival


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
    net = row.amount("net_amount")
    fees = sum((row.decimal(column) or Decimal(0) for column in _FEES), Decimal(0))
    fee = -fees if gross + fees == net and fees else fees
    created_text = row.get("resources.created_at")
    booked_at = (
        row.timestamp("resources.created_at", _DATES).replace(tzinfo=UTC) if created_text else None
    )
    charge_date = row.day("resources.charge_date", _DATES)
    booked_on = booked_at.date() if booked_at else charge_date
    if booked_on is None:
        raise row.error("resources.created_at", "is empty and so is resources.charge_date")
    name = " ".join(
        p for p in (row.get("customers.given_name"), row.get("customers.family_name")) if p
    ) or row.get("customers.company_name")
    email = row.get("customers.email")
    metadata = row.texts(_METADATA)
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
