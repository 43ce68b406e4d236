"""Stripe itemized payout reconciliation report (``payout_reconciliation.itemized.5``).

Every balance transaction settled in each automatic payout of the period, one
row each, grouped by ``automatic_payout_id``. Recognised by a header naming
``automatic_payout_id``, ``currency`` and ``net`` or ``gross``.
"""

from __future__ import annotations

from ecomrules.psp.stripe._report import StripeReport

__all__ = ["PayoutReconciliationParser"]


class PayoutReconciliationParser(StripeReport):
    """``stripe.payout_reconciliation``: lines grouped into payouts, each payout checked."""

    name = "stripe.payout_reconciliation"
    spec_url = "https://docs.stripe.com/reports/payout-reconciliation"

    def recognises(self, names: set[str]) -> bool:
        """A header with ``automatic_payout_id``, ``currency`` and ``net`` or ``gross``."""
        return {"automatic_payout_id", "currency"} <= names and bool({"net", "gross"} & names)
