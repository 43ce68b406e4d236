"""The controls every PSP report must pass, and payouts built from its lines.

- Each line: ``gross - fee == amount`` (the net), when the report gives gross and fee.
- Each payout: its amount equals the sum of the nets of the lines it pays out,
  per currency. A report that states the payout amount (a payout row, a batch
  trailer) is checked against that sum; a report that does not gets the sum.

A failure is a :class:`~ecomrules.errors.ControlTotalError` in strict mode and
an error issue in lenient mode (through the parser's
:class:`~ecomrules.parsing.base.ErrorPolicy`); nothing is adjusted to make it fit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from ecomrules.errors import ControlTotalError
from ecomrules.money import Currency, Money, sum_money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.model import LineKind, Payout, StatementLine

__all__ = ["build_payouts", "check_net", "own_payouts"]

_PAYOUT = LineKind.PAYOUT


def check_net(line: StatementLine, policy: ErrorPolicy) -> None:
    """Check ``gross - fee == amount`` on one line (skipped when gross or fee is absent)."""
    gross, fee, amount = line.gross, line.fee, line.amount
    if gross is None or fee is None:
        return
    if gross.currency is fee.currency is amount.currency:  # the common case, without new Money
        if gross.amount - fee.amount == amount.amount:
            return
    elif gross - fee == amount:
        return
    policy.fail(
        ControlTotalError(
            f"line {line.id}: gross {gross.amount} - fee {fee.amount} != net {amount.amount}",
            location=line.location,
        ),
        "psp.control.net_mismatch",
    )


def build_payouts(
    lines: Iterable[StatementLine],
    policy: ErrorPolicy,
    *,
    stated: Mapping[tuple[str, Currency], Money] | None = None,
    arrival: Mapping[str, date] | None = None,
    source: str = "",
) -> tuple[Payout, ...]:
    """Group lines by ``payout_id`` and currency into payouts and check their totals.

    A line of kind ``PAYOUT`` is the transfer to the bank itself: its amount is
    the negative of what the other lines of the payout add up to, and the
    payout's amount is taken from it. ``stated`` gives payout amounts stated
    elsewhere in the report (a batch trailer), keyed by (payout id, currency).
    Payouts come back sorted by id and currency.
    """
    # Keyed by the currency's code: a str hashes in C, a Currency in Python.
    members: dict[tuple[str, str], list[StatementLine]] = defaultdict(list)
    transfers: dict[tuple[str, str], list[StatementLine]] = defaultdict(list)
    currencies: dict[str, Currency] = {}
    for line in lines:
        payout_id = line.payout_id
        if payout_id is None:
            continue
        currency = line.amount.currency
        code = currency.code
        if code not in currencies:
            currencies[code] = currency
        key = (payout_id, code)
        (transfers if line.kind is _PAYOUT else members)[key].append(line)
    stated_by_code = {(pid, cur.code): money for (pid, cur), money in (stated or {}).items()}
    payouts = []
    for key in sorted(set(members) | set(transfers)):
        payout_id, code = key
        currency = currencies[code]
        net = sum_money((line.amount for line in members[key]), currency=currency)
        amount = net
        declared: list[tuple[Money, SourceLocation | None]] = [
            (-t.amount, t.location) for t in transfers[key]
        ]
        if key in stated_by_code:
            declared.append((stated_by_code[key], SourceLocation(source) if source else None))
        for expected, location in declared:
            amount = expected
            if expected != net:
                policy.fail(
                    ControlTotalError(
                        f"payout {payout_id} ({currency.code}): stated {expected.amount}, "
                        f"lines add up to {net.amount}",
                        location=location,
                    ),
                    "psp.control.payout_mismatch",
                )
        payouts.append(
            Payout(
                id=payout_id,
                amount=amount,
                line_ids=tuple(line.id for line in members[key] + transfers[key]),
                arrival_date=(arrival or {}).get(payout_id),
            )
        )
    return tuple(payouts)


def own_payouts(lines: Iterable[StatementLine]) -> tuple[Payout, ...]:
    """Each payout line (a withdrawal to the bank) as a payout of its own amount.

    For a report that is a balance statement, not a file per payout (PayPal's
    STL and Activity download): the payout's only member is the line itself,
    so there is no sum of lines to check it against. Sorted by id and currency.
    """
    return tuple(
        sorted(
            (
                Payout(id=line.id, amount=-line.amount, line_ids=(line.id,))
                for line in lines
                if line.kind is _PAYOUT
            ),
            key=lambda p: (p.id, p.currency.code),
        )
    )
