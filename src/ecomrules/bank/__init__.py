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
    "bank.mt940": "ecomrules.bank.mt940:Mt940Parser",
    "bank.mt942": "ecomrules.bank.mt940:Mt942Parser",
    "bank.cfonb120": "ecomrules.bank.cfonb120:Cfonb120Parser",
    "bank.bai2": "ecomrules.bank.bai2:Bai2Parser",
}
