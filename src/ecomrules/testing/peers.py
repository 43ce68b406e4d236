"""Differential comparison with peer parsers: ``mt-940``, ``ofxparse`` and ``bai2``.

Each comparison reads one file with the peer library and with ecomrules (in
lenient mode, so a file whose figures do not tie is still compared line by
line) and lists every difference: line by line in file order (amount, date,
reference) and balance by balance. A file the peer cannot read, or reads as
nothing, is not compared. The peers are test dependencies (the ``test``
extra), imported only here, when a comparison runs.

``scripts/peer_agreement.py`` prints the agreement figures per format;
``tests/corpus/test_peer_agreement.py`` holds every known disagreement with
the reason the peer is wrong.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from attrs import define, field, frozen

from ecomrules.errors import ParseError
from ecomrules.parsing.model import ParseResult, StatementLine
from ecomrules.parsing.registry import get_parser

__all__ = [
    "PEERS",
    "Difference",
    "FileComparison",
    "FormatAgreement",
    "agreement",
    "compare_bai2",
    "compare_mt940",
    "compare_ofx",
]

_NO_REFERENCE = frozenset({"", "NONREF", "EREF", "PREF", "KREF", "NOTPROVIDED"})


@frozen
class Difference:
    """One disagreement: ``what`` (``line 3 amount``, ``closing balance 2``), both values."""

    what: str
    ours: str
    theirs: str

    def __str__(self) -> str:
        return f"{self.what}: ours {self.ours}, peer {self.theirs}"


@define
class FileComparison:
    """What was compared in one file and where the two readings differ."""

    name: str
    lines: int = 0
    lines_agreeing: int = 0
    balances: int = 0
    balances_agreeing: int = 0
    differences: list[Difference] = field(factory=list)


@define
class FormatAgreement:
    """The comparisons of one format's files."""

    peer: str
    files: list[FileComparison] = field(factory=list)
    skipped: list[tuple[str, str]] = field(factory=list)
    """Files not compared, with the reason (the peer cannot read them)."""

    def totals(self) -> tuple[int, int, int, int]:
        """``(lines, lines agreeing, balances, balances agreeing)`` over the files."""
        return (
            sum(f.lines for f in self.files),
            sum(f.lines_agreeing for f in self.files),
            sum(f.balances for f in self.files),
            sum(f.balances_agreeing for f in self.files),
        )


class _Tally:
    """Collects the comparisons of one file."""

    def __init__(self, name: str) -> None:
        self.result = FileComparison(name)

    def lines(
        self,
        ours: Sequence[StatementLine],
        theirs: Sequence[dict[str, Any]],
        check: Callable[[StatementLine, dict[str, Any]], list[tuple[str, object, object]]],
    ) -> None:
        if len(ours) != len(theirs):
            self.result.differences.append(
                Difference("number of lines", str(len(ours)), str(len(theirs)))
            )
        for index, (mine, peer) in enumerate(zip(ours, theirs, strict=False), start=1):
            self.result.lines += 1
            found = check(mine, peer)
            if not found:
                self.result.lines_agreeing += 1
            for what, a, b in found:
                self.result.differences.append(Difference(f"line {index} {what}", str(a), str(b)))

    def balances(self, what: str, ours: Sequence[object], theirs: Sequence[object]) -> None:
        """Compare the balances both state, in order (a balance neither states is skipped)."""
        ours = [b for b in ours if b is not None]
        theirs = [b for b in theirs if b is not None]
        if len(ours) != len(theirs):
            self.result.differences.append(
                Difference(f"number of {what} balances", str(len(ours)), str(len(theirs)))
            )
        for index, (mine, peer) in enumerate(zip(ours, theirs, strict=False), start=1):
            self.result.balances += 1
            if mine == peer:
                self.result.balances_agreeing += 1
            else:
                self.result.differences.append(
                    Difference(f"{what} balance {index}", str(mine), str(peer))
                )


def _ours(parser: str, path: Path, name: str) -> ParseResult:
    return get_parser(parser).parse(path.read_bytes(), source=name, on_error="collect")


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return None


# -- MT940 and mt-940 ------------------------------------------------------------------


