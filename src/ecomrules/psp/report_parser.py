"""The skeleton every PSP parser of a delimited report with a header row shares.

Such a parser is sniffed by a set of header cells, reads the report into a
:class:`~ecomrules.psp.report_rows.ReportTable`, checks the columns it needs,
turns each row into lines (a row it cannot read is reported under the
parser's ``malformed_row`` code, naming file, line and column), and hands
the lines to :func:`~ecomrules.psp.report_result.assemble` for the controls
(or, streaming, yields them one by one from
:meth:`HeaderReportParser.iter_lines`).
:class:`HeaderReportParser` does all of that once; a provider's module
declares its header signature, required columns and issue code, and gives
the per-row reading in :meth:`HeaderReportParser.row_reader`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import ClassVar

from ecomrules.outcome import Issue
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import ParseResult, StatementLine
from ecomrules.parsing.source import clean_text, decode
from ecomrules.psp.report_result import (
    AccountLine,
    assemble,
    checked_line,
    collect_lines,
    read_lines,
)
from ecomrules.psp.report_rows import ReportRow, ReportTable, header_cells

__all__ = ["HeaderReportParser", "ReportContext", "RowReader"]

RowReader = Callable[[ReportRow], Iterable[AccountLine]]
"""Turns one row into its lines (none when the row books nothing)."""


class ReportContext:
    """What the rows of one file are read with."""

    __slots__ = ("arrival", "fingerprint", "policy", "table")

    def __init__(self, table: ReportTable, policy: ErrorPolicy, fingerprint: Fingerprinter):
        self.table = table
        self.policy = policy
        self.fingerprint = fingerprint
        self.arrival: dict[str, date] = {}
        """Payout id -> arrival date, for reports that state it."""


class HeaderReportParser:
    """Base of the parsers of a delimited PSP report whose first row names the columns."""

    name: ClassVar[str]
    provider: ClassVar[str]
    spec_url: ClassVar[str]
    signature: ClassVar[frozenset[str]]
    """Header cells that together identify the report (``sniff`` says YES)."""
    required_columns: ClassVar[tuple[str, ...]]
    """Columns the header must have; the file is refused naming those it lacks."""
    malformed_row: ClassVar[str]
    """The issue code of a row that cannot be read."""
    delimiter: ClassVar[str] = ","

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES when the header has every cell of the report's signature."""
        if self.signature <= set(header_cells(head, self.delimiter)):
            return Confidence.YES
        return Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse the report: read every row, then check lines and payouts."""
        policy = ErrorPolicy(on_error)
        table = self.read_table(data, source)
        table.require_columns(self.required_columns)
        context = ReportContext(table, policy, Fingerprinter(self.name))
        read = self.row_reader(context)
        entries = collect_lines(table.rows(), read, policy, self.malformed_row)
        return assemble(self.name, source, entries, policy, arrival=context.arrival)

    def iter_lines(
        self,
        data: bytes,
        *,
        source: str,
        on_error: OnError = "raise",
        issues: list[Issue] | None = None,
        policy: ErrorPolicy | None = None,
    ) -> Iterator[StatementLine]:
        """Yield the lines one by one (streaming); row problems go to ``issues``
        (or to ``policy``, when given).

        Each line is padded and its ``gross - fee == net`` checked as it is
        read, as :meth:`parse` does; payout totals need every line and are
        checked by :meth:`parse` only.
        """
        policy = ErrorPolicy.of(on_error, issues, policy)
        table = self.read_table(data, source)
        table.require_columns(self.required_columns)
        read = self.row_reader(ReportContext(table, policy, Fingerprinter(self.name)))
        for _, line in read_lines(table.rows(), read, policy, self.malformed_row):
            yield checked_line(line, policy)

    def read_table(self, data: bytes, source: str) -> ReportTable:
        """The report's rows by header name (text decoded and cleaned)."""
        return ReportTable.from_text(
            clean_text(decode(data, source)), source, delimiter=self.delimiter
        )

    def row_reader(self, context: ReportContext) -> RowReader:
        """The function that turns one row of this file into lines."""
        raise NotImplementedError
