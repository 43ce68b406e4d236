"""Documented tabular inputs (CSV and JSON lines) read into core values.

Each documented file has one :class:`~ecomrules.inputs.layout.Layout`
(:data:`OPEN_ITEMS`, :data:`CUSTOMERS`, :data:`ORDERS`, :data:`STATEMENT`)
from which its readers, its row model and its table in the input file
reference come. A reader reports every problem together in one
:class:`~ecomrules.errors.InputError` (file, line, column), never dropping a
row; a header problem is reported before any row is read.
"""

from ecomrules.inputs.customers import CUSTOMERS, read_customers
from ecomrules.inputs.open_items import OPEN_ITEMS, read_open_items
from ecomrules.inputs.orders import ORDERS
from ecomrules.inputs.reader import read_rows
from ecomrules.inputs.rows import row_model
from ecomrules.inputs.statement import STATEMENT

OpenItemRow = row_model(OPEN_ITEMS, "OpenItemRow")
"""One row of ``open-items.csv``."""
CustomerRow = row_model(CUSTOMERS, "CustomerRow")
"""One row of ``customers.csv``."""
OrderRow = row_model(ORDERS, "OrderRow")
"""One row of ``orders.csv``."""
StatementRow = row_model(STATEMENT, "StatementRow")
"""One row of the default statement CSV."""

__all__ = [
    "CUSTOMERS",
    "OPEN_ITEMS",
    "ORDERS",
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
