"""PayPal Activity download (web "Activity" / "Statements" CSV), in English,
Spanish, French or German.

Signed amounts in major units with the locale's separators (``1,653.75`` in
English, ``4.626,81`` in Spanish and German), a date whose day/month order
depends on the account's locale, and a time zone column holding an
abbreviation (``PDT``) or an IANA name (``Europe/Berlin``). A currency
conversion is two rows, one per currency, linked through ``Reference Txn ID``:
both are kept and linked with ``related_id``. The ``Balance`` column, where
present, is checked row by row (previous balance + net = balance).

A :class:`~ecomrules.psp.report_parser.HeaderReportParser` on the records
kit, read whole: the date order is read from every row before any line, and
the conversion halves and the running balance need every line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import ClassVar

from attrs import evolve

from ecomrules.decimals import DecimalFormat
from ecomrules.errors import ControlTotalError, MalformedRecordError, UnknownCurrencyError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import (
    Counterparty,
    LineKind,
    ParseResult,
    Statement,
    StatementLine,
)
from ecomrules.psp.controls import check_net, own_payouts
from ecomrules.psp.paypal.activity_terms import COLUMNS, LANGUAGE_OF_GROSS, is_memo, kind_of_type
from ecomrules.psp.report_parser import HeaderReportParser, ReportContext
from ecomrules.psp.report_rows import (
    AmountReader,
    Header,
    bad_field,
    normalise,
    width_error,
)
from ecomrules.time import zone as zone_named

__all__ = ["ActivityParser"]

_FORMATS: Mapping[str, DecimalFormat] = {
    "en": DecimalFormat(decimal=".", group=","),
    "es": DecimalFormat(decimal=",", group="."),
    "de": DecimalFormat(decimal=",", group="."),
    "fr": DecimalFormat(decimal=",", group=" "),
}
_ABBREVIATIONS: Mapping[str, int] = {
    "PST": -8 * 60, "PDT": -7 * 60, "MST": -7 * 60, "MDT": -6 * 60,
    "CST": -6 * 60, "CDT": -5 * 60, "EST": -5 * 60, "EDT": -4 * 60,
    "GMT": 0, "UTC": 0, "BST": 60, "CET": 60, "CEST": 120, "MEZ": 60, "MESZ": 120,
    "JST": 9 * 60, "HKT": 8 * 60, "AEST": 10 * 60, "AEDT": 11 * 60,
}  # fmt: skip
"""Zone abbreviations PayPal prints, as fixed UTC offsets in minutes."""


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` takes ``²`` and other scripts too, ``int`` does not."""
    return text.isascii() and text.isdigit()


_NEEDED = frozenset({"id", "currency", "gross", "net", "date"})
"""The fields without which a header is not an activity download's."""


class ActivityParser(HeaderReportParser):
    """``paypal.activity``: the web Activity download in four languages."""

    name: ClassVar[str] = "paypal.activity"
    provider: ClassVar[str] = "paypal"
    spec_url: ClassVar[str] = "https://www.paypal.com/reports/dlog"
    records = True
    whole_file = True
    empty_file = "empty file"

    def claims(self, cells: list[str]) -> bool:
        """A header with a transaction id, a currency and gross/fee/net in one language."""
        return Header(cells).lookup(COLUMNS).keys() >= _NEEDED

    def lines(self, context: ReportContext) -> Iterator[StatementLine]:
        """Every row's line, once the date order is read from all the rows."""
        table, source = context.table, context.source
        pos = table.resolve(COLUMNS)
        if not pos.keys() >= _NEEDED:
            raise MalformedRecordError(
                "not a PayPal activity header (transaction id, currency, gross, net, date)",
                location=SourceLocation(source, 1),
            )
        language = LANGUAGE_OF_GROSS.get(normalise(table.header[pos["gross"]]), "en")
        body = list(table.records())
        reader = context.state = _Rows(source, context.policy, table.header, pos, language)
        day_first = reader.date_order([fields for _, fields, _ in body], language)
        for line_no, fields, raw in body:
            line = reader.line(line_no, fields, raw, day_first)
            if line is not None:
                yield line

    def records_result(self, context: ReportContext, lines: list[StatementLine]) -> ParseResult:
        """The running balances checked, the conversion pairs linked, a statement per currency."""
        policy, reader = context.policy, context.state
        if not isinstance(reader, _Rows):
            raise TypeError("records_result() takes the context lines() read")
        reader.check_balances()
        lines = _link_conversions(lines, reader.references, policy)
        statements = []
        for currency in sorted({line.currency for line in lines}, key=lambda c: c.code):
            members = tuple(line for line in lines if line.currency == currency)
            opening, closing = reader.balances.get(currency, (None, None))
            statements.append(
                Statement(
                    account=None,
                    currency=currency,
                    lines=members,
                    opening_balance=opening,
                    closing_balance=closing,
                    opening_date=min(line.booked_on for line in members),
                    closing_date=max(line.booked_on for line in members),
                )
            )
        # A withdrawal to the bank is a payout of its own amount, as in the STL.
        payouts = own_payouts(lines)
        return ParseResult(
            self.name, context.source, tuple(statements), payouts, tuple(policy.issues)
        )


