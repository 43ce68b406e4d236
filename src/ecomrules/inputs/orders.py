"""``orders.csv`` (open orders) and ``order.json`` (the order being taken).

``orders.csv`` lists the confirmed orders not yet invoiced, and the invoices
drafted but not posted, that weigh on each customer's exposure.
``order.json`` is one order a credit check judges.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from operator import and_, gt, is_
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ecomrules import _jsontext
from ecomrules.credit.order import OpenOrder, OpenOrderStatus, Order, OrderLine, PaymentMethod
from ecomrules.errors import InputError
from ecomrules.inputs.fields import Amount, CurrencyCode, IsoDate
from ecomrules.inputs.layout import Column, JsonFloat, Kind, Layout, Rule, amount_units, where
from ecomrules.inputs.reader import read_rows, row_errors, unique_ids
from ecomrules.inputs.table import Table, read_table
from ecomrules.money import Currency, Money

__all__ = [
    "ORDERS",
    "OrderDocument",
    "OrderLineDocument",
    "orders_of",
    "read_order",
    "read_order_documents",
    "read_orders",
]


def _deposit_too_large(c: Mapping[str, Sequence[Any]]) -> list[int]:
    deposits = (-1 if deposit is None else deposit for deposit in c["deposit"])
    return where(map(gt, deposits, c["amount"]))


def _preorder_undated(c: Mapping[str, Sequence[Any]]) -> list[int]:
    return where(map(and_, c["preorder"], map(is_, c["expected_invoice_date"], repeat(None))))


def _deposit_too_large_columnar(c: Mapping[str, Any]) -> Any:
    return pc.greater(c["deposit"], c["amount"])  # an absent deposit is null: never larger


def _preorder_undated_columnar(c: Mapping[str, Any]) -> Any:
    return pc.and_(c["preorder"], pc.is_null(c["expected_invoice_date"]))


ORDERS = Layout(
    "orders.csv",
    (
        Column("id", Kind.TEXT, True, "unique order id"),
        Column("customer_id", Kind.TEXT, True, "the customer's id (`customers.csv`)"),
        Column("currency", Kind.CURRENCY, True, "ISO 4217 code"),
        Column(
            "amount",
            Kind.AMOUNT,
            True,
            "the order's total still to invoice, a decimal, not negative",
            not_negative=True,
        ),
        Column(
            "status",
            Kind.CHOICE,
            False,
            "`confirmed` (default): not yet invoiced, counted in `open_orders`; "
            "`draft_invoice`: invoiced as a draft not posted, counted in `draft_invoices`",
            default=OpenOrderStatus.CONFIRMED,
            choices=OpenOrderStatus,
        ),
        Column(
            "payment_method",
            Kind.CHOICE,
            False,
            "`invoice` (default), `cash_on_delivery`, or `prepaid` / `card_authorized` "
            "(these add no exposure)",
            default=PaymentMethod.INVOICE,
            choices=PaymentMethod,
        ),
        Column("order_date", Kind.DATE, False, "`YYYY-MM-DD`, for information"),
        Column(
            "expected_invoice_date",
            Kind.DATE,
            False,
            "`YYYY-MM-DD`: when the order will be invoiced",
            doc_required="with `preorder`",
        ),
        Column(
            "preorder",
            Kind.FLAG,
            False,
            "`true` for a pre-order: it counts from `expected_invoice_date` (less the policy's "
            "horizon), before that in `scheduled`",
            default=False,
        ),
        Column(
            "deposit",
            Kind.AMOUNT,
            False,
            "a deposit or prepayment already received on the order, at most `amount`; "
            "subtracted from exposure",
            not_negative=True,
        ),
    ),
    (
        Rule(
            "expected_invoice_date",
            "missing: a pre-order needs expected_invoice_date",
            _preorder_undated,
            _preorder_undated_columnar,
        ),
        Rule("deposit", "is larger than amount", _deposit_too_large, _deposit_too_large_columnar),
    ),
)
"""The layout of ``orders.csv``."""


def orders_of(table: Table) -> list[OpenOrder]:
    """The core open orders of a table read by :data:`ORDERS`."""
    c = table.columns
    orders = []
    for row in zip(
        c["id"],
        c["customer_id"],
        c["currency"],
        c["amount"],
        c["status"],
        c["payment_method"],
        c["preorder"],
        c["expected_invoice_date"],
        c["deposit"],
        strict=True,
    ):
        currency = Currency.of(row[2])
        orders.append(
            OpenOrder(
                id=row[0],
                customer_id=row[1],
                amount=Money.from_minor_units(row[3], currency),
                status=row[4],
                payment_method=row[5],
                preorder=row[6],
                expected_invoice_date=row[7],
                deposit=None if row[8] is None else Money.from_minor_units(row[8], currency),
            )
        )
    return orders


def read_orders(path: str | Path, *, encoding: str = "utf-8") -> list[OpenOrder]:
    """Read ``orders.csv`` (or ``.jsonl``); every problem is reported in one ``InputError``."""
    return orders_of(read_table(path, ORDERS, encoding=encoding))


class OrderLineDocument(BaseModel):
    """One line of ``order.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Amount = Field(ge=0)
    sku: str | None = None
    preorder: bool = False
    expected_invoice_date: IsoDate | None = None

    @model_validator(mode="after")
    def _dated(self) -> OrderLineDocument:
        if self.preorder and self.expected_invoice_date is None:
            raise ValueError("a pre-order line needs expected_invoice_date")
        return self


