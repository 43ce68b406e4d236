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
    "gocardless.payout_transactions": (
        "ecomrules.psp.gocardless.payout_transactions:PayoutTransactionsParser"
    ),
    "mollie.settlement_json": "ecomrules.psp.mollie.settlement_json:SettlementJsonParser",
    "trustly.funding": "ecomrules.psp.trustly.funding:FundingFileParser",
    "trustly.reconciliation": "ecomrules.psp.trustly.reconciliation:ReconciliationFileParser",
    "worldline.globalcollect_wx": "ecomrules.psp.worldline.wx:WxParser",
}
