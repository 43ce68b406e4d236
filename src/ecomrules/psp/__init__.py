"""PSP settlement and payout report parsers (Stripe, PayPal, Adyen, ...).

``PARSERS`` is the table of built-in PSP parsers, name -> ``"module:Class"``,
imported lazily by :mod:`ecomrules.parsing.registry`.
"""

from collections.abc import Mapping

__all__ = ["PARSERS"]

PARSERS: Mapping[str, str] = {
    # Stripe and PayPal
    "stripe.payout_reconciliation": (
        "ecomrules.psp.stripe.payout_reconciliation:PayoutReconciliationParser"
    ),
    "stripe.balance_change": "ecomrules.psp.stripe.balance_change:BalanceChangeParser",
    "stripe.balance_transactions": (
        "ecomrules.psp.stripe.balance_transactions:BalanceTransactionsParser"
    ),
    "paypal.settlement": "ecomrules.psp.paypal.settlement:SettlementReportParser",
    "paypal.transaction_detail": (
        "ecomrules.psp.paypal.transaction_detail:TransactionDetailParser"
    ),
    "paypal.activity": "ecomrules.psp.paypal.activity:ActivityParser",
}
