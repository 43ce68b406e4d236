"""Customers and open items: the receivables side that every engine reads.

These are plain frozen values. The CLI builds them from ``customers.csv`` and
``open-items.csv`` (:mod:`ecomrules.inputs`); an ERP adapter builds them from
its own records.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

from attrs import field, frozen

from ecomrules.money import Currency, Money

__all__ = ["Customer", "ItemStatus", "OpenItem"]


class ItemStatus(enum.Enum):
    """Collection status of an open item."""

    OPEN = "open"
    DISPUTED = "disputed"
    PROMISED = "promised"


def _lines(value: Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _currency(value: Currency | str) -> Currency:
    return value if isinstance(value, Currency) else Currency.of(value)


@frozen
class OpenItem:
    """An invoice, credit note or order still (partly) open.

    ``amount`` is the original total, ``residual`` what is still open; both are
    positive for money the customer owes and negative for a credit note.
    """

    id: str
    number: str
    partner_id: str
    partner_name: str
    amount: Money
    residual: Money
    issue_date: date
    due_date: date
    reference: str | None = None
    order_id: str | None = None
    iban: str | None = None
    status: ItemStatus = ItemStatus.OPEN
    promise_until: date | None = None
    partner_vat: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.amount.currency != self.residual.currency:
            raise ValueError(f"open item {self.id}: amount and residual differ in currency")
        if self.due_date < self.issue_date:
            raise ValueError(f"open item {self.id}: due date is before the issue date")

    @property
    def currency(self) -> Currency:
        """The item's currency."""
        return self.amount.currency

    def days_overdue(self, as_of: date) -> int:
        """Days past the due date on ``as_of`` (0 when not yet due)."""
        return max(0, (as_of - self.due_date).days)


@frozen
class Customer:
    """A customer (partner) with what credit and dunning need to know."""

    id: str
    name: str
    currency: Currency = field(converter=_currency)
    credit_limit: Money | None = None
    group_id: str | None = None
    tier: str | None = None
    warning_message: str | None = None
    blocking_message: str | None = None
    created_on: date | None = None
    b2b: bool = True
    email: str | None = None
    language: str = "en"
    address: tuple[str, ...] = field(default=(), converter=_lines)
    """Postal address lines, as printed on a letter (empty when unknown)."""

    def __attrs_post_init__(self) -> None:
        if self.credit_limit is not None and self.credit_limit.currency != self.currency:
            raise ValueError(f"customer {self.id}: credit limit is not in {self.currency}")
