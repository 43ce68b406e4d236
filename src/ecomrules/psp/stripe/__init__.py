"""Stripe reports: itemized payout reconciliation, balance change from activity,
and the Dashboard's balance transactions export.

See ``docs/formats/stripe.md`` for the columns read, signs and kinds.
"""
