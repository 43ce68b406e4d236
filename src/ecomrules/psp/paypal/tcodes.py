"""PayPal transaction event codes (T-codes) mapped to line kinds.

A T-code is ``T`` + a two-digit event group + a two-digit type; PayPal says the
group is enough for reconciliation (https://developer.paypal.com/docs/reports/reference/tcodes/).
A few types inside the reversal and adjustment groups are told apart. The
direction (``CR``/``DR``) decides between a charge and money sent for payments.
"""

from __future__ import annotations

from collections.abc import Mapping

from ecomrules.parsing.model import LineKind

__all__ = ["GROUPS", "TYPES", "kind_of"]

TYPES: Mapping[str, LineKind] = {
    "T1106": LineKind.CHARGEBACK,  # payment reversal (dispute, chargeback)
    "T1107": LineKind.REFUND,  # payment refund
    "T1108": LineKind.FEE,  # fee reversal
    "T1110": LineKind.RESERVE,  # hold for dispute investigation
    "T1111": LineKind.RESERVE,  # cancellation of a hold
    "T1201": LineKind.CHARGEBACK,
    "T1202": LineKind.CHARGEBACK_REVERSAL,
}
"""Single event codes whose kind differs from their group's."""

GROUPS: Mapping[str, LineKind] = {
    "01": LineKind.FEE,  # non-payment fees
    "02": LineKind.FX_CONVERSION,  # currency conversion
    "03": LineKind.TRANSFER,  # bank deposit into PayPal
    "04": LineKind.PAYOUT,  # bank withdrawal from PayPal
    "05": LineKind.TRANSFER,  # debit card
    "06": LineKind.TRANSFER,  # credit card withdrawal
    "07": LineKind.TRANSFER,  # funding source
    "08": LineKind.OTHER,  # bonus
    "09": LineKind.ADJUSTMENT,  # incentives
    "10": LineKind.OTHER,  # bill pay
    "11": LineKind.REVERSAL,  # reversals
    "12": LineKind.ADJUSTMENT,  # adjustments
    "13": LineKind.OTHER,  # authorisations, voids (no balance effect)
    "14": LineKind.OTHER,  # dividends
    "15": LineKind.RESERVE,  # holds and releases
    "16": LineKind.OTHER,  # buyer credit
    "17": LineKind.OTHER,  # loans
    "18": LineKind.OTHER,  # buyer credit payments
    "19": LineKind.ADJUSTMENT,  # account corrections
    "20": LineKind.TRANSFER,  # payouts to other accounts
    "22": LineKind.TRANSFER,  # transfers between accounts
    "30": LineKind.OTHER,  # crypto
    "99": LineKind.OTHER,  # other
}
"""Event groups (the two digits after ``T``)."""


def kind_of(code: str, credit: bool) -> LineKind | None:
    """The kind of event ``code`` (``T0006``) moving money in (``credit``) or out.

    Payments (group 00) are charges when they come in and transfers when the
    merchant pays. ``None`` when the code is not a T-code this table knows.
    """
    kind = TYPES.get(code)
    if kind is not None:
        return kind
    if len(code) != 5 or code[0] != "T":
        return None
    group = code[1:3]
    if group == "00":
        return LineKind.CHARGE if credit else LineKind.TRANSFER
    return GROUPS.get(group)
