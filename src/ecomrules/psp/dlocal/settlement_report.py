"""dLocal Settlement Report: a ``HEADER`` summary of the transfer, then one row per transaction.

The file has two sections, each with its own header row whose first column is
``ROW_TYPE``. The summary section has one ``HEADER`` row per transfer:
``TRANSFER_ID``, ``TRANSFER_DATE``, ``CURRENCY`` (the settlement currency) and
the totals ``NET_AMOUNT`` (what is transferred) and, when given,
``GROSS_AMOUNT``, ``FEE_AMOUNT``, ``TAX_AMOUNT`` and ``TRANSACTIONS`` (a row
count). The detail section has one row per transaction, its ``ROW_TYPE`` the
transaction type (``PAYMENT``, ``CAPTURE``, ``REFUND``, ``CHARGEBACK``,
``CHARGEBACK_REVERSAL``, ``ADJUSTMENT``, ``FEE``), with ``TRANSACTION_ID``,
``MERCHANT_TRANSACTION_ID`` (the merchant's order id), ``CREATION_DATE``, the
local ``LOCAL_CURRENCY``/``LOCAL_AMOUNT`` and ``FX_RATE``, and the signed
settlement amounts ``GROSS_AMOUNT``, ``FEE_AMOUNT`` and ``TAX_AMOUNT``
(negative when charged) and ``NET_AMOUNT`` in ``CURRENCY``. A file may hold
several transfers; a detail row names its own with ``TRANSFER_ID``, else it
belongs to the only one.

dLocal books amounts to six decimals. A line's amounts are money, so each is
rounded half-even to the currency's minor unit: the net and gross as stated
(the fee is gross less net, so ``gross - fee == net`` holds), the exact
figures kept in the metadata (``net_amount_exact``, ``gross_amount_exact``,
``fee_amount_exact``). The header's totals are checked against the exact rows
(``psp.dlocal.totals_mismatch``: a real difference). The cents the rounding
of each row gains or loses against the transfer, rounded once, become one
``adjustment`` line ``sub-cent rounding`` of that transfer with an info issue
``psp.dlocal.rounding``, so the lines add up to the payout exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import ClassVar, Final

from attrs import frozen

from ecomrules.errors import ControlTotalError, MalformedRecordError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import Counterparty, LineKind, ParseResult, StatementLine
from ecomrules.parsing.source import clean_text, decode
from ecomrules.psp.report_parser import HeaderReportParser, ReportContext, RowReader
from ecomrules.psp.report_result import AccountLine, assemble, collect_lines
from ecomrules.psp.report_rows import ReportRow, ReportTable, csv_rows

__all__ = ["SettlementReportParser"]

_KINDS: Final = {
    "PAYMENT": LineKind.CHARGE,
    "CAPTURE": LineKind.CHARGE,
    "REFUND": LineKind.REFUND,
    "CHARGEBACK": LineKind.CHARGEBACK,
    "CHARGEBACK_REVERSAL": LineKind.CHARGEBACK_REVERSAL,
    "ADJUSTMENT": LineKind.ADJUSTMENT,
    "FEE": LineKind.FEE,
}
_TIMES: Final = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
_METADATA: Final = (
    ("COUNTRY", "country"),
    ("PAYMENT_METHOD", "payment_method"),
    ("LOCAL_CURRENCY", "local_currency"),
    ("LOCAL_AMOUNT", "local_amount"),
    ("FX_RATE", "fx_rate"),
    ("STATUS", "status"),
)
_SUMMARY_REQUIRED: Final = ("ROW_TYPE", "TRANSFER_ID", "CURRENCY", "NET_AMOUNT")
_DETAIL_REQUIRED: Final = ("ROW_TYPE", "TRANSACTION_ID", "CREATION_DATE", "CURRENCY", "NET_AMOUNT")
_TOTALS: Final = ("GROSS_AMOUNT", "FEE_AMOUNT", "TAX_AMOUNT", "NET_AMOUNT")
_ZERO: Final = Decimal(0)


@frozen
class _Transfer:
    """One ``HEADER`` row: the transfer and the totals it states."""

    id: str
    currency: Currency
    arrival: date | None
    totals: dict[str, Decimal]
    count: int | None
    location: SourceLocation


class SettlementReportParser(HeaderReportParser):
    """Parser for dLocal's current Settlement Report (``HEADER`` summary, then details)."""

    name: ClassVar[str] = "dlocal.settlement_report"
    provider: ClassVar[str] = "dLocal"
    spec_url: ClassVar[str] = "https://docs.dlocal.com/docs/settlement-report"
    signature = frozenset({"ROW_TYPE", "TRANSFER_ID", "NET_AMOUNT"})
    required_columns = _DETAIL_REQUIRED
    malformed_row = "psp.dlocal.malformed_row"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES for a ``ROW_TYPE`` header with ``TRANSFER_ID`` followed by a ``HEADER`` row."""
        if super().sniff(head, filename) is Confidence.YES and re.search(
            rb'(^|[\r\n])"?HEADER"?,', head
        ):
            return Confidence.YES
        return Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Read the transfers and their rows; check totals, round, state each payout."""
        policy = ErrorPolicy(on_error)
        transfers, details = _sections(data, source)
        details.require_columns(self.required_columns)
        context = ReportContext(details, policy, Fingerprinter(self.name))
        only = next(iter(transfers.values())) if len(transfers) == 1 else None
        read = _reader(context, transfers, only)
        entries = collect_lines(details.rows(), read, policy, self.malformed_row)
        entries.extend(_rounding(transfers, entries, policy))
        stated = {
            (t.id, t.currency): Money(_cents(t.totals["NET_AMOUNT"], t.currency), t.currency)
            for t in transfers.values()
        }
        arrival = {t.id: t.arrival for t in transfers.values() if t.arrival is not None}
        return assemble(self.name, source, entries, policy, stated=stated, arrival=arrival)

    def read_table(self, data: bytes, source: str) -> ReportTable:
        """The detail section (what :meth:`iter_lines` streams)."""
        return _sections(data, source)[1]

    def row_reader(self, context: ReportContext) -> RowReader:
        """Each detail row is one line of its transfer (streaming: no header totals)."""
        return _reader(context, {}, None)


