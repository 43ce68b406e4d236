"""The engine behind every Stripe CSV report: columns by name, one line per row.

Stripe lets the user pick the columns of its reports, so nothing here depends
on positions: each field is looked up by its documented names (the reporting
API's ``snake_case`` and the Dashboard export's ``Title Case (UTC)``). The
three report parsers differ only in how they recognise their header.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import ClassVar

from ecomrules.errors import MalformedRecordError, UnknownCurrencyError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import Counterparty, LineKind, ParseResult, Statement, StatementLine
from ecomrules.psp._csvrows import AmountReader, Header, bad_field, normalise, read_rows, text_of
from ecomrules.psp.controls import build_payouts, check_net
from ecomrules.psp.stripe.categories import kind_of
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


def is_metadata_column(name: str) -> bool:
    """``payment_metadata[order_id]``, ``metadata[x]`` or the Dashboard's ``x (metadata)``."""
    key = normalise(name)
    return (key.endswith("]") and "metadata[" in key) or key.endswith("(metadata)")


class StripeReport:
    """Base of the Stripe report parsers; subclasses say which header is theirs.

    ``zone`` is the time zone the report was requested in: the columns without
    ``_utc`` are local times in that zone. Where a ``_utc`` twin is present it
    is used for :attr:`StatementLine.booked_at`.
    """

    name: ClassVar[str]
    provider: ClassVar[str] = "stripe"
    spec_url: ClassVar[str]

    def __init__(self, zone: str = "UTC") -> None:
        self._zone: tzinfo = UTC if zone == "UTC" else zone_named(zone)
        self._zone_name = zone

    # -- recognition -------------------------------------------------------

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """Say YES when the first line is this report's header."""
        try:
            first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace")
            names = {normalise(n.strip().strip('"')) for n in first.split(",")}
        except Exception:  # sniff never raises
            return Confidence.NO
        return Confidence.YES if self.claims(names) else Confidence.NO

    def claims(self, names: set[str]) -> bool:
        """Whether a header with these normalised names is this report."""
        raise NotImplementedError

    # -- parsing -----------------------------------------------------------

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse the whole report, then check every payout's total."""
        policy = ErrorPolicy(on_error)
        arrivals: dict[str, date] = {}
        lines = list(self._iter(data, source, policy, arrivals))
        payouts = build_payouts(lines, policy, arrival=arrivals, source=source)
        by_currency: dict[Currency, list[StatementLine]] = {}
        for line in lines:
            by_currency.setdefault(line.currency, []).append(line)
        statements = tuple(
            Statement(account=None, currency=currency, lines=tuple(members))
            for currency, members in sorted(by_currency.items(), key=lambda kv: kv[0].code)
        )
        return ParseResult(self.name, source, statements, payouts, tuple(policy.issues))

    def iter_lines(
        self, data: bytes, *, source: str, policy: ErrorPolicy
    ) -> Iterator[StatementLine]:
        """Yield the lines one by one (streaming); row problems go to ``policy``.

        Each line's ``gross - fee == net`` is checked as it is read; payout
        totals need every line and are checked by :meth:`parse` only.
        """
        return self._iter(data, source, policy, {})

    def _iter(
        self, data: bytes, source: str, policy: ErrorPolicy, arrivals: dict[str, date]
    ) -> Iterator[StatementLine]:
        rows = read_rows(text_of(data, source))
        first = next(rows, None)
        if first is None:
            raise MalformedRecordError(
                "empty file: no header row", location=SourceLocation(source, 1)
            )
        _, names, _ = first
        header = Header(names)
        if not self.claims({normalise(n) for n in names}):
            raise MalformedRecordError(
                f"the header is not a {self.name} report header", location=SourceLocation(source, 1)
            )
        reader = _RowReader(self, header, source, policy, arrivals)
        for line_no, fields, raw in rows:
            line = reader.read(line_no, fields, raw)
            if line is not None:
                yield line


