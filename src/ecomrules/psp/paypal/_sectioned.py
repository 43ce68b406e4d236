"""The engine behind PayPal's sectioned SFTP reports (STL and TRR).

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
from ecomrules.outcome import Issue, SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.model import LineKind, ParseResult, Payout, Statement, StatementLine
from ecomrules.psp.paypal._body import BodyReader
from ecomrules.psp.paypal._conversions import ConversionPairs
from ecomrules.psp.paypal.body_columns import COLUMNS, RECORDS, REQUIRED
from ecomrules.psp.report_rows import Header, ReportInput, report_lines, rows_of

__all__ = ["SectionedReport"]

_FX_CONVERSION = LineKind.FX_CONVERSION


class SectionedReport:
    """Base of the STL and TRR parsers; subclasses say which ``CH`` header is theirs."""

    name: ClassVar[str]
    provider: ClassVar[str] = "paypal"
    spec_url: ClassVar[str]
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
                    return Confidence.YES if self.claims(names) else Confidence.NO
        except Exception:  # sniff never raises
            return Confidence.NO
        return Confidence.NO

    def claims(self, names: set[str]) -> bool:
        """Whether a ``CH`` header with these lower-case names is this report."""
        raise NotImplementedError

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse the whole report: lines per section and currency, withdrawals as payouts."""
        policy = ErrorPolicy(on_error)
        reader = _Reader(self.name, source, policy)
        with report_lines(data, source) as text:
            lines = list(reader.run(text))
            if (
                reader.conversions.held
            ):  # conversions came out after their other half: file order again
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
        payouts = tuple(
            sorted(
                (
                    Payout(id=line.id, amount=-line.amount, line_ids=(line.id,))
                    for line in lines
                    if line.kind is LineKind.PAYOUT
                ),
                key=lambda p: (p.id, p.currency.code),
            )
        )
        return ParseResult(self.name, source, tuple(statements), payouts, tuple(policy.issues))

    def iter_lines(
        self,
        data: ReportInput,
        *,
        source: str,
        on_error: OnError = "raise",
        issues: list[Issue] | None = None,
        policy: ErrorPolicy | None = None,
    ) -> Iterator[StatementLine]:
        """Yield the lines one by one; footers are checked as they come.

        ``data`` is the report's bytes, a path or a binary file; a path or a
        seekable file is read in chunks, so memory stays flat however long
        the report. A currency conversion row is held back until its other
        half is read, so both come out linked; lines are therefore not
        strictly in file order.
        """
        policy = ErrorPolicy.of(on_error, issues, policy)
        with report_lines(data, source) as text:
            yield from _Reader(self.name, source, policy).run(text)


def _line_number(line: StatementLine) -> int:
    return 0 if line.location is None or line.location.line is None else line.location.line


class _Reader(BodyReader):
    """One pass over one file: records dispatched by type, conversions linked."""

    def __init__(self, parser: str, source: str, policy: ErrorPolicy) -> None:
        super().__init__(parser, source, policy)
        self.conversions = ConversionPairs(policy)

    def run(self, text: Iterable[str]) -> Iterator[StatementLine]:
        """Read every record of ``text`` (physical lines); yield the lines of the bodies."""
        header: Header | None = None
        take: Callable[[list[str]], Any] = itemgetter(0)
        width = 0
        for line_no, fields, raw in rows_of(text):
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
                take = itemgetter(*(pos.get(name, width) + 1 for name in COLUMNS))
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