def _sections(data: bytes, source: str) -> tuple[dict[str, _Transfer], ReportTable]:
    text = clean_text(decode(data, source))
    rows = csv_rows(text, source, ",")
    first = next(rows, None)
    if first is None or first[1][:1] != ["ROW_TYPE"]:
        raise MalformedRecordError(
            "no ROW_TYPE header row: not a dLocal Settlement Report",
            location=SourceLocation(source, 1),
        )
    summary_header = [cell.strip() for cell in first[1]]
    summary_rows: list[tuple[int, list[str]]] = []
    detail_header: list[str] | None = None
    for line, cells in rows:
        if cells[:1] == ["ROW_TYPE"]:
            detail_header = cells
            break
        if "".join(cells).strip():
            summary_rows.append((line, cells))
    if detail_header is None:
        raise MalformedRecordError(
            "no detail section (a second ROW_TYPE header row) after the summary",
            location=SourceLocation(source, first[0]),
            field="ROW_TYPE",
        )
    summary = ReportTable(iter(summary_rows), source, header=summary_header)
    summary.require_columns(_SUMMARY_REQUIRED)
    transfers: dict[str, _Transfer] = {}
    for row in summary.rows():
        if row.required("ROW_TYPE").upper() != "HEADER":
            raise row.error("ROW_TYPE", "is not HEADER in the summary section")
        currency = row.currency("CURRENCY")
        totals = {c: value for c in _TOTALS if (value := row.decimal(c)) is not None}
        totals.setdefault("NET_AMOUNT", row.amount("NET_AMOUNT"))
        count = row.get("TRANSACTIONS")
        transfer = _Transfer(
            row.required("TRANSFER_ID"),
            currency,
            row.day("TRANSFER_DATE", _TIMES),
            totals,
            int(count) if count.isascii() and count.isdigit() else None,
            row.location(),
        )
        transfers[transfer.id] = transfer
    if not transfers:
        raise MalformedRecordError(
            "the summary section has no HEADER row", location=SourceLocation(source, first[0])
        )
    return transfers, ReportTable(rows, source, header=detail_header)


def _cents(value: Decimal, currency: Currency) -> Decimal:
    return value.quantize(currency.quantum, rounding=ROUND_HALF_EVEN)


def _reader(
    context: ReportContext, transfers: dict[str, _Transfer], only: _Transfer | None
) -> RowReader:
    policy, fingerprint = context.policy, context.fingerprint

    def read(row: ReportRow) -> tuple[AccountLine, ...]:
        return ((None, _line(row, fingerprint, policy, transfers, only)),)

    return read


