"""Trustly reconciliation file (``P11KREC``): the day's transactions, no funding.

``T`` records are transactions laid out like the funding file's items up to
field 12, then one time stamp fewer: 13 currency, 14 signed amount; they
become lines without a payout.
The ``L`` trailer states the record count (1) and the total (2), both checked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from ecomrules.money import Money
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import StatementLine
from ecomrules.psp.trustly.funding import item_kind
from ecomrules.psp.trustly.records import Record
from ecomrules.psp.trustly.settlement_file import SettlementFileParser, SettlementRecords

__all__ = ["ReconciliationFileParser"]


class _ReconciliationRecords(SettlementRecords):
    """Transactions, with the count and total the trailer states."""

    def __init__(
        self, merchant: str | None, fingerprint: Fingerprinter, policy: ErrorPolicy
    ) -> None:
        super().__init__(merchant, fingerprint, policy)
        self.count = 0
        self.total = Decimal(0)

    def line(self, record: Record) -> StatementLine:
        """A transaction (``T``)."""
        if record.kind != "T":
            raise self.unknown(record)
        line = _transaction(record, self.fingerprint)
        self.total += line.amount.amount
        self.count += 1
        return line

    def check_trailer(self, record: Record) -> None:
        """The record count (1) and total (2)."""
        record.require(2)
        self.check(record, 1, Decimal(self.count), "record count")
        self.check(record, 2, self.total, "total")


class ReconciliationFileParser(SettlementFileParser):
    """Parser for Trustly's ``P11KREC`` reconciliation file."""

    name: ClassVar[str] = "trustly.reconciliation"
    file_kind: ClassVar[str] = "P11KREC"
    records: ClassVar[type[SettlementRecords]] = _ReconciliationRecords


def _transaction(record: Record, fingerprint: Fingerprinter) -> StatementLine:
    record.require(14)
    currency = record.currency(13)
    amount = record.decimal(14) or Decimal(0)
    booked_at = record.instant(2)
    return StatementLine(
        id=fingerprint(*record.fields[1:]),
        kind=item_kind(record),
        booked_on=booked_at.date(),
        booked_at=booked_at,
        amount=Money(amount, currency),
        label=f"{record.text(10)} {record.text(11)}".strip(),
        references=tuple(r for r in (record.text(9),) if r),
        transaction_id=record.text(1) or None,
        related_id=record.text(len(record.fields) - 1) or None,
        metadata={"status": record.text(11)} if record.text(11) else {},
        raw=record.raw,
        location=record.location(),
    )
