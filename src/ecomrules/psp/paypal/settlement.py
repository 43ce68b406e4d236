"""PayPal Settlement Report (STL, ``STL-yyyymmdd.NN.VVV.csv``).

A daily statement of every transaction that moved the balance, sectioned per
settlement day, with per-currency footers stating credits, debits and the
beginning and ending balances. Recognised by its ``CH`` record: the common
transaction columns without TRR's ``Transactional Status``.
"""

from __future__ import annotations

from ecomrules.psp.paypal._sectioned import SectionedReport

__all__ = ["SettlementReportParser"]


class SettlementReportParser(SectionedReport):
    """``paypal.settlement``: STL files."""

    name = "paypal.settlement"
    spec_url = "https://developer.paypal.com/docs/reports/sftp-reports/settlement-report/"
    prefix = "STL"

    def recognises(self, names: set[str]) -> bool:
        """Transaction columns and no ``Transactional Status``."""
        return {
            "transaction id",
            "transaction event code",
            "gross transaction amount",
        } <= names and "transactional status" not in names
