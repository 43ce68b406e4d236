"""Braintree Control Panel transaction search export (CSV).

Columns read by name: ``Transaction ID``, ``Transaction Type`` (``sale``,
``credit``), ``Transaction Status``, ``Created Datetime`` + ``Created
Timezone``, ``Settlement Date``, ``Disbursement Date``, ``Merchant Account``,
``Currency ISO Code``, ``Amount Submitted For Settlement`` (else ``Amount
Authorized``), ``Service Fee``, ``Settlement Amount``, ``Settlement Currency
ISO Code``, ``Settlement Currency Exchange Rate``, ``Settlement Batch ID``,
``Order ID``, ``Subscription ID``, ``Refunded Transaction ID`` and the
customer's name, company and e-mail. Dates are ``MM/DD/YYYY HH:MM:SS`` (ISO
is accepted too); the created time is local to ``Created Timezone``.

Rows whose status books money (settled, settling, submitted for settlement,
settlement pending/confirmed) become lines: a sale a ``charge``, a credit a
negative ``refund``. The gross is the amount submitted for settlement; the fee
is the ``Service Fee`` (the marketplace fee deducted from the sub-merchant);
the net is their difference. When the settlement currency differs, the line
is in the settlement currency (``Settlement Amount``) without fee, and the
presentment amount and rate stay in the metadata. Other statuses (authorized,
voided, declined...) book nothing and are reported as
``psp.braintree.status_record`` notes. The payout is
``<Merchant Account>/<Disbursement Date>``, as in the other Braintree parsers.
The export holds no processing fees: the transaction-level fee report does.
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
from ecomrules.psp.zone_names import zone_named

__all__ = ["TransactionSearchParser"]

_TIMES: Final = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
_BOOKED: Final = {
    "settled",
    "settling",
    "submitted_for_settlement",
    "submitted for settlement",
    "settlement_pending",
    "settlement pending",
    "settlement_confirmed",
    "settlement confirmed",
}
_METADATA: Final = (
    ("Subscription ID", "subscription_id"),
    ("Settlement Batch ID", "settlement_batch_id"),
    ("Payment Instrument Type", "payment_instrument"),
    ("Card Type", "card_type"),
    ("Tax Amount", "tax_amount"),
)
_REQUIRED: Final = (
    "Transaction ID",
    "Transaction Type",
    "Transaction Status",
    "Created Datetime",
    "Currency ISO Code",
)


class TransactionSearchParser(HeaderReportParser):
    """Parser for Braintree's transaction search CSV export."""

    name: ClassVar[str] = "braintree.transaction_search"
    provider: ClassVar[str] = "Braintree"
    spec_url: ClassVar[str] = (
        "https://developer.paypal.com/braintree/articles/control-panel/transactions/search"
    )
    signature = frozenset(
        {"Transaction ID", "Transaction Status", "Amount Submitted For Settlement"}
    )
    required_columns = _REQUIRED
    malformed_row = "psp.braintree.malformed_row"

    def row_reader(self, context: ReportContext) -> RowReader:
        """Each row that books money is one line; the other statuses are noted."""
        return lambda row: _lines(row, context.fingerprint, context.policy)


def _lines(
    row: ReportRow, fingerprint: Fingerprinter, policy: ErrorPolicy
) -> Iterator[AccountLine]:
    status = row.required("Transaction Status")
    transaction = row.required("Transaction ID")
    if status.lower() not in _BOOKED:
        policy.info(
            "psp.braintree.status_record",
            f"transaction {transaction} is {status}; it books nothing, no line",
            row.location("Transaction Status"),
        )
        return
    refund = row.required("Transaction Type").lower() in {"credit", "refund"}
    sign = -1 if refund else 1
    currency = row.currency("Currency ISO Code")
    submitted = row.decimal("Amount Submitted For Settlement")
    if submitted is None:
        submitted = row.decimal("Amount Authorized")
    if submitted is None:
        raise row.error("Amount Submitted For Settlement", "is empty, and so is Amount Authorized")
    metadata = {"status": status, "transaction_type": row.get("Transaction Type")}
    metadata.update(row.texts(_METADATA))
    gross: Money | None = Money(sign * abs(submitted), currency)
    service = row.decimal("Service Fee") or Decimal(0)
    fee: Money | None = Money(sign * abs(service), currency)
    amount = gross - fee  # type: ignore[operator]
    settlement_code = row.get("Settlement Currency ISO Code")
    if settlement_code and settlement_code.upper() != currency.code:
        settled = row.decimal("Settlement Amount")
        if settled is None:
            raise row.error("Settlement Amount", f"is empty while settling in {settlement_code}")
        metadata["presentment_amount"] = str(gross.amount)  # type: ignore[union-attr]
        metadata["presentment_currency"] = currency.code
        metadata["service_fee"] = str(service)
        if row.get("Settlement Currency Exchange Rate"):
            metadata["exchange_rate"] = row.get("Settlement Currency Exchange Rate")
        amount = Money(sign * abs(settled), row.currency("Settlement Currency ISO Code"))
        gross = fee = None
    created = row.timestamp("Created Datetime", _TIMES)
    zone_name = row.get("Created Timezone")
    zone = zone_named(zone_name) if zone_name else UTC
    if zone is None:
        raise row.error("Created Timezone", f"{zone_name!r} is not a known time zone", zone_name)
    booked_at = created.replace(tzinfo=zone)
    disbursed = row.day("Disbursement Date", _TIMES)
    merchant = row.get("Merchant Account") or None
    names = " ".join(
        p for p in (row.get("Customer First Name"), row.get("Customer Last Name")) if p
    )
    name = names or row.get("Customer Company") or row.get("Cardholder Name")
    email = row.get("Customer Email")
    order = row.get("Order ID")
    line = StatementLine(
        id=transaction if transaction else fingerprint(*row.cells),
        kind=LineKind.REFUND if refund else LineKind.CHARGE,
        booked_on=booked_at.date(),
        booked_at=booked_at,
        value_date=row.day("Settlement Date", _TIMES),
        available_on=disbursed,
        amount=amount,
        gross=gross,
        fee=fee,
        label="Refund" if refund else "Sale",
        references=(order,) if order else (),
        counterparty=Counterparty(name=name or None, email=email or None)
        if name or email
        else None,
        payout_id=f"{merchant}/{disbursed.isoformat()}" if merchant and disbursed else None,
        transaction_id=transaction,
        parent_id=row.get("Refunded Transaction ID") or None,
        metadata=metadata,
        raw=row.raw,
        location=row.location(),
    )
    yield merchant, line
