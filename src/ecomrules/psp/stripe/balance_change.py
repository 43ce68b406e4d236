"""Stripe itemized balance change from activity report
(``balance_change_from_activity.itemized.3``).

Every balance transaction of the period except payouts. Recognised by a
``balance_transaction_id`` or ``reporting_category`` column with ``currency``
and ``net`` (or ``gross``) and no ``automatic_payout_id`` (that header is a payout
reconciliation report).
"""

from __future__ import annotations

from ecomrules.psp.stripe._report import StripeReport

__all__ = ["BalanceChangeParser"]


class BalanceChangeParser(StripeReport):
    """``stripe.balance_change``: the balance's activity, line by line."""

    name = "stripe.balance_change"
    spec_url = "https://docs.stripe.com/reports/balance"

    def recognises(self, names: set[str]) -> bool:
        """``balance_transaction_id`` or ``reporting_category``, and no payout column."""
        return (
            bool({"balance_transaction_id", "reporting_category"} & names)
            and "currency" in names
            and bool({"net", "gross"} & names)
            and "automatic_payout_id" not in names
        )
