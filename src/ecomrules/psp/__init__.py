"""PSP settlement and payout report parsers (Stripe, PayPal, Adyen, ...).

``PARSERS`` is the table of built-in PSP parsers, name -> ``"module:Class"``,
imported lazily by :mod:`ecomrules.parsing.registry`.
"""

from collections.abc import Mapping

__all__ = ["PARSERS"]

PARSERS: Mapping[str, str] = {
    "adyen.payment_accounting": "ecomrules.psp.adyen.par:PaymentAccountingParser",
    "adyen.settlement_details": "ecomrules.psp.adyen.sdr:SettlementDetailsParser",
    "braintree.fee_report": "ecomrules.psp.braintree.fee_report:FeeReportParser",
    "braintree.graphql": "ecomrules.psp.braintree.graphql_export:GraphqlExportParser",
    "braintree.transaction_search": (
        "ecomrules.psp.braintree.transaction_search:TransactionSearchParser"
    ),
    "checkout_com.financial_actions": (
        "ecomrules.psp.checkout_com.financial_actions:FinancialActionsParser"
    ),
    "checkout_com.payouts": "ecomrules.psp.checkout_com.payouts:PayoutsReportParser",
    "dlocal.legacy_report": "ecomrules.psp.dlocal.legacy_report:LegacyReportParser",
    "dlocal.settlement_report": ("ecomrules.psp.dlocal.settlement_report:SettlementReportParser"),
    "gocardless.payout_transactions": (
        "ecomrules.psp.gocardless.payout_transactions:PayoutTransactionsParser"
    ),
    "mollie.settlement_json": "ecomrules.psp.mollie.settlement_json:SettlementJsonParser",
    "trustly.funding": "ecomrules.psp.trustly.funding:FundingFileParser",
    "trustly.reconciliation": "ecomrules.psp.trustly.reconciliation:ReconciliationFileParser",
    "worldline.globalcollect_wx": "ecomrules.psp.worldline.wx:WxParser",
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
