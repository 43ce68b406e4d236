"""Stripe's ``reporting_category`` (and balance transaction ``type``) mapped to line kinds.

The reporting categories are documented at
https://docs.stripe.com/reports/reporting-categories; the Dashboard's balance
export carries the older ``type`` values, mapped here too. A value not listed
is kept as :attr:`LineKind.OTHER` with the raw category in the line's metadata.
"""

from __future__ import annotations

from collections.abc import Mapping

from ecomrules.parsing.model import LineKind

__all__ = ["CATEGORIES", "kind_of"]

CATEGORIES: Mapping[str, LineKind] = {
    # reporting categories
    "charge": LineKind.CHARGE,
    "refund": LineKind.REFUND,
    "partial_capture_reversal": LineKind.REFUND,
    "refund_failure": LineKind.REVERSAL,
    "dispute": LineKind.CHARGEBACK,
    "dispute_reversal": LineKind.CHARGEBACK_REVERSAL,
    "fee": LineKind.FEE,
    "network_cost": LineKind.FEE,
    "tax": LineKind.FEE,
    "payout": LineKind.PAYOUT,
    "payout_reversal": LineKind.REVERSAL,
    "transfer": LineKind.TRANSFER,
    "transfer_reversal": LineKind.TRANSFER,
    "topup": LineKind.TRANSFER,
    "topup_reversal": LineKind.TRANSFER,
    "connect_reserved_funds": LineKind.RESERVE,
    "risk_reserved_funds": LineKind.RESERVE,
    "other_adjustment": LineKind.ADJUSTMENT,
    "charge_failure": LineKind.REVERSAL,
    "platform_earning": LineKind.OTHER,
    "platform_earning_refund": LineKind.OTHER,
    # balance transaction types (Dashboard export, API)
    "payment": LineKind.CHARGE,
    "payment_refund": LineKind.REFUND,
    "payment_failure_refund": LineKind.REVERSAL,
    "payment_reversal": LineKind.REVERSAL,
    "adjustment": LineKind.ADJUSTMENT,
    "stripe_fee": LineKind.FEE,
    "stripe_fx_fee": LineKind.FEE,
    "application_fee": LineKind.FEE,
    "application_fee_refund": LineKind.FEE,
    "tax_fee": LineKind.FEE,
    "payout_cancel": LineKind.REVERSAL,
    "payout_failure": LineKind.REVERSAL,
    "reserve_transaction": LineKind.RESERVE,
    "reserved_funds": LineKind.RESERVE,
    "connect_collection_transfer": LineKind.TRANSFER,
}
"""Every category and type the parser knows, lower case."""


def kind_of(category: str) -> LineKind | None:
    """The kind of a (lower-case) category or type; ``None`` when it is not known."""
    return CATEGORIES.get(category)
