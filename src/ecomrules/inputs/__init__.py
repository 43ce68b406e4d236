"""Documented tabular inputs (CSV and JSON lines) read into core values.

Each documented file has one :class:`~ecomrules.inputs.layout.Layout`
(:data:`OPEN_ITEMS`, :data:`CUSTOMERS`, :data:`ORDERS`, :data:`STATEMENT`; the Spark
engine's :data:`PSP_STATEMENT` and :data:`PAYOUTS`)
from which its readers, its row model and its table in the input file
reference come. A reader reports every problem together in one
:class:`~ecomrules.errors.InputError` (file, line, column), never dropping a
row; a header problem is reported before any row is read.

The names are loaded when first used: a command that reads open items
does not import the orders' models, nor pydantic for the row models.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecomrules.inputs.customers import CUSTOMERS, read_customers
    from ecomrules.inputs.open_items import OPEN_ITEMS, read_open_items
    from ecomrules.inputs.orders import ORDERS
    from ecomrules.inputs.reader import read_rows
    from ecomrules.inputs.rows import row_model
    from ecomrules.inputs.statement import PAYOUTS, PSP_STATEMENT, STATEMENT

    OpenItemRow: Any
    CustomerRow: Any
    OrderRow: Any
    StatementRow: Any

__all__ = [
    "CUSTOMERS",
    "OPEN_ITEMS",
    "ORDERS",
    "PAYOUTS",
    "PSP_STATEMENT",
    "STATEMENT",
    "CustomerRow",
    "OpenItemRow",
    "OrderRow",
    "StatementRow",
    "read_customers",
    "read_open_items",
    "read_rows",
    "row_model",
]

_MODULES = {
    "CUSTOMERS": "customers",
    "read_customers": "customers",
    "OPEN_ITEMS": "open_items",
    "read_open_items": "open_items",
    "ORDERS": "orders",
    "read_rows": "reader",
    "row_model": "rows",
    "STATEMENT": "statement",
    "PSP_STATEMENT": "statement",
    "PAYOUTS": "statement",
}
_ROWS = {
    "OpenItemRow": "OPEN_ITEMS",
    "CustomerRow": "CUSTOMERS",
    "OrderRow": "ORDERS",
    "StatementRow": "STATEMENT",
}
"""The pydantic model of one row of each layout (``OpenItemRow``: a row of ``open-items.csv``)."""


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = getattr(import_module(f"ecomrules.inputs.{_MODULES[name]}"), name)
    elif name in _ROWS:
        from ecomrules.inputs.rows import row_model

        value = row_model(__getattr__(_ROWS[name]), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