def compare_mt940(path: Path, name: str) -> FileComparison | None:
    """Lines (amount, value date, entry date, references) and balances against ``mt-940``."""
    import mt940

    events: list[tuple[str, Any]] = []

    def grab(slug: str) -> Callable[..., Any]:
        def processor(transactions: Any, tag: Any, tag_dict: Any, result: Any) -> Any:
            events.append((slug, result.get(slug) if isinstance(result, dict) else None))
            return result

        return processor

    slugs = (
        "final_opening_balance",
        "intermediate_opening_balance",
        "final_closing_balance",
        "intermediate_closing_balance",
    )
    processors = {f"post_{slug}": [grab(slug)] for slug in slugs}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = mt940.parse(str(path), processors=processors)
    except Exception as exc:  # the peer's own failure: not compared
        raise _PeerCannotRead(f"{type(exc).__name__}: {exc}") from None
    theirs = [transaction.data for transaction in parsed.transactions]
    if not theirs and not events:
        return None
    result = _ours("bank.mt940", path, name)
    tally = _Tally(name)
    tally.lines(result.lines, theirs, _mt940_line)
    openings = [b for slug, b in events if "opening" in slug]
    closings = [b for slug, b in events if "closing" in slug]
    tally.balances(
        "opening",
        [_money(s.opening_balance, s.opening_date) for s in result.statements],
        [_mt940_balance(b) for b in openings],
    )
    tally.balances(
        "closing",
        [_money(s.closing_balance, s.closing_date) for s in result.statements],
        [_mt940_balance(b) for b in closings],
    )
    return tally.result


def _money(money: Any, day: date | None) -> tuple[str, str, str] | None:
    if money is None:
        return None
    return (str(money.amount.normalize()), money.currency.code, str(day))


def _mt940_balance(balance: Any) -> tuple[str, str, str] | None:
    if balance is None:
        return None
    amount = balance.amount
    return (str(Decimal(amount.amount).normalize()), str(amount.currency), str(_day(balance.date)))


def _mt940_line(ours: StatementLine, theirs: dict[str, Any]) -> list[tuple[str, object, object]]:
    found: list[tuple[str, object, object]] = []
    amount = Decimal(theirs["amount"].amount)
    if ours.amount.amount != amount:
        found.append(("amount", ours.amount.amount, amount))
    value = _day(theirs.get("date"))
    if ours.value_date != value:
        found.append(("value date", ours.value_date, value))
    entry = _day(theirs.get("entry_date"))
    if entry is not None and ours.booked_on != entry:
        found.append(("entry date", ours.booked_on, entry))
    bank = (theirs.get("bank_reference") or "").strip() or None
    if (ours.transaction_id or None) != bank:
        found.append(("bank reference", ours.transaction_id, bank))
    # the owner's reference is the first line only (the peer glues the
    # supplementary details of the next line to it)
    customer = (theirs.get("customer_reference") or "").split("\n")[0].strip()
    if customer.rstrip("+").upper() not in _NO_REFERENCE and customer not in ours.references:
        found.append(("customer reference", ours.references, customer))
    return found


# -- OFX and ofxparse ------------------------------------------------------------------


def compare_ofx(path: Path, name: str) -> FileComparison | None:
    """Lines (amount, posting date, FITID) and ledger/available balances against ``ofxparse``."""
    import ofxparse

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = ofxparse.OfxParser.parse(io.BytesIO(path.read_bytes()))
    except Exception as exc:  # the peer's own failure: not compared
        raise _PeerCannotRead(f"{type(exc).__name__}: {exc}") from None
    accounts = [a for a in parsed.accounts if getattr(a, "statement", None) is not None]
    if not accounts:
        return None
    result = _ours("bank.ofx", path, name)
    tally = _Tally(name)
    theirs = [
        {"amount": t.amount, "date": t.date, "id": t.id}
        for account in accounts
        for t in account.statement.transactions
    ]
    tally.lines(result.lines, theirs, _ofx_line)
    tally.balances(
        "ledger",
        [_amount(s.closing_balance) for s in result.statements],
        [_decimal(getattr(a.statement, "balance", None)) for a in accounts],
    )
    tally.balances(
        "available",
        [_amount(s.available_balance) for s in result.statements],
        [_decimal(getattr(a.statement, "available_balance", None)) for a in accounts],
    )
    return tally.result


def _amount(money: Any) -> str | None:
    return None if money is None else str(money.amount.normalize())


def _decimal(value: Any) -> str | None:
    return None if value is None else str(Decimal(value).normalize())


def _ofx_line(ours: StatementLine, theirs: dict[str, Any]) -> list[tuple[str, object, object]]:
    found: list[tuple[str, object, object]] = []
    if ours.amount.amount != Decimal(theirs["amount"]):
        found.append(("amount", ours.amount.amount, theirs["amount"]))
    day = _day(theirs["date"])
    if ours.booked_on != day:
        found.append(("posting date", ours.booked_on, day))
    if ours.id != (theirs["id"] or "").strip():
        found.append(("FITID", ours.id, theirs["id"]))
    return found


