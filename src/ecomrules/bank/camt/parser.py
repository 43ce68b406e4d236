"""The CAMT.053, CAMT.054 and CAMT.052 parsers (ISO 20022 bank-to-customer cash management).

Versions 001.01 to 001.08 and later are read alike: elements are matched by
local name in the document's own namespace. Each statement (``Stmt``),
notification (``Ntfctn``) or report (``Rpt``) becomes a
:class:`~ecomrules.parsing.model.Statement`; each booked entry one line or,
for a batch with several transaction details, one line per detail. Entries
not booked (``PDNG``, ``INFO``) are reported and left out. The opening
(``OPBD``, else ``PRCD``) and closing (``CLBD``) balances are checked against
the sum of the lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import BinaryIO, ClassVar
from xml.etree.ElementTree import Element

from ecomrules.bank.camt.elements import Names, find_path, read_amount, read_date
from ecomrules.bank.camt.entry import EntryContext, read_entry
from ecomrules.bank.camt.stream import ContainerEnd, DocumentStart, iter_entries
from ecomrules.bank.controls import Input, check_balance, open_input
from ecomrules.bank.problems import CONTROL_BYTES, MALFORMED, MISSING_FIELD, RecordError
from ecomrules.errors import ControlTotalError, ParseError, UnknownCurrencyError
from ecomrules.money import Currency, Money
from ecomrules.outcome import Issue, SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.model import ParseResult, Statement, StatementLine

__all__ = ["Camt052Parser", "Camt053Parser", "Camt054Parser", "CamtParser"]

_MESSAGE = re.compile(r"camt\.(05[234])\.\d{3}\.\d{2}")
_SNIFF = re.compile(rb"camt\.(05[234])\.\d{3}\.\d{2}|<(?:\w+:)?(BkToCstmr\w+)")
_ROOTS = {"BkToCstmrStmt": "053", "BkToCstmrDbtCdtNtfctn": "054", "BkToCstmrAcctRpt": "052"}
_CONTAINERS = {"Stmt": "053", "Ntfctn": "054", "Rpt": "052"}
_ELEMENTS = {message: element for element, message in _CONTAINERS.items()}
BALANCE_CURRENCY = "bank.camt.balance_currency"
"""A balance (``Bal/Amt/@Ccy``) is in another currency than the account's."""
_NOT_BOOKED = frozenset({"PDNG", "INFO", "FUTR"})
SUMMARY_MISMATCH = "bank.camt.summary_mismatch"
"""The transactions summary (``TxsSummry/TtlNtries``) disagrees with the entries."""


class CamtParser:
    """Shared reading of the three CAMT messages; subclasses fix which one they accept."""

    name: ClassVar[str]
    provider: ClassVar[str] = "ISO 20022"
    spec_url: ClassVar[str] = "https://www.iso20022.org/iso-20022-message-definitions"
    message: ClassVar[str]

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES when the namespace or the message element names this CAMT message."""
        try:
            match = _SNIFF.search(head[:8192])
        except Exception:  # sniff never raises
            return Confidence.NO
        if match is None:
            return Confidence.NO
        if match.group(1) is not None:
            kind = match.group(1).decode()
        else:
            root = match.group(2).decode()
            kind = next((v for k, v in _ROOTS.items() if root.startswith(k)), "")
        return Confidence.YES if kind == self.message else Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse a whole file (several statements and documents) into one result."""
        policy = ErrorPolicy(on_error)
        statements: list[Statement] = []
        lines: list[StatementLine] = []
        for item in self._read(data, source, policy):
            if isinstance(item, Statement):
                statements.append(_with_lines(item, tuple(lines)))
                lines = []
            else:
                lines.append(item)
        return ParseResult(self.name, source, tuple(statements), issues=tuple(policy.issues))

    def iter_lines(
        self,
        data: Input,
        *,
        source: str = "<stream>",
        on_error: OnError = "raise",
        issues: list[Issue] | None = None,
    ) -> Iterator[StatementLine]:
        """Yield the lines one by one, reading ``data`` as a stream (memory stays flat).

        The controls run as in :meth:`parse`; in lenient mode the issues are
        appended to ``issues`` when given.
        """
        policy = ErrorPolicy(on_error)
        if issues is not None:
            policy.issues = issues
        with open_input(data, source) as stream:
            for item in self._read(stream, source, policy):
                if isinstance(item, StatementLine):
                    yield item

    def _read(
        self, data: Input, source: str, policy: ErrorPolicy
    ) -> Iterator[StatementLine | Statement]:
        with open_input(data, source) as stream:
            yield from _Reading(self, source, policy).run(stream)


