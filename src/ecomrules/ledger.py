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
from datetime import date, datetime
from typing import Any, TypeVar

from attrs import field, frozen

from ecomrules.errors import FieldTypeError, FieldValueError
from ecomrules.money import Currency, Money

__all__ = ["Customer", "ItemStatus", "OpenItem"]


class ItemStatus(enum.Enum):
    """Collection status of an open item."""

    OPEN = "open"
    DISPUTED = "disputed"
    PROMISED = "promised"


T = TypeVar("T")


def _expect(owner: str, name: str, value: Any, kind: type[T]) -> T:
    """``value`` when it is a ``kind``, else ``FieldTypeError`` naming the field."""
    if not isinstance(value, kind):
        raise FieldTypeError(
            owner, name, f"is a {kind.__name__}, not {type(value).__name__}: {value!r}"
        )
    return value


def _day(owner: str, name: str, value: Any) -> date:
    """A calendar date (not a ``datetime``, not a string), else ``FieldTypeError``."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise FieldTypeError(
            owner, name, f"is a datetime.date, not {type(value).__name__}: {value!r}"
        )
    return value


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
        owner = f"open item {self.id}"
        for name in ("id", "number", "partner_id", "partner_name"):
            _expect(owner, name, getattr(self, name), str)
        amount = _expect(owner, "amount", self.amount, Money)
        residual = _expect(owner, "residual", self.residual, Money)
        issued = _day(owner, "issue_date", self.issue_date)
        due = _day(owner, "due_date", self.due_date)
        _expect(owner, "status", self.status, ItemStatus)
        if self.promise_until is not None:
            _day(owner, "promise_until", self.promise_until)
        if residual.currency != amount.currency:
            raise FieldValueError(
                owner, "residual", f"is in {residual.currency}, amount in {amount.currency}"
            )
        for name, money in (("amount", amount), ("residual", residual)):
            if not money.is_exact():
                raise FieldValueError(
                    owner,
                    name,
                    f"{money} has more than {money.currency.exponent} decimal(s)",
                )
        if residual.amount and (amount.amount >= 0) != (residual.amount >= 0):
            raise FieldValueError(owner, "residual", f"{residual} has the opposite sign of amount")
        if abs(residual.amount) > abs(amount.amount):
            raise FieldValueError(owner, "residual", f"{residual} is larger than amount {amount}")
        if due < issued:
            raise FieldValueError(owner, "due_date", f"{due} is before issue_date {issued}")

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
        _expect(owner, "id", self.id, str)
        _expect(owner, "name", self.name, str)
        if self.credit_limit is not None:
            limit = _expect(owner, "credit_limit", self.credit_limit, Money)
            if limit.currency != self.currency:
                raise FieldValueError(owner, "credit_limit", f"{limit} is not in {self.currency}")
        if self.created_on is not None:
            _day(owner, "created_on", self.created_on)
