"""PayPal reports: the Settlement Report (STL), the Transaction Detail Report
(TRR) and the web Activity download in English, Spanish, French and German.

See ``docs/formats/paypal.md`` for the records, units, signs and kinds.
"""
