"""Fast construction of lines and amounts for the bank parsers' hot loops.

attrs' generated ``__init__`` of the 19-field :class:`StatementLine` costs
about as much as reading a CSV row. The values built here are already typed
(a Decimal, a Currency), so :func:`make_line` and :func:`make_money` fill the
slots directly. When the model's fields are not the ones this module knows
(the model changed), both fall back to the ordinary constructors.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

import attrs

from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine

__all__ = ["make_line", "make_money"]

_LINE_FIELDS: Final = (
    "id",
    "kind",
    "booked_on",
    "amount",
    "label",
    "references",
    "counterparty",
    "booked_at",
    "value_date",
    "available_on",
    "gross",
    "fee",
    "payout_id",
    "transaction_id",
    "parent_id",
    "related_id",
    "metadata",
    "raw",
    "location",
)
_EMPTY: Final[Mapping[str, str]] = MappingProxyType({})
_FAST_LINE: Final = tuple(a.name for a in attrs.fields(StatementLine)) == _LINE_FIELDS
_FAST_MONEY: Final = tuple(a.name for a in attrs.fields(Money)) == ("amount", "currency")
_SETTERS: Final[tuple[Any, ...]] = (
    tuple(getattr(StatementLine, name).__set__ for name in _LINE_FIELDS) if _FAST_LINE else ()
)
_SET_AMOUNT: Final[Any] = Money.amount.__set__ if _FAST_MONEY else None  # type: ignore[attr-defined]
_SET_CURRENCY: Final[Any] = Money.currency.__set__ if _FAST_MONEY else None  # type: ignore[attr-defined]
_new = object.__new__


def make_money(amount: Decimal, currency: Currency) -> Money:
    """``Money(amount, currency)`` for a finite Decimal and a Currency, without re-checking."""
    if not _FAST_MONEY:
        return Money(amount, currency)
    money = _new(Money)
    _SET_AMOUNT(money, amount)
    _SET_CURRENCY(money, currency)
    return money


def make_line(
    line_id: str,
    kind: LineKind,
    booked_on: date,
    amount: Money,
    label: str,
    references: tuple[str, ...],
    counterparty: Counterparty | None,
    booked_at: datetime | None,
    value_date: date | None,
    raw: str,
    location: SourceLocation | None,
    *,
    transaction_id: str | None = None,
    parent_id: str | None = None,
    metadata: Mapping[str, str] = _EMPTY,
) -> StatementLine:
    """A :class:`StatementLine` with the given fields and the others at their defaults.

    ``metadata`` is stored as given: pass a read-only mapping (``MappingProxyType``).
    """
    if not _FAST_LINE:
        return StatementLine(
            id=line_id,
            kind=kind,
            booked_on=booked_on,
            amount=amount,
            label=label,
            references=references,
            counterparty=counterparty,
            booked_at=booked_at,
            value_date=value_date,
            raw=raw,
            location=location,
            transaction_id=transaction_id,
            parent_id=parent_id,
            metadata=metadata,
        )
    line = _new(StatementLine)
    (
        set_id,
        set_kind,
        set_booked_on,
        set_amount,
        set_label,
        set_references,
        set_counterparty,
        set_booked_at,
        set_value_date,
        set_available_on,
        set_gross,
        set_fee,
        set_payout_id,
        set_transaction_id,
        set_parent_id,
        set_related_id,
        set_metadata,
        set_raw,
        set_location,
    ) = _SETTERS
    set_id(line, line_id)
    set_kind(line, kind)
    set_booked_on(line, booked_on)
    set_amount(line, amount)
    set_label(line, label)
    set_references(line, references)
    set_counterparty(line, counterparty)
    set_booked_at(line, booked_at)
    set_value_date(line, value_date)
    set_available_on(line, None)
    set_gross(line, None)
    set_fee(line, None)
    set_payout_id(line, None)
    set_transaction_id(line, transaction_id)
    set_parent_id(line, parent_id)
    set_related_id(line, None)
    set_metadata(line, metadata)
    set_raw(line, raw)
    set_location(line, location)
    return line
