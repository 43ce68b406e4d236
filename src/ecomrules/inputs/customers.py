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

__all__ = ["ADDRESS", "CUSTOMERS", "address_lines", "customers_of", "read_customers"]

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
        Column(
            "address_line1",
            Kind.TEXT,
            False,
            "street and number, the first line of the postal address on letters",
        ),
        Column(
            "address_line2", Kind.TEXT, False, "a second street line (building, floor, P.O. box)"
        ),
        Column("postal_code", Kind.TEXT, False, "postal code, printed before the city"),
        Column("city", Kind.TEXT, False, "city"),
        Column("country", Kind.TEXT, False, "country, as it should be printed on the letter"),
    ),
)
"""The layout of ``customers.csv``."""

ADDRESS = ("address_line1", "address_line2", "postal_code", "city", "country")
"""The address columns, in the order :func:`address_lines` takes them."""


def customers_of(table: Table) -> list[Customer]:
    """The core customers of a table read by :data:`CUSTOMERS`.

    Every column fills the :class:`~ecomrules.ledger.Customer` field of its
    name, except the address columns, which make ``Customer.address``.
    """
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
        fields["address"] = address_lines(*(fields.pop(name) for name in ADDRESS))
        customers.append(Customer(**fields))
    return customers


def address_lines(
    line1: str | None,
    line2: str | None,
    postal_code: str | None,
    city: str | None,
    country: str | None,
) -> tuple[str, ...]:
    """The address lines for a letter: street lines, postal code and city, country."""
    town = " ".join(part for part in (postal_code, city) if part)
    return tuple(part for part in (line1, line2, town, country) if part)


def read_customers(path: str | Path, *, encoding: str = "utf-8") -> list[Customer]:
    """Read ``customers.csv`` (or ``.jsonl``); every problem is reported in one ``InputError``."""
    return customers_of(read_table(path, CUSTOMERS, encoding=encoding))