class _Rows:
    """Turns the rows of one file into lines, keeping the running balance per currency."""

    def __init__(
        self,
        source: str,
        policy: ErrorPolicy,
        names: list[str],
        pos: dict[str, int],
        language: str,
    ) -> None:
        self.source = source
        self.policy = policy
        self.names = names
        self.width = len(names)
        self.pos = pos
        self.amounts = AmountReader(_FORMATS[language])
        self.fingerprint = Fingerprinter("paypal:activity")
        self.id_counts: dict[str, int] = {}
        self.references: dict[str, str] = {}
        self.stated: dict[Currency, list[tuple[StatementLine, Money]]] = {}
        self.balances: dict[Currency, tuple[Money, Money]] = {}

    def get(self, fields: list[str], name: str) -> str:
        position = self.pos.get(name)
        if position is None or position >= len(fields):
            return ""
        return fields[position].strip()

    def date_order(self, rows: list[list[str]], language: str) -> bool:
        """Day first (``29/12/2015``) or month first (``12/29/2015``), read from the data.

        When no day is past the 12th the language decides (English month
        first, the others day first) and a warning says so.
        """
        day_first = month_first = False
        for fields in rows:
            parts = self.get(fields, "date").replace(".", "/").split("/")
            if len(parts) == 3 and _digits(parts[0]) and _digits(parts[1]):
                day_first |= int(parts[0]) > 12
                month_first |= int(parts[1]) > 12
        if day_first and month_first:
            raise MalformedRecordError(
                "dates are day-first on some rows and month-first on others",
                location=SourceLocation(self.source),
            )
        if day_first or month_first:
            return day_first
        if any("/" in self.get(fields, "date") for fields in rows):
            self.policy.warn(
                "psp.paypal.date_order_assumed",
                "no day past the 12th: dates read "
                + ("month first (English)" if language == "en" else "day first"),
                SourceLocation(self.source),
            )
        return language != "en"

    def column(self, name: str) -> str:
        position = self.pos.get(name)
        return name if position is None else self.names[position]

    def fail(self, message: str, line: int, name: str, value: str, code: str) -> None:
        self.policy.fail(
            bad_field(message, path=self.source, line=line, column=self.column(name), value=value),
            code,
        )

    def line(
        self, line_no: int, fields: list[str], raw: str, day_first: bool
    ) -> StatementLine | None:
        if len(fields) > self.width and any(f.strip() for f in fields[self.width :]):
            error = width_error(len(fields), self.width, path=self.source, line=line_no, raw=raw)
            self.policy.fail(error, "psp.paypal.row_width")
            return None
        get = self.get
        code = get(fields, "currency")
        try:
            currency = Currency.of(code)
        except UnknownCurrencyError:
            self.fail(
                f"{code!r} is not a currency", line_no, "currency", code, "psp.paypal.currency"
            )
            return None
        money: dict[str, Money | None] = {}
        for name in ("gross", "fee", "net", "balance"):
            text = get(fields, name)
            if not text:
                money[name] = None
                continue
            try:
                money[name] = self.amounts.money(text, currency)
            except ValueError as exc:
                self.fail(str(exc), line_no, name, text, "psp.paypal.amount")
                return None
        gross, fee_signed, net = money["gross"], money["fee"], money["net"]
        if gross is None and net is None:
            self.fail("no gross and no net amount", line_no, "gross", "", "psp.paypal.amount")
            return None
        # The activity prints the fee negative (taken from the gross); the model's fee is a cost.
        fee = None if fee_signed is None else -fee_signed
        if net is None:
            net = _net_of(gross, fee, currency)
        try:
            booked_at = self.instant(
                get(fields, "date"), get(fields, "time"), get(fields, "zone"), day_first
            )
        except ValueError as exc:
            self.fail(str(exc), line_no, "date", get(fields, "date"), "psp.paypal.date")
            return None
        type_text = get(fields, "type")
        kind = kind_of_type(type_text, net.amount >= 0)
        txn = get(fields, "id")
        line_id = self.identify(txn, fields)
        reference = get(fields, "reference")
        if reference:
            self.references[line_id] = reference
        invoice = get(fields, "invoice")
        metadata = {
            key: value
            for key, value in (
                ("type", type_text),
                ("status", get(fields, "status")),
                ("reference_txn_id", reference),
                ("balance_impact", get(fields, "impact")),
            )
            if value
        }
        from_email, to_email = get(fields, "from_email"), get(fields, "to_email")
        email = from_email if net.amount >= 0 else to_email
        name = get(fields, "name")
        line = StatementLine(
            line_id,
            kind,
            booked_at.date(),
            net,
            get(fields, "subject") or type_text,
            (invoice,) if invoice else (),
            Counterparty(name=name or None, email=email or None) if name or email else None,
            booked_at,
            None,
            None,
            gross,
            fee,
            line_id if kind is LineKind.PAYOUT else None,
            txn or None,
            reference or None,
            None,
            metadata,
            raw,
            SourceLocation(self.source, line_no),
        )
        check_net(line, self.policy)
        self.note_balance(line, money["balance"], is_memo(get(fields, "impact")))
        return line

    def identify(self, txn: str, fields: list[str]) -> str:
        if not txn:
            return self.fingerprint(*fields)
        count = self.id_counts.get(txn, 0) + 1
        self.id_counts[txn] = count
        return txn if count == 1 else f"{txn}-{count}"

    def note_balance(self, line: StatementLine, stated: Money | None, memo: bool) -> None:
        """Keep a row's stated running balance for :meth:`check_balances`."""
        if stated is not None and not memo:
            self.stated.setdefault(line.currency, []).append((line, stated))

    def check_balances(self) -> None:
        """Previous balance + net = balance, row by row per currency, in the file's order.

        Downloads come oldest first or newest first: when the first two rows of
        a currency only agree read backwards, the currency is checked backwards.
        """
        for currency, rows in self.stated.items():
            if len(rows) > 1 and _agrees(rows[1], rows[0]) and not _agrees(rows[0], rows[1]):
                rows.reverse()
            first_line, first_balance = rows[0]
            previous = first_balance
            for line, stated in rows[1:]:
                expected = previous + line.amount
                if expected != stated:
                    self.policy.fail(
                        ControlTotalError(
                            f"balance {currency.code}: {previous.amount} + {line.amount.amount} "
                            f"= {expected.amount}, the row states {stated.amount}",
                            location=line.location,
                        ),
                        "psp.paypal.balance_mismatch",
                    )
                previous = stated
            self.balances[currency] = (first_balance - first_line.amount, rows[-1][1])

    def instant(self, day: str, clock: str, zone_text: str, day_first: bool) -> datetime:
        day_value = _date(day, day_first)
        try:
            clock_value = time.fromisoformat(clock) if clock else time(0)
        except ValueError:
            raise ValueError(f"time {clock!r} is not HH:MM:SS") from None
        return datetime.combine(day_value, clock_value, tzinfo=_zone(zone_text))


