"""The OFX parser (``bank.ofx``): bank and credit-card statements, OFX 1.x SGML and 2.x XML.

Each ``STMTRS`` (bank) or ``CCSTMTRS`` (card) becomes a statement: ``CURDEF``
its currency, ``ACCTID`` its account, ``LEDGERBAL`` its closing balance and
``AVAILBAL`` its available balance. Each ``STMTTRN`` is a line: ``FITID`` its
id, ``TRNAMT`` its signed amount (a decimal comma is accepted), ``DTPOSTED``
its booking date in the time zone the file gives, ``NAME`` the counterparty,
``MEMO`` the label, ``CHECKNUM`` and ``REFNUM`` references. OFX carries no
opening balance, so there is no balance control. A response whose status is an
error is reported as a warning, with no statement.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import ClassVar, Final

from ecomrules.bank.ofx.tree import Node, read_tree
from ecomrules.bank.problems import (
    CONTROL_BYTES,
    INVALID_AMOUNT,
    INVALID_DATE,
    MALFORMED,
    MISSING_FIELD,
    RecordError,
)
from ecomrules.decimals import DecimalFormat, parse_decimal
from ecomrules.errors import ParseError, UnknownCurrencyError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError, WholeFileLines
from ecomrules.parsing.model import Counterparty, LineKind, ParseResult, Statement, StatementLine
from ecomrules.parsing.source import clean_text, decode

__all__ = ["OfxParser", "read_ofx_datetime"]

_DATE: Final = re.compile(
    r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(?:\[\s*([+-]?\d{1,2}(?:\.\d{1,2})?)\s*(?::\s*([A-Za-z]*)\s*)?\])?$"
)
_ENCODING_XML: Final = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_HEADER_FIELD: Final = re.compile(rb"^\s*(ENCODING|CHARSET)\s*:\s*(\S+)", re.MULTILINE)
_KINDS: Final = {
    "FEE": LineKind.FEE,
    "SRVCHG": LineKind.FEE,
    "INT": LineKind.OTHER,
    "DIV": LineKind.OTHER,
}
_CONTROL: Final = {code: None for code in range(32) if code not in (9, 10, 13)}
_COMMA = DecimalFormat(decimal=",")
_POINT = DecimalFormat(decimal=".")


def read_ofx_datetime(text: str, where: SourceLocation, field: str) -> tuple[date, datetime | None]:
    """Read an OFX date ``YYYYMMDD[HHMM[SS[.XXX]]][[+-h[.mm]:TZ]]``: ``(date, instant)``.

    The date is the one written (the file's local day); the instant is set when
    a time is given, with the bracketed offset (``-3.30`` is three hours thirty
    minutes), else UTC as the spec says.
    """
    match = _DATE.match(text.strip())
    if match is None:
        raise RecordError(
            INVALID_DATE, f"{field} {text!r} is not an OFX date", location=where, field=field
        )
    year, month, day, hour, minute, second, fraction, offset, _zone = match.groups()
    try:
        day_value = date(int(year), int(month), int(day))
        if hour is None:
            return day_value, None
        hours, _, minutes = (offset or "0").partition(".")
        sign = -1 if hours.startswith("-") else 1
        shift = sign * (abs(int(hours)) * 60 + int(minutes or 0))
        zone = timezone(timedelta(minutes=shift))
        micro = int((fraction or "0").ljust(6, "0"))
        instant = datetime(
            day_value.year,
            day_value.month,
            day_value.day,
            int(hour),
            int(minute),
            int(second or 0),
            micro,
            tzinfo=zone,
        )
    except ValueError as exc:
        raise RecordError(
            INVALID_DATE,
            f"{field} {text!r} is not a valid date: {exc}",
            location=where,
            field=field,
        ) from None
    return day_value, instant


class OfxParser(WholeFileLines):
    """Open Financial Exchange statements (OFX 1.x SGML and 2.x XML, QFX)."""

    name: ClassVar[str] = "bank.ofx"
    provider: ClassVar[str] = "OFX"
    spec_url: ClassVar[str] = "https://www.financialdataexchange.org/ofx"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES with an OFX header or an ``<OFX>`` element near the start."""
        start = head[:4096].upper()
        if b"OFXHEADER" in start or b"<OFX>" in start:
            return Confidence.YES
        if filename and filename.lower().endswith((".ofx", ".qfx")):
            return Confidence.MAYBE
        return Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse every statement of an OFX response."""
        policy = ErrorPolicy(on_error)
        statements: list[Statement] = []
        try:
            text = clean_text(decode(data, source, _encodings(data)))
            cleaned = text.translate(_CONTROL)
            if len(cleaned) != len(text):
                policy.warn(
                    CONTROL_BYTES,
                    f"{len(text) - len(cleaned)} control character(s) removed before reading",
                    SourceLocation(source),
                )
                text = cleaned
            if "<OFX" not in text.upper():
                raise RecordError(MALFORMED, "no <OFX> element", location=SourceLocation(source, 1))
            root = read_tree(text, source)
            for response in _responses(root):
                statement = self._statement(response, text, source, policy)
                if statement is not None:
                    statements.append(statement)
        except RecordError as exc:
            policy.fail(exc, exc.code)
        except ParseError as exc:
            policy.fail(exc, MALFORMED)
        return ParseResult(self.name, source, tuple(statements), issues=tuple(policy.issues))

    def _statement(
        self, wrapper: Node, text: str, source: str, policy: ErrorPolicy
    ) -> Statement | None:
        where = SourceLocation(source, wrapper.line)
        code = wrapper.findtext("STATUS/CODE")
        if code not in (None, "0") and wrapper.findtext("STATUS/SEVERITY") == "ERROR":
            message = wrapper.findtext("STATUS/MESSAGE") or "no message"
            policy.warn(
                "bank.ofx.server_error",
                f"the bank answered with error {code} ({message}) instead of a statement",
                where,
            )
            return None
        body = wrapper.find("STMTRS") or wrapper.find("CCSTMTRS")
        if body is None:
            return None
        at = SourceLocation(source, body.line)
        currency = _currency(body, at, policy)
        account = body.findtext("BANKACCTFROM/ACCTID") or body.findtext("CCACCTFROM/ACCTID")
        lines: list[StatementLine] = []
        for index, trn in enumerate(body.iter("STMTTRN"), start=1):
            try:
                lines.append(
                    _line(trn, currency, text, source, policy, f"{account or 'ofx'}:{index}")
                )
            except RecordError as exc:
                policy.fail(exc, exc.code)
        closing, closing_on = _balance(body.find("LEDGERBAL"), currency, source, policy)
        available, _ = _balance(body.find("AVAILBAL"), currency, source, policy)
        return Statement(
            account=account,
            currency=currency,
            lines=tuple(lines),
            id=wrapper.findtext("TRNUID"),
            closing_balance=closing,
            closing_date=closing_on,
            location=at,
            available_balance=available,
        )


def _encodings(data: bytes) -> tuple[str, ...]:
    declared = _ENCODING_XML.search(data, 0, 400)
    if declared:
        return (declared.group(1).decode("ascii"),)
    fields = {
        key.decode(): value.decode("ascii", "replace").upper()
        for key, value in _HEADER_FIELD.findall(data[:1000])
    }
    if fields.get("ENCODING") in ("UTF-8", "UNICODE"):
        return ("utf-8",)
    charset = fields.get("CHARSET", "NONE")
    if charset in ("1252", "WINDOWS-1252"):
        return ("cp1252",)
    if charset.startswith(("ISO-8859-", "8859-")):
        return ("iso-8859-" + charset.rsplit("-", 1)[1],)
    return ("utf-8", "cp1252")


def _responses(root: Node) -> list[Node]:
    wrappers = [*root.iter("STMTTRNRS"), *root.iter("CCSTMTTRNRS")]
    if wrappers:
        return sorted(wrappers, key=lambda node: node.start)
    # a bare statement response with no transaction wrapper
    holder = Node("#bare", 1, 0)
    holder.children = [*root.iter("STMTRS"), *root.iter("CCSTMTRS")]
    return [holder] if holder.children else []


def _amount(text: str | None, currency: Currency, where: SourceLocation, field: str) -> Money:
    if text is None:
        raise RecordError(MISSING_FIELD, f"{field} is missing", location=where, field=field)
    fmt = _COMMA if "," in text and "." not in text else _POINT
    try:
        return Money(parse_decimal(text, fmt), currency)
    except ValueError as exc:
        raise RecordError(
            INVALID_AMOUNT, f"{field} {text!r}: {exc}", location=where, field=field, value=text
        ) from None


def _currency(body: Node, at: SourceLocation, policy: ErrorPolicy) -> Currency:
    """``CURDEF``; when it is missing or unknown (an error), the transactions' own
    ``CURRENCY``/``ORIGCURRENCY`` symbol, else ``XXX`` (no currency), so that the
    lines are still read in lenient mode."""
    code = (body.findtext("CURDEF") or "").strip()
    problem = "is missing or empty"
    if code:
        try:
            return Currency.of(code)
        except UnknownCurrencyError:
            problem = f"{code!r} is not a currency"
    fallback = Currency.of("XXX")
    for trn in body.iter("STMTTRN"):
        symbol = (
            trn.findtext("CURRENCY/CURSYM") or trn.findtext("ORIGCURRENCY/CURSYM") or ""
        ).strip()
        if symbol:
            try:
                fallback = Currency.of(symbol)
            except UnknownCurrencyError:
                continue
            break
    policy.fail(
        RecordError(
            MISSING_FIELD if problem.startswith("is missing") else INVALID_AMOUNT,
            f"CURDEF {problem}; the statement is read in {fallback.code}",
            location=at,
            field="CURDEF",
            value=code or None,
        ),
        MISSING_FIELD if problem.startswith("is missing") else INVALID_AMOUNT,
    )
    return fallback


def _line(
    trn: Node, currency: Currency, text: str, source: str, policy: ErrorPolicy, fallback_id: str
) -> StatementLine:
    at = SourceLocation(source, trn.line)
    posted = trn.find("DTPOSTED")
    if posted is None or not (posted.text or "").strip():
        raise RecordError(MISSING_FIELD, "DTPOSTED is missing", location=at, field="DTPOSTED")
    booked_on, booked_at = read_ofx_datetime(
        posted.text or "", SourceLocation(source, posted.line), "DTPOSTED"
    )
    amount_node = trn.find("TRNAMT")
    amount = _amount(
        trn.findtext("TRNAMT"),
        currency,
        SourceLocation(source, amount_node.line if amount_node else trn.line),
        "TRNAMT",
    )
    fitid = trn.findtext("FITID")
    if fitid is None or not fitid.strip():
        # lenient mode keeps the line under an id made from its account and position
        fitid = fallback_id
        policy.fail(
            RecordError(
                MISSING_FIELD,
                f"FITID is missing or empty; the line gets the id {fitid!r}",
                location=at,
                field="FITID",
            ),
            MISSING_FIELD,
        )
    available = trn.findtext("DTAVAIL")
    available_on = read_ofx_datetime(available, at, "DTAVAIL")[0] if available else None
    user = trn.findtext("DTUSER")
    if user:
        read_ofx_datetime(user, at, "DTUSER")  # checked; kept as metadata
    trntype = (trn.findtext("TRNTYPE") or "OTHER").upper()
    name = trn.findtext("NAME") or trn.findtext("PAYEE/NAME")
    memo = trn.findtext("MEMO")
    references = tuple(
        dict.fromkeys(
            r for r in (trn.findtext("REFNUM"), trn.findtext("CHECKNUM")) if r and r.strip("0")
        )
    )
    meta = {"trntype": trntype}
    for key, tag in (
        ("check_number", "CHECKNUM"),
        ("reference_number", "REFNUM"),
        ("server_id", "SRVRTID"),
        ("sic", "SIC"),
        ("payee_id", "PAYEEID"),
        ("extended_name", "EXTDNAME"),
        ("correct_fitid", "CORRECTFITID"),
        ("correct_action", "CORRECTACTION"),
        ("currency", "CURRENCY/CURSYM"),
        ("currency_rate", "CURRENCY/CURRATE"),
        ("original_currency", "ORIGCURRENCY/CURSYM"),
        ("original_currency_rate", "ORIGCURRENCY/CURRATE"),
        ("user_date", "DTUSER"),
    ):
        value = trn.findtext(tag)
        if value is not None:
            meta[key] = value
    to_account = trn.findtext("BANKACCTTO/ACCTID") or trn.findtext("CCACCTTO/ACCTID")
    party = None
    if name or to_account:
        party = Counterparty(name=name, account=to_account)
    return StatementLine(
        id=fitid,
        kind=_KINDS.get(trntype, LineKind.TRANSFER),
        booked_on=booked_on,
        amount=amount,
        label=memo or name or "",
        references=references,
        counterparty=party,
        booked_at=booked_at,
        available_on=available_on,
        transaction_id=trn.findtext("SRVRTID"),
        metadata=meta,
        raw=text[trn.start : trn.end].strip(),
        location=at,
    )


def _balance(
    node: Node | None, currency: Currency, source: str, policy: ErrorPolicy
) -> tuple[Money | None, date | None]:
    """A balance and its date; a bad part of it is an error and is left empty (lenient)."""
    if node is None:
        return None, None
    where = SourceLocation(source, node.line)
    amount: Money | None = None
    day: date | None = None
    try:
        amount = _amount((node.findtext("BALAMT") or "").strip() or None, currency, where, "BALAMT")
    except RecordError as exc:
        policy.fail(exc, exc.code)
    as_of = node.findtext("DTASOF")
    try:
        day = read_ofx_datetime(as_of, where, "DTASOF")[0] if as_of else None
    except RecordError as exc:
        policy.fail(exc, exc.code)
    return amount, day