class _Reading:
    """One pass over a CAMT file: statements are opened, filled and closed as entries come."""

    def __init__(self, parser: CamtParser, source: str, policy: ErrorPolicy) -> None:
        self.parser = parser
        self.source = source
        self.policy = policy
        self.n = Names("")
        self.statements = 0
        self.left_out = 0

    def run(self, stream: BinaryIO) -> Iterator[StatementLine | Statement]:
        container: Element | None = None
        ctx: EntryContext | None = None
        total = Decimal(0)
        index = 0
        removed: list[int] = []
        try:
            for item in iter_entries(stream, self.source, removed):
                if isinstance(item, DocumentStart):
                    self._open_document(item.root, item.line)
                    continue
                if item.container is not container:
                    self._check_container(item.container, item.container_line)
                    container, ctx, total, index = item.container, None, Decimal(0), 0
                    self.left_out = 0
                if ctx is None:
                    ctx = self._context(item.container)
                if isinstance(item, ContainerEnd):
                    self._check_summary(item.container, ctx, total, index, item.container_line)
                    yield self._close(item.container, ctx, total, item.container_line)
                    container, ctx = None, None
                    continue
                index += 1
                at = SourceLocation(self.source, item.line)
                for result in self._entry(
                    item.element, ctx, index, at, item.raw, item.detail_lines
                ):
                    total += result.amount.amount
                    yield result
            if not self.statements:
                element = _ELEMENTS[self.parser.message]
                raise RecordError(
                    MISSING_FIELD,
                    f"the document holds no {element} element: no statement to read",
                    location=SourceLocation(self.source, 1),
                    field=element,
                )
        except RecordError as exc:
            self.policy.fail(exc, exc.code)
        except ParseError as exc:
            self.policy.fail(exc, MALFORMED)
        if removed and removed[0]:
            self.policy.warn(
                CONTROL_BYTES,
                f"{removed[0]} control byte(s) removed before reading",
                SourceLocation(self.source),
            )

    def _open_document(self, root: Element, line: int | None) -> None:
        tag = root.tag
        namespace = tag[1 : tag.index("}")] if tag.startswith("{") else ""
        where = SourceLocation(self.source, line)
        found = _MESSAGE.search(namespace)
        if namespace and found is None:
            raise ParseError(
                f"namespace {namespace!r} is not an ISO 20022 CAMT message", location=where
            )
        if found is not None and found.group(1) != self.parser.message:
            raise ParseError(
                f"this is a camt.{found.group(1)} document; read it with bank.camt{found.group(1)}",
                location=where,
            )
        self.n = Names(tag[: tag.index("}") + 1] if namespace else "")

    def _check_container(self, elem: Element, line: int | None) -> None:
        name = elem.tag.rpartition("}")[2]
        if _CONTAINERS[name] != self.parser.message:
            raise ParseError(
                f"a {name} element belongs to camt.{_CONTAINERS[name]}, "
                f"not camt.{self.parser.message}",
                location=SourceLocation(self.source, line),
            )

    def _context(self, container: Element) -> EntryContext:
        self.statements += 1
        n = self.n
        key = (container.findtext(n("Id")) or "").strip() or f"statement-{self.statements}"
        code = (container.findtext(n("Acct/Ccy")) or "").strip()
        currency = None
        if code:
            try:
                currency = Currency.of(code)
            except UnknownCurrencyError:
                currency = None
        created = (container.findtext(n("CreDtTm")) or "").strip()
        try:
            created_on = date.fromisoformat(created[:10]) if created else None
        except ValueError:
            created_on = None
        return EntryContext(
            n, self.source, key, currency, self.policy, created_on, _zone(container, n)
        )

    def _entry(
        self,
        ntry: Element,
        ctx: EntryContext,
        index: int,
        at: SourceLocation,
        raw: str,
        tx_lines: tuple[int, ...],
    ) -> list[StatementLine]:
        n = self.n
        sts = ntry.find(n.paths["Sts"][0])
        status = "BOOK"
        if sts is not None:
            code = sts.find(n.paths["Cd"][0])
            status = ((sts.text if code is None else code.text) or "").strip() or "BOOK"
        if status in _NOT_BOOKED:
            self.policy.info(
                "bank.camt.entry_not_booked",
                f"entry with status {status} is not booked and is left out",
                at,
            )
            self.left_out += 1
            return []
        try:
            return read_entry(ntry, ctx, index, at, raw, tx_lines)
        except RecordError as exc:
            self.policy.fail(exc, exc.code)
            self.left_out += 1
            return []

    def _check_summary(
        self, container: Element, ctx: EntryContext, total: Decimal, entries: int, line: int | None
    ) -> None:
        """Check ``TxsSummry/TtlNtries``: the entries' count and, when all were booked, net."""
        n = self.n
        totals = find_path(container, n.paths["TxsSummry/TtlNtries"])
        if totals is None:
            return
        where = SourceLocation(self.source, line)
        label = f"statement {ctx.statement_key}"
        count = (_find_text(totals, n.paths["NbOfNtries"]) or "").strip()
        if count.isdigit() and int(count) != entries:
            self.policy.fail(
                ControlTotalError(
                    f"{label}: the transactions summary counts {count} entries, "
                    f"the statement has {entries}",
                    location=where,
                ),
                SUMMARY_MISMATCH,
            )
            return
        net = find_path(totals, n.paths["TtlNetNtry"])
        if net is None or self.left_out:
            return
        text = (_find_text(net, n.paths["Amt"]) or "").strip()
        try:
            stated = Decimal(text)
        except ArithmeticError:
            return
        if (_find_text(net, n.paths["CdtDbtInd"]) or "").strip() == "DBIT":
            stated = -stated
        if stated != total:
            self.policy.fail(
                ControlTotalError(
                    f"{label}: the transactions summary nets {stated}, the entries {total}",
                    location=where,
                ),
                SUMMARY_MISMATCH,
            )

    def _close(
        self, container: Element, ctx: EntryContext, total: Decimal, line: int | None
    ) -> Statement:
        n = self.n
        where = SourceLocation(self.source, line)
        balances: dict[str, tuple[Money, Element]] = {}
        for bal in container.iterfind(n("Bal")):
            code = (
                bal.findtext(n("Tp/CdOrPrtry/Cd"))
                or bal.findtext(n("Tp/CdOrPrtry/Prtry"))
                or bal.findtext(n("Tp/Cd"))
                or ""
            ).strip()
            try:
                amount = read_amount(bal.find(n("Amt")), where, f"Bal {code}/Amt")
            except RecordError as exc:
                self.policy.fail(exc, exc.code)
                continue
            if (bal.findtext(n("CdtDbtInd")) or "").strip() == "DBIT":
                amount = -amount
            balances.setdefault(code, (amount, bal))
        opening = balances.get("OPBD") or balances.get("PRCD")
        closing = balances.get("CLBD")
        available = balances.get("CLAV")
        account = (
            container.findtext(n("Acct/Id/IBAN"))
            or container.findtext(n("Acct/Id/Othr/Id"))
            or None
        )
        currency = ctx.currency or (opening[0].currency if opening else None)
        opening_date = self._date(opening, where)
        closing_date = self._date(closing, where)
        label = f"statement {ctx.statement_key}"
        foreign = [
            (code, found[0])
            for code, found in balances.items()
            if currency is not None and found[0].currency != currency
        ]
        for code, amount in foreign:
            # kept in its own currency (lenient); never added to the account's
            self.policy.fail(
                RecordError(
                    BALANCE_CURRENCY,
                    f"{label}: balance {code} is in {amount.currency.code},"
                    f" the account in {currency}",
                    location=where,
                    field=f"Bal {code}/Amt/@Ccy",
                    value=amount.currency.code,
                ),
                BALANCE_CURRENCY,
            )
        if not foreign:
            check_balance(
                opening[0] if opening else None,
                total,
                closing[0] if closing else None,
                self.policy,
                where,
                label,
            )
        return Statement(
            account=account.strip() if account else None,
            currency=currency,
            lines=(),
            id=ctx.statement_key,
            opening_balance=opening[0] if opening else None,
            closing_balance=closing[0] if closing else None,
            opening_date=opening_date,
            closing_date=closing_date,
            location=where,
            available_balance=available[0] if available else None,
        )

    def _date(self, balance: tuple[Money, Element] | None, where: SourceLocation) -> date | None:
        if balance is None:
            return None
        try:
            return read_date(balance[1].find(self.n("Dt")), self.n, where, "Bal/Dt")[0]
        except RecordError as exc:
            self.policy.fail(exc, exc.code)
            return None


