"""What Adyen's journal and record types mean, and how Adyen writes times.

Both Adyen reports name each row's journal type (``Type`` in the Settlement
details report, ``Record Type`` in the Payment accounting report). :data:`KINDS`
maps each documented type to a :class:`~ecomrules.parsing.model.LineKind`;
matching ignores case (``refunded`` occurs). Times are local to the account
with a separate ``TimeZone`` column holding an abbreviation (``CET``, ``PST``,
``PDT``); :func:`local_time` turns both into an aware datetime.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ecomrules.parsing.model import LineKind
from ecomrules.psp.report_rows import ReportRow

__all__ = ["FEE_COLUMNS_NC", "FEE_COLUMNS_SC", "KINDS", "ZONES", "kind_of", "local_time"]

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

FEE_COLUMNS_NC: Final = (
    "Commission (NC)",
    "Markup (NC)",
    "Scheme Fees (NC)",
    "Interchange (NC)",
    "Payment Fees (NC)",
    "DCC Markup (NC)",
)
"""The Settlement details report's fee columns, in net currency, summed into ``fee``."""

FEE_COLUMNS_SC: Final = (
    "Commission (SC)",
    "Markup (SC)",
    "Scheme Fees (SC)",
    "Interchange (SC)",
    "DCC Markup (SC)",
)
"""The Payment accounting report's fee columns, in settlement currency."""


def _fixed(hours: int, minutes: int = 0) -> timezone:
    sign = -1 if hours < 0 else 1
    return timezone(sign * timedelta(hours=abs(hours), minutes=minutes))


ZONES: Final[dict[str, tzinfo]] = {
    "UTC": UTC,
    "GMT": UTC,
    "WET": _fixed(0),
    "WEST": _fixed(1),
    "BST": _fixed(1),
    "CET": _fixed(1),
    "CEST": _fixed(2),
    "MET": _fixed(1),
    "MEST": _fixed(2),
    "EET": _fixed(2),
    "EEST": _fixed(3),
    "MSK": _fixed(3),
    "AST": _fixed(-4),
    "ADT": _fixed(-3),
    "EST": _fixed(-5),
    "EDT": _fixed(-4),
    "CST": _fixed(-6),
    "CDT": _fixed(-5),
    "MST": _fixed(-7),
    "MDT": _fixed(-6),
    "PST": _fixed(-8),
    "PDT": _fixed(-7),
    "AKST": _fixed(-9),
    "AKDT": _fixed(-8),
    "HST": _fixed(-10),
    "BRT": _fixed(-3),
    "JST": _fixed(9),
    "KST": _fixed(9),
    "HKT": _fixed(8),
    "SGT": _fixed(8),
    "AWST": _fixed(8),
    "ACST": _fixed(9, 30),
    "ACDT": _fixed(10, 30),
    "AEST": _fixed(10),
    "AEDT": _fixed(11),
    "NZST": _fixed(12),
    "NZDT": _fixed(13),
}
"""Time-zone abbreviations Adyen writes -> fixed UTC offsets (``CST`` is US Central)."""

_FORMATS: Final = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def kind_of(record_type: str) -> LineKind | None:
    """The line kind of a journal type, or ``None`` when the type is not documented."""
    return KINDS.get(record_type.strip().lower())


def _zone(row: ReportRow, column: str) -> tzinfo:
    name = row.required(column)
    zone = ZONES.get(name.upper())
    if zone is not None:
        return zone
    if "/" in name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise row.error(column, f"{name!r} is not a known time-zone abbreviation", name)


def local_time(row: ReportRow, column: str, zone_column: str) -> datetime:
    """``column`` read as local time in the zone named by ``zone_column``, made aware."""
    return row.timestamp(column, _FORMATS).replace(tzinfo=_zone(row, zone_column))
