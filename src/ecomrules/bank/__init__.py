"""Bank statement parsers (CAMT, MT940, CFONB 120, OFX, BAI2, CSV).

``PARSERS`` is the table of built-in bank parsers, name -> ``"module:Class"``,
imported lazily by :mod:`ecomrules.parsing.registry`.
"""

from collections.abc import Mapping

__all__ = ["PARSERS"]

PARSERS: Mapping[str, str] = {
    "bank.camt052": "ecomrules.bank.camt:Camt052Parser",
    "bank.camt053": "ecomrules.bank.camt:Camt053Parser",
    "bank.camt054": "ecomrules.bank.camt:Camt054Parser",
    "bank.csv": "ecomrules.bank.csv:CsvParser",
    "bank.ofx": "ecomrules.bank.ofx:OfxParser",
}