class _RowReader:
    """Reads the rows of one file: positions resolved once, caches per file."""

    def __init__(
        self,
        report: StripeReport,
        header: Header,
        source: str,
        policy: ErrorPolicy,
        arrivals: dict[str, date],
    ) -> None:
        self.source = source
        self.policy = policy
        self.arrivals = arrivals
        self.zone = report._zone
        self.width = len(header.names)
        self.names = header.names
        pos = header.lookup(_FIELDS)
        if "currency" not in pos or "net" not in pos:
            raise MalformedRecordError(
                "the header needs the columns 'currency' and 'net'",
                location=SourceLocation(source, 1),
            )
        if not {"created", "created_utc"} & pos.keys():
            raise MalformedRecordError(
                "the header needs a 'created' or 'created_utc' column",
                location=SourceLocation(source, 1),
            )
        self.pos = pos
        self.metadata_columns = [
            (i, name) for i, name in enumerate(header.names) if is_metadata_column(name)
        ]
        used = set(pos.values()) | {i for i, _ in self.metadata_columns}
        unread = [name for i, name in enumerate(header.names) if i not in used and name]
        if unread:
            policy.info(
                "stripe.columns_unread",
                f"columns not read: {', '.join(unread)}",
                SourceLocation(source, 1),
            )
        if "created_utc" not in pos:
            policy.info(
                "stripe.zone_assumed",
                f"times have no offset and no _utc twin: read as {report._zone_name}",
                SourceLocation(source, 1),
            )
        self.amounts = AmountReader()
        self.currencies: dict[str, Currency] = {}
        self.fingerprint = Fingerprinter(f"stripe:{report.name}")
        self.seen: set[str] = set()
        self.unknown_categories: set[str] = set()

    def fail(self, message: str, line: int, column: str, value: str, code: str) -> None:
        self.policy.fail(
            bad_field(message, path=self.source, line=line, column=column, value=value), code
        )

    def read(self, line_no: int, fields: list[str], raw: str) -> StatementLine | None:
        """Turn one row into a line, or record why not and return ``None``."""
        if len(fields) != self.width:
            self.policy.fail(
                MalformedRecordError(
                    f"{len(fields)} fields where the header has {self.width}",
                    location=SourceLocation(self.source, line_no),
                    value=raw,
                ),
                "stripe.row_width",
            )
            return None
        pos = self.pos
        get = _getter(fields, pos)
        code = fields[pos["currency"]].strip()
        currency = self.currencies.get(code)
        if currency is None:
            try:
                currency = Currency.of(code)
            except UnknownCurrencyError:
                self.fail(
                    f"{code!r} is not a currency", line_no, "currency", code, "stripe.currency"
                )
                return None
            self.currencies[code] = currency
        net_text = get("net")
        try:
            net = self.amounts.money(net_text, currency)
        except ValueError as exc:
            self.fail(str(exc), line_no, self.names[pos["net"]], net_text, "stripe.amount")
            return None
        extra: list[Money | None] = []
        for name in ("gross", "fee"):
            text = get(name)
            if not text:
                extra.append(None)
                continue
            try:
                extra.append(self.amounts.money(text, currency))
            except ValueError as exc:
                self.fail(str(exc), line_no, self.names[pos[name]], text, "stripe.amount")
                return None
        gross, fee = extra
        try:
            booked_at, booked_on = self._when(get("created_utc"), get("created"))
            available = get("available_on_utc") or get("available_on")
            available_on = _parse_instant(available, UTC).date() if available else None
        except ValueError as exc:
            self.fail(
                str(exc), line_no, "created", get("created") or get("created_utc"), "stripe.date"
            )
            return None
        category = (get("category") or get("type")).lower()
        kind = kind_of(category)
        if kind is None:
            kind = LineKind.OTHER
            if category not in self.unknown_categories:
                self.unknown_categories.add(category)
                self.policy.info(
                    "stripe.category_unknown",
                    f"reporting category {category!r} is not known: read as 'other'",
                    SourceLocation(self.source, line_no),
                )
        source_id = get("source_id") or None
        payout_id = get("payout_id") or None
        if payout_id is None and kind is LineKind.PAYOUT and source_id:
            payout_id = source_id
        if payout_id is not None and payout_id not in self.arrivals:
            arrival = get("payout_at_utc") or get("payout_at")
            if arrival:
                try:
                    self.arrivals[payout_id] = _parse_instant(arrival, UTC).date()
                except ValueError as exc:
                    self.fail(
                        str(exc), line_no, "automatic_payout_effective_at", arrival, "stripe.date"
                    )
                    return None
        line_id = get("id") or self.fingerprint(*fields)
        if line_id in self.seen:
            self.policy.warn(
                "stripe.duplicate_id",
                f"balance transaction {line_id} appears twice in the file",
                SourceLocation(self.source, line_no),
            )
            line_id = self.fingerprint(*fields)
        self.seen.add(line_id)
        charge_id = get("charge_id")
        references: list[str] = []
        metadata: dict[str, str] = {}
        for position, name in self.metadata_columns:
            value = fields[position].strip()
            if value:
                metadata[name] = value
                if value not in references:
                    references.append(value)
        for name in _REFERENCE_FIELDS:
            value = get(name)
            if value and value not in references:
                references.append(value)
        for name in _METADATA_FIELDS:
            value = get(name)
            if value:
                metadata[name] = value
        if category and kind is LineKind.OTHER:
            metadata["reporting_category"] = category
        name_text, email = get("customer_name"), get("customer_email")
        line = StatementLine(
            line_id,
            kind,
            booked_on,
            net,
            get("description"),
            tuple(references),
            Counterparty(name=name_text or None, email=email or None)
            if name_text or email
            else None,
            booked_at,
            None,
            available_on,
            gross,
            fee,
            payout_id,
            source_id,
            charge_id if charge_id and charge_id != source_id else None,
            None,
            metadata,
            raw,
            SourceLocation(self.source, line_no),
        )
        if gross is not None and fee is not None and gross.amount - fee.amount != net.amount:
            check_net(line, self.policy)
        return line

    def _when(self, utc_text: str, local_text: str) -> tuple[datetime, date]:
        if local_text:
            local = _parse_instant(local_text, self.zone)
            booked_at = _parse_instant(utc_text, UTC) if utc_text else local
            return booked_at, local.date()
        instant = _parse_instant(utc_text, UTC)
        return instant, instant.astimezone(self.zone).date()


def _getter(fields: list[str], pos: dict[str, int]) -> _Get:
    return _Get(fields, pos)


class _Get:
    """``get(field)``: the stripped text of a field, or ``""`` when the column is absent."""

    __slots__ = ("fields", "pos")

    def __init__(self, fields: list[str], pos: dict[str, int]) -> None:
        self.fields = fields
        self.pos = pos

    def __call__(self, name: str) -> str:
        position = self.pos.get(name)
        return "" if position is None else self.fields[position].strip()


def _parse_instant(text: str, zone: tzinfo) -> datetime:
    """Read ``2026-01-30 10:11:12`` (or ISO 8601); a naive time is taken in ``zone``."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        if text.isdigit():
            return datetime.fromtimestamp(int(text), UTC)
        raise ValueError(f"{text!r} is not a date and time (YYYY-MM-DD HH:MM:SS)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)
