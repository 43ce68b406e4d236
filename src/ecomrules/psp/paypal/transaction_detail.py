"""PayPal Transaction Detail Report (TRR, ``TRR-yyyymmdd.NN.VVV.csv``).

Every transaction of the day with its status, buyer and shipping details, in
the same sectioned envelope as the STL. Recognised by a ``CH`` record with the
transaction columns and ``Transactional Status``.
"""

from __future__ import annotations

from ecomrules.psp.paypal._sectioned import SectionedReport

__all__ = ["TransactionDetailParser"]


class TransactionDetailParser(SectionedReport):
    """``paypal.transaction_detail``: TRR files."""

    name = "paypal.transaction_detail"
    spec_url = "https://developer.paypal.com/docs/reports/sftp-reports/transaction-detail-report/"
    prefix = "TRR"

    def recognises(self, names: set[str]) -> bool:
        """Transaction columns with ``Transactional Status``."""
        return {
            "transaction id",
            "transaction event code",
            "gross transaction amount",
            "transactional status",
        } <= names
