"""Trustly funding file (``P11KFUN``): items paid out in one funding transfer.

``I`` records are the items: field 14 currency, 15 signed amount (major
units), 16 the funding reference the item is paid out under, 10 the type
(``Capture``/``Refund``), 11 the status, 19 the direction (``Sale``,
``Return``, ``Refund``), 22 the fee or adjustment (signed, negative charged).
The item's net is amount + fee field. ``F`` records are the funding
transfers (field 3 the funding reference, 4 currency, 5 amount): each becomes
a ``payout`` line, checked against its items. The ``L`` trailer states the
item count (1), the item total (2) and the funding total (4); each is checked.
Field positions were read from real files, not from a published spec.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from ecomrules.money import Money
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import LineKind, StatementLine
from ecomrules.psp.trustly.records import Record
from ecomrules.psp.trustly.settlement_file import SettlementFileParser, SettlementRecords

__all__ = ["FundingFileParser", "item_kind"]


def item_kind(record: Record) -> LineKind:
    """The kind of an item from its type (field 10) and direction (field 19)."""
    kind, direction = record.text(10).lower(), record.text(19).lower()
    if kind == "refund" or direction == "refund":
        return LineKind.REFUND
    if direction == "return":
        return LineKind.REVERSAL
    return LineKind.CHARGE


class _FundingRecords(SettlementRecords):
    """Items and funding transfers, with the totals the trailer states."""

    def __init__(
        self, merchant: str | None, fingerprint: Fingerprinter, policy: ErrorPolicy
    ) -> None:
        super().__init__(merchant, fingerprint, policy)
        self.items = Decimal(0)
        self.count = 0
        self.funded = Decimal(0)

    def line(self, record: Record) -> StatementLine:
        """An item (``I``) or a funding transfer (``F``)."""
        if record.kind == "I":
            line = _item(record, self.fingerprint)
            self.items += line.gross.amount if line.gross else Decimal(0)
            self.count += 1
            return line
        if record.kind == "F":
            line = _funding(record)
            self.funded += -line.amount.amount
            return line
        raise self.unknown(record)

    def check_trailer(self, record: Record) -> None:
        """The item count (1), item total (2) and funding total (4)."""
        record.require(4)
        self.check(record, 1, Decimal(self.count), "item count")
        self.check(record, 2, self.items, "item total")
        self.check(record, 4, self.funded, "funding total")


class FundingFileParser(SettlementFileParser):
    """Parser for Trustly's ``P11KFUN`` settlement (funding) file."""

    name: ClassVar[str] = "trustly.funding"
    file_kind: ClassVar[str] = "P11KFUN"
    records: ClassVar[type[SettlementRecords]] = _FundingRecords


def _item(record: Record, fingerprint: Fingerprinter) -> StatementLine:
    record.require(22)
    currency = record.currency(14)
    gross = record.decimal(15) or Decimal(0)
    adjustment = record.decimal(22, required=False) or Decimal(0)
    booked_at = record.instant(2)
    funding = record.text(16)
    status = record.text(11)
    return StatementLine(
        id=fingerprint(*record.fields[1:]),
        kind=item_kind(record),
        booked_on=booked_at.date(),
        booked_at=booked_at,
        amount=Money(gross + adjustment, currency),
        gross=Money(gross, currency),
        fee=Money(-adjustment, currency),
        label=f"{record.text(10)} {record.text(19)} {status}".strip(),
        references=tuple(r for r in (record.text(9),) if r),
        payout_id=funding or None,
        transaction_id=record.text(1) or None,
        related_id=record.text(21) or None,
        metadata={
            k: v
            for k, v in {
                "order_id": record.text(3),
                "status": status,
                "code": record.text(17),
                "direction": record.text(19),
            }.items()
            if v
        },
        raw=record.raw,
        location=record.location(),
    )


def _funding(record: Record) -> StatementLine:
    record.require(7)
    currency = record.currency(4)
    amount = record.decimal(5) or Decimal(0)
    booked_at = record.instant(7)
    reference = record.text(3)
    return StatementLine(
        id=f"funding:{reference}:{currency.code}:{record.line}",
        kind=LineKind.PAYOUT,
        booked_on=booked_at.date(),
        booked_at=booked_at,
        amount=Money(-amount, currency),
        label=f"Funding {record.text(1)}".strip(),
        payout_id=reference or None,
        metadata={"name": record.text(1)} if record.text(1) else {},
        raw=record.raw,
        location=record.location(),
    )
