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

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any, ClassVar

from attrs import evolve

from ecomrules.errors import MalformedRecordError
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
from ecomrules.psp._csvrows import (
    AmountReader,
    Header,
    ReportInput,
    bulk_load,
    report_lines,
    rows_of,
)
from ecomrules.psp.paypal._envelope import Envelope, totals_of
from ecomrules.psp.paypal.body_columns import COLUMNS, RECORDS, REQUIRED
from ecomrules.psp.paypal.tcodes import kind_of

__all__ = ["SectionedReport"]

FX_CONVERSION = LineKind.FX_CONVERSION
_PAYOUT = LineKind.PAYOUT
_NO_PARTY = Counterparty()
"""Cached for rows that name no counterparty (read back as ``None``)."""


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
        with bulk_load(), report_lines(data, source) as text:
            lines = list(reader.run(text))
            if reader.held:  # conversions came out after their other half: file order again
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
        self, data: ReportInput, *, source: str, policy: ErrorPolicy
    ) -> Iterator[StatementLine]:
        """Yield the lines one by one; footers are checked as they come.

        ``data`` is the report's bytes, a path or a binary file; a path or a
        seekable file is read in chunks, so memory stays flat however long
        the report. A currency conversion row is held back until its other
        half is read, so both come out linked; lines are therefore not
        strictly in file order.
        """
        with report_lines(data, source) as text:
            yield from _Reader(self.name, source, policy).run(text)


def _line_number(line: StatementLine) -> int:
    return 0 if line.location is None or line.location.line is None else line.location.line


