"""Write statement lines as a CSV statement in a :class:`CsvLayout` (tests, benchmarks, demos).

The writer is the parser's mirror: what :func:`write_csv` writes,
:class:`~ecomrules.bank.csv.parser.CsvParser` with the same layout reads back
into the same lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from ecomrules.bank.csv.config import CsvLayout
from ecomrules.decimals import DecimalFormat
from ecomrules.parsing.model import StatementLine

__all__ = ["format_decimal", "write_csv"]


def format_decimal(value: Decimal, number: DecimalFormat) -> str:
    """Write ``value`` with the separators of ``number`` (``-1.234,50``)."""
    text = format(abs(value), "f")
    whole, _, fraction = text.partition(".")
    if number.group is not None:
        whole = f"{int(whole):,}".replace(",", number.group)
    out = whole + (number.decimal + fraction if fraction else "")
    return "-" + out if value < 0 else out


def write_csv(lines: Iterable[StatementLine], layout: CsvLayout | None = None) -> str:
    """Return ``lines`` as the text of a CSV statement in ``layout`` (the default mapping if none).

    Each line's first reference and its label go to the first reference and
    label columns; header rows before ``layout.header_row`` are left empty.
    """
    if layout is None:
        from ecomrules.bank.csv.config import DEFAULT_LAYOUT

        layout = DEFAULT_LAYOUT
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=layout.delimiter, quotechar=layout.quote, lineterminator="\n"
    )
    for _ in range(layout.header_row - 1):
        out.write("\n")
    header = list(layout.mapped())
    writer.writerow(header)
    c = layout.columns
    debit_flag = "D" if "D" in layout.debit_flags else min(layout.debit_flags)
    credit_flag = "C" if "C" in layout.credit_flags else min(layout.credit_flags)
    for line in lines:
        row = dict.fromkeys(header, "")
        if c.id is not None:
            row[c.id] = line.id
        row[c.booking_date] = line.booked_on.strftime(layout.date_format)
        if c.value_date is not None and line.value_date is not None:
            row[c.value_date] = line.value_date.strftime(layout.date_format)
        amount = line.amount.amount
        if layout.amount_mode == "signed" and c.amount is not None:
            row[c.amount] = format_decimal(amount, layout.number)
        elif layout.amount_mode == "flag" and c.amount is not None and c.direction is not None:
            row[c.amount] = format_decimal(abs(amount), layout.number)
            row[c.direction] = debit_flag if amount < 0 else credit_flag
        elif c.debit is not None and c.credit is not None:
            target = c.debit if amount < 0 else c.credit
            row[target] = format_decimal(abs(amount), layout.number)
        if c.currency is not None:
            row[c.currency] = line.amount.currency.code
        party = line.counterparty
        if party is not None:
            if c.counterparty is not None:
                row[c.counterparty] = party.name or ""
            if c.iban is not None:
                row[c.iban] = party.iban or ""
            if c.bic is not None:
                row[c.bic] = party.bic or ""
        if c.label:
            row[c.label[0]] = line.label
        if c.reference and line.references:
            row[c.reference[0]] = line.references[0]
        writer.writerow([row[name] for name in header])
    return out.getvalue()
