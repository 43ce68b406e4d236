"""Adyen Payment accounting report (PAR): every status change of every payment.

The PAR lists a payment once per lifecycle record (Received, Authorised,
SentForSettle, Settled, Refunded, Chargeback...). Only the records that book
money on the payable balance become lines; their amount is ``Payable (SC)``
in the settlement currency, the fee is the sum of the commission, markup,
scheme-fee and interchange columns, and the gross is ``Original Amount`` when
the payment and settlement currencies agree (else derived as net + fee and
flagged in the metadata). The other records (authorisation, capture request,
refusal...) are reported as ``psp.adyen.status_record`` notes, one per row, so
every row is accounted for. The PAR has no payout rows; ``Payable Batch``,
where present, names the batch a line will be paid out in.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import ClassVar

from ecomrules.money import Money
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import LineKind, StatementLine
from ecomrules.psp.adyen.records import ACCOUNT_METADATA, FEE_COLUMNS_SC, kind_of, local_time
from ecomrules.psp.report_parser import HeaderReportParser, ReportContext, RowReader
from ecomrules.psp.report_result import AccountLine
from ecomrules.psp.report_rows import ReportRow

__all__ = ["PaymentAccountingParser"]

_REQUIRED = (
    "Merchant Account",
    "Psp Reference",
    "Merchant Reference",
    "Booking Date",
    "TimeZone",
    "Record Type",
    "Settlement Currency",
    "Payable (SC)",
)
_BOOKED = {
    LineKind.CHARGE,
    LineKind.REFUND,
    LineKind.REVERSAL,
    LineKind.CHARGEBACK,
    LineKind.CHARGEBACK_REVERSAL,
    LineKind.FEE,
}
_INCOMING = {LineKind.CHARGE, LineKind.REVERSAL, LineKind.CHARGEBACK_REVERSAL}
_OUTGOING = {LineKind.REFUND, LineKind.CHARGEBACK}
_FINGERPRINT = (
    "Merchant Account",
    "Psp Reference",
    "Record Type",
    "Modification Psp Reference",
    "Booking Date",
    "Settlement Currency",
    "Payable (SC)",
)
_METADATA = {
    **ACCOUNT_METADATA,
    "Main Currency": "main_currency",
    "Main Amount": "main_amount",
    "Payment Currency": "payment_currency",
    "Original Amount": "original_amount",
    "Exchange Rate": "exchange_rate",
    "Processing Fee Currency": "processing_fee_currency",
    "Processing Fee (FC)": "processing_fee",
    "Payable Batch": "payable_batch",
    "Shopper Reference": "shopper_reference",
    "Metadata": "adyen_metadata",
}


class PaymentAccountingParser(HeaderReportParser):
    """Parser for the Adyen Payment accounting report (``payments_accounting_report_*``)."""

    name: ClassVar[str] = "adyen.payment_accounting"
    provider: ClassVar[str] = "Adyen"
    spec_url: ClassVar[str] = (
        "https://docs.adyen.com/reporting/invoice-reconciliation/payment-accounting-report"
    )
    signature = frozenset(
        {"Merchant Account", "Record Type", "Payable (SC)", "Settlement Currency"}
    )
    required_columns = _REQUIRED
    malformed_row = "psp.adyen.malformed_row"

    def row_reader(self, context: ReportContext) -> RowReader:
        """Each record that books money is one line; the other records are noted."""
        return lambda row: _lines(row, context.fingerprint, context.policy)


def _lines(
    row: ReportRow, fingerprint: Fingerprinter, policy: ErrorPolicy
) -> Iterator[AccountLine]:
    record_type = row.required("Record Type")
    kind = kind_of(record_type)
    payable = row.decimal("Payable (SC)")
    if kind not in _BOOKED:
        policy.info(
            "psp.adyen.status_record",
            f"record type {record_type!r} books nothing on the payable balance; no line",
            row.location("Record Type"),
        )
        return
    if payable is None:
        raise row.error("Payable (SC)", f"is empty on a {record_type!r} record")
    currency = row.currency("Settlement Currency")
    amount = Money(payable, currency)
    metadata = row.texts(_METADATA.items())
    metadata["record_type"] = record_type
    fee_total = Decimal(0)
    for column in FEE_COLUMNS_SC:
        value = row.decimal(column)
        if value is not None:
            fee_total += value
            metadata[column.removesuffix(" (SC)").lower().replace(" ", "_")] = str(value)
    fee = Money(fee_total, currency)
    original = row.decimal("Original Amount")
    same_currency = row.get("Payment Currency").upper() == currency.code
    if original is not None and same_currency and kind in _INCOMING | _OUTGOING:
        gross = Money(original if kind in _INCOMING else -original, currency)
    else:
        gross = amount + fee
        metadata["gross_derived"] = "true"
    merchant = row.required("Merchant Account")
    batch = row.get("Payable Batch")
    booked_at = local_time(row, "Booking Date", "TimeZone")
    references = tuple(
        dict.fromkeys(
            ref
            for ref in (
                row.get("Merchant Reference"),
                row.get("Merchant Order Reference"),
                row.get("Modification Merchant Reference"),
            )
            if ref and ref != "<auto>"
        )
    )
    line = StatementLine(
        id=fingerprint(*(row.get(c) for c in _FINGERPRINT)),
        kind=kind,
        booked_on=booked_at.date(),
        booked_at=booked_at,
        amount=amount,
        label=record_type,
        references=references,
        gross=gross,
        fee=fee,
        payout_id=f"{merchant}/{batch}" if batch else None,
        transaction_id=row.get("Psp Reference") or None,
        related_id=row.get("Modification Psp Reference") or None,
        metadata=metadata,
        raw=row.raw,
        location=row.location(),
    )
    yield merchant, line