class _Reader(Envelope):
    """One pass over one file: the section bodies (the envelope is :class:`Envelope`)."""

    def __init__(self, parser: str, source: str, policy: ErrorPolicy) -> None:
        super().__init__(source, policy)
        self.parser = parser
        self.amounts = AmountReader(minor_exponent=2)
        self.fingerprint = Fingerprinter(f"paypal:{parser}")
        self.used: set[str] = set()
        self.kinds: tuple[dict[str, LineKind], dict[str, LineKind]] = ({}, {})
        """Event code to kind, for debits (0) and credits (1), filled as codes are met."""
        self.pending: dict[str, StatementLine] = {}
        self.held = False
        self.times: dict[str, tuple[datetime, date]] = {}
        self.parties: dict[tuple[str, str, str, str], Counterparty] = {}
        self.zero: dict[str, Money] = {}
        self.repeats: dict[str, int] = {}
        self.tables: dict[str, tuple[Any, ...]] = {}

    def run(self, text: Iterable[str]) -> Iterator[StatementLine]:
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
                    if line.kind is FX_CONVERSION:
                        yield from self.link(line)
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
        for line in self.pending.values():
            self.policy.warn(
                "psp.paypal.conversion_unpaired",
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
                "psp.paypal.row_width",
            )
            return None
        if extra < 0:
            fields.extend([""] * -extra)
        fields.append("")
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
                "psp.paypal.flag",
            )
            return None
        key = currency.code
        tables = self.tables.get(key)
        if tables is None:
            tables = self.tables[key] = (
                self.amounts.table(currency, False),
                self.amounts.table(currency, True),
                {},
                {},
                {},
                {},
            )
        # tables = (amounts as printed, amounts negated, then the nets of a
        # gross and a fee text by 2 + 2 * credit + fee credit); a debit is negated.
        # Money of zero is falsy: the caches are tested against None, not truth.
        gross = tables[not credit].get(gross_text)
        if gross is None:
            gross = self.amount(
                gross_text, currency, not credit, "Gross Transaction Amount", line_no
            )
            if gross is None:
                return None
        fee: Money | None = None
        fee_credit = False
        if fee_text:
            if fee_direction != "DR" and fee_direction != "CR":
                fee_direction = fee_direction.strip().upper()
            if fee_direction not in ("CR", "DR"):
                self.fail(
                    f"{fee_direction!r} is not CR or DR",
                    line_no,
                    "Fee Debit or Credit",
                    fee_direction,
                    "psp.paypal.flag",
                )
                return None
            if fee_code and fee_code != code and fee_code.upper() != currency.code:
                self.fail(
                    f"fee currency {fee_code!r} differs from the gross currency {code!r}",
                    line_no,
                    "Fee Currency",
                    fee_code,
                    "psp.paypal.fee_currency",
                )
                return None
            # A fee debited is a cost (a positive fee); a fee credited comes back.
            fee_credit = fee_direction == "CR"
            fee = tables[fee_credit].get(fee_text)
            if fee is None:
                fee = self.amount(fee_text, currency, fee_credit, "Fee Amount", line_no)
                if fee is None:
                    return None
        stamp = completed or initiated
        booked = self.times.get(stamp) or self.time(stamp, line_no, bool(completed))
        if booked is None:
            return None
        booked_at, booked_on = booked
        kind = self.kinds[credit].get(event) or self.kind(event, credit, line_no)
        if kind is None:
            return None
        totals = self.section_totals.get(code) or totals_of(self.section_totals, code)
        if credit:
            totals.gross_cr += int(gross_text)
        else:
            totals.gross_dr += int(gross_text)
        if fee_text:
            if fee_credit:
                totals.fee_cr += int(fee_text)
            else:
                totals.fee_dr += int(fee_text)
        used = self.used
        count = len(used)
        used.add(txn)
        line_id = txn
        if not txn or len(used) == count:  # empty, or already used: one set operation
            line_id = self.identify(txn, fields)
            used.add(line_id)
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
                    "psp.paypal.status_not_settled",
                    f"transaction {txn} has status {status!r} (not S, completed)",
                    self.location(line_no, "Transactional Status"),
                )
        if bank_reference:
            metadata["bank_reference_id"] = bank_reference
        if initiated and initiated != completed:
            metadata["initiated_at"] = initiated
        party_key = (first_name, last_name, business, payer)
        party = self.parties.get(party_key) or self.party(party_key)
        counterparty = None if party is _NO_PARTY else party
        if fee is None:
            net = gross
            zero = self.zero.get(key)
            fee = self.zero_of(currency) if zero is None else zero
        else:
            nets = tables[2 + 2 * credit + fee_credit]
            net_key = (gross_text, fee_text)
            known = nets.get(net_key)
            net = self.net(gross, fee, nets, net_key) if known is None else known
        return StatementLine._trusted(
            line_id,
            kind,
            booked_on,
            net,
            subject or item,
            references,
            counterparty,
            booked_at,
            None,
            None,
            gross,
            fee,
            line_id if kind is _PAYOUT else None,
            txn or None,
            reference if reference and reference_type in ("TXN", "") else None,
            None,
            metadata,
            raw,
            SourceLocation(self.source, line_no),
        )

    def amount(
        self, text: str, currency: Currency, negative: bool, column: str, line_no: int
    ) -> Money | None:
        """An amount not in the cache yet: parsed, or reported."""
        try:
            return self.amounts.signed(text, currency, negative)
        except ValueError as exc:
            self.fail(str(exc), line_no, column, text, "psp.paypal.amount")
            return None

    def net(
        self, gross: Money, fee: Money, nets: dict[tuple[str, str], Money], key: tuple[str, str]
    ) -> Money:
        """Gross less fee, computed once per distinct pair of texts, currency and flags."""
        net = Money._trusted(gross.amount - fee.amount, gross.currency)
        if len(nets) > 100_000:
            nets.clear()
        nets[key] = net
        return net

    def zero_of(self, currency: Currency) -> Money:
        zero = self.zero[currency.code] = Money._trusted(Decimal(0).scaleb(-2), currency)
        return zero

    def time(self, text: str, line_no: int, completed: bool) -> tuple[datetime, date] | None:
        """A time not in the cache yet, and its date: parsed, or reported."""
        try:
            value = self.instant(text)
        except ValueError as exc:
            column = "Transaction Completion Date" if completed else "Transaction Initiation Date"
            self.fail(str(exc), line_no, column, text, "psp.paypal.date")
            return None
        if len(self.times) > 100_000:
            self.times.clear()
        booked = self.times[text] = (value, value.date())
        return booked

    def kind(self, event: str, credit: bool, line_no: int) -> LineKind | None:
        """The kind of an event code not seen yet in this file, or ``None`` (reported)."""
        kind = kind_of(event.strip().upper(), credit)
        if kind is None:
            self.fail(
                f"{event!r} is not a T-code",
                line_no,
                "Transaction Event Code",
                event,
                "psp.paypal.tcode",
            )
            return None
        self.kinds[credit][event] = kind
        return kind

    def party(self, key: tuple[str, str, str, str]) -> Counterparty:
        """The counterparty of a first and last name, business name and payer, built once.

        The name is the person's, else the business's; the payer is the e-mail
        when it is one. A row naming nobody gets :data:`_NO_PARTY`.
        """
        first_name, last_name, business, payer = key
        name = f"{first_name} {last_name}".strip() if first_name or last_name else business
        email = payer if "@" in payer else ""
        party = Counterparty(name=name or None, email=email or None) if name or email else _NO_PARTY
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
        if not key:  # nothing says which conversion it belongs to
            self.policy.warn(
                "psp.paypal.conversion_unpaired",
                f"currency conversion {line.id} refers to no transaction: not linked",
                line.location,
            )
            yield line
            return
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
                "psp.paypal.conversion_unpaired",
                f"currency conversion {other.id} has no other half in the file",
                other.location,
            )
            yield other
        self.pending[key] = line
        self.held = True

    # -- helpers -----------------------------------------------------------