def _zone(container: Element, n: Names) -> tzinfo | None:
    """The statement's own UTC offset: its period's (``FrToDt``), else its creation time's."""
    for path in ("FrToDt/FrDtTm", "FrToDt/ToDtTm", "CreDtTm"):
        text = (_find_text(container, n.paths[path]) or "").strip()
        if not text:
            continue
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            continue
        if moment.tzinfo is not None:
            return moment.tzinfo
    return None


def _find_text(elem: Element, steps: tuple[str, ...]) -> str | None:
    found = find_path(elem, steps)
    return None if found is None else found.text


def _with_lines(statement: Statement, lines: tuple[StatementLine, ...]) -> Statement:
    from attrs import evolve

    currency = statement.currency or (lines[0].currency if lines else None)
    return evolve(statement, lines=lines, currency=currency)


class Camt053Parser(CamtParser):
    """ISO 20022 camt.053, the end-of-day bank-to-customer statement."""

    name: ClassVar[str] = "bank.camt053"
    message: ClassVar[str] = "053"


class Camt054Parser(CamtParser):
    """ISO 20022 camt.054, the debit/credit notification (batch details)."""

    name: ClassVar[str] = "bank.camt054"
    message: ClassVar[str] = "054"


class Camt052Parser(CamtParser):
    """ISO 20022 camt.052, the intraday account report."""

    name: ClassVar[str] = "bank.camt052"
    message: ClassVar[str] = "052"
