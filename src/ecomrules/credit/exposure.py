"""Exposure: what a customer (or a group) owes or will owe, by bucket, in one currency.

``total = not_due + overdue + draft_invoices + open_orders + reserved
- credits - deposits``. ``scheduled`` (pre-orders invoiced after the horizon)
is shown but not counted.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Any

from attrs import evolve, frozen

from ecomrules.credit.policy import Bucket
from ecomrules.money import Currency, Money

__all__ = ["Exposure", "GroupExposure"]


# Not slotted: a slotted attrs class reaches a cached_property through a failed
# slot lookup (an AttributeError) on first use, which doubled the cost of
# ``total`` on every freshly built exposure.
@frozen(slots=False)
class Exposure:
    """A customer's or a group's exposure at a date, every part in ``currency``.

    ``credits`` (credit notes and payments not yet applied) and ``deposits``
    (deposits and prepayments received on open orders) are positive and are
    subtracted. ``max_days_overdue`` is the age of the oldest overdue item that
    the overdue check counts (neither disputed nor promised for a later date).
    ``entries`` counts the items and orders behind the figures.
    """

    currency: Currency
    not_due: Money
    overdue_1_30: Money
    overdue_31_60: Money
    overdue_61_90: Money
    overdue_over_90: Money
    draft_invoices: Money
    open_orders: Money
    reserved: Money
    credits: Money
    deposits: Money
    scheduled: Money
    max_days_overdue: int = 0
    entries: int = 0

    @classmethod
    def zero(cls, currency: Currency | str) -> Exposure:
        """An empty exposure in ``currency``."""
        cur = currency if isinstance(currency, Currency) else Currency.of(currency)
        z = Money(Decimal(0).quantize(cur.quantum), cur)
        return cls(cur, z, z, z, z, z, z, z, z, z, z, z)

    @cached_property
    def overdue(self) -> Money:
        """Everything past its due date, all buckets."""
        return Money._trusted(self._overdue(), self.currency)

    def _overdue(self) -> Decimal:
        return (
            self.overdue_1_30.amount
            + self.overdue_31_60.amount
            + self.overdue_61_90.amount
            + self.overdue_over_90.amount
        )

    @cached_property
    def total(self) -> Money:
        """The exposure that counts against the limit."""
        amount = (
            self.not_due.amount
            + self._overdue()
            + self.draft_invoices.amount
            + self.open_orders.amount
            + self.reserved.amount
            - self.credits.amount
            - self.deposits.amount
        )
        return Money._trusted(amount, self.currency)

    def bucket(self, bucket: Bucket) -> Money:
        """Return the amount of one bucket."""
        if bucket is Bucket.OVERDUE:
            return self.overdue
        amount: Money = getattr(self, bucket.value)
        return amount

    def with_reserved(self, amount: Money) -> Exposure:
        """Return a copy with ``amount`` more reserved by orders being taken elsewhere."""
        return evolve(self, reserved=self.reserved + amount)

    def to_json(self) -> dict[str, Any]:
        """Return the parts as strings (canonical JSON)."""
        parts = (
            "not_due",
            "overdue_1_30",
            "overdue_31_60",
            "overdue_61_90",
            "overdue_over_90",
            "draft_invoices",
            "open_orders",
            "reserved",
            "credits",
            "deposits",
            "scheduled",
        )
        out: dict[str, Any] = {name: str(getattr(self, name).amount) for name in parts}
        out.update(
            currency=self.currency.code,
            overdue=str(self.overdue.amount),
            total=str(self.total.amount),
            max_days_overdue=self.max_days_overdue,
            entries=self.entries,
        )
        return out


@frozen
class GroupExposure:
    """The exposure of the group a customer belongs to, with the group's limit."""

    group_id: str
    exposure: Exposure
    limit: Money | None
