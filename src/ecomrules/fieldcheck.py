"""Field checks of the core values, on construction: one rule for every core type.

``OpenItem``, ``Customer``, ``Order``, ``OrderLine``, ``OpenOrder`` and the
pre-order values (``PreorderProduct``, ``PreorderLine``, ``SupplyEvent``) are
built by the readers and by programs embedding the library. Both get the same
checks: a field of the wrong type raises
:class:`~ecomrules.errors.FieldTypeError`, an amount with more decimals than
its currency has :class:`~ecomrules.errors.FieldValueError`, each naming the
value and the field, instead of a ``TypeError`` or ``AttributeError`` deep
inside an engine later.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from ecomrules.errors import FieldTypeError, FieldValueError
from ecomrules.money import Money

__all__ = ["calendar_day", "exact_money", "expect"]

T = TypeVar("T")


def expect(owner: str, name: str, value: Any, kind: type[T]) -> T:
    """``value`` when it is a ``kind``, else ``FieldTypeError`` naming the field."""
    if not isinstance(value, kind):
        raise FieldTypeError(
            owner, name, f"is a {kind.__name__}, not {type(value).__name__}: {value!r}"
        )
    return value


def calendar_day(owner: str, name: str, value: Any) -> date:
    """A calendar date (not a ``datetime``, not a string), else ``FieldTypeError``."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise FieldTypeError(
            owner, name, f"is a datetime.date, not {type(value).__name__}: {value!r}"
        )
    return value


def exact_money(owner: str, name: str, value: Any) -> Money:
    """A ``Money`` with at most its currency's minor units, else the field's error.

    The amount rule of the readers (:func:`~ecomrules.inputs.layout.amount_units`)
    for values built by a program: ``1240.505 EUR`` is refused.
    """
    money = expect(owner, name, value, Money)
    if not money.is_exact():
        raise FieldValueError(
            owner, name, f"{money} has more than {money.currency.exponent} decimal(s)"
        )
    return money