class OrderDocument(BaseModel):
    """``order.json``: the order a credit check judges."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    customer_id: str
    currency: CurrencyCode
    amount: Amount = Field(ge=0)
    payment_method: PaymentMethod = PaymentMethod.INVOICE
    lines: list[OrderLineDocument] = Field(default_factory=list)

    @model_validator(mode="after")
    def _lines_add_up(self) -> OrderDocument:
        for amount in (self.amount, *(line.amount for line in self.lines)):
            try:
                amount_units(amount, self.currency)  # the one amount rule of every reader
            except ValueError as exc:
                raise ValueError(f"amount {amount} {exc}") from None
        if self.lines:
            total = sum((line.amount for line in self.lines), Decimal(0))
            if total != self.amount:
                raise ValueError(f"lines add up to {total}, not amount {self.amount}")
        return self

    def to_domain(self) -> Order:
        """Return the core :class:`~ecomrules.credit.Order`."""
        return Order(
            id=self.id,
            customer_id=self.customer_id,
            amount=Money(self.amount, self.currency),
            payment_method=self.payment_method,
            lines=tuple(
                OrderLine(
                    Money(line.amount, self.currency),
                    line.sku,
                    line.preorder,
                    line.expected_invoice_date,
                )
                for line in self.lines
            ),
        )


def read_order(path: str | Path) -> Order:
    """Read ``order.json``; every problem is reported in one ``InputError``."""
    file = Path(path)
    try:
        data = _jsontext.loads(file.read_text(encoding="utf-8"), parse_float=JsonFloat)
    except OSError as exc:
        raise InputError(str(file), [f"{file}: cannot read: {exc.strerror}"]) from None
    except ValueError as exc:
        raise InputError(str(file), [f"{file.name}: not valid JSON: {exc}"]) from None
    try:
        return OrderDocument.model_validate(data).to_domain()
    except ValidationError as exc:
        raise InputError(str(file), row_errors(file.name, 1, exc)) from None


def read_order_documents(path: str | Path) -> list[Order]:
    """Read several orders, one ``order.json`` object a line (``.jsonl``)."""
    name = Path(path).name
    rows = read_rows(path, OrderDocument, check=lambda rows: unique_ids(name, rows))
    return [row.to_domain() for _, row in rows]
