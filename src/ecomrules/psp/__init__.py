"""PSP settlement and payout report parsers (Stripe, PayPal, Adyen, ...).

``PARSERS`` is the table of built-in PSP parsers, name -> ``"module:Class"``,
imported lazily by :mod:`ecomrules.parsing.registry`.
"""

from collections.abc import Mapping

__all__ = ["PARSERS"]

PARSERS: Mapping[str, str] = {}
