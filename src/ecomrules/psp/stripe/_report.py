"""The Stripe CSV reports: a :class:`~ecomrules.psp.report_parser.HeaderReportParser`
on the records kit, one line per row.

Stripe lets the user pick the columns of its reports, so nothing here depends
on fixed positions: each field is looked up by its documented names (the
reporting API's ``snake_case`` and the Dashboard export's ``Title Case
(UTC)``), resolved to positions once per file. The three report parsers
differ only in how they recognise their header (:meth:`StripeReport.recognises`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import ClassVar

from ecomrules.errors import MalformedRecordError, UnknownCurrencyError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import Counterparty, LineKind, ParseResult, Statement, StatementLine
from ecomrules.psp.controls import build_payouts, check_net
from ecomrules.psp.report_parser import HeaderReportParser, RecordReader, ReportContext
from ecomrules.psp.report_rows import AmountReader, bad_field, field_getter, normalise, width_error
from ecomrules.psp.stripe.categories import CATEGORIES, kind_of
from ecomrules.time import zone as zone_named

__all__ = ["StripeReport"]

_FIELDS: Mapping[str, tuple[str, ...]] = {
    "id": ("balance_transaction_id", "id"),
    "created_utc": ("created_utc", "created (utc)"),
    "created": ("created",),
    "available_on_utc": ("available_on_utc", "available on (utc)"),
    "available_on": ("available_on", "available on"),
    "currency": ("currency",),
    "gross": ("gross", "amount"),
    "fee": ("fee",),
    "net": ("net",),
    "category": ("reporting_category", "reporting category"),
    "type": ("type",),
    "source_id": ("source_id", "source"),
    "description": ("description",),
    "payout_id": ("automatic_payout_id", "transfer"),
    "payout_at_utc": ("automatic_payout_effective_at_utc", "transfer date (utc)"),
    "payout_at": ("automatic_payout_effective_at", "transfer date"),
    "charge_id": ("charge_id",),
    "payment_intent_id": ("payment_intent_id",),
    "customer_facing_amount": ("customer_facing_amount", "customer facing amount"),
    "customer_facing_currency": ("customer_facing_currency", "customer facing currency"),
    "customer_name": ("customer_name", "customer name"),
    "customer_email": ("customer_email", "customer email"),
    "invoice_id": ("invoice_id",),
    "invoice_number": ("invoice_number",),
    "order_id": ("order_id",),
}
"""Each field the parser reads and the header names it goes by."""

_REFERENCE_FIELDS = ("order_id", "invoice_number", "invoice_id")
_METADATA_FIELDS = (
    "charge_id",
    "payment_intent_id",
    "customer_facing_amount",
    "customer_facing_currency",
)


_KINDS = dict(CATEGORIES)
"""Categories as they appear (lower case); others go through :func:`kind_of`."""


def is_metadata_column(name: str) -> bool:
    """``payment_metadata[order_id]``, ``metadata[x]`` or the Dashboard's ``x (metadata)``."""
    key = normalise(name)
    return (key.endswith("]") and "metadata[" in key) or key.endswith("(metadata)")


