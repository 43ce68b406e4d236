"""What both Trustly settlement files share: the header check, the record loop, the trailer check.

A P11K file opens with an ``H`` record naming its kind (``P11KFUN``,
``P11KREC``) and the merchant (field 5); every later record is read by the
file kind's own record reader, and a record it cannot read is reported as
``psp.trustly.malformed_record``. The ``L`` trailer's figures are checked
with :func:`trailer_check`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import ClassVar

from ecomrules.errors import ControlTotalError, MalformedRecordError
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import ParseResult
from ecomrules.parsing.source import clean_text, decode
from ecomrules.psp.report_result import AccountLine, assemble, collect_lines
from ecomrules.psp.trustly.records import Record, read_records, sniff_kind

__all__ = ["SPEC_URL", "RecordReader", "SettlementFileParser", "trailer_check"]

SPEC_URL = "https://eu.developers.trustly.com/doc/docs/settlement-report"

RecordReader = Callable[[Record], Iterable[AccountLine]]
"""Turns one record after the header into its lines (none for a trailer)."""


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


class SettlementFileParser:
    """Base of the parsers of Trustly's P11K settlement files."""

    name: ClassVar[str]
    provider: ClassVar[str] = "Trustly"
    spec_url: ClassVar[str] = SPEC_URL
    file_kind: ClassVar[str]
    """The kind the header record names (``P11KFUN``, ``P11KREC``)."""

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
        read = self.record_reader(merchant, Fingerprinter(self.name), policy)
        entries = collect_lines(records[1:], read, policy, "psp.trustly.malformed_record")
        return assemble(self.name, source, entries, policy)

    def record_reader(
        self, merchant: str | None, fingerprint: Fingerprinter, policy: ErrorPolicy
    ) -> RecordReader:
        """The function that turns one record of this file into lines."""
        raise NotImplementedError
