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
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from operator import itemgetter
from typing import Any, ClassVar

from attrs import evolve

from ecomrules.errors import ControlTotalError, MalformedRecordError, UnknownCurrencyError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import (
    Counterparty,
    LineKind,
    ParseResult,
    Payout,
    Statement,
    StatementLine,
)
from ecomrules.psp._csvrows import AmountReader, Header, bad_field, bulk_load, read_rows, text_of
from ecomrules.psp.paypal.tcodes import kind_of

__all__ = ["SectionedReport"]

_COLUMNS = {
    "id": ("Transaction ID",),
    "invoice": ("Invoice ID",),
    "reference": ("PayPal Reference ID",),
    "reference_type": ("PayPal Reference ID Type",),
    "event": ("Transaction Event Code",),
    "initiated": ("Transaction Initiation Date",),
    "completed": ("Transaction Completion Date",),
    "direction": ("Transaction Debit or Credit",),
    "gross": ("Gross Transaction Amount",),
    "currency": ("Gross Transaction Currency",),
    "fee_direction": ("Fee Debit or Credit",),
    "fee": ("Fee Amount",),
    "fee_currency": ("Fee Currency",),
    "custom": ("Custom Field",),
    "status": ("Transactional Status",),
    "subject": ("Transaction Subject",),
    "item": ("Item Name",),
    "payer": ("Payer's Account ID",),
    "first_name": ("First Name",),
    "last_name": ("Last Name",),
    "business": ("Consumer Business Name",),
    "bank_reference": ("Bank Reference ID",),
}
_REQUIRED = ("id", "event", "direction", "gross", "currency")
_KINDS: dict[tuple[str, bool], LineKind] = {}
"""Event code and direction to kind, filled as codes are met (the table is small)."""
_RECORDS = frozenset({"RH", "FH", "SH", "CH", "SB", "SF", "SC", "RF", "RC", "FF"})


class _Totals:
    """Credits and debits of gross and fee, in minor units, for one currency."""

    __slots__ = ("fee_cr", "fee_dr", "gross_cr", "gross_dr")

    def __init__(self) -> None:
        self.gross_cr = self.gross_dr = self.fee_cr = self.fee_dr = 0


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
        with bulk_load():
            lines = sorted(reader.run(data), key=_line_number)
        buckets: dict[tuple[int, Currency], list[StatementLine]] = {}
        for line in lines:
            buckets.setdefault((reader.section_of[line.id], line.currency), []).append(line)
        statements = []
        for (section, currency), members in sorted(
            buckets.items(), key=lambda kv: (kv[0][0], kv[0][1].code)
        ):
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
        self, data: bytes, *, source: str, policy: ErrorPolicy
    ) -> Iterator[StatementLine]:
        """Yield the lines one by one; footers are checked as they come.

        A currency conversion row is held back until its other half is read, so
        both come out linked; lines are therefore not strictly in file order.
        """
        return _Reader(self.name, source, policy).run(data)


def _line_number(line: StatementLine) -> int:
    return 0 if line.location is None or line.location.line is None else line.location.line


