"""What Adyen's journal and record types mean, and how Adyen writes times.

Both Adyen reports name each row's journal type (``Type`` in the Settlement
details report, ``Record Type`` in the Payment accounting report). :data:`KINDS`
maps each documented type to a :class:`~ecomrules.parsing.model.LineKind`;
matching ignores case (``refunded`` occurs). Times are local to the account
with a separate ``TimeZone`` column holding an abbreviation (``CET``, ``PST``,
``PDT``); :func:`local_time` turns both into an aware datetime through
:mod:`ecomrules.psp.zone_names`.
"""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from typing import Final

from ecomrules.parsing.model import LineKind
from ecomrules.psp.report_rows import ReportRow, naive_time
from ecomrules.psp.zone_names import zone_named

__all__ = [
    "ACCOUNT_METADATA",
    "DCC_MARKUP_NC",
    "FEE_COLUMNS_SC",
    "FEE_COMPONENTS_NC",
    "KINDS",
    "PAYMENT_FEES_NC",
    "kind_of",
    "local_time",
]

_K = LineKind
KINDS: Final[dict[str, LineKind]] = {
    name.lower(): kind
    for name, kind in (
        ("Settled", _K.CHARGE),
        ("SettledBulk", _K.CHARGE),
        ("SettledExternally", _K.CHARGE),
        ("SettledExternallyWithInfo", _K.CHARGE),
        ("Refunded", _K.REFUND),
        ("RefundedBulk", _K.REFUND),
        ("RefundedExternally", _K.REFUND),
        ("RefundedExternallyWithInfo", _K.REFUND),
        ("RefundedInstallment", _K.REFUND),
        ("RefundedReversed", _K.REVERSAL),
        ("RefundedReversal", _K.REVERSAL),
        ("RefundNotCleared", _K.REVERSAL),
        ("Chargeback", _K.CHARGEBACK),
        ("SecondChargeback", _K.CHARGEBACK),
        ("ChargebackExternally", _K.CHARGEBACK),
        ("ChargebackExternallyWithInfo", _K.CHARGEBACK),
        ("ChargebackReversed", _K.CHARGEBACK_REVERSAL),
        ("ChargebackReversal", _K.CHARGEBACK_REVERSAL),
        ("ChargebackReversedExternallyWithInfo", _K.CHARGEBACK_REVERSAL),
        ("Fee", _K.FEE),
        ("MiscCosts", _K.FEE),
        ("PaymentCost", _K.FEE),
        ("InvoiceDeduction", _K.FEE),
        ("MerchantPayout", _K.PAYOUT),
        ("PaidOut", _K.PAYOUT),
        ("PaidOutReversed", _K.REVERSAL),
        ("BankInstructionReturned", _K.REVERSAL),
        ("DepositCorrection", _K.RESERVE),
        ("ReserveAdjustment", _K.RESERVE),
        ("Balancetransfer", _K.TRANSFER),
        ("MatchedStatement", _K.ADJUSTMENT),
        ("ManualCorrected", _K.ADJUSTMENT),
        ("EpaPaid", _K.ADJUSTMENT),
        ("CashOutFee", _K.FEE),
        ("CashOutInstruction", _K.PAYOUT),
        ("AdvancementCommissionExternallyBooked", _K.FEE),
    )
}
"""Journal type (lower case) -> line kind."""

FEE_COMPONENTS_NC: Final = (
    "Commission (NC)",
    "Markup (NC)",
    "Scheme Fees (NC)",
    "Interchange (NC)",
)
"""The Settlement details report's payment fee components, in net currency.

Blended pricing fills ``Commission``; Interchange++ fills ``Markup``,
``Scheme Fees`` and ``Interchange``. ``Payment Fees (NC)`` is their total (the
report's newer column), never a fee on top of them.
"""
PAYMENT_FEES_NC: Final = "Payment Fees (NC)"
"""The total of the payment fee components; the fee when no component is filled."""
DCC_MARKUP_NC: Final = "DCC Markup (NC)"
"""The dynamic currency conversion markup, a fee beside the payment fees."""

FEE_COLUMNS_SC: Final = (
    "Commission (SC)",
    "Markup (SC)",
    "Scheme Fees (SC)",
    "Interchange (SC)",
    "DCC Markup (SC)",
)
"""The Payment accounting report's fee columns, in settlement currency."""


ACCOUNT_METADATA: Final = {
    "Company Account": "company_account",
    "Merchant Account": "merchant_account",
    "Payment Method": "payment_method",
    "Payment Method Variant": "payment_method_variant",
    "Modification Merchant Reference": "modification_merchant_reference",
}
"""Columns both reports share, kept in a line's metadata under these keys (first, in this order)."""

_FORMATS: Final = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def kind_of(record_type: str) -> LineKind | None:
    """The line kind of a journal type, or ``None`` when the type is not documented."""
    return KINDS.get(record_type.strip().lower())


def _zone(row: ReportRow, column: str) -> tzinfo:
    name = row.required(column)
    zone = zone_named(name)
    if zone is None:
        raise row.error(column, f"{name!r} is not a known time-zone abbreviation", name)
    return zone


def local_time(row: ReportRow, column: str, zone_column: str) -> datetime:
    """``column`` read as local time in the zone named by ``zone_column``, made aware."""
    value = _aware(row.get(column), row.get(zone_column))
    if value is None:  # read again, the slow way, for the error naming the cell at fault
        value = row.timestamp(column, _FORMATS).replace(tzinfo=_zone(row, zone_column))
    return value


@functools.lru_cache(maxsize=4096)
def _aware(text: str, zone_name: str) -> datetime | None:
    """The aware time of a (time, zone) pair of cells, or ``None`` when either is unreadable.

    Cached per distinct pair: a report repeats its times and names few zones.
    """
    zone = zone_named(zone_name) if zone_name else None
    value = naive_time(text, _FORMATS) if text else None
    if zone is None or value is None:
        return None
    return value.replace(tzinfo=zone)