def _agrees(before: tuple[StatementLine, Money], after: tuple[StatementLine, Money]) -> bool:
    """Whether ``after``'s balance is ``before``'s plus ``after``'s net."""
    return before[1] + after[0].amount == after[1]


def _net_of(gross: Money | None, fee: Money | None, currency: Currency) -> Money:
    """The net of a row that prints no net: gross less the fee."""
    net = gross if gross is not None else Money.zero(currency)
    return net if fee is None else net - fee


def _date(text: str, day_first: bool) -> date:
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        parts = text.replace(".", "/").split("/")
        if len(parts) == 3:
            first, second, year = (int(p) for p in parts)
            if year < 100:
                year += 2000
            return date(year, second, first) if day_first else date(year, first, second)
    except (ValueError, OverflowError):  # a part too large for a date field overflows
        pass
    raise ValueError(f"{text!r} is not a date (D/M/YYYY, M/D/YYYY, DD.MM.YYYY or YYYY-MM-DD)")


def _zone(text: str) -> tzinfo:
    if not text:
        return UTC
    offset = _ABBREVIATIONS.get(text.upper())
    if offset is not None:
        return timezone(timedelta(minutes=offset), text.upper())
    try:
        return zone_named(text)
    except ValueError:
        raise ValueError(f"time zone {text!r} is not known") from None


def _link_conversions(
    lines: list[StatementLine], references: dict[str, str], policy: ErrorPolicy
) -> list[StatementLine]:
    """Pair each conversion row with its other half; both keep their own currency."""
    conversions = [i for i, line in enumerate(lines) if line.kind is LineKind.FX_CONVERSION]
    by_id = {lines[i].id: i for i in conversions}
    partner: dict[int, int] = {}
    waiting: dict[str, list[int]] = {}
    for i in conversions:
        ref = references.get(lines[i].id, "")
        j = by_id.get(ref)
        if j is not None and j not in partner and references.get(lines[j].id) == lines[i].id:
            if i not in partner:
                partner[i], partner[j] = j, i
            continue
        queue = waiting.setdefault(ref, [])
        match = next(
            (
                k
                for k in queue
                if lines[k].currency != lines[i].currency
                and (lines[k].amount.amount < 0) != (lines[i].amount.amount < 0)
            ),
            None,
        )
        if ref and match is not None:
            queue.remove(match)
            partner[i], partner[match] = match, i
        else:
            queue.append(i)
    out = list(lines)
    for i in conversions:
        line = lines[i]
        if i not in partner:
            policy.warn(
                "psp.paypal.conversion_unpaired",
                f"currency conversion {line.id} has no other half in the file",
                line.location,
            )
            continue
        other = lines[partner[i]]
        ref = references.get(line.id, "")
        out[i] = evolve(
            line, related_id=other.id, parent_id=ref if ref and ref != other.id else None
        )
    return out
