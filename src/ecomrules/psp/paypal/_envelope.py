"""The envelope of PayPal's sectioned reports: headers, footers and their checks.

``RH`` report header, ``FH`` file header, ``SH`` section header (a settlement
day), ``SF``/``RF`` section and report footers per currency, ``SC``/``RC``/``FF``
counts of body records. In a TRR the ``SF``/``RF`` footers are counts of body
records too (one number, no currency), checked as such. A footer states, in
minor units: gross credits, gross debits, fee credits, fee debits, then
``CR``/``DR`` and amount for the beginning and ending balance (then available
and payable balances and a count, not checked). Every stated figure is checked
against the body records read.
"""

from __future__ import annotations

from datetime import date, datetime

from ecomrules.decimals import parse_minor_units
from ecomrules.errors import ControlTotalError, MalformedRecordError, UnknownCurrencyError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.psp.report_rows import bad_field

__all__ = ["Envelope", "Totals", "totals_of"]


class Totals:
    """Credits and debits of gross and fee, in minor units, for one currency."""

    __slots__ = ("fee_cr", "fee_dr", "gross_cr", "gross_dr")

    def __init__(self) -> None:
        self.gross_cr = self.gross_dr = self.fee_cr = self.fee_dr = 0


class Envelope:
    """The state of one file's envelope: section, account, totals, counts, balances."""

    def __init__(self, source: str, policy: ErrorPolicy) -> None:
        self.source = source
        self.policy = policy
        self.currencies: dict[str, Currency] = {}
        self.account: str | None = None
        self.section = 0
        self.section_starts: list[int] = []
        self.section_dates: dict[int, tuple[date | None, date | None]] = {}
        self.balances: dict[tuple[int, Currency], tuple[Money, Money]] = {}
        self.section_totals: dict[str, Totals] = {}
        """Totals of the open section's body records, by currency as written."""
        self.closed_totals: dict[str, Totals] = {}
        """Totals of the sections closed so far (the report's are these and the open one's)."""
        self.section_footers: set[str] = set()
        self.footers_seen = False
        self.file_rows = 0
        """Body records read so far (the report's and the file's count)."""
        self.section_start = 0
        """``file_rows`` when the open section began."""

    def location(self, line: int, column: str | None = None) -> SourceLocation:
        """``source:line[:column]``."""
        return SourceLocation(self.source, line, column)

    def fail(self, message: str, line: int, column: str, value: str, code: str) -> None:
        self.policy.fail(
            bad_field(message, path=self.source, line=line, column=column, value=value), code
        )

    def currency(self, code: str, line_no: int, column: str) -> Currency | None:
        currency = self.currencies.get(code)
        if currency is None:
            try:
                currency = Currency.of(code)
            except UnknownCurrencyError:
                self.fail(
                    f"{code!r} is not a currency", line_no, column, code, "psp.paypal.currency"
                )
                return None
            self.currencies[code] = currency
        return currency

    def instant(self, text: str) -> datetime:
        """``2026/01/06 03:57:02 -0800`` as an aware datetime."""
        if (
            len(text) == 25
            and text[4] == "/"
            and text[7] == "/"
            and text[10] == " "
            and text[19] == " "
            and text[20] in "+-"
            and text[21:].isdigit()
            and text[:4].isdigit()
        ):
            try:
                return datetime.fromisoformat(
                    f"{text[:4]}-{text[5:7]}-{text[8:10]}T{text[11:19]}{text[20:]}"
                )
            except ValueError:
                pass
        raise ValueError(f"{text!r} is not a date and time (YYYY/MM/DD HH:MM:SS +HHMM)")

    # -- headers and footers -----------------------------------------------

    def control(self, record: str, line_no: int, fields: list[str]) -> None:
        values = [v.strip() for v in fields[1:]]
        if record == "SH":
            self.close_section(line_no)
            self.section += 1
            self.section_starts.append(line_no)
            self.account = (values[2] if len(values) > 2 else "") or self.account
            try:
                start = self.instant(values[0]).date() if values else None
                end = self.instant(values[1]).date() if len(values) > 1 else None
            except ValueError:
                start = end = None
            self.section_dates[self.section] = (start, end)
        elif record == "RH":
            self.account = (values[2] if len(values) > 2 else "") or self.account
        elif record in ("SF", "RF") and values and values[0].isascii() and values[0].isdigit():
            # The TRR's footers: the section's (report's) count of body records.
            self.footers_seen = True
            self.count(record, line_no, values)
        elif record in ("SF", "RF"):
            self.footers_seen = True
            scope = self.section_totals if record == "SF" else self.report_totals()
            self.footer(record, line_no, values, scope)
        elif record in ("SC", "RC", "FF"):
            self.footers_seen = True
            self.count(record, line_no, values)
            if record == "SC":
                self.close_section(line_no)

    def count(self, record: str, line_no: int, values: list[str]) -> None:
        """Check a record that states a count of body records (section, report or file)."""
        counted = self.file_rows - self.section_start if record in ("SC", "SF") else self.file_rows
        stated = values[0] if values else ""
        if (
            not (stated.isascii() and stated.isdigit() and len(stated) <= 18)
            or int(stated) != counted
        ):
            self.policy.fail(
                ControlTotalError(
                    f"{record} states {stated!r} body records, the file has {counted}",
                    location=self.location(line_no),
                ),
                "psp.paypal.count_mismatch",
            )

    def close_section(self, line_no: int | None) -> None:
        """At a section's end: every currency with rows should have had its footer."""
        if self.section_footers:
            missing = sorted(set(self.section_totals) - self.section_footers)
            for code in missing:
                self.policy.warn(
                    "psp.paypal.footer_missing",
                    f"section {self.section} has {code} rows but no {code} footer (SF)",
                    self.location(line_no) if line_no else SourceLocation(self.source),
                )
        for code, totals in self.section_totals.items():
            closed = totals_of(self.closed_totals, code)
            closed.gross_cr += totals.gross_cr
            closed.gross_dr += totals.gross_dr
            closed.fee_cr += totals.fee_cr
            closed.fee_dr += totals.fee_dr
        self.section_totals = {}
        self.section_footers = set()
        self.section_start = self.file_rows

    def report_totals(self) -> dict[str, Totals]:
        """The totals of every body record so far: closed sections and the open one."""
        report: dict[str, Totals] = {}
        for scope in (self.closed_totals, self.section_totals):
            for code, totals in scope.items():
                sums = totals_of(report, code)
                sums.gross_cr += totals.gross_cr
                sums.gross_dr += totals.gross_dr
                sums.fee_cr += totals.fee_cr
                sums.fee_dr += totals.fee_dr
        return report

    def footer(
        self, record: str, line_no: int, values: list[str], scope: dict[str, Totals]
    ) -> None:
        code = values[0].upper() if values else ""
        currency = self.currency(code, line_no, "currency")
        if currency is None:
            return
        if record == "SF":
            self.section_footers.add(code)
        try:
            stated = [_footer_units(v) for v in values[1:5]]
            balances = [
                _footer_signed(values[i], values[i + 1]) for i in (5, 7) if len(values) > i + 1
            ]
        except ValueError as exc:
            self.policy.fail(
                MalformedRecordError(f"{record} {code}: {exc}", location=self.location(line_no)),
                "psp.paypal.footer",
            )
            return
        totals = scope.get(code) or Totals()
        counted = [totals.gross_cr, totals.gross_dr, totals.fee_cr, totals.fee_dr]
        labels = ("gross credits", "gross debits", "fee credits", "fee debits")
        for label, want, have in zip(labels, stated, counted, strict=False):
            if want != have:
                self.policy.fail(
                    ControlTotalError(
                        f"{record} {code} {label}: stated {_major(want)}, "
                        f"rows add up to {_major(have)}",
                        location=self.location(line_no),
                    ),
                    "psp.paypal.totals_mismatch",
                )
        if len(balances) == 2 and len(stated) == 4:
            begin, end = balances
            expected = begin + stated[0] - stated[1] + stated[2] - stated[3]
            if expected != end:
                self.policy.fail(
                    ControlTotalError(
                        f"{record} {code}: beginning balance {_major(begin)} + credits - debits "
                        f"= {_major(expected)}, ending balance stated {_major(end)}",
                        location=self.location(line_no),
                    ),
                    "psp.paypal.balance_mismatch",
                )
            if record == "SF":
                self.balances[(self.section, currency)] = (
                    Money.from_minor_units(begin, currency, exponent=2),
                    Money.from_minor_units(end, currency, exponent=2),
                )


def totals_of(table: dict[str, Totals], code: str) -> Totals:
    totals = table.get(code)
    if totals is None:
        totals = table[code] = Totals()
    return totals


def _footer_units(text: str) -> int:
    if not text:
        return 0
    if text[:1] in ("+", "-"):
        raise ValueError(f"{text!r} is not a count of minor units")
    return parse_minor_units(text)


def _footer_signed(flag: str, text: str) -> int:
    units = _footer_units(text)
    if flag.upper() not in ("CR", "DR"):
        raise ValueError(f"balance flag {flag!r} is not CR or DR")
    return units if flag.upper() == "CR" else -units


def _major(units: int) -> str:
    sign = "-" if units < 0 else ""
    units = abs(units)
    return f"{sign}{units // 100}.{units % 100:02d}"
