"""Write statements as MT940 messages, details in the Dutch SEPA tag style."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from ecomrules.errors import InvariantError
from ecomrules.parsing.model import Statement, StatementLine

__all__ = ["iter_fields", "write_mt940"]

_WIDTH = 65


def _amount(value: Decimal) -> str:
    return f"{abs(value):f}".replace(".", ",")


def _balance(tag: str, value: Decimal, day: object, currency: str) -> str:
    mark = "D" if value < 0 else "C"
    return f":{tag}:{mark}{day:%y%m%d}{currency}{_amount(value)}"


def _wrap(tag: str, text: str) -> Iterator[str]:
    """Cut at 65 characters, never after a space (readers strip trailing spaces)."""
    first = True
    while first or text:
        width = _WIDTH
        while width > 1 and len(text) > width and text[width - 1] == " ":
            width -= 1
        piece, text = text[:width], text[width:]
        yield f":{tag}:{piece}" if first else piece
        first = False


def _line(line: StatementLine) -> Iterator[str]:
    value = line.value_date or line.booked_on
    mark = "D" if line.amount.amount < 0 else "C"
    reference = line.references[0] if line.references else ""
    bank_ref = f"//{line.transaction_id}" if line.transaction_id else ""
    yield (
        f":61:{value:%y%m%d}{line.booked_on:%m%d}{mark}{_amount(line.amount.amount)}"
        f"NTRF{reference[:16] or 'NONREF'}{bank_ref}"
    )
    details = ""
    if reference:
        details += f"/EREF/{reference}"
    party = line.counterparty
    if party is not None and party.name:
        details += f"/NAME/{party.name}"
    if party is not None and party.iban:
        details += f"/IBAN/{party.iban}"
    details += f"/REMI/{line.label}"
    yield from _wrap("86", details)


def iter_fields(statements: Iterable[Statement]) -> Iterator[str]:
    """Yield the physical lines of one MT940 message per statement.

    Each statement needs an account, a currency, both balances and their
    dates; details go in ``:86:`` as ``/EREF/ /NAME/ /IBAN/ /REMI/`` tags,
    wrapped at 65 characters.
    """
    for number, statement in enumerate(statements, start=1):
        if (
            statement.account is None
            or statement.currency is None
            or statement.opening_balance is None
            or statement.closing_balance is None
            or statement.opening_date is None
            or statement.closing_date is None
        ):
            raise InvariantError("MT940 needs an account, a currency, both balances and dates")
        currency = statement.currency.code
        yield f":20:{(statement.id or 'STATEMENT')[:16]}"
        yield f":25:{statement.account}"
        yield f":28C:{number:05d}"
        yield _balance("60F", statement.opening_balance.amount, statement.opening_date, currency)
        for line in statement.lines:
            yield from _line(line)
        yield _balance("62F", statement.closing_balance.amount, statement.closing_date, currency)
        yield "-"


def write_mt940(statements: Iterable[Statement], *, line_end: str = "\r\n") -> str:
    """Return ``statements`` as an MT940 file, lines ended by ``line_end``."""
    return "".join(line + line_end for line in iter_fields(statements))
