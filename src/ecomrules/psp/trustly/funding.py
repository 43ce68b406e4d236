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

from ecomrules.errors import ControlTotalError, MalformedRecordError, ParseError
from ecomrules.money import Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import LineKind, ParseResult, StatementLine
from ecomrules.parsing.source import clean_text, decode
from ecomrules.psp.report_result import AccountLine, assemble
from ecomrules.psp.trustly.records import Record, read_records, sniff_kind

__all__ = ["FundingFileParser", "item_kind", "trailer_check"]

SPEC_URL = "https://eu.developers.trustly.com/doc/docs/settlement-report"


def item_kind(record: Record) -> LineKind:
    """The kind of an item from its type (field 10) and direction (field 19)."""
    kind, direction = record.text(10).lower(), record.text(19).lower()
    if kind == "refund" or direction == "refund":
        return LineKind.REFUND
    if direction == "return":
        return LineKind.REVERSAL
    return LineKind.CHARGE


def trailer_check(
    record: Record, position: int, stated: Decimal, actual: Decimal, what: str, policy: ErrorPolicy
) -> None:
    """Report a trailer figure that does not match what the file's records add up to."""
    if stated != actual:
        policy.fail(
            ControlTotalError(
                f"trailer states {what} {stated}, the records give {actual}",
                location=record.location(position),
            ),
            "psp.trustly.trailer_mismatch",
        )


class FundingFileParser:
    """Parser for Trustly's ``P11KFUN`` settlement (funding) file."""

    name: ClassVar[str] = "trustly.funding"
    provider: ClassVar[str] = "Trustly"
    spec_url: ClassVar[str] = SPEC_URL

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES when the header record names a P11KFUN file."""
        return Confidence.YES if sniff_kind(head) == "P11KFUN" else Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse a funding file."""
        policy = ErrorPolicy(on_error)
        records = list(read_records(clean_text(decode(data, source)), source))
        if not records or records[0].kind != "H" or records[0].text(1) != "P11KFUN":
            raise MalformedRecordError(
                "not a Trustly P11KFUN file (no H,P11KFUN header)",
                location=SourceLocation(source, 1),
            )
        merchant = records[0].text(5) or None
        fingerprint = Fingerprinter(self.name)
        entries: list[AccountLine] = []
        items = Decimal(0)
        count = 0
        funded = Decimal(0)
        for record in records[1:]:
            try:
                if record.kind == "I":
                    line = _item(record, fingerprint)
                    items += line.gross.amount if line.gross else Decimal(0)
                    count += 1
                    entries.append((merchant, line))
                elif record.kind == "F":
                    line = _funding(record)
                    funded += -line.amount.amount
                    entries.append((merchant, line))
                elif record.kind == "L":
                    record.require(4)
                    stated_count = record.decimal(1)
                    trailer_check(
                        record, 1, stated_count or Decimal(0), Decimal(count), "item count", policy
                    )
                    trailer_check(
                        record, 2, record.decimal(2) or Decimal(0), items, "item total", policy
                    )
                    trailer_check(
                        record, 4, record.decimal(4) or Decimal(0), funded, "funding total", policy
                    )
                else:
                    raise MalformedRecordError(
                        f"unknown record type {record.kind!r}", location=record.location()
                    )
            except ParseError as exc:
                policy.fail(exc, "psp.trustly.malformed_record")
        return assemble(self.name, source, entries, policy)


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
