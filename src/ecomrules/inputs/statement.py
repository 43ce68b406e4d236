"""The default statement CSV: the bank statement layout the command line reads as is.

:data:`STATEMENT` is its one definition (the columns of the ``bank.csv``
parser's default mapping); :func:`~ecomrules.reconcile.bulk.read_line_records`
builds the matcher's records from it. :func:`is_statement_header` tells a file
of this layout from any other statement by its header, parsed as CSV.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ecomrules.inputs.layout import Column, Kind, Layout
from ecomrules.inputs.table import check_encoding

__all__ = ["STATEMENT", "is_statement_header"]

STATEMENT = Layout(
    "bank-statement.csv",
    (
        Column("id", Kind.TEXT, True, "the bank's id of the line, unique in the file"),
        Column("booking_date", Kind.DATE, True, "`YYYY-MM-DD`"),
        Column("value_date", Kind.DATE, False, "`YYYY-MM-DD`"),
        Column(
            "amount", Kind.AMOUNT, True, "signed decimal, money in positive (`1250.00`, `-89.90`)"
        ),
        Column("currency", Kind.CURRENCY, True, "ISO 4217 code"),
        Column("counterparty", Kind.TEXT, False, "the other party's name"),
        Column("iban", Kind.TEXT, False, "the other party's IBAN (spaces ignored)"),
        Column("label", Kind.TEXT, False, "the free text of the payment"),
        Column(
            "reference",
            Kind.TEXT,
            False,
            "a structured reference (RF creditor reference, invoice number)",
        ),
    ),
)
"""The layout of the default statement CSV."""


def is_statement_header(path: str | Path, *, encoding: str = "utf-8") -> bool:
    """True when the file's header names the required columns of :data:`STATEMENT`, and only
    known ones (read as CSV, not split on commas)."""
    codec = check_encoding(encoding)
    try:
        with Path(path).open(encoding="utf-8-sig" if codec == "utf-8" else codec, newline="") as f:
            header = next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    names = {name.strip() for name in header}
    known = {column.name for column in STATEMENT.columns}
    return set(STATEMENT.required) <= names and names <= known
