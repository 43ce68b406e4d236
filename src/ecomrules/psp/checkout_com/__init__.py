"""Checkout.com reports: financial actions (settlement breakdown) and the payouts report.

See ``docs/formats/other-psps.md``.
"""
