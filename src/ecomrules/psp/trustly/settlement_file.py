"""What both Trustly settlement files share: header check, record loop, trailer check.

A P11K file opens with an ``H`` record naming its kind (``P11KFUN``,
``P11KREC``) and the merchant (field 5); every later record is read by the
file kind's :class:`SettlementRecords`, and a record it cannot read is
reported as ``psp.trustly.malformed_record``. The ``L`` trailer's figures are
checked against what the records add up to.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from ecomrules.errors import ControlTotalError, MalformedRecordError
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError, WholeFileLines
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import ParseResult, StatementLine
from ecomrules.parsing.source import clean_text, decode
from ecomrules.psp.report_result import AccountLine, assemble, collect_lines
from ecomrules.psp.trustly.records import Record, read_records, sniff_kind

__all__ = ["SPEC_URL", "SettlementFileParser", "SettlementRecords"]

SPEC_URL = "https://eu.developers.trustly.com/doc/docs/settlement-report"


class SettlementRecords:
    """Reads the records after the header of one file, keeping what its trailer states.

    A subclass turns the record types that are lines into lines
    (:meth:`line`, refusing any other type with :meth:`unknown`) and checks
    the ``L`` trailer's figures (:meth:`check_trailer`, with :meth:`check`).
    """

    def __init__(
        self, merchant: str | None, fingerprint: Fingerprinter, policy: ErrorPolicy
    ) -> None:
        self.merchant = merchant
        self.fingerprint = fingerprint
        self.policy = policy

    def __call__(self, record: Record) -> tuple[AccountLine, ...]:
        if record.kind == "L":
            self.check_trailer(record)
            return ()
        return ((self.merchant, self.line(record)),)

    def line(self, record: Record) -> StatementLine:
        """The line of a record that is not the trailer."""
        raise NotImplementedError

    def check_trailer(self, record: Record) -> None:
        """Check the trailer's figures against the records read."""
        raise NotImplementedError

    def check(self, record: Record, position: int, actual: Decimal, what: str) -> None:
        """Report trailer field ``position`` when it is not what the records add up to."""
        stated = record.decimal(position) or Decimal(0)
        if stated != actual:
            self.policy.fail(
                ControlTotalError(
                    f"trailer states {what} {stated}, the records give {actual}",
                    location=record.location(position),
                ),
                "psp.trustly.trailer_mismatch",
            )

    @staticmethod
    def unknown(record: Record) -> MalformedRecordError:
        """The error for a record of a type the file does not hold."""
        return MalformedRecordError(
            f"unknown record type {record.kind!r}", location=record.location()
        )


class SettlementFileParser(WholeFileLines):
    """Base of the parsers of Trustly's P11K settlement files."""

    name: ClassVar[str]
    provider: ClassVar[str] = "Trustly"
    spec_url: ClassVar[str] = SPEC_URL
    file_kind: ClassVar[str]
    """The kind the header record names (``P11KFUN``, ``P11KREC``)."""
    records: ClassVar[type[SettlementRecords]]
    """What reads the records after the header."""

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES when the header record names this parser's file kind."""
        return Confidence.YES if sniff_kind(head) == self.file_kind else Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse the file: check its header, read every record, then check lines and payouts."""
        policy = ErrorPolicy(on_error)
        records = list(read_records(clean_text(decode(data, source)), source))
        if not records or records[0].kind != "H" or records[0].text(1) != self.file_kind:
            raise MalformedRecordError(
                f"not a Trustly {self.file_kind} file (no H,{self.file_kind} header)",
                location=SourceLocation(source, 1),
            )
        merchant = records[0].text(5) or None
        read = self.records(merchant, Fingerprinter(self.name), policy)
        entries = collect_lines(records[1:], read, policy, "psp.trustly.malformed_record")
        return assemble(self.name, source, entries, policy)
