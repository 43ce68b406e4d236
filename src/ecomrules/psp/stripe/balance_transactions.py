"""Stripe Dashboard balance transactions export (Balance, Export).

Title-case headers: ``id, Type, Source, Amount, Fee, Net, Currency,
Created (UTC), Available On (UTC), Description, Customer Facing Amount,
Customer Facing Currency, Transfer, Transfer Date (UTC)`` and metadata columns
named ``key (metadata)``. ``Amount`` is the gross; ``Transfer`` the payout the
row was paid out in; a payout row's own ``Source`` is its ``po_`` id.
"""

from __future__ import annotations

from ecomrules.psp.stripe._report import StripeReport

__all__ = ["BalanceTransactionsParser"]


class BalanceTransactionsParser(StripeReport):
    """``stripe.balance_transactions``: the Dashboard export, payouts included."""

    name = "stripe.balance_transactions"
    spec_url = "https://docs.stripe.com/reports/balance-transaction-types"

    def recognises(self, names: set[str]) -> bool:
        """``id``, ``amount``, ``net`` and ``currency``, without the report API's ids."""
        return {"id", "amount", "net", "currency"} <= names and not {
            "balance_transaction_id",
            "automatic_payout_id",
        } & names
