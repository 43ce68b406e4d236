"""Checkout.com payouts report: one row per payout, its amount and what makes it up.

Each row becomes one line per non-zero component column (payments, refunds,
chargebacks, each fee family, adjustments, transfers) and one ``payout`` line
for ``Payout Amount``; the payout control then checks that the components add
up to the amount paid. A row with more values than the header has columns is
kept, and the surplus is reported.
"""

from __future__ import annotations

from datetime import UTC
from typing import ClassVar, Final

from ecomrules.money import Money
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.model import LineKind, StatementLine
from ecomrules.psp.checkout_com.financial_actions import TIME_FORMATS
from ecomrules.psp.report_parser import HeaderReportParser, ReportContext, RowReader
from ecomrules.psp.report_result import AccountLine
from ecomrules.psp.report_rows import ReportRow

__all__ = ["PayoutsReportParser"]

_DESCRIPTIVE: Final = {
    "Client Entity ID",
    "Client Entity Name",
    "Sub Entity ID",
    "Sub Entity Name",
    "Currency Account ID",
    "Currency Account Name",
    "Holding Currency",
    "Payout ID",
    "Payout Date",
    "Reporting Start Date",
    "Reporting End Date",
    "Payout Amount",
}
_KINDS: Final = {
    "Payments": LineKind.CHARGE,
    "Refunds": LineKind.REFUND,
    "Chargebacks": LineKind.CHARGEBACK,
    "Pay To Cards": LineKind.TRANSFER,
    "Adjustments": LineKind.ADJUSTMENT,
    "Transfers In": LineKind.TRANSFER,
    "Transfers Out": LineKind.TRANSFER,
    "Tax": LineKind.FEE,
    "Acquiring Premiums": LineKind.FEE,
}
_REQUIRED: Final = ("Holding Currency", "Payout ID", "Payout Date", "Payout Amount")


class PayoutsReportParser(HeaderReportParser):
    """Parser for Checkout.com's payouts report CSV."""

    name: ClassVar[str] = "checkout_com.payouts"
    provider: ClassVar[str] = "Checkout.com"
    spec_url: ClassVar[str] = (
        "https://www.checkout.com/docs/funds-management/retrieve-financial-reports/"
        "settlement-reports/payouts-report"
    )
    signature = frozenset({"Payout ID", "Payout Date", "Payout Amount", "Payments"})
    required_columns = _REQUIRED
    malformed_row = "psp.checkout_com.malformed_row"

    def row_reader(self, context: ReportContext) -> RowReader:
        """Each row is one payout: a line per component and one for the transfer."""
        return lambda row: _lines(row, context.table.header, context.policy)


def _lines(row: ReportRow, header: list[str], policy: ErrorPolicy) -> list[AccountLine]:
    if len(row.cells) > len(header):
        surplus = [cell for cell in row.cells[len(header) :] if cell.strip()]
        policy.warn(
            "psp.checkout_com.extra_values",
            f"row has {len(row.cells)} values for {len(header)} columns; "
            f"surplus {surplus!r} not read",
            row.location(),
        )
    currency = row.currency("Holding Currency")
    payout_id = row.required("Payout ID")
    paid = row.timestamp("Payout Date", TIME_FORMATS).replace(tzinfo=UTC)
    account = row.get("Currency Account ID") or row.get("Client Entity ID") or None
    amount = row.amount("Payout Amount")
    common = {"payout_id": payout_id, "booked_on": paid.date(), "booked_at": paid}
    lines = [
        StatementLine(
            id=f"{payout_id}:payout",
            kind=LineKind.PAYOUT,
            amount=Money(-amount, currency),
            label="Payout",
            raw=row.raw,
            location=row.location("Payout Amount"),
            **common,  # type: ignore[arg-type]
        )
    ]
    for column in header:
        if not column or column in _DESCRIPTIVE:
            continue
        value = row.decimal(column)
        if value is None or not value:
            continue
        kind = _KINDS.get(column, LineKind.FEE if column.endswith("Fees") else None)
        if kind is None:
            kind = LineKind.OTHER
            policy.warn(
                "psp.checkout_com.unknown_column",
                f"column {column!r} is not known; its amount is kept as kind 'other'",
                row.location(column),
            )
        money = Money(value, currency)
        fee_parts = {"gross": Money.zero(currency), "fee": -money} if kind is LineKind.FEE else {}
        lines.append(
            StatementLine(
                id=f"{payout_id}:{column}",
                kind=kind,
                amount=money,
                label=column,
                location=row.location(column),
                **common,  # type: ignore[arg-type]
                **fee_parts,  # type: ignore[arg-type]
            )
        )
    return [(account, line) for line in lines]