def _line(
    row: ReportRow,
    fingerprint: Fingerprinter,
    policy: ErrorPolicy,
    transfers: dict[str, _Transfer],
    only: _Transfer | None,
) -> StatementLine:
    row_type = row.required("ROW_TYPE").upper()
    kind = _KINDS.get(row_type)
    if kind is None:
        kind = LineKind.OTHER
        policy.warn(
            "psp.dlocal.unknown_type",
            f"row type {row_type!r} is not known; kept as kind 'other'",
            row.location("ROW_TYPE"),
        )
    currency = row.currency("CURRENCY")
    transfer_id = row.get("TRANSFER_ID") or (only.id if only else "")
    if transfers and transfer_id not in transfers:
        raise row.error("TRANSFER_ID", f"names no transfer of the summary ({transfer_id!r})")
    net_exact = row.amount("NET_AMOUNT")
    gross_exact = row.decimal("GROSS_AMOUNT")
    fee_exact = (row.decimal("FEE_AMOUNT") or _ZERO) + (row.decimal("TAX_AMOUNT") or _ZERO)
    metadata = {"row_type": row_type, "net_amount_exact": str(net_exact)}
    metadata.update(row.texts(_METADATA))
    net = Money(_cents(net_exact, currency), currency)
    gross = fee = None
    if gross_exact is not None:
        metadata["gross_amount_exact"] = str(gross_exact)
        metadata["fee_amount_exact"] = str(-fee_exact)
        gross = Money(_cents(gross_exact, currency), currency)
        fee = gross - net
    created = row.timestamp("CREATION_DATE", _TIMES).replace(tzinfo=UTC)
    order = row.get("MERCHANT_TRANSACTION_ID")
    email = row.get("USER_EMAIL")
    return StatementLine(
        id=fingerprint(*row.cells),
        kind=kind,
        booked_on=created.date(),
        booked_at=created,
        amount=net,
        gross=gross,
        fee=fee,
        label=row_type.replace("_", " ").lower(),
        references=(order,) if order else (),
        counterparty=Counterparty(email=email) if email else None,
        payout_id=transfer_id or None,
        transaction_id=row.get("TRANSACTION_ID") or None,
        metadata=metadata,
        raw=row.raw,
        location=row.location(),
    )


def _rounding(
    transfers: dict[str, _Transfer], entries: list[AccountLine], policy: ErrorPolicy
) -> Iterator[AccountLine]:
    """Check each transfer's totals on the exact rows; yield its sub-cent rounding line."""
    for transfer in transfers.values():
        lines = [line for _, line in entries if line.payout_id == transfer.id]
        exact = {
            "NET_AMOUNT": sum(
                (Decimal(line.metadata["net_amount_exact"]) for line in lines), _ZERO
            ),
            "GROSS_AMOUNT": sum(
                (Decimal(line.metadata.get("gross_amount_exact", "0")) for line in lines), _ZERO
            ),
        }
        exact["FEE_AMOUNT"] = -sum(
            (Decimal(line.metadata.get("fee_amount_exact", "0")) for line in lines), _ZERO
        )
        stated = dict(transfer.totals)
        if "TAX_AMOUNT" in stated and "FEE_AMOUNT" in stated:
            stated["FEE_AMOUNT"] += stated.pop("TAX_AMOUNT")
        for column in ("NET_AMOUNT", "GROSS_AMOUNT", "FEE_AMOUNT"):
            if column in stated and stated[column] != exact[column]:
                policy.fail(
                    ControlTotalError(
                        f"transfer {transfer.id}: the summary states {column} {stated[column]},"
                        f" the rows add up to {exact[column]}",
                        location=transfer.location,
                        field=column,
                    ),
                    "psp.dlocal.totals_mismatch",
                )
        if transfer.count is not None and transfer.count != len(lines):
            policy.fail(
                ControlTotalError(
                    f"transfer {transfer.id}: the summary counts {transfer.count} transactions,"
                    f" the report has {len(lines)}",
                    location=transfer.location,
                    field="TRANSACTIONS",
                ),
                "psp.dlocal.totals_mismatch",
            )
        currency = transfer.currency
        residue = _cents(exact["NET_AMOUNT"], currency) - sum(
            (line.amount.amount for line in lines), _ZERO
        )
        if residue and lines:
            policy.info(
                "psp.dlocal.rounding",
                f"transfer {transfer.id}: the rows rounded to the cent add up to"
                f" {_cents(exact['NET_AMOUNT'], currency) - residue}, the transfer to"
                f" {_cents(exact['NET_AMOUNT'], currency)} {currency.code}; the"
                f" {residue} of sub-cent rounding is kept as a rounding line",
                transfer.location,
            )
            yield (
                None,
                StatementLine(
                    id=f"{transfer.id}:rounding",
                    kind=LineKind.ADJUSTMENT,
                    booked_on=lines[-1].booked_on,
                    amount=Money(residue, currency),
                    label="sub-cent rounding",
                    payout_id=transfer.id,
                    metadata={"rounding": "true"},
                    location=transfer.location,
                ),
            )
