"""The one base of every PSP parser of a CSV-like report.

Such a parser is sniffed by its header cells, reads the report into a
:class:`~ecomrules.psp.report_rows.ReportTable`, turns each row into lines (a
row it cannot read is reported through the
:class:`~ecomrules.parsing.base.ErrorPolicy`, naming file, line and column)
and hands the lines to :meth:`HeaderReportParser.result` for the controls
(or, streaming, yields them one by one from :meth:`HeaderReportParser.iter_lines`).
:class:`HeaderReportParser` does all of that once; a provider's module
declares its header signature, required columns and issue code, and gives the
per-row reading. Two row kits of :mod:`~ecomrules.psp.report_rows` serve it:

- rows by name (the default): :meth:`HeaderReportParser.row_reader` turns a
  :class:`~ecomrules.psp.report_rows.ReportRow` into its lines; any
  delimiter; the lines are padded to their currency's minor units and
  checked (``gross - fee == net``, payout totals) by
  :func:`~ecomrules.psp.report_result.assemble`.
- records (``records = True``), for million-row reports: each row is a
  ``(line, fields, raw)`` record of comma-delimited text, read from bytes, a
  path or a binary file in chunks; the parser resolves its columns to
  positions once per file (:class:`~ecomrules.psp.report_rows.Header`) and
  :meth:`HeaderReportParser.record_reader` turns a record into its line,
  checked as it is read. A report whose records are not all alike (PayPal's
  sectioned STL/TRR, where the first field says the record's kind, or the
  Activity download, read in two passes) gives its own
  :meth:`HeaderReportParser.lines` loop over the same records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from operator import itemgetter
from typing import ClassVar

from ecomrules.outcome import Issue
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import ParseResult, StatementLine
from ecomrules.parsing.source import clean_text, decode
from ecomrules.psp.report_result import AccountLine, assemble, checked_line, read_lines
from ecomrules.psp.report_rows import (
    ReportInput,
    ReportRow,
    ReportTable,
    header_cells,
    input_bytes,
    report_lines,
    rows_of,
)

__all__ = ["HeaderReportParser", "RecordReader", "ReportContext", "RowReader"]

RowReader = Callable[[ReportRow], Iterable[AccountLine]]
"""Turns one row into its lines (none when the row books nothing)."""

RecordReader = Callable[[int, list[str], str], StatementLine | None]
"""Turns one record (line number, fields, raw text) into its line, or ``None``
when the record books nothing or is reported to the policy."""

_LINE = itemgetter(1)


class ReportContext:
    """What the rows of one file are read with."""

    __slots__ = ("arrival", "fingerprint", "policy", "state", "table")

    def __init__(self, table: ReportTable, policy: ErrorPolicy, fingerprint: Fingerprinter):
        self.table = table
        self.policy = policy
        self.fingerprint = fingerprint
        self.arrival: dict[str, date] = {}
        """Payout id -> arrival date, for reports that state it."""
        self.state: object = None
        """What the parser keeps of the file for its result (its reader of the file)."""

    @property
    def source(self) -> str:
        """The file being read."""
        return self.table.source


class HeaderReportParser:
    """Base of the parsers of a CSV-like PSP report (columns named by a header row)."""

    name: ClassVar[str]
    provider: ClassVar[str]
    spec_url: ClassVar[str]
    signature: ClassVar[frozenset[str]] = frozenset()
    """Header cells that together identify the report (``sniff`` says YES)."""
    required_columns: ClassVar[tuple[str, ...]] = ()
    """Columns the header must have; the file is refused naming those it lacks."""
    malformed_row: ClassVar[str]
    """The issue code of a row that cannot be read (rows kit)."""
    delimiter: ClassVar[str] = ","
    records: ClassVar[bool] = False
    """Read the rows as records (the fast kit) with :meth:`record_reader` or
    :meth:`lines`, instead of by name with :meth:`row_reader`."""
    whole_file: ClassVar[bool] = False
    """The lines need the whole file (a first pass, pairs across the file):
    :meth:`iter_lines` gives those of :meth:`parse`."""
    empty_file: ClassVar[str] = "no header row"
    """The message of a file without a header row (records kit)."""

    # -- recognition ---------------------------------------------------------

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES when the first line's cells are this report's header (:meth:`claims`)."""
        if self.claims(header_cells(head, self.delimiter)):
            return Confidence.YES
        return Confidence.NO

    def claims(self, cells: list[str]) -> bool:
        """Whether a header with these (stripped) cells is this report: it has the signature."""
        return self.signature <= set(cells)

    # -- parsing -------------------------------------------------------------

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse the report: read every row, then check lines and payouts."""
        policy = ErrorPolicy(on_error)
        with self.open_table(data, source) as table:
            context = ReportContext(table, policy, Fingerprinter(self.name))
            if self.records:
                lines = list(self.lines(context))
            else:
                entries = list(self.entries(context))
        if self.records:
            return self.records_result(context, lines)
        return self.result(context, entries)

    def iter_lines(
        self,
        data: ReportInput,
        *,
        source: str,
        on_error: OnError = "raise",
        issues: list[Issue] | None = None,
        policy: ErrorPolicy | None = None,
    ) -> Iterator[StatementLine]:
        """The lines one by one (streaming); row problems go to ``issues``
        (or to ``policy``, when given).

        ``data`` is the report's bytes, a path or a binary file (the records
        kit reads a path or a seekable file in chunks, so memory stays flat
        however long the report). Each line is checked as it is read, as
        :meth:`parse` does; payout totals need every line and are checked by
        :meth:`parse` only. A report read whole (:attr:`whole_file`) gives the
        lines of :meth:`parse`.
        """
        policy = ErrorPolicy.of(on_error, issues, policy)
        if self.whole_file:
            result = self.parse(input_bytes(data, source), source=source, on_error=policy.on_error)
            policy.issues.extend(result.issues)
            return iter(result.lines)
        return self._stream(data, source, policy)

    def _stream(
        self, data: ReportInput, source: str, policy: ErrorPolicy
    ) -> Iterator[StatementLine]:
        with self.open_table(data, source) as table:
            yield from self.lines(ReportContext(table, policy, Fingerprinter(self.name)))

    @contextmanager
    def open_table(self, data: ReportInput, source: str) -> Iterator[ReportTable]:
        """The report's table, open while its rows are read."""
        if not self.records:
            yield self.read_table(input_bytes(data, source), source)
            return
        with report_lines(data, source) as lines:
            yield self.records_table(rows_of(lines), source)

    def read_table(self, data: bytes, source: str) -> ReportTable:
        """The report's rows by header name (text decoded and cleaned; rows kit)."""
        return ReportTable.from_text(
            clean_text(decode(data, source)), source, delimiter=self.delimiter
        )

    def records_table(
        self, records: Iterator[tuple[int, list[str], str]], source: str
    ) -> ReportTable:
        """The table of the report's records, its first one the header (records kit)."""
        return ReportTable.from_records(records, source, empty=self.empty_file)

    def entries(self, context: ReportContext) -> Iterator[AccountLine]:
        """The lines of every row with their account, as :meth:`result` takes them (rows kit)."""
        context.table.require_columns(self.required_columns)
        read = self.row_reader(context)
        return read_lines(context.table.rows(), read, context.policy, self.malformed_row)

    def lines(self, context: ReportContext) -> Iterator[StatementLine]:
        """Every line, checked as it is read (what :meth:`iter_lines` yields)."""
        if self.records:
            return _read_records(context.table, self.record_reader(context))
        policy = context.policy
        return (checked_line(line, policy) for line in map(_LINE, self.entries(context)))

    def result(self, context: ReportContext, entries: Sequence[AccountLine]) -> ParseResult:
        """The parse of the file: each line padded and checked, payouts built and checked,
        one statement per account and currency."""
        return assemble(self.name, context.source, entries, context.policy, arrival=context.arrival)

    def records_result(self, context: ReportContext, lines: list[StatementLine]) -> ParseResult:
        """The parse of the file from its lines (records kit): payouts built and checked,
        one statement per currency, every line of no named account.

        A line of the records kit was checked as it was read and is taken as
        it is (not padded). A parser whose report states more (sections,
        balances, conversions) gives its own.
        """
        entries = [(None, line) for line in lines]
        return assemble(
            self.name,
            context.source,
            entries,
            context.policy,
            arrival=context.arrival,
            checked=True,
        )

    def row_reader(self, context: ReportContext) -> RowReader:
        """The function that turns one row of this file into lines (rows kit)."""
        raise NotImplementedError

    def record_reader(self, context: ReportContext) -> RecordReader:
        """The function that turns one record of this file into its line (records kit)."""
        raise NotImplementedError


def _read_records(table: ReportTable, read: RecordReader) -> Iterator[StatementLine]:
    for line_no, fields, raw in table.records():
        line = read(line_no, fields, raw)
        if line is not None:
            yield line
