"""Checkout.com financial actions by payout id (the "settlement breakdown" report).

One row per financial action: ``Gross``, ``Deduction`` and ``Net`` in the
holding currency (signed, deductions negative), the deduction split into
processing fee, scheme fee, interchange, tax and reserve. The net is the
line's amount, ``fee`` is minus the deduction (so ``gross - fee == net``),
and the split, when given (a payout fee has none), is checked to add up to
the deduction. Rows with the same
``Payout ID`` form one payout, whose amount is the sum of their nets. Times
carry no offset and are read as UTC.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import ClassVar, Final

from ecomrules.errors import ControlTotalError
from ecomrules.money import Money
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import LineKind, StatementLine
from ecomrules.psp.report_parser import HeaderReportParser, ReportContext, RowReader
from ecomrules.psp.report_result import AccountLine
from ecomrules.psp.report_rows import ReportRow

__all__ = ["FinancialActionsParser"]

TIME_FORMATS: Final = ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")

_KINDS: Final = {
    "capture": LineKind.CHARGE,
    "charge": LineKind.CHARGE,
    "payment": LineKind.CHARGE,
    "refund": LineKind.REFUND,
    "chargeback": LineKind.CHARGEBACK,
    "dispute": LineKind.CHARGEBACK,
    "chargeback reversal": LineKind.CHARGEBACK_REVERSAL,
    "dispute won": LineKind.CHARGEBACK_REVERSAL,
    "dispute reversal": LineKind.CHARGEBACK_REVERSAL,
    "void": LineKind.FEE,
    "authorization": LineKind.FEE,
    "card verification": LineKind.FEE,
    "network token provisioning": LineKind.FEE,
    "network token update": LineKind.FEE,
    "account updater": LineKind.FEE,
    "merchant payout": LineKind.FEE,
    "rolling reserve": LineKind.RESERVE,
    "reserve release": LineKind.RESERVE,
    "adjustment": LineKind.ADJUSTMENT,
    "transfer": LineKind.TRANSFER,
}
_SPLIT: Final = (
    ("Processing Fee In Holding Currency", "processing_fee"),
    ("Scheme Fee In Holding Currency", "scheme_fee"),
    ("Interchange In Holding Currency", "interchange"),
    ("Tax In Holding Currency", "tax"),
    ("Reserve In Holding Currency", "reserve"),
)
_DESCRIPTIVE: Final = (
    ("Processing Currency", "processing_currency"),
    ("Gross In Processing Currency", "gross_processing"),
    ("FX Rate Applied", "fx_rate"),
    ("Payment Method", "payment_method"),
    ("Client Entity ID", "entity"),
    ("Processing Channel ID", "processing_channel"),
)
_REQUIRED: Final = (
    "Type",
    "Payment ID",
    "Processed On",
    "Holding Currency",
    "Payout ID",
    "Gross In Holding Currency",
    "Deduction In Holding Currency",
    "Net In Holding Currency",
)


class FinancialActionsParser(HeaderReportParser):
    """Parser for Checkout.com's financial actions / settlement breakdown CSV."""

    name: ClassVar[str] = "checkout_com.financial_actions"
    provider: ClassVar[str] = "Checkout.com"
    spec_url: ClassVar[str] = (
        "https://www.checkout.com/docs/funds-management/retrieve-financial-reports/"
        "settlement-reports/financial-actions-by-payout-id-report"
    )
    signature = frozenset({"Payout ID", "Net In Holding Currency", "Deduction In Holding Currency"})
    required_columns = _REQUIRED
    malformed_row = "psp.checkout_com.malformed_row"

    def row_reader(self, context: ReportContext) -> RowReader:
        """Each row is one financial action, one line."""
        return lambda row: (_line(row, context.fingerprint, context.policy),)


def _line(row: ReportRow, fingerprint: Fingerprinter, policy: ErrorPolicy) -> AccountLine:
    action = row.required("Type")
    kind = _KINDS.get(action.lower())
    if kind is None:
        kind = LineKind.OTHER
        policy.warn(
            "psp.checkout_com.unknown_type",
            f"action type {action!r} is not known; kept as kind 'other'",
            row.location("Type"),
        )
    currency = row.currency("Holding Currency")
    gross = row.amount("Gross In Holding Currency")
    deduction = row.amount("Deduction In Holding Currency")
    net = row.amount("Net In Holding Currency")
    metadata = {"type": action}
    split = Decimal(0)
    for column, key in _SPLIT:
        value = row.decimal(column)
        if value is not None:
            split += value
            metadata[key] = str(value)
    if split and split != deduction:
        policy.fail(
            ControlTotalError(
                f"deduction {deduction} != sum of its parts {split}",
                location=row.location("Deduction In Holding Currency"),
            ),
            "psp.checkout_com.deduction_mismatch",
        )
    metadata.update(row.texts(_DESCRIPTIVE))
    processed = row.timestamp("Processed On", TIME_FORMATS).replace(tzinfo=UTC)
    available = row.day("Available On", TIME_FORMATS)
    payment_id = row.get("Payment ID")
    reference = row.get("Reference")
    line = StatementLine(
        id=fingerprint(
            payment_id, action, row.get("Processed On"), row.get("Payout ID"), str(net), str(gross)
        ),
        kind=kind,
        booked_on=processed.date(),
        booked_at=processed,
        available_on=available,
        amount=Money(net, currency),
        label=action,
        references=(reference,) if reference else (),
        gross=Money(gross, currency),
        fee=Money(-deduction, currency),
        payout_id=row.get("Payout ID") or None,
        transaction_id=payment_id or None,
        metadata=metadata,
        raw=row.raw,
        location=row.location(),
    )
    return row.get("Client Entity ID") or None, line
