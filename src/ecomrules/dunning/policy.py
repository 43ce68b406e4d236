"""Dunning policies as core values: levels, triggers, actions and limits.

A policy is an ordered ladder of :class:`DunningLevel` values plus an optional
preventive reminder that is no step of the ladder. Policies are usually read
from TOML or JSON with :func:`ecomrules.dunning.load_policy`, which checks the
invariants; these classes are the plain values the engine runs on.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from attrs import field, frozen

from ecomrules.dunning.rates import DayCount, RateReference, RateTable
from ecomrules.money import Currency, Money

__all__ = [
    "Channel",
    "DaysAfterDue",
    "DaysAfterPrevious",
    "DunningLevel",
    "DunningPolicy",
    "EndOfMonthAfterDue",
    "Fee",
    "FixedFee",
    "FlatIndemnity",
    "InterestRule",
    "Notify",
    "PercentageFee",
    "Trigger",
]


class Channel(enum.Enum):
    """How a notice reaches the customer."""

    EMAIL = "email"
    LETTER = "letter"
    SMS = "sms"
    PHONE = "phone"


@frozen
class DaysAfterDue:
    """Due ``days`` after the due date (negative: before it, for the preventive reminder)."""

    days: int

    def on(self, due: date, previous: date | None) -> date:
        """Return the first day the trigger fires."""
        return due + timedelta(days=self.days)


@frozen
class EndOfMonthAfterDue:
    """Due on the last day of the due date's month, ``months`` months later, plus ``days``."""

    months: int = 0
    days: int = 0

    def on(self, due: date, previous: date | None) -> date:
        """Return the first day the trigger fires."""
        month_index = due.year * 12 + due.month - 1 + self.months
        year, month = divmod(month_index, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, last) + timedelta(days=self.days)


@frozen
class DaysAfterPrevious:
    """Due ``days`` after the item was sent the previous level (the due date for the first)."""

    days: int

    def on(self, due: date, previous: date | None) -> date:
        """Return the first day the trigger fires."""
        return (due if previous is None else previous) + timedelta(days=self.days)


Trigger = DaysAfterDue | EndOfMonthAfterDue | DaysAfterPrevious
"""When a level becomes due for an item."""


@frozen
class Notify:
    """Send a notice by ``channel``, else the first ``fallback`` the customer can be reached by."""

    channel: Channel
    template: str
    fallback: tuple[Channel, ...] = ()


@frozen
class FixedFee:
    """A fixed fee: per notice (once per notice at this level) or per item."""

    amount: Money
    per_item: bool = False


@frozen
class PercentageFee:
    """``rate`` percent of the item's overdue amount, within ``minimum`` and ``maximum``.

    When ``currency`` is set the fee applies to items in that currency only and
    the bounds are amounts of it.
    """

    rate: Decimal
    currency: Currency | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None


@frozen
class FlatIndemnity:
    """A statutory flat fee charged once per invoice (France: 40 EUR, D441-5)."""

    amount: Money


Fee = FixedFee | PercentageFee | FlatIndemnity
"""A fee a level charges."""


@frozen
class InterestRule:
    """Late interest: simple interest on the overdue amount at a dated rate plus ``margin`` points.

    Interest runs from the day after the due date, or, with ``since_level``,
    from the day after the item was sent that level (French consumer law runs
    legal interest from the formal notice). A day already charged is never
    charged again.
    """

    table: RateTable
    margin: Decimal = Decimal(0)
    reference: RateReference = RateReference.DAILY
    day_count: DayCount = DayCount.ACTUAL_365
    since_level: str | None = None


@frozen
class DunningLevel:
    """One level of the ladder (or the preventive reminder) and what it does."""

    key: str
    name: str
    trigger: Trigger
    notify: Notify
    fees: tuple[Fee, ...] = ()
    interest: InterestRule | None = None
    block_credit: bool = False
    handover: str | None = None
    """Who takes over after this level (``collection``, ``litigation``); only the last level."""


def _frozen_amounts(value: Mapping[str, Decimal]) -> Mapping[str, Decimal]:
    return MappingProxyType({Currency.of(code).code: amount for code, amount in value.items()})


@frozen
class DunningPolicy:
    """A dunning procedure: the ladder, the preventive reminder and the limits.

    ``minimum_amounts`` maps a currency code to the overdue total below which
    a customer is not reminded in that currency. ``in_transit_tolerance`` is
    how far (in the item's currency) an incoming payment may differ from the
    item's residual and still count as paying it. When
    ``bank_data_max_age_days`` is set, a run whose newest bank data is older is
    refused; ``require_bank_data`` refuses a run with no bank data at all.
    """

    name: str
    levels: tuple[DunningLevel, ...]
    preventive: DunningLevel | None = None
    min_interval_days: int = 0
    minimum_amounts: Mapping[str, Decimal] = field(factory=dict, converter=_frozen_amounts)
    in_transit_tolerance: Decimal = Decimal(0)
    bank_data_max_age_days: int | None = None
    require_bank_data: bool = False
    rounding: str = ROUND_HALF_UP
    description: str = ""

    def level(self, key: str) -> DunningLevel:
        """Return the level (or the preventive reminder) called ``key``."""
        for level in self.levels:
            if level.key == key:
                return level
        if self.preventive is not None and self.preventive.key == key:
            return self.preventive
        raise KeyError(f"policy {self.name!r} has no level {key!r}")

    def rank(self, key: str) -> int:
        """Return the level's step on the ladder (1 for the first, 0 for the preventive one)."""
        for index, level in enumerate(self.levels, start=1):
            if level.key == key:
                return index
        if self.preventive is not None and self.preventive.key == key:
            return 0
        raise KeyError(f"policy {self.name!r} has no level {key!r}")
