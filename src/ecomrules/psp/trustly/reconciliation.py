"""Trustly reconciliation file (``P11KREC``): the day's transactions, no funding.

``T`` records are transactions laid out like the funding file's items up to
field 12, then one time stamp fewer: 13 currency, 14 signed amount; they
become lines without a payout.
The ``L`` trailer states the record count (1) and the total (2), both checked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from ecomrules.errors import MalformedRecordError, ParseError
from ecomrules.money import Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import ParseResult, StatementLine
from ecomrules.parsing.source import clean_text, decode
from ecomrules.psp.report_result import AccountLine, assemble
from ecomrules.psp.trustly.funding import SPEC_URL, item_kind, trailer_check
from ecomrules.psp.trustly.records import read_records, sniff_kind

__all__ = ["ReconciliationFileParser"]


class ReconciliationFileParser:
    """Parser for Trustly's ``P11KREC`` reconciliation file."""

    name: ClassVar[str] = "trustly.reconciliation"
    provider: ClassVar[str] = "Trustly"
    spec_url: ClassVar[str] = SPEC_URL

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES when the header record names a P11KREC file."""
        return Confidence.YES if sniff_kind(head) == "P11KREC" else Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse a reconciliation file."""
        policy = ErrorPolicy(on_error)
        records = list(read_records(clean_text(decode(data, source)), source))
        if not records or records[0].kind != "H" or records[0].text(1) != "P11KREC":
            raise MalformedRecordError(
                "not a Trustly P11KREC file (no H,P11KREC header)",
                location=SourceLocation(source, 1),
            )
        merchant = records[0].text(5) or None
        fingerprint = Fingerprinter(self.name)
        entries: list[AccountLine] = []
        total = Decimal(0)
        for record in records[1:]:
            try:
                if record.kind == "T":
                    record.require(14)
                    currency = record.currency(13)
                    amount = record.decimal(14) or Decimal(0)
                    booked_at = record.instant(2)
                    total += amount
                    line = StatementLine(
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
                    entries.append((merchant, line))
                elif record.kind == "L":
                    record.require(2)
                    stated = record.decimal(1) or Decimal(0)
                    trailer_check(record, 1, stated, Decimal(len(entries)), "record count", policy)
                    trailer_check(
                        record, 2, record.decimal(2) or Decimal(0), total, "total", policy
                    )
                else:
                    raise MalformedRecordError(
                        f"unknown record type {record.kind!r}", location=record.location()
                    )
            except ParseError as exc:
                policy.fail(exc, "psp.trustly.malformed_record")
        return assemble(self.name, source, entries, policy)
