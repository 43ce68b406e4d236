"""OFX (Open Financial Exchange) bank and credit-card statements, 1.x SGML and 2.x XML."""

from ecomrules.bank.ofx.parser import OfxParser, read_ofx_datetime

__all__ = ["OfxParser", "read_ofx_datetime"]
