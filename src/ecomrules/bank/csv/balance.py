"""The running-balance control of a CSV statement that has a balance column.

Many bank exports give the account's balance after each row. Row by row it
must hold: ``balance = previous balance + amount`` (oldest row first) or
``balance = previous balance - previous amount`` (newest row first). The
first and last rows give the statement's opening and closing balances. A row
with an empty balance cell breaks the chain; the next row starts a new one.
"""

from __future__ import annotations

from decimal import Decimal

from ecomrules.bank.problems import BALANCE_MISMATCH
from ecomrules.errors import ControlTotalError
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import ErrorPolicy

__all__ = ["RunningBalance"]


class RunningBalance:
    """Checks a balance column as rows come, and knows the opening and closing balances."""

    __slots__ = ("first", "last", "mismatches", "newest_first", "policy", "previous")

    def __init__(self, policy: ErrorPolicy, *, newest_first: bool) -> None:
        self.policy = policy
        self.newest_first = newest_first
        self.first: tuple[Decimal, Decimal] | None = None
        self.last: tuple[Decimal, Decimal] | None = None
        self.previous: tuple[Decimal, Decimal] | None = None
        self.mismatches = 0

    def step(self, balance: Decimal, amount: Decimal, where: SourceLocation) -> None:
        """Take the next row's ``balance`` and ``amount``; report a break in the chain."""
        if self.previous is not None:
            before, before_amount = self.previous
            if self.newest_first:
                expected = before - before_amount
                how = f"the newer row's {before} - its amount {before_amount}"
            else:
                expected = before + amount
                how = f"the previous row's {before} + this amount {amount}"
            if expected != balance:
                self.mismatches += 1
                self.policy.fail(
                    ControlTotalError(
                        f"column 'balance': {balance} differs from {how} = {expected} "
                        f"(difference {balance - expected})",
                        location=where,
                    ),
                    BALANCE_MISMATCH,
                )
        self.previous = (balance, amount)
        if self.first is None:
            self.first = (balance, amount)
        self.last = (balance, amount)

    def gap(self) -> None:
        """A row without a balance: the next row starts a new chain."""
        self.previous = None

    def opening(self) -> Decimal | None:
        """The balance before the oldest row, if the file gave balances."""
        oldest = self.last if self.newest_first else self.first
        return None if oldest is None else oldest[0] - oldest[1]

    def closing(self) -> Decimal | None:
        """The balance after the newest row, if the file gave balances."""
        newest = self.first if self.newest_first else self.last
        return None if newest is None else newest[0]