# -- BAI2 and bai2 ---------------------------------------------------------------------


def compare_bai2(path: Path, name: str) -> FileComparison | None:
    """Details (amount, as-of date, references) and ledger balances against ``bai2``."""
    from bai2 import bai2

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = bai2.parse_from_string(
                path.read_bytes().decode("utf-8", "replace"), check_integrity=False
            )
    except Exception as exc:  # the peer's own failure: not compared
        raise _PeerCannotRead(f"{type(exc).__name__}: {exc}") from None
    theirs: list[dict[str, Any]] = []
    openings: list[str | None] = []
    closings: list[str | None] = []
    for group in parsed.children:
        as_of = group.header.as_of_date
        for account in group.children:
            items = {
                s.type_code.code: s.amount for s in account.header.summary_items if s.type_code
            }
            openings.append(_bai2_units(items.get("010"), account.header.currency))
            closings.append(_bai2_units(items.get("015"), account.header.currency))
            for detail in account.children:
                theirs.append(
                    {
                        "detail": detail,
                        "as_of": as_of,
                        "currency": account.header.currency,
                    }
                )
    if not theirs and not openings:
        return None
    result = _ours("bank.bai2", path, name)
    tally = _Tally(name)
    tally.lines(result.lines, theirs, _bai2_line)
    tally.balances(
        "opening ledger", [_amount(s.opening_balance) for s in result.statements], openings
    )
    tally.balances(
        "closing ledger", [_amount(s.closing_balance) for s in result.statements], closings
    )
    return tally.result


def _bai2_units(amount: int | None, currency: str | None) -> str | None:
    if amount is None:
        return None
    from ecomrules.money import Currency

    units = Currency.of(currency or "USD").minor_units or 0
    return str(Decimal(amount).scaleb(-units).normalize())


def _bai2_line(ours: StatementLine, theirs: dict[str, Any]) -> list[tuple[str, object, object]]:
    from bai2.constants import TypeCodeTransaction

    detail = theirs["detail"]
    found: list[tuple[str, object, object]] = []
    sign = -1 if detail.type_code.transaction is TypeCodeTransaction.debit else 1
    amount = Decimal(_bai2_units(detail.amount, theirs["currency"]) or 0) * sign
    if ours.amount.amount != amount:
        found.append(("amount", ours.amount.amount, amount))
    if ours.booked_on != theirs["as_of"]:
        found.append(("as-of date", ours.booked_on, theirs["as_of"]))
    bank = (detail.bank_reference or "").strip() or None
    if (ours.transaction_id or None) != bank:
        found.append(("bank reference", ours.transaction_id, bank))
    customer = (detail.customer_reference or "").strip()
    if customer and customer not in ours.references:
        found.append(("customer reference", ours.references, customer))
    return found


# -- the corpus ------------------------------------------------------------------------


class _PeerCannotRead(Exception):
    """The peer library raised on the file."""


PEERS: dict[str, tuple[str, tuple[str, ...], Callable[[Path, str], FileComparison | None]]] = {
    "mt940": ("mt-940", ("mt940", "mollie"), compare_mt940),
    "ofx": ("ofxparse", ("ofx",), compare_ofx),
    "bai2": ("bai2", ("bai2",), compare_bai2),
}
"""Format -> (peer package, corpus folders, comparison)."""


def agreement(corpus: Path, formats: Iterable[str] = tuple(PEERS)) -> dict[str, FormatAgreement]:
    """Compare every corpus file of ``formats`` that the peer reads too."""
    out: dict[str, FormatAgreement] = {}
    for fmt in formats:
        peer, folders, compare = PEERS[fmt]
        found = out[fmt] = FormatAgreement(peer)
        for folder in folders:
            for path in sorted((corpus / folder).glob("*")):
                name = f"{folder}/{path.name}"
                if not path.is_file():
                    continue
                try:
                    compared = compare(path, name)
                except _PeerCannotRead as exc:
                    found.skipped.append((name, f"the peer cannot read it ({exc})"[:200]))
                    continue
                except ParseError as exc:  # ours refuses the whole file
                    found.skipped.append((name, f"ecomrules refuses it: {exc}"[:200]))
                    continue
                if compared is None:
                    found.skipped.append((name, "the peer reads nothing in it"))
                else:
                    found.files.append(compared)
    return out
