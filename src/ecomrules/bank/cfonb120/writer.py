"""Write statements as CFONB 120 records (01, 04, 05 LIB, 07)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ecomrules.bank.cfonb120._fields import encode_amount, encode_date
from ecomrules.errors import InvariantError
from ecomrules.parsing.model import Statement, StatementLine

__all__ = ["iter_records", "write_cfonb120"]

_LABEL = 31
_LIB = 70


def _account(statement: Statement) -> tuple[str, str, str]:
    parts = (statement.account or "").split("/")
    if len(parts) != 3 or len(parts[0]) != 5 or len(parts[1]) != 5 or len(parts[2]) > 11:
        raise InvariantError(
            "CFONB 120 needs an account 'bank(5)/guichet(5)/account(<=11)',"
            f" not {statement.account!r}"
        )
    return parts[0], parts[1], parts[2].rjust(11, "0")


def _head(
    code: str, bank: str, op: str, guichet: str, currency: str, decimals: int, account: str
) -> str:
    return f"{code}{bank}{op:<4.4}{guichet}{currency}{decimals} {account}"


def _wrap(text: str, first: int, rest: int) -> list[str]:
    """Split ``text`` at spaces into a piece of ``first`` characters, then of ``rest``."""
    pieces: list[str] = []
    width = first
    while len(text) > width:
        cut = text.rfind(" ", 0, width + 1)
        if cut <= 0:
            raise InvariantError(f"label word longer than {width} characters: {text[:width]!r}...")
        pieces.append(text[:cut])
        text = text[cut + 1 :]
        width = rest
    pieces.append(text)
    return pieces


def _movement(
    line: StatementLine, bank: str, guichet: str, account: str, decimals: int
) -> Iterator[str]:
    currency = line.amount.currency.code
    op = line.metadata.get("operation_code", "05")
    label, *more = _wrap(line.label, _LABEL, _LIB)
    reference = line.references[0] if line.references else ""
    if len(reference) > 16:
        raise InvariantError(
            f"line {line.id}: reference {reference!r} is longer than 16 characters"
        )
    value = "      " if line.value_date is None else encode_date(line.value_date)
    head = _head("04", bank, "", guichet, currency, decimals, account)
    yield (
        f"{head}{op:<2.2}{encode_date(line.booked_on)}  {value}{label:<31}"
        f"{'':2}{line.metadata.get('entry_number', ''):<7.7}  "
        f"{encode_amount(line.amount.amount, decimals)}{reference:<16}"
    )
    for piece in more:
        yield f"05{head[2:]}{op:<2.2}{encode_date(line.booked_on)}     LIB{piece:<70}  "


def iter_records(statements: Iterable[Statement]) -> Iterator[str]:
    """Yield the 120-character records of ``statements``, one statement after the other.

    Each statement needs an account ``bank/guichet/account``, a currency, an
    opening and a closing balance and their dates; a label longer than 31
    characters continues in 05 ``LIB`` records, split at spaces.
    """
    for statement in statements:
        bank, guichet, account = _account(statement)
        if (
            statement.currency is None
            or statement.opening_balance is None
            or statement.closing_balance is None
            or statement.opening_date is None
            or statement.closing_date is None
        ):
            raise InvariantError("CFONB 120 needs a currency, both balances and their dates")
        currency = statement.currency.code
        decimals = statement.currency.exponent
        head = _head("01", bank, "", guichet, currency, decimals, account)
        yield (
            f"{head}  {encode_date(statement.opening_date)}{'':50}"
            f"{encode_amount(statement.opening_balance.amount, decimals)}{'':16}"
        )
        for line in statement.lines:
            yield from _movement(line, bank, guichet, account, decimals)
        head = _head("07", bank, "", guichet, currency, decimals, account)
        yield (
            f"{head}  {encode_date(statement.closing_date)}{'':50}"
            f"{encode_amount(statement.closing_balance.amount, decimals)}{'':16}"
        )


def write_cfonb120(statements: Iterable[Statement], *, line_end: str = "\r\n") -> str:
    """Return ``statements`` as a CFONB 120 file, records ended by ``line_end``."""
    return "".join(record + line_end for record in iter_records(statements))
