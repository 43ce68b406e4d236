"""``customers.csv``: who the customers are, their credit limit and contact.

:data:`CUSTOMERS` is the file's one definition. A column is added by adding
its :class:`~ecomrules.inputs.layout.Column` here and the field of the same
name to :class:`~ecomrules.ledger.Customer`: :func:`customers_of` passes
every column by name (amounts become :class:`~ecomrules.money.Money` in the
customer's currency).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ecomrules.inputs.layout import Column, Kind, Layout
from ecomrules.inputs.table import Table, read_table
from ecomrules.ledger import Customer
from ecomrules.money import Currency, Money

__all__ = ["CUSTOMERS", "customers_of", "read_customers"]

CUSTOMERS = Layout(
    "customers.csv",
    (
        Column("id", Kind.TEXT, True, "unique customer id"),
        Column("name", Kind.TEXT, True, "name"),
        Column("currency", Kind.CURRENCY, True, "the customer's currency (credit limit currency)"),
        Column("credit_limit", Kind.AMOUNT, False, "a decimal; empty means no limit set"),
        Column(
            "group_id", Kind.TEXT, False, "the parent company's id: group exposure sums its members"
        ),
        Column(
            "tier", Kind.TEXT, False, "a free tier label (`gold`, `silver`, ...) used by policies"
        ),
        Column(
            "warning_message",
            Kind.TEXT,
            False,
            "a manual warning: orders are allowed with a warning",
        ),
        Column("blocking_message", Kind.TEXT, False, "a manual block: orders are blocked"),
        Column("created_on", Kind.DATE, False, "`YYYY-MM-DD`, when the customer was created"),
        Column("b2b", Kind.FLAG, False, "`true` (default) or `false` for a consumer", default=True),
        Column("email", Kind.TEXT, False, "contact e-mail"),
        Column(
            "language",
            Kind.TEXT,
            False,
            "language code for letters (`en` by default)",
            default="en",
        ),
    ),
)
"""The layout of ``customers.csv``."""


def customers_of(table: Table) -> list[Customer]:
    """The core customers of a table read by :data:`CUSTOMERS`."""
    layout = table.layout
    names = [column.name for column in layout.columns]
    amounts = {column.name for column in layout.columns if column.kind is Kind.AMOUNT}
    customers = []
    for row in zip(*(table.columns[name] for name in names), strict=True):
        fields: dict[str, Any] = dict(zip(names, row, strict=True))
        currency = Currency.of(fields[layout.currency])
        for name in amounts:
            units = fields[name]
            if units is not None:
                fields[name] = Money._trusted(Decimal(units).scaleb(-currency.exponent), currency)
        customers.append(Customer(**fields))
    return customers


def read_customers(path: str | Path, *, encoding: str = "utf-8") -> list[Customer]:
    """Read ``customers.csv`` (or ``.jsonl``); every problem is reported in one ``InputError``."""
    return customers_of(read_table(path, CUSTOMERS, encoding=encoding))
