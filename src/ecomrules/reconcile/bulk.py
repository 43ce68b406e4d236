"""The documented CSV layouts straight into matcher records.

For a million rows the core types (``OpenItem``, ``Money``) cost more than
the matching; these readers build
:class:`~ecomrules.reconcile.records.ItemRecord` /
:class:`~ecomrules.reconcile.records.LineRecord` tuples from the typed
columns of :func:`~ecomrules.inputs.table.read_table`, so they read by the
same layouts and rules as every other reader (:data:`~ecomrules.inputs.OPEN_ITEMS`,
:data:`~ecomrules.inputs.STATEMENT`) and refuse the same files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from itertools import repeat
from pathlib import Path
from typing import Any, TypeVar

from ecomrules.inputs.open_items import OPEN_ITEMS
from ecomrules.inputs.statement import STATEMENT
from ecomrules.inputs.table import Parsed, Table, read_table
from ecomrules.reconcile.records import ItemRecord, LineRecord, normalise_ibans

__all__ = ["item_records_of", "read_item_records", "read_line_records"]

R = TypeVar("R", ItemRecord, LineRecord)


def _ordinals(days: list[date]) -> list[int]:
    """Dates as proleptic ordinals (each distinct date converted once)."""
    ordinal = {day: day.toordinal() for day in set(days)}
    return list(map(ordinal.__getitem__, days))


def _texts(values: list[str | None]) -> list[str]:
    return [value or "" for value in values]


def _ibans(values: list[str | None]) -> list[str]:
    return normalise_ibans(_texts(values))


def _records(kind: type[R], columns: Sequence[Iterable[Any]]) -> list[R]:
    """One record a row, built in C (``tuple.__new__``: no Python call a row)."""
    return list(map(tuple.__new__, repeat(kind), zip(*columns, strict=True)))


def item_records_of(table: Table) -> list[ItemRecord]:
    """The matcher's records of a table read by :data:`~ecomrules.inputs.OPEN_ITEMS`."""
    c = table.columns
    columns = [
        c["id"],
        c["number"],
        c["partner_id"],
        c["partner_name"],
        c["currency"],
        c["residual"],
        _ordinals(c["due_date"]),
        _texts(c["reference"]),
        _texts(c["order_id"]),
        _ibans(c["iban"]),
    ]
    return _records(ItemRecord, columns)


def read_item_records(path: str | Path, *, encoding: str = "utf-8") -> list[ItemRecord]:
    """Read ``open-items.csv`` (the documented layout) into matcher records."""
    return item_records_of(read_table(path, OPEN_ITEMS, encoding=encoding))


def read_line_records(
    path: str | Path, *, encoding: str = "utf-8", parsed: Parsed | None = None
) -> list[LineRecord]:
    """Read a statement in the default CSV layout (:data:`~ecomrules.inputs.STATEMENT`).

    ``parsed``: the file's :func:`~ecomrules.inputs.table.parse_csv`, when it was parsed before.
    """
    c = read_table(path, STATEMENT, encoding=encoding, parsed=parsed).columns
    references = [(ref,) if ref else () for ref in c["reference"]]
    n = len(references)
    columns = [
        c["id"],
        c["amount"],
        c["currency"],
        _ordinals(c["booking_date"]),
        references,
        _texts(c["label"]),
        _texts(c["counterparty"]),
        _ibans(c["iban"]),
    ]
    return _records(LineRecord, [*columns, repeat("transfer", n), repeat(0, n), repeat("", n)])