class StripeReport(HeaderReportParser):
    """Base of the Stripe report parsers; subclasses say which header is theirs.

    ``zone`` is the time zone the report was requested in: the columns without
    ``_utc`` are local times in that zone. Where a ``_utc`` twin is present it
    is used for :attr:`StatementLine.booked_at`. Statements are one per
    currency, in the order of their codes; a payout's total is checked.
    """

    provider: ClassVar[str] = "stripe"
    records = True
    empty_file = "empty file: no header row"

    def __init__(self, zone: str = "UTC") -> None:
        self._zone: tzinfo = UTC if zone == "UTC" else zone_named(zone)
        self._zone_name = zone

    def claims(self, cells: list[str]) -> bool:
        """Whether these header cells are this report's (names compared normalised)."""
        return self.recognises({normalise(cell) for cell in cells})

    def recognises(self, names: set[str]) -> bool:
        """Whether a header with these normalised names is this report."""
        raise NotImplementedError

    def record_reader(self, context: ReportContext) -> RecordReader:
        """Each row is one balance transaction, one line; positions resolved once per file."""
        if not self.claims(context.table.header):
            raise MalformedRecordError(
                f"the header is not a {self.name} report header",
                location=SourceLocation(context.source, 1),
            )
        return _RowReader(self, context).read

    def records_result(self, context: ReportContext, lines: list[StatementLine]) -> ParseResult:
        """The lines by currency, and every payout's total checked."""
        policy = context.policy
        payouts = build_payouts(lines, policy, arrival=context.arrival, source=context.source)
        by_currency: dict[str, list[StatementLine]] = {}
        for line in lines:
            code = line.amount.currency.code
            members = by_currency.get(code)
            if members is None:
                members = by_currency[code] = []
            members.append(line)
        statements = tuple(
            Statement(account=None, currency=members[0].currency, lines=tuple(members))
            for _, members in sorted(by_currency.items())
        )
        return ParseResult(self.name, context.source, statements, payouts, tuple(policy.issues))


