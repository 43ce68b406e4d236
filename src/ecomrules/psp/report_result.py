"""Turn the lines a PSP parser read into a checked :class:`ParseResult`.

Every PSP parser ends the same way: check ``gross - fee == net`` on each line,
group the lines into payouts and check them against what the report states,
and group the lines into one statement per account and currency (in the order
the file first names them). :func:`assemble` does that once for all of them.
It also writes every amount with at least its currency's minor units (``25``
becomes ``25.00``, ``-0`` becomes ``0.00``); digits are never dropped, so
Mollie's four decimals stay four.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final, TypeVar

import attrs

from ecomrules.errors import ParseError
from ecomrules.money import Currency, Money
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.model import ParseResult, Statement, StatementLine
from ecomrules.psp.controls import build_payouts, check_net

__all__ = [
    "AccountLine",
    "assemble",
    "checked_line",
    "collect_lines",
    "read_lines",
]

AccountLine = tuple[str | None, StatementLine]
"""A line and the PSP account (merchant account, entity) it belongs to."""

_Record = TypeVar("_Record")
_QUANTA: Final = {n: Decimal(1).scaleb(-n) for n in range(9)}


def read_lines(
    records: Iterable[_Record],
    read: Callable[[_Record], Iterable[AccountLine]],
    policy: ErrorPolicy,
    code: str,
) -> Iterator[AccountLine]:
    """The lines ``read`` makes of each record; a record it fails on goes to ``policy`` as ``code``.

    ``read`` gives any number of lines per record (none for a record that
    books nothing). The lines it gave before raising a
    :class:`~ecomrules.errors.ParseError` are kept.
    """
    for record in records:
        try:
            yield from read(record)
        except ParseError as exc:
            policy.fail(exc, code)


def collect_lines(
    records: Iterable[_Record],
    read: Callable[[_Record], Iterable[AccountLine]],
    policy: ErrorPolicy,
    code: str,
) -> list[AccountLine]:
    """All the lines of :func:`read_lines`, in a list."""
    return list(read_lines(records, read, policy, code))


def checked_line(line: StatementLine, policy: ErrorPolicy) -> StatementLine:
    """``line`` with its amounts written to its currency's minor units, its net checked."""
    line = _padded(line)
    check_net(line, policy)
    return line


def assemble(
    parser: str,
    source: str,
    entries: Sequence[AccountLine],
    policy: ErrorPolicy,
    *,
    stated: Mapping[tuple[str, Currency], Money] | None = None,
    arrival: Mapping[str, date] | None = None,
    checked: bool = False,
) -> ParseResult:
    """Check every line and payout, and return the result with the policy's issues.

    ``checked``: the lines were checked as they were read (the records kit of
    :class:`~ecomrules.psp.report_parser.HeaderReportParser`); they are taken
    as they are, only the payouts are checked.
    """
    lines: list[StatementLine] = []
    groups: dict[tuple[str | None, str], list[StatementLine]] = {}
    for account, read in entries:
        line = read if checked else checked_line(read, policy)
        lines.append(line)
        groups.setdefault((account, line.currency.code), []).append(line)
    payouts = build_payouts(lines, policy, stated=stated, arrival=arrival, source=source)
    statements = tuple(
        Statement(account=account, currency=Currency.of(code), lines=tuple(lines))
        for (account, code), lines in groups.items()
    )
    return ParseResult(
        parser=parser,
        source=source,
        statements=statements,
        payouts=payouts,
        issues=tuple(policy.issues),
    )


def _pad(money: Money) -> Money:
    exponent = money.currency.minor_units
    if exponent is None:
        return money
    amount = money.amount
    quantum = _QUANTA.get(exponent) or Decimal(1).scaleb(-exponent)
    if not amount.same_quantum(quantum):  # other than the currency's decimals
        digits = amount.as_tuple().exponent
        if isinstance(digits, int) and digits > -exponent:
            try:
                amount = amount.quantize(quantum)
            except InvalidOperation:  # too many digits to pad: keep the amount as written
                return money
    if amount.is_zero() and amount.is_signed():
        amount = -amount
    return money if amount is money.amount else Money(amount, money.currency)


def _padded(line: StatementLine) -> StatementLine:
    amount = _pad(line.amount)
    gross = None if line.gross is None else _pad(line.gross)
    fee = None if line.fee is None else _pad(line.fee)
    if amount is line.amount and gross is line.gross and fee is line.fee:
        return line
    return attrs.evolve(line, amount=amount, gross=gross, fee=fee)
