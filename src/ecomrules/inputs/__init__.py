"""Documented tabular inputs (CSV and JSON lines) read into core values.

Each file kind has a pydantic row model; :func:`read_rows` reads a whole file
and reports every bad row together in one :class:`~ecomrules.errors.InputError`,
never dropping a row. Columns are described in the docs' input file reference.
"""

from ecomrules.inputs.customers import CustomerRow, read_customers
from ecomrules.inputs.open_items import OpenItemRow, read_open_items
from ecomrules.inputs.reader import read_rows

__all__ = ["CustomerRow", "OpenItemRow", "read_customers", "read_open_items", "read_rows"]
