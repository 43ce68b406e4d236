"""Adyen Settlement details report (SDR): one file per payable batch, CSV or XLSX.

Each row is a journal entry of the merchant account's payable balance. The
net columns (``Net Debit (NC)`` / ``Net Credit (NC)``) are what moves the
balance and become the line's signed amount; the gross columns are in the
transaction's own currency and are converted at ``Exchange Rate`` when it
differs from the net currency. Commission, markup, scheme fees and
interchange stay apart in the metadata and are summed into ``fee``:
blended pricing fills ``Commission``, Interchange++ the other three, and
``Payment Fees (NC)`` is their total, read as the fee only when no component
is filled (a total that disagrees with its components is a warning
``psp.adyen.payment_fees_mismatch``); ``DCC Markup (NC)`` is added. The
``MerchantPayout`` row of each batch and currency states the payout, which
must equal the sum of the other rows' nets of that batch and currency.
"""

from __future__ import annotations

import operator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import ClassVar

from ecomrules import _jsontext
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import LineKind, StatementLine
from ecomrules.psp.adyen.records import (
    ACCOUNT_METADATA,
    DCC_MARKUP_NC,
    FEE_COMPONENTS_NC,
    PAYMENT_FEES_NC,
    kind_of,
    local_time,
)
from ecomrules.psp.adyen.workbook import (
    OLE_MAGIC,
    looks_like_workbook,
    shared_strings,
    workbook_rows,
)
from ecomrules.psp.report_parser import HeaderReportParser, ReportContext, RowReader
from ecomrules.psp.report_result import AccountLine
from ecomrules.psp.report_rows import ReportRow, ReportTable

__all__ = ["SettlementDetailsParser"]

_REQUIRED = (
    "Company Account",
    "Merchant Account",
    "Psp Reference",
    "Merchant Reference",
    "Creation Date",
    "TimeZone",
    "Type",
    "Modification Reference",
    "Net Currency",
    "Net Debit (NC)",
    "Net Credit (NC)",
    "Batch Number",
)
_FINGERPRINT = (
    "Merchant Account",
    "Psp Reference",
    "Type",
    "Modification Reference",
    "Batch Number",
    "Creation Date",
    "Gross Currency",
    "Gross Debit (GC)",
    "Gross Credit (GC)",
    "Net Currency",
    "Net Debit (NC)",
    "Net Credit (NC)",
)
_ZERO = Decimal(0)
_TEXT_KINDS = {LineKind.FEE, LineKind.PAYOUT, LineKind.RESERVE, LineKind.TRANSFER}
_METADATA = {
    **ACCOUNT_METADATA,
    "Batch Number": "batch_number",
    "Booking Date": "booking_date",
    "Booking Date TimeZone": "booking_date_timezone",
    "Metadata": "adyen_metadata",
    "Shopper Country": "shopper_country",
    "Dispute Reference": "dispute_reference",
    "ARN": "arn",
    "Funds Destination": "funds_destination",
    "Settlement Flow": "settlement_flow",
    "Gross Fees (NC)": "gross_fees_nc",
}


class SettlementDetailsParser(HeaderReportParser):
    """Parser for the Adyen Settlement details report (``settlement_detail_report_batch_N``)."""

    name: ClassVar[str] = "adyen.settlement_details"
    provider: ClassVar[str] = "Adyen"
    spec_url: ClassVar[str] = (
        "https://docs.adyen.com/reporting/settlement-reconciliation/transaction-level/"
        "settlement-details-report"
    )
    signature = frozenset(
        {"Company Account", "Type", "Net Currency", "Net Credit (NC)", "Batch Number"}
    )
    required_columns = _REQUIRED
    malformed_row = "psp.adyen.malformed_row"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES for the SDR header (CSV) or a workbook whose strings hold it."""
        if looks_like_workbook(head):
            strings = shared_strings(head)
            if all(n in strings for n in ("Company Account", "Net Currency", "Batch Number")):
                return Confidence.YES
            if "Net Currency" in strings and "Modification Reference" in strings:
                return Confidence.MAYBE
            return Confidence.NO
        if head.startswith(OLE_MAGIC):
            name = (filename or "").lower()
            return Confidence.MAYBE if "settlement_detail" in name else Confidence.NO
        return super().sniff(head, filename)

    def read_table(self, data: bytes, source: str) -> ReportTable:
        """The rows of a CSV report or of an XLSX workbook's sheet."""
        if looks_like_workbook(data) or data.startswith(OLE_MAGIC):
            header, rows = workbook_rows(data, source, ("Type", "Net Currency"))
            return ReportTable(rows, source, header=header)
        return super().read_table(data, source)

    def row_reader(self, context: ReportContext) -> RowReader:
        """Each row is one journal entry, one line."""
        columns = _Columns(context.table)
        return lambda row: (_line(row, columns, context.fingerprint, context.policy),)


def _fee_column(column: str, position: int) -> tuple[str, int, str]:
    return column, position, column.removesuffix(" (NC)").lower().replace(" ", "_")


