"""``orders.csv`` (open orders) and ``order.json`` (the order being taken).

``orders.csv`` lists the confirmed orders not yet invoiced, and the invoices
drafted but not posted, that weigh on each customer's exposure.
``order.json`` is one order a credit check judges.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ecomrules import _jsontext
from ecomrules.credit.order import OpenOrder, OpenOrderStatus, Order, OrderLine, PaymentMethod
from ecomrules.errors import InputError
from ecomrules.gcpause import paused_collector
from ecomrules.inputs.fields import Amount, CurrencyCode, Flag, IsoDate
from ecomrules.inputs.reader import read_rows, row_errors, unique_ids
from ecomrules.money import Money

__all__ = [
    "OrderDocument",
    "OrderLineDocument",
    "OrderRow",
    "read_order",
    "read_order_documents",
    "read_orders",
]


class OrderRow(BaseModel):
    """One row of ``orders.csv``; see the input file reference for each column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    customer_id: str
    currency: CurrencyCode
    amount: Amount = Field(ge=0)
    status: OpenOrderStatus = OpenOrderStatus.CONFIRMED
    payment_method: PaymentMethod = PaymentMethod.INVOICE
    order_date: IsoDate | None = None
    expected_invoice_date: IsoDate | None = None
    preorder: Flag = False
    deposit: Amount | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> OrderRow:
        if self.preorder and self.expected_invoice_date is None:
            raise ValueError("a pre-order needs expected_invoice_date")
        if self.deposit is not None and self.deposit > self.amount:
            raise ValueError("deposit is larger than amount")
        return self

    def to_domain(self) -> OpenOrder:
        """Return the core :class:`~ecomrules.credit.OpenOrder`."""
        return OpenOrder(
            id=self.id,
            customer_id=self.customer_id,
            amount=Money(self.amount, self.currency),
            status=self.status,
            payment_method=self.payment_method,
            preorder=self.preorder,
            expected_invoice_date=self.expected_invoice_date,
            deposit=None if self.deposit is None else Money(self.deposit, self.currency),
        )


@paused_collector()
def read_orders(path: str | Path) -> list[OpenOrder]:
    """Read ``orders.csv`` (or ``.jsonl``); every bad row is reported in one ``InputError``."""
    name = Path(path).name
    rows = read_rows(path, OrderRow, check=lambda rows: unique_ids(name, rows))
    return [row.to_domain() for _, row in rows]


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


def _refuse_float(text: str) -> Decimal:
    raise ValueError(f"number {text} has a fraction: write amounts as strings")


def read_order(path: str | Path) -> Order:
    """Read ``order.json``; every problem is reported in one ``InputError``."""
    file = Path(path)
    try:
        data = _jsontext.loads(file.read_text(encoding="utf-8"), parse_float=_refuse_float)
    except OSError as exc:
        raise InputError(str(file), [f"{file}: cannot read: {exc.strerror}"]) from None
    except ValueError as exc:
        raise InputError(str(file), [f"{file.name}: not valid JSON: {exc}"]) from None
    try:
        return OrderDocument.model_validate(data).to_domain()
    except ValidationError as exc:
        raise InputError(str(file), row_errors(file.name, 1, exc)) from None


@paused_collector()
def read_order_documents(path: str | Path) -> list[Order]:
    """Read several orders, one ``order.json`` object a line (``.jsonl``)."""
    name = Path(path).name
    rows = read_rows(path, OrderDocument, check=lambda rows: unique_ids(name, rows))
    return [row.to_domain() for _, row in rows]
