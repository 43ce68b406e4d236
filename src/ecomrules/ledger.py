"""Customers and open items: the receivables side that every engine reads.

These are plain frozen values that check their fields on construction: a
wrong type (a string for a date, a ``Decimal`` for ``Money``) raises
:class:`~ecomrules.errors.FieldTypeError`, a broken rule (a residual above
the amount, a due date before the issue date, more decimals than the
currency has) :class:`~ecomrules.errors.FieldValueError`, both naming the
field. The CLI builds them from ``customers.csv`` and
``open-items.csv`` (:mod:`ecomrules.inputs`); an ERP adapter builds them from
its own records.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

from attrs import field, frozen

from ecomrules.errors import FieldValueError
from ecomrules.fieldcheck import calendar_day, exact_money, expect
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
        amount, residual = self.amount, self.residual
        issued, due = self.issue_date, self.due_date
        # The common case in one expression (a reader builds a million items);
        # anything else goes through the checks that name the field.
        if not (
            type(self.id) is str
            and type(self.number) is str
            and type(self.partner_id) is str
            and type(self.partner_name) is str
            and type(amount) is Money
            and type(residual) is Money
            and type(issued) is date
            and type(due) is date
            and type(self.status) is ItemStatus
            and (self.promise_until is None or type(self.promise_until) is date)
            and amount.is_exact()
            and residual.is_exact()
        ):
            self._check_fields()
        owed, left = amount.amount, residual.amount
        if residual.currency is not amount.currency and residual.currency != amount.currency:
            raise FieldValueError(
                f"open item {self.id}",
                "residual",
                f"is in {residual.currency}, amount in {amount.currency}",
            )
        if left and (owed >= 0) != (left >= 0):
            raise FieldValueError(
                f"open item {self.id}", "residual", f"{residual} has the opposite sign of amount"
            )
        if abs(left) > abs(owed):
            raise FieldValueError(
                f"open item {self.id}", "residual", f"{residual} is larger than amount {amount}"
            )
        if due < issued:
            raise FieldValueError(
                f"open item {self.id}", "due_date", f"{due} is before issue_date {issued}"
            )

    def _check_fields(self) -> None:
        """Raise the error that names the first field of a wrong type or finer than its currency."""
        owner = f"open item {self.id}"
        for name in ("id", "number", "partner_id", "partner_name"):
            expect(owner, name, getattr(self, name), str)
        exact_money(owner, "amount", self.amount)
        exact_money(owner, "residual", self.residual)
        calendar_day(owner, "issue_date", self.issue_date)
        calendar_day(owner, "due_date", self.due_date)
        expect(owner, "status", self.status, ItemStatus)
        if self.promise_until is not None:
            calendar_day(owner, "promise_until", self.promise_until)

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
        owner = f"customer {self.id}"
        expect(owner, "id", self.id, str)
        expect(owner, "name", self.name, str)
        if self.credit_limit is not None:
            limit = exact_money(owner, "credit_limit", self.credit_limit)
            if limit.currency != self.currency:
                raise FieldValueError(owner, "credit_limit", f"{limit} is not in {self.currency}")
        if self.created_on is not None:
            calendar_day(owner, "created_on", self.created_on)