class _Reader:
    """One pass over one file."""

    def __init__(self, parser: str, source: str, policy: ErrorPolicy) -> None:
        self.parser = parser
        self.source = source
        self.policy = policy
        self.amounts = AmountReader(minor_exponent=2)
        self.currencies: dict[str, Currency] = {}
        self.fingerprint = Fingerprinter(f"paypal:{parser}")
        self.used: set[str] = set()
        self.account: str | None = None
        self.section = 0
        self.section_of: dict[str, int] = {}
        self.section_dates: dict[int, tuple[date | None, date | None]] = {}
        self.balances: dict[tuple[int, Currency], tuple[Money, Money]] = {}
        self.section_totals: dict[str, _Totals] = {}
        self.report_totals: dict[str, _Totals] = {}
        self.section_footers: set[str] = set()
        self.footers_seen = False
        self.section_rows = 0
        self.report_rows = 0
        self.file_rows = 0
        self.pending: dict[str, StatementLine] = {}
        self.zones: dict[str, timezone] = {}
        self.times: dict[str, datetime] = {}
        self.parties: dict[tuple[str, str], Counterparty] = {}
        self.zero: dict[str, Money] = {}
        self.repeats: dict[str, int] = {}
        self.nets: dict[tuple[str, str, str, bool, bool], Money] = {}

    def location(self, line: int, column: str | None = None) -> SourceLocation:
        return SourceLocation(self.source, line, column)

    def run(self, data: bytes) -> Iterator[StatementLine]:
        header: Header | None = None
        take: Callable[[list[str]], Any] = itemgetter(0)
        width = 0
        for line_no, fields, raw in read_rows(text_of(data, self.source)):
            record = fields[0].strip().lstrip("\ufeff")
            if record == "SB":
                if header is None:
                    self.policy.fail(
                        MalformedRecordError(
                            "section body (SB) before any column header (CH)",
                            location=self.location(line_no),
                        ),
                        "paypal.record_order",
                    )
                    continue
                line = self.body(line_no, fields, raw, take, width)
                if line is not None:
                    yield from self.link(line)
            elif record == "CH":
                header = Header(fields[1:])
                pos = header.lookup(_COLUMNS)
                missing = [name for name in _REQUIRED if name not in pos]
                if missing:
                    raise MalformedRecordError(
                        "the column header lacks "
                        + ", ".join(repr(_COLUMNS[name][0]) for name in missing),
                        location=self.location(line_no),
                    )
                width = len(header.names)
                # Positions in the SB record (after its type); absent ones read the sentinel.
                take = itemgetter(*(pos.get(name, width) + 1 for name in _COLUMNS))
            elif record in _RECORDS:
                self.control(record, line_no, fields)
            else:
                self.policy.fail(
                    MalformedRecordError(
                        f"unknown record type {record[:20]!r}", location=self.location(line_no)
                    ),
                    "paypal.record_unknown",
                )
        if header is None:
            raise MalformedRecordError(
                "no column header (CH) record: not a PayPal report", location=self.location(1)
            )
        self.close_section(None)
        if not self.footers_seen:
            self.policy.info(
                "paypal.footer_absent",
                "no footer records: totals not checked",
                SourceLocation(self.source),
            )
        for line in self.pending.values():
            self.policy.warn(
                "paypal.conversion_unpaired",
                f"currency conversion {line.id} has no other half in the file",
                line.location,
            )
            yield line

    # -- section bodies ----------------------------------------------------

    def body(
        self,
        line_no: int,
        fields: list[str],
        raw: str,
        take: Callable[[list[str]], Any],
        width: int,
    ) -> StatementLine | None:
        """Turn one ``SB`` record into a line, or record why not and return ``None``.

        The hot path of a million-row report: the fields come out of one
        ``itemgetter`` call; amounts and times from per-file caches.
        """
        extra = len(fields) - 1 - width
        if extra > 0 and any(v.strip() for v in fields[width + 1 :]):
            self.policy.fail(
                MalformedRecordError(
                    f"{len(fields) - 1} fields where the column header has {width}",
                    location=self.location(line_no),
                    value=raw,
                ),
                "paypal.row_width",
            )
            return None
        if extra < 0:
            fields.extend([""] * -extra)
        fields.append("")
        self.section_rows += 1
        self.report_rows += 1
        self.file_rows += 1
        (
            txn,
            invoice,
            reference,
            reference_type,
            event,
            initiated,
            completed,
            direction,
            gross_text,
            code,
            fee_direction,
            fee_text,
            fee_code,
            custom,
            status,
            subject,
            item,
            payer,
            first_name,
            last_name,
            business,
            bank_reference,
        ) = take(fields)
        currency = self.currencies.get(code) or self.currency(
            code, line_no, "Gross Transaction Currency"
        )
        if currency is None:
            return None
        flag = direction if direction in ("CR", "DR") else direction.strip().upper()
        if flag == "CR":
            credit = True
        elif flag == "DR":
            credit = False
        else:
            self.fail(
                f"{direction!r} is not CR or DR",
                line_no,
                "Transaction Debit or Credit",
                direction,
                "paypal.flag",
            )
            return None
        cache = self.amounts.cache
        gross = cache.get((gross_text, code, not credit)) or self.amount(
            gross_text, currency, not credit, "Gross Transaction Amount", line_no
        )
        if gross is None:
            return None
        fee: Money | None = None
        fee_credit = False
        if fee_text:
            fee_direction = fee_direction.strip().upper()
            if fee_direction not in ("CR", "DR"):
                self.fail(
                    f"{fee_direction!r} is not CR or DR",
                    line_no,
                    "Fee Debit or Credit",
                    fee_direction,
                    "paypal.flag",
                )
                return None
            if fee_code and fee_code != code and fee_code.upper() != currency.code:
                self.fail(
                    f"fee currency {fee_code!r} differs from the gross currency {code!r}",
                    line_no,
                    "Fee Currency",
                    fee_code,
                    "paypal.fee_currency",
                )
                return None
            # A fee debited is a cost (a positive fee); a fee credited comes back.
            fee_credit = fee_direction == "CR"
            fee = cache.get((fee_text, code, fee_credit)) or self.amount(
                fee_text, currency, fee_credit, "Fee Amount", line_no
            )
            if fee is None:
                return None
        stamp = completed or initiated
        booked_at = self.times.get(stamp) or self.time(stamp, line_no, bool(completed))
        if booked_at is None:
            return None
        kind = _KINDS.get((event, credit)) or self.kind(event, credit, line_no)
        if kind is None:
            return None
        totals = self.section_totals.get(code) or _totals(self.section_totals, code)
        report = self.report_totals.get(code) or _totals(self.report_totals, code)
        units = int(gross_text)
        if credit:
            totals.gross_cr += units
            report.gross_cr += units
        else:
            totals.gross_dr += units
            report.gross_dr += units
        if fee_text:
            units = int(fee_text)
            if fee_credit:
                totals.fee_cr += units
                report.fee_cr += units
            else:
                totals.fee_dr += units
                report.fee_dr += units
        line_id = txn if txn and txn not in self.used else self.identify(txn, fields)
        self.used.add(line_id)
        self.section_of[line_id] = self.section
        references: tuple[str, ...] = (
            (invoice, custom) if invoice and custom and invoice != custom else (invoice or custom,)
        )
        if not references[0]:
            references = ()
        metadata = {"event_code": event}
        if reference:
            metadata["paypal_reference_id"] = reference
            if reference_type:
                metadata["paypal_reference_type"] = reference_type
        if status:
            metadata["status"] = status
            if status != "S":
                self.policy.info(
                    "paypal.status_not_settled",
                    f"transaction {txn} has status {status!r} (not S, completed)",
                    self.location(line_no, "Transactional Status"),
                )
        if bank_reference:
            metadata["bank_reference_id"] = bank_reference
        if initiated and initiated != completed:
            metadata["initiated_at"] = initiated
        name = f"{first_name} {last_name}".strip() if first_name or last_name else business
        email = payer if "@" in payer else ""
        counterparty = None
        if name or email:
            key = (name, email)
            counterparty = self.parties.get(key) or self.party(key)
        if fee is None:
            net, fee = gross, self.zero.get(code) or self.zero_of(currency)
        else:
            net_key = (gross_text, fee_text, code, credit, fee_credit)
            net = self.nets.get(net_key) or self.net(gross, fee, net_key)
        return StatementLine(
            line_id,
            kind,
            booked_at.date(),
            net,
            subject or item,
            references,
            counterparty,
            booked_at,
            None,
            None,
            gross,
            fee,
            line_id if kind is LineKind.PAYOUT else None,
            txn or None,
            reference if reference and reference_type in ("TXN", "") else None,
            None,
            metadata,
            raw,
            self.location(line_no),
        )

    def amount(
        self, text: str, currency: Currency, negative: bool, column: str, line_no: int
    ) -> Money | None:
        """An amount not in the cache yet: parsed, or reported."""
        try:
            return self.amounts.signed(text, currency, negative)
        except ValueError as exc:
            self.fail(str(exc), line_no, column, text, "paypal.amount")
            return None

    def net(self, gross: Money, fee: Money, key: tuple[str, str, str, bool, bool]) -> Money:
        """Gross less fee, computed once per distinct pair of texts and flags."""
        net = Money(gross.amount - fee.amount, gross.currency)
        if len(self.nets) > 100_000:
            self.nets.clear()
        self.nets[key] = net
        return net

    def zero_of(self, currency: Currency) -> Money:
        zero = self.zero[currency.code] = Money(Decimal(0).scaleb(-2), currency)
        return zero

    def time(self, text: str, line_no: int, completed: bool) -> datetime | None:
        """A time not in the cache yet: parsed, or reported."""
        try:
            value = self.instant(text)
        except ValueError as exc:
            column = "Transaction Completion Date" if completed else "Transaction Initiation Date"
            self.fail(str(exc), line_no, column, text, "paypal.date")
            return None
        if len(self.times) > 100_000:
            self.times.clear()
        self.times[text] = value
        return value

    def kind(self, event: str, credit: bool, line_no: int) -> LineKind | None:
        """The kind of an event code not seen yet in this file, or ``None`` (reported)."""
        kind = kind_of(event.strip().upper(), credit)
        if kind is None:
            self.fail(
                f"{event!r} is not a T-code",
                line_no,
                "Transaction Event Code",
                event,
                "paypal.tcode",
            )
            return None
        _KINDS[(event, credit)] = kind
        return kind

    def party(self, key: tuple[str, str]) -> Counterparty:
        party = Counterparty(name=key[0] or None, email=key[1] or None)
        if len(self.parties) > 100_000:
            self.parties.clear()
        self.parties[key] = party
        return party

    def identify(self, txn: str, fields: list[str]) -> str:
        """The id of a row whose transaction id is empty or already used.

        A repeated id (a hold and its release share one) gets ``-2``, ``-3``.
        """
        if not txn:
            return self.fingerprint(*fields)
        count = self.repeats.get(txn, 1) + 1
        self.repeats[txn] = count
        return f"{txn}-{count}"

    def link(self, line: StatementLine) -> Iterator[StatementLine]:
        """Hold a conversion row until its other half comes; then yield both linked."""
        if line.kind is not LineKind.FX_CONVERSION:
            yield line
            return
        key = line.parent_id or line.metadata.get("paypal_reference_id") or ""
        other = self.pending.get(key)
        if (
            other is not None
            and other.currency != line.currency
            and (other.amount.amount < 0) != (line.amount.amount < 0)
        ):
            del self.pending[key]
            yield evolve(other, related_id=line.id)
            yield evolve(line, related_id=other.id)
            return
        if other is not None:
            self.policy.warn(
                "paypal.conversion_unpaired",
                f"currency conversion {other.id} has no other half in the file",
                other.location,
            )
            yield other
        self.pending[key] = line

    # -- helpers -----------------------------------------------------------

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
                self.fail(f"{code!r} is not a currency", line_no, column, code, "paypal.currency")
                return None
            self.currencies[code] = currency
        return currency

    def instant(self, text: str) -> datetime:
        """``2026/01/06 03:57:02 -0800`` as an aware datetime."""
        if len(text) == 25 and text[4] == "/" and text[7] == "/" and text[19] == " ":
            offset = text[20:]
            tz = self.zones.get(offset)
            if tz is None:
                tz = _zone(offset)
                self.zones[offset] = tz
            try:
                return datetime(
                    int(text[0:4]),
                    int(text[5:7]),
                    int(text[8:10]),
                    int(text[11:13]),
                    int(text[14:16]),
                    int(text[17:19]),
                    tzinfo=tz,
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
            self.account = (values[2] if len(values) > 2 else "") or self.account
            try:
                start = self.instant(values[0]).date() if values else None
                end = self.instant(values[1]).date() if len(values) > 1 else None
            except ValueError:
                start = end = None
            self.section_dates[self.section] = (start, end)
        elif record == "RH":
            self.account = (values[2] if len(values) > 2 else "") or self.account
        elif record in ("SF", "RF"):
            self.footers_seen = True
            scope = self.section_totals if record == "SF" else self.report_totals
            self.footer(record, line_no, values, scope)
        elif record in ("SC", "RC", "FF"):
            self.footers_seen = True
            counted = {"SC": self.section_rows, "RC": self.report_rows, "FF": self.file_rows}
            stated = values[0] if values else ""
            if not stated.isdigit() or int(stated) != counted[record]:
                self.policy.fail(
                    ControlTotalError(
                        f"{record} states {stated!r} body records, the file has {counted[record]}",
                        location=self.location(line_no),
                    ),
                    "paypal.control.count_mismatch",
                )
            if record == "SC":
                self.close_section(line_no)

    def close_section(self, line_no: int | None) -> None:
        """At a section's end: every currency with rows should have had its footer."""
        if self.section_footers:
            missing = sorted(set(self.section_totals) - self.section_footers)
            for code in missing:
                self.policy.warn(
                    "paypal.footer_missing",
                    f"section {self.section} has {code} rows but no {code} footer (SF)",
                    self.location(line_no) if line_no else SourceLocation(self.source),
                )
        self.section_totals = {}
        self.section_footers = set()
        self.section_rows = 0

    def footer(
        self, record: str, line_no: int, values: list[str], scope: dict[str, _Totals]
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
                "paypal.footer",
            )
            return
        totals = scope.get(code) or _Totals()
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
                    "paypal.control.totals_mismatch",
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
                    "paypal.control.balance_mismatch",
                )
            if record == "SF":
                self.balances[(self.section, currency)] = (
                    Money.from_minor_units(begin, currency, exponent=2),
                    Money.from_minor_units(end, currency, exponent=2),
                )


def _totals(table: dict[str, _Totals], code: str) -> _Totals:
    totals = table.get(code)
    if totals is None:
        totals = table[code] = _Totals()
    return totals


def _units(text: str) -> int:
    return int(text) if text else 0


def _footer_units(text: str) -> int:
    if not text:
        return 0
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a count of minor units")
    return int(text)


def _footer_signed(flag: str, text: str) -> int:
    units = _footer_units(text)
    if flag.upper() not in ("CR", "DR"):
        raise ValueError(f"balance flag {flag!r} is not CR or DR")
    return units if flag.upper() == "CR" else -units


def _major(units: int) -> str:
    sign = "-" if units < 0 else ""
    units = abs(units)
    return f"{sign}{units // 100}.{units % 100:02d}"


def _zone(offset: str) -> timezone:
    if len(offset) != 5 or offset[0] not in "+-" or not offset[1:].isdigit():
        raise ValueError(f"{offset!r} is not a UTC offset (+HHMM)")
    minutes = int(offset[1:3]) * 60 + int(offset[3:5])
    return timezone(timedelta(minutes=-minutes if offset[0] == "-" else minutes))