class _Columns:
    """Where this file's columns stand in a row's values, looked up once per file."""

    def __init__(self, table: ReportTable) -> None:
        at = table.position
        self.metadata = tuple((at(c), key) for c, key in _METADATA.items() if c in table.index)
        self.fees = tuple(_fee_column(c, at(c)) for c in table.present(FEE_COMPONENTS_NC))
        self.payment_fees = tuple(_fee_column(c, at(c)) for c in table.present((PAYMENT_FEES_NC,)))
        self.dcc_markup = tuple(_fee_column(c, at(c)) for c in table.present((DCC_MARKUP_NC,)))
        self.references = tuple(
            at(c)
            for c in table.present(
                (
                    "Merchant Reference",
                    "Merchant Order Reference",
                    "Modification Merchant Reference",
                )
            )
        )
        self.fingerprint = operator.itemgetter(*(at(c) for c in _FINGERPRINT))
        self.net_debit, self.net_credit = at("Net Debit (NC)"), at("Net Credit (NC)")
        self.gross_debit, self.gross_credit = at("Gross Debit (GC)"), at("Gross Credit (GC)")
        self.batch, self.psp = at("Batch Number"), at("Psp Reference")
        self.modification = at("Modification Reference")
        self.type, self.merchant = at("Type"), at("Merchant Account")
        self.net_currency, self.gross_currency = at("Net Currency"), at("Gross Currency")
        self.has_metadata_json = "Metadata" in table.index


def _line(
    row: ReportRow, columns: _Columns, fingerprint: Fingerprinter, policy: ErrorPolicy
) -> AccountLine:
    values = row.values()
    record_type = row.required("Type", values[columns.type])
    kind = kind_of(record_type)
    if kind is None:
        kind = LineKind.OTHER
        policy.warn(
            "psp.adyen.unknown_type",
            f"journal type {record_type!r} is not documented; kept as kind 'other'",
            row.location("Type"),
        )
    currency = row.currency("Net Currency", values[columns.net_currency])
    debit = row.number("Net Debit (NC)", values[columns.net_debit])
    credit = row.number("Net Credit (NC)", values[columns.net_credit])
    if debit is None and credit is None:
        raise row.error("Net Credit (NC)", "neither Net Debit (NC) nor Net Credit (NC) is filled")
    amount = Money._trusted((credit or _ZERO) - (debit or _ZERO), currency)
    metadata = {key: text for position, key in columns.metadata if (text := values[position])}
    metadata["record_type"] = record_type
    components = _fee_sum(row, values, columns.fees, metadata)
    fee_total = components or _ZERO
    payment_fees = _fee_sum(row, values, columns.payment_fees, metadata)
    if payment_fees is not None:
        if components is None:
            fee_total = payment_fees
        elif components != payment_fees:
            policy.warn(
                "psp.adyen.payment_fees_mismatch",
                f"Payment Fees (NC) {payment_fees} is not the sum of its components"
                f" {components}; the components are the fee",
                row.location(PAYMENT_FEES_NC),
            )
    fee_total += _fee_sum(row, values, columns.dcc_markup, metadata) or _ZERO
    gross = _gross(row, values, columns, currency, metadata)
    fee: Money | None = None
    if gross is not None:
        fee = Money._trusted(fee_total, currency)
    elif kind is LineKind.FEE:
        gross, fee = Money._trusted(_ZERO, currency), -amount
    merchant = row.required("Merchant Account", values[columns.merchant])
    batch = values[columns.batch]
    modification = values[columns.modification]
    psp_reference = values[columns.psp]
    references: tuple[str, ...] = ()
    for position in columns.references:
        ref = values[position]
        if ref and ref != "<auto>" and ref not in references:
            references += (ref,)
    booked_at = local_time(row, "Creation Date", "TimeZone")
    if columns.has_metadata_json:
        _check_metadata_json(row, policy)
    line = StatementLine(
        id=fingerprint(*columns.fingerprint(values)),
        kind=kind,
        booked_on=booked_at.date(),
        booked_at=booked_at,
        amount=amount,
        label=f"{record_type} {modification}".strip() if kind in _TEXT_KINDS else record_type,
        references=references,
        gross=gross,
        fee=fee,
        payout_id=f"{merchant}/{batch}" if batch else None,
        transaction_id=psp_reference or None,
        related_id=(modification or None) if kind not in _TEXT_KINDS else None,
        metadata=metadata,
        raw=row.raw,
        location=row.location(),
    )
    return merchant, line


def _fee_sum(
    row: ReportRow,
    values: list[str],
    fees: tuple[tuple[str, int, str], ...],
    metadata: dict[str, str],
) -> Decimal | None:
    """The sum of the filled fee columns (each kept in the metadata), None when none is."""
    total: Decimal | None = None
    for column, position, key in fees:
        if values[position] and (value := row.number(column, values[position])) is not None:
            total = value if total is None else total + value
            metadata[key] = str(value)
    return total


def _gross(
    row: ReportRow, values: list[str], columns: _Columns, net: Currency, metadata: dict[str, str]
) -> Money | None:
    debit = row.number("Gross Debit (GC)", values[columns.gross_debit])
    credit = row.number("Gross Credit (GC)", values[columns.gross_credit])
    if debit is None and credit is None:
        return None
    currency = row.currency("Gross Currency", values[columns.gross_currency])
    value = (credit or _ZERO) - (debit or _ZERO)
    if currency.code == net.code:
        return Money._trusted(value, currency)
    net_currency = net.code
    rate = row.decimal("Exchange Rate")
    if rate is None:
        raise row.error("Exchange Rate", f"is empty while {currency.code} is not {net_currency}")
    metadata["gross_currency"] = currency.code
    metadata["gross_amount"] = str(value)
    metadata["exchange_rate"] = str(rate)
    try:
        return Money(value * rate, net_currency).rounded(rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise row.error(
            "Exchange Rate", f"{value} x {rate} cannot be rounded to {net_currency}", str(rate)
        ) from None


def _check_metadata_json(row: ReportRow, policy: ErrorPolicy) -> None:
    text = row.get("Metadata")
    if not text:
        return
    try:
        _jsontext.loads(text)
    except ValueError:
        policy.warn(
            "psp.adyen.metadata_not_json",
            "column 'Metadata' is not JSON; kept as text",
            SourceLocation(row.source, row.line, "Metadata"),
        )