class _RowReader:
    """Reads the rows of one file: positions resolved once, caches per file."""

    def __init__(self, report: StripeReport, context: ReportContext) -> None:
        table = context.table
        self.source = source = table.source
        self.policy = policy = context.policy
        self.arrivals = context.arrival
        self.zone = report._zone
        self.utc_zone = report._zone is UTC
        self.width = table.width
        self.names = table.header
        pos = table.resolve(_FIELDS)
        if "currency" not in pos or not {"net", "gross"} & pos.keys():
            raise MalformedRecordError(
                "the header needs a 'currency' column and a 'net' or 'gross' column",
                location=SourceLocation(source, 1),
            )
        self.has_net = "net" in pos
        if not {"created", "created_utc"} & pos.keys():
            raise MalformedRecordError(
                "the header needs a 'created' or 'created_utc' column",
                location=SourceLocation(source, 1),
            )
        self.pos = pos
        self.metadata_columns = [
            (i, name) for i, name in enumerate(self.names) if is_metadata_column(name)
        ]
        used = set(pos.values()) | {i for i, _ in self.metadata_columns}
        unread = [name for i, name in enumerate(self.names) if i not in used and name]
        if unread:
            policy.info(
                "psp.stripe.columns_unread",
                f"columns not read: {', '.join(unread)}",
                SourceLocation(source, 1),
            )
        if "created_utc" not in pos:
            policy.info(
                "psp.stripe.zone_assumed",
                f"times have no offset and no _utc twin: read as {report._zone_name}",
                SourceLocation(source, 1),
            )
        # An absent column reads the empty sentinel appended to every row.
        at = {name: pos.get(name, self.width) for name in _FIELDS}
        self.take = field_getter(_FIELDS, pos, self.width)
        self.extra_references = [at[name] for name in _REFERENCE_FIELDS if name in pos]
        self.extra_metadata = [(name, at[name]) for name in _METADATA_FIELDS if name in pos]
        self.amounts = AmountReader()
        self.currencies: dict[str, Currency] = {}
        self.tables: dict[str, dict[str, Money]] = {}
        self.days: dict[str, date] = {}
        self.fingerprint = Fingerprinter(f"stripe:{report.name}")
        self.seen: set[str] = set()
        self.parties: dict[tuple[str, str], Counterparty] = {}
        self.unknown_categories: set[str] = set()

    def column(self, name: str) -> str:
        """The header's own name for field ``name``."""
        position = self.pos.get(name)
        return name if position is None else self.names[position]

    def fail(self, message: str, line: int, name: str, value: str, code: str) -> None:
        self.policy.fail(
            bad_field(message, path=self.source, line=line, column=self.column(name), value=value),
            code,
        )

    def read(self, line_no: int, fields: list[str], raw: str) -> StatementLine | None:
        """Turn one row into a line, or record why not and return ``None``.

        This is the hot path of a million-row report: every field is taken
        in one ``itemgetter`` call and amounts, times and counterparties come
        from per-file caches keyed by their text.
        """
        if len(fields) != self.width:
            error = width_error(len(fields), self.width, path=self.source, line=line_no, raw=raw)
            self.policy.fail(error, "psp.stripe.row_width")
            return None
        fields.append("")
        (
            line_id,
            created_utc,
            created,
            available_utc,
            available,
            code,
            gross_text,
            fee_text,
            net_text,
            category,
            type_text,
            source_id,
            description,
            payout_id,
            payout_at_utc,
            payout_at,
            charge_id,
            _payment_intent,
            _facing_amount,
            _facing_currency,
            customer_name,
            customer_email,
            _invoice_id,
            _invoice_number,
            _order_id,
        ) = self.take(fields)
        currency = self.currencies.get(code) or self.currency(code, line_no)
        if currency is None:
            return None
        table = self.tables.get(code)
        if table is None:
            table = self.tables[code] = self.amounts.table(currency)
        # Money of zero is falsy: the cache is tested against None, not truth.
        gross = fee = None
        if gross_text:
            gross = table.get(gross_text)
            if gross is None:
                gross = self.amount(gross_text, currency, "gross", line_no)
                if gross is None:
                    return None
        if fee_text:
            fee = table.get(fee_text)
            if fee is None:
                fee = self.amount(fee_text, currency, "fee", line_no)
                if fee is None:
                    return None
        if self.has_net:
            net = table.get(net_text)
            if net is None:
                net = self.amount(net_text, currency, "net", line_no)
                if net is None:
                    return None
        elif gross is not None:
            net = gross if fee is None else gross - fee
        else:
            self.fail("is empty: the row has no amount", line_no, "gross", "", "psp.stripe.amount")
            return None
        try:
            name, text = "created", created
            if text:
                local = _utc_time(text) if self.utc_zone else self.local_time(text)
                booked_on = local.date()
                booked_at = local
                if created_utc and (created_utc != text or not self.utc_zone):
                    name, text = "created_utc", created_utc
                    booked_at = _utc_time(text)
            elif created_utc:
                name, text = "created_utc", created_utc
                booked_at = _utc_time(text)
                booked_on = booked_at.astimezone(self.zone).date()
            else:
                raise ValueError("is empty: the row has no creation time")
            name, text = "available_on", available_utc or available
            available_on = (self.days.get(text) or self.day(text)) if text else None
        except ValueError as exc:
            self.fail(str(exc), line_no, name, text, "psp.stripe.date")
            return None
        category = category or type_text
        kind = _KINDS.get(category) or self.kind(category.strip().lower(), line_no)
        if not payout_id:
            payout_id = source_id if kind is LineKind.PAYOUT and source_id else None
        if payout_id is not None and payout_id not in self.arrivals:
            arrival = payout_at_utc or payout_at
            if arrival:
                try:
                    self.arrivals[payout_id] = self.day(arrival)
                except ValueError as exc:
                    self.fail(str(exc), line_no, "payout_at", arrival, "psp.stripe.date")
                    return None
        seen = self.seen
        count = len(seen)
        seen.add(line_id)
        if not line_id or len(seen) == count:  # empty, or already seen: one set operation
            line_id = self.identify(line_id, fields, line_no)
            seen.add(line_id)
        references: tuple[str, ...] = ()
        metadata: dict[str, str] = {}
        for position, name in self.metadata_columns:
            value = fields[position]
            if value:
                metadata[name] = value
                if value not in references:
                    references += (value,)
        for position in self.extra_references:
            value = fields[position]
            if value and value not in references:
                references += (value,)
        for name, position in self.extra_metadata:
            value = fields[position]
            if value:
                metadata[name] = value
        if kind is LineKind.OTHER and category:
            metadata["reporting_category"] = category
        counterparty = None
        if customer_name or customer_email:
            party_key = (customer_name, customer_email)
            counterparty = self.parties.get(party_key) or self.party(party_key)
        line = StatementLine._trusted(
            line_id,
            kind,
            booked_on,
            net,
            description,
            references,
            counterparty,
            booked_at,
            None,
            available_on,
            gross,
            fee,
            payout_id,
            source_id or None,
            charge_id if charge_id and charge_id != source_id else None,
            None,
            metadata,
            raw,
            SourceLocation(self.source, line_no),
        )
        if gross is not None and fee is not None and gross.amount - fee.amount != net.amount:
            check_net(line, self.policy)
        return line

    def amount(self, text: str, currency: Currency, name: str, line_no: int) -> Money | None:
        """An amount not in the cache yet: parsed, or reported."""
        try:
            return self.amounts.money(text, currency)
        except ValueError as exc:
            self.fail(str(exc), line_no, name, text, "psp.stripe.amount")
            return None

    def identify(self, line_id: str, fields: list[str], line_no: int) -> str:
        """A row without a balance transaction id, or with one already seen: a fingerprint."""
        if line_id:
            self.policy.warn(
                "psp.stripe.duplicate_id",
                f"balance transaction {line_id} appears twice in the file",
                SourceLocation(self.source, line_no),
            )
        return self.fingerprint(*fields)

    def party(self, key: tuple[str, str]) -> Counterparty:
        """The counterparty of a name and e-mail, built once per distinct pair."""
        party = Counterparty(name=key[0] or None, email=key[1] or None)
        if len(self.parties) > 100_000:
            self.parties.clear()
        self.parties[key] = party
        return party

    def currency(self, code: str, line_no: int) -> Currency | None:
        try:
            currency = Currency.of(code)
        except UnknownCurrencyError:
            self.fail(
                f"{code!r} is not a currency", line_no, "currency", code, "psp.stripe.currency"
            )
            return None
        self.currencies[code] = currency
        return currency

    def kind(self, category: str, line_no: int) -> LineKind:
        kind = kind_of(category)
        if kind is not None:
            return kind
        if category not in self.unknown_categories:
            self.unknown_categories.add(category)
            self.policy.info(
                "psp.stripe.category_unknown",
                f"reporting category {category!r} is not known: read as 'other'",
                SourceLocation(self.source, line_no),
            )
        return LineKind.OTHER

    def local_time(self, text: str) -> datetime:
        """A time of the report's zone (no offset printed)."""
        if self.utc_zone:
            return _utc_time(text)
        return _parse_instant(text.strip(), self.zone)

    def day(self, text: str) -> date:
        """A date (or the date of a time) read once per distinct text."""
        cached = self.days.get(text)
        if cached is None:
            cached = _parse_instant(text.strip(), UTC).date()
            if len(self.days) > 100_000:
                self.days.clear()
            self.days[text] = cached
        return cached


def _utc_time(text: str) -> datetime:
    """A UTC time: the common ``2026-01-30 10:11:12`` read in one C call, else in general."""
    try:
        return datetime.fromisoformat(text + "+00:00")
    except ValueError:
        return _parse_instant(text.strip(), UTC)


def _parse_instant(text: str, zone: tzinfo) -> datetime:
    """Read ``2026-01-30 10:11:12`` (or ISO 8601); a naive time is taken in ``zone``."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        if text.isascii() and text.isdigit():
            try:
                return datetime.fromtimestamp(int(text), UTC)
            except (OverflowError, OSError, ValueError):
                raise ValueError(f"{text!r} is not a time within range") from None
        raise ValueError(f"{text!r} is not a date and time (YYYY-MM-DD HH:MM:SS)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)
