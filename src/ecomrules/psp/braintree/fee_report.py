"""Braintree transaction-level fee report: every transaction disbursed on one day, with fees.

One CSV per disbursement date and merchant account. Columns read by name:
``Merchant Account ID``, ``Transaction ID``, ``Original Transaction ID``,
``Transaction Type`` (``sale``, ``credit``), ``Presentment Currency`` /
``Presentment Amount``, ``Settlement Currency`` / ``Settlement Amount``,
``Exchange Rate``, ``Settlement Date``, ``Disbursement Date``, ``Deposit ID``,
``Order ID``, ``Refunded Amount``, the fee columns (``Discount`` is a rate;
``Discount Credit``, ``Per Transaction Fee`` (+ ``Credit``), ``Multicurrency
Fee Amount`` (+ ``Credit``), ``Braintree Total Amount``, ``Total Fee Amount``).

The gross is the settlement amount, negative for a credit (refund); the fee is
``Total Fee Amount`` (else ``Braintree Total Amount``) as Braintree states it;
the net is gross - fee. The parts stay in the metadata. Lines disbursed on the
same day for the same merchant account form one payout
``<merchant account>/<disbursement date>``, the key the GraphQL export uses too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Final

from ecomrules.money import Money
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import LineKind, StatementLine
from ecomrules.psp.report_parser import HeaderReportParser, ReportContext, RowReader
from ecomrules.psp.report_result import AccountLine
from ecomrules.psp.report_rows import ReportRow

__all__ = ["FeeReportParser"]

_DATES: Final = ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S")
_REQUIRED: Final = (
    "Merchant Account ID",
    "Transaction ID",
    "Transaction Type",
    "Settlement Currency",
    "Settlement Amount",
    "Disbursement Date",
)
_PARTS: Final = (
    ("Discount", "discount_rate"),
    ("Discount Credit", "discount_credit"),
    ("Per Transaction Fee", "per_transaction_fee"),
    ("Per Transaction Fee Credit", "per_transaction_fee_credit"),
    ("Multicurrency Fee Amount", "multicurrency_fee"),
    ("Multicurrency Fee Credit", "multicurrency_fee_credit"),
    ("Braintree Total Amount", "braintree_total_amount"),
    ("Total Fee Amount", "total_fee_amount"),
    ("Presentment Currency", "presentment_currency"),
    ("Presentment Amount", "presentment_amount"),
    ("Exchange Rate", "exchange_rate"),
    ("Deposit ID", "deposit_id"),
    ("Refunded Amount", "refunded_amount"),
    ("Refund Type", "refund_type"),
    ("Payment Instrument", "payment_instrument"),
    ("Card Brand", "card_brand"),
    ("Acquirer Reference Number", "arn"),
)


class FeeReportParser(HeaderReportParser):
    """Parser for Braintree's transaction-level fee report CSV."""

    name: ClassVar[str] = "braintree.fee_report"
    provider: ClassVar[str] = "Braintree"
    spec_url: ClassVar[str] = (
        "https://developer.paypal.com/braintree/docs/reference/response/"
        "transaction-level-fee-report-row"
    )
    signature = frozenset(
        {"Transaction ID", "Settlement Amount", "Disbursement Date", "Merchant Account ID"}
    )
    required_columns = _REQUIRED
    malformed_row = "psp.braintree.malformed_row"

    def claims(self, cells: list[str]) -> bool:
        """The fee report's settlement columns and one of its fee total columns."""
        names = set(cells)
        return self.signature <= names and (
            "Total Fee Amount" in names or "Braintree Total Amount" in names
        )

    def row_reader(self, context: ReportContext) -> RowReader:
        """Each row is one disbursed transaction, one line."""
        return lambda row: (_line(row, context.fingerprint),)


def _line(row: ReportRow, fingerprint: Fingerprinter) -> AccountLine:
    kind_text = row.required("Transaction Type").lower()
    refund = kind_text in {"credit", "refund"}
    currency = row.currency("Settlement Currency")
    settled = row.amount("Settlement Amount")
    gross = Money(-abs(settled) if refund else abs(settled), currency)
    fee_value = row.decimal("Total Fee Amount")
    if fee_value is None:
        fee_value = row.decimal("Braintree Total Amount")
    fee = Money(fee_value if fee_value is not None else Decimal(0), currency)
    metadata = row.texts(_PARTS)
    metadata["transaction_type"] = row.get("Transaction Type")
    disbursed = row.timestamp("Disbursement Date", _DATES).date()
    settled_on = row.day("Settlement Date", _DATES) or disbursed
    merchant = row.required("Merchant Account ID")
    order = row.get("Order ID")
    line = StatementLine(
        id=row.get("Transaction ID") or fingerprint(*row.cells),
        kind=LineKind.REFUND if refund else LineKind.CHARGE,
        booked_on=settled_on,
        available_on=disbursed,
        amount=gross - fee,
        gross=gross,
        fee=fee,
        label="Refund" if refund else "Sale",
        references=(order,) if order else (),
        payout_id=f"{merchant}/{disbursed.isoformat()}",
        transaction_id=row.get("Transaction ID") or None,
        parent_id=row.get("Original Transaction ID") or None,
        metadata=metadata,
        raw=row.raw,
        location=row.location(),
    )
    return merchant, line
