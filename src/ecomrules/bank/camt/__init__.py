"""ISO 20022 CAMT statements: camt.053 (statement), camt.054 (notification), camt.052 (report)."""

from ecomrules.bank.camt.parser import Camt052Parser, Camt053Parser, Camt054Parser, CamtParser

__all__ = ["Camt052Parser", "Camt053Parser", "Camt054Parser", "CamtParser"]
