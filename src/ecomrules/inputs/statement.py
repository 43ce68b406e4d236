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
from ecomrules.parsing.model import LineKind

__all__ = ["PAYOUTS", "PSP_STATEMENT", "STATEMENT", "is_statement_header"]

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

PSP_STATEMENT = Layout(
    "statement lines",
    (
        *STATEMENT.columns,
        Column(
            "kind",
            Kind.CHOICE,
            False,
            "`transfer` (default, a bank line) or a PSP line's kind: `charge`, `refund`,"
            " `fee`, `payout`, ...",
            default=LineKind.TRANSFER,
            choices=LineKind,
        ),
        Column("fee", Kind.AMOUNT, False, "the PSP's fee, in the line's currency (gross - fee)"),
        Column("payout_id", Kind.TEXT, False, "the PSP payout the line is paid out in"),
    ),
)
"""Statement lines of banks and PSPs together, as the matcher reads them: the statement
layout and a PSP line's kind, fee and payout (:mod:`ecomrules.reconcile.spark`'s input).
``reference`` may hold several references separated by the unit separator ``\\x1f``."""

PAYOUTS = Layout(
    "payouts",
    (
        Column("id", Kind.TEXT, True, "the PSP's id of the payout"),
        Column("amount", Kind.AMOUNT, True, "what the PSP paid out to the bank"),
        Column("currency", Kind.CURRENCY, True, "ISO 4217 code"),
        Column(
            "line_ids", Kind.TEXT, False, "the ids of the statement lines it pays out, by spaces"
        ),
        Column("arrival_date", Kind.DATE, False, "`YYYY-MM-DD`"),
    ),
)
"""PSP payouts: each paid to the bank in one bank line, the sum of its lines."""


def is_statement_header(
    path: str | Path, *, encoding: str = "utf-8", layout: Layout | None = None
) -> bool:
    """True when the file's header names the required columns of ``layout`` (by default
    :data:`STATEMENT`), and only known ones (read as CSV, not split on commas)."""
    layout = layout or STATEMENT
    codec = check_encoding(encoding)
    try:
        with Path(path).open(encoding="utf-8-sig" if codec == "utf-8" else codec, newline="") as f:
            header = next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    names = {name.strip() for name in header}
    known = {column.name for column in layout.columns}
    return set(layout.required) <= names and names <= known
