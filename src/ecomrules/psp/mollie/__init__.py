"""Mollie settlements. Mollie's MT940 export is read by the bank parsers.

See ``docs/formats/other-psps.md``.
"""
