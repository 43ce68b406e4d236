"""PayPal's sectioned SFTP reports (STL and TRR): the sectioned envelope over the records kit.

Every record starts with its type: ``RH`` report header, ``FH`` file header,
``SH`` section header, ``CH`` the column names of the following ``SB`` section
bodies, ``SF`` section footer (per currency), ``SC`` section count, ``RF``
report footer (per currency), ``RC`` report count, ``FF`` file footer.
Columns are read by the names of the ``CH`` record, never by the report type.
Amounts are unsigned counts of minor units with two implied decimals for every
currency, signed by the ``CR``/``DR`` flag beside them.

The footers are checked: gross and fee credits and debits per currency, the
beginning and ending balance (beginning + credits - debits = ending), and the
record counts.

:class:`SectionedReport` is a
:class:`~ecomrules.psp.report_parser.HeaderReportParser` on the records kit of
:mod:`~ecomrules.psp.report_rows`: the file's records are read as every
tabular report's are, and its :meth:`~SectionedReport.lines` loop dispatches
each record by its type (the first field), a ``CH`` record resolving the
columns of the following ``SB`` records with the kit's
:class:`~ecomrules.psp.report_rows.Header`. A bad record goes to the
:class:`~ecomrules.parsing.base.ErrorPolicy` naming file, line and column.

The modules behind it: :mod:`~ecomrules.psp.paypal._envelope` (headers,
footers and their checks), :mod:`~ecomrules.psp.paypal._body` (a body record
into a line), :mod:`~ecomrules.psp.paypal._conversions` (the two halves of a
currency conversion, linked).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import Any, ClassVar

from ecomrules.errors import MalformedRecordError
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy
from ecomrules.parsing.model import LineKind, ParseResult, Statement, StatementLine
from ecomrules.psp.controls import own_payouts
from ecomrules.psp.paypal._body import BodyReader
from ecomrules.psp.paypal._conversions import ConversionPairs
from ecomrules.psp.paypal.body_columns import COLUMNS, RECORDS, REQUIRED
from ecomrules.psp.report_parser import HeaderReportParser, ReportContext
from ecomrules.psp.report_rows import Header, ReportTable, field_getter

__all__ = ["SectionedReport"]

_FX_CONVERSION = LineKind.FX_CONVERSION


class SectionedReport(HeaderReportParser):
    """Base of the STL and TRR parsers; subclasses say which ``CH`` header is theirs."""

    provider: ClassVar[str] = "paypal"
    records = True
    prefix: ClassVar[str]
    """The file-name prefix (``STL``, ``TRR``), a hint only."""

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES when a ``CH`` record is found among the first lines and is this report's."""
        try:
            text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
            for raw in text.splitlines()[:12]:
                record = raw.split(",", 1)[0].strip().strip('"')
                if record == "CH":
                    names = {n.strip().strip('"').lower() for n in raw.split(",")}
                    names = {" ".join(n.split()) for n in names}
                    return Confidence.YES if self.recognises(names) else Confidence.NO
        except Exception:  # sniff never raises
            return Confidence.NO
        return Confidence.NO

    def recognises(self, names: set[str]) -> bool:
        """Whether a ``CH`` header with these lower-case names is this report."""
        raise NotImplementedError

    def records_table(
        self, records: Iterator[tuple[int, list[str], str]], source: str
    ) -> ReportTable:
        """Every record of the file: the column headers are ``CH`` records among them."""
        return ReportTable.from_records(records, source, header=())

    def lines(self, context: ReportContext) -> Iterator[StatementLine]:
        """The lines of the bodies; headers and footers checked as they come.

        A currency conversion row is held back until its other half is read,
        so both come out linked; lines are therefore not strictly in file
        order (:meth:`records_result` puts them back in it).
        """
        reader = context.state = _Reader(self.name, context.source, context.policy)
        return reader.run(context.table.records())

    def records_result(self, context: ReportContext, lines: list[StatementLine]) -> ParseResult:
        """Lines per section and currency with the footers' balances, withdrawals as payouts."""
        reader = context.state
        if not isinstance(reader, _Reader):
            raise TypeError("records_result() takes the context lines() read")
        if reader.conversions.held:  # conversions came out after their other half: file order
            lines.sort(key=_line_number)
        # Keyed by the currency's code: a str hashes in C, a Currency in Python.
        buckets: dict[tuple[int, str], list[StatementLine]] = {}
        starts = reader.section_starts
        for line in lines:
            section = bisect_right(starts, _line_number(line))
            key = (section, line.amount.currency.code)
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = []
            bucket.append(line)
        statements = []
        for (section, _), members in sorted(buckets.items(), key=lambda kv: kv[0]):
            currency = members[0].currency
            opening, closing = reader.balances.get((section, currency), (None, None))
            start, end = reader.section_dates.get(section, (None, None))
            statements.append(
                Statement(
                    account=reader.account,
                    currency=currency,
                    lines=tuple(members),
                    id=f"section-{section}",
                    opening_balance=opening,
                    closing_balance=closing,
                    opening_date=start,
                    closing_date=end,
                )
            )
        payouts = own_payouts(lines)
        policy = context.policy
        return ParseResult(
            self.name, context.source, tuple(statements), payouts, tuple(policy.issues)
        )


def _line_number(line: StatementLine) -> int:
    return 0 if line.location is None or line.location.line is None else line.location.line


class _Reader(BodyReader):
    """One pass over one file: records dispatched by type, conversions linked."""

    def __init__(self, parser: str, source: str, policy: ErrorPolicy) -> None:
        super().__init__(parser, source, policy)
        self.conversions = ConversionPairs(policy)

    def run(self, records: Iterable[tuple[int, list[str], str]]) -> Iterator[StatementLine]:
        """Read every record; yield the lines of the bodies."""
        header: Header | None = None
        take: Callable[[list[str]], Any] = itemgetter(0)
        width = 0
        for line_no, fields, raw in records:
            record = fields[0]
            if record != "SB" and record != "CH":
                record = record.strip().lstrip("\ufeff")
            if record == "SB":
                if header is None:
                    self.policy.fail(
                        MalformedRecordError(
                            "section body (SB) before any column header (CH)",
                            location=self.location(line_no),
                        ),
                        "psp.paypal.record_order",
                    )
                    continue
                line = self.body(line_no, fields, raw, take, width)
                if line is not None:
                    if line.kind is _FX_CONVERSION:
                        yield from self.conversions.link(line)
                    else:
                        yield line
            elif record == "CH":
                header = Header(fields[1:])
                pos = header.lookup(COLUMNS)
                missing = [name for name in REQUIRED if name not in pos]
                if missing:
                    raise MalformedRecordError(
                        "the column header lacks "
                        + ", ".join(repr(COLUMNS[name][0]) for name in missing),
                        location=self.location(line_no),
                    )
                width = len(header.names)
                # Positions in the SB record (after its type); absent ones read the sentinel.
                take = field_getter(COLUMNS, pos, width, offset=1)
            elif record in RECORDS:
                self.control(record, line_no, fields)
            else:
                self.policy.fail(
                    MalformedRecordError(
                        f"unknown record type {record[:20]!r}", location=self.location(line_no)
                    ),
                    "psp.paypal.record_unknown",
                )
        if header is None:
            raise MalformedRecordError(
                "no column header (CH) record: not a PayPal report", location=self.location(1)
            )
        self.close_section(None)
        if not self.footers_seen:
            self.policy.info(
                "psp.paypal.footer_absent",
                "no footer records: totals not checked",
                SourceLocation(self.source),
            )
        yield from self.conversions.unpaired()
