"""A lean bulk reader: the documented CSV layouts straight into matcher records.

For a million rows the pydantic row models and Money objects cost more than
the matching; this reader goes from ``csv.reader`` to
:class:`~ecomrules.reconcile.records.ItemRecord` /
:class:`~ecomrules.reconcile.records.LineRecord` tuples, with the same strict
rules (plain decimal amounts, exact in the currency's minor units, ISO dates)
and one error listing every bad row (file, line and column; the first
hundred of them).

With the ``fast`` extra (pyarrow) installed, a valid file is parsed by
:mod:`ecomrules.reconcile.columnar` into the same records, about ten times
faster; any file that path does not read plainly, and every invalid one, goes
through ``csv.reader`` here, which stays the judge of what is valid.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TypeVar

from ecomrules.errors import InputError
from ecomrules.gcpause import paused_collector
from ecomrules.money import Currency
from ecomrules.reconcile import columnar
from ecomrules.reconcile.records import ItemRecord, LineRecord, normalise_iban

__all__ = ["read_item_records", "read_line_records"]

T = TypeVar("T")

ITEM_COLUMNS = ("id", "number", "partner_id", "partner_name", "currency", "residual", "due_date")
LINE_COLUMNS = ("id", "booking_date", "amount", "currency")


class _Bad(ValueError):
    def __init__(self, column: str, value: str, message: str) -> None:
        super().__init__(f"column {column!r}: {value!r} {message}")


_MAX_PROBLEMS = 100
"""A file this broken is reported by its first hundred problems."""
_CURRENCIES: dict[str, tuple[str, int]] = {}
"""A currency cell's text -> its ISO code (upper case, as the row models give it) and exponent."""
_POWERS: tuple[int, ...] = tuple(10**k for k in range(10))


def _currency(text: str) -> tuple[str, int]:
    found = _CURRENCIES.get(text)
    if found is None:
        try:
            currency = Currency.of(text)
            found = _CURRENCIES[text] = (currency.code, currency.exponent)
        except ValueError as exc:
            raise _Bad("currency", text, f"is not a currency ({exc})") from None
    return found


def _units(text: str, currency: str, exponent: int, column: str) -> int:
    """A plain decimal literal (``-12.30``) as an int of minor units, exactly."""
    whole, dot, fraction = text.partition(".")
    negative = whole.startswith("-")
    digits = whole[1:] if negative or whole.startswith("+") else whole
    if (
        not digits.isdigit()
        or not digits.isascii()
        or (dot and not (fraction.isdigit() and fraction.isascii()))
    ):
        raise _Bad(column, text, "is not a plain decimal (like -12.30)")
    if len(fraction) > exponent:
        if fraction[exponent:].strip("0"):
            raise _Bad(column, text, f"has more than {exponent} decimal(s) for {currency}")
        fraction = fraction[:exponent]
    value = int(digits) * _POWERS[exponent] + int(fraction.ljust(exponent, "0") or "0")
    return -value if negative else value


def _day(text: str, column: str) -> int:
    try:
        return date.fromisoformat(text).toordinal()
    except ValueError:
        raise _Bad(column, text, "is not a date (YYYY-MM-DD)") from None


def _rows(
    path: Path, required: tuple[str, ...], build: Callable[[dict[str, int], list[str]], T]
) -> list[T]:
    name = path.name
    with paused_collector(), path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise InputError(str(path), [f"{name}:1: the file is empty (no header)"])
        columns = {column.strip(): i for i, column in enumerate(header)}
        missing = [c for c in required if c not in columns]
        if missing:
            raise InputError(str(path), [f"{name}:1: missing column(s) {', '.join(missing)}"])
        out: list[T] = []
        append = out.append
        problems: list[str] = []
        while True:
            try:
                for row in reader:
                    append(build(columns, row))
                break
            except (_Bad, IndexError) as exc:
                message = str(exc) if isinstance(exc, _Bad) else "row has too few values"
                problems.append(f"{name}:{reader.line_num}: {message}")
                if len(problems) >= _MAX_PROBLEMS:
                    problems.append(f"{name}: stopped after {_MAX_PROBLEMS} problems")
                    break
        if problems:
            raise InputError(str(path), problems)
        return out


def _optional(columns: dict[str, int], name: str) -> Callable[[list[str]], str]:
    index = columns.get(name)
    if index is None:
        return lambda row: ""
    return lambda row: row[index]


def _checked_header(path: Path, required: tuple[str, ...]) -> list[str]:
    """The header row, after the checks ``_rows`` makes (empty file, missing columns)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), None)
    name = path.name
    if header is None:
        raise InputError(str(path), [f"{name}:1: the file is empty (no header)"])
    present = {column.strip() for column in header}
    missing = [c for c in required if c not in present]
    if missing:
        raise InputError(str(path), [f"{name}:1: missing column(s) {', '.join(missing)}"])
    return header


def read_item_records(path: str | Path, *, use_pyarrow: bool = True) -> list[ItemRecord]:
    """Read ``open-items.csv`` (the documented layout) into matcher records.

    ``use_pyarrow=False`` reads with ``csv.reader`` even when pyarrow is installed.
    """
    if use_pyarrow and columnar.available():
        names = _checked_header(Path(path), ITEM_COLUMNS)
        with paused_collector():
            records = columnar.read_items(Path(path), names)
        if records is not None:
            return records

    def build(c: dict[str, int], row: list[str]) -> ItemRecord:
        currency, exponent = _currency(row[c["currency"]])
        return ItemRecord(
            row[c["id"]],
            row[c["number"]],
            row[c["partner_id"]],
            row[c["partner_name"]],
            currency,
            _units(row[c["residual"]], currency, exponent, "residual"),
            _day(row[c["due_date"]], "due_date"),
            reference(row),
            order_id(row),
            normalise_iban(iban(row)),
        )

    header = _header(path)
    reference = _optional(header, "reference")
    order_id = _optional(header, "order_id")
    iban = _optional(header, "iban")
    return _rows(Path(path), ITEM_COLUMNS, build)


def read_line_records(path: str | Path, *, use_pyarrow: bool = True) -> list[LineRecord]:
    """Read a statement in the default CSV layout into matcher records.

    Columns: id, booking_date, value_date, amount, currency, counterparty,
    iban, label, reference (the last five optional). ``use_pyarrow=False``
    reads with ``csv.reader`` even when pyarrow is installed.
    """
    if use_pyarrow and columnar.available():
        names = _checked_header(Path(path), LINE_COLUMNS)
        with paused_collector():
            records = columnar.read_lines(Path(path), names)
        if records is not None:
            return records

    def build(c: dict[str, int], row: list[str]) -> LineRecord:
        currency, exponent = _currency(row[c["currency"]])
        ref = reference(row)
        return LineRecord(
            row[c["id"]],
            _units(row[c["amount"]], currency, exponent, "amount"),
            currency,
            _day(row[c["booking_date"]], "booking_date"),
            (ref,) if ref else (),
            label(row),
            counterparty(row),
            normalise_iban(iban(row)),
        )

    header = _header(path)
    reference = _optional(header, "reference")
    label = _optional(header, "label")
    counterparty = _optional(header, "counterparty")
    iban = _optional(header, "iban")
    return _rows(Path(path), LINE_COLUMNS, build)


def _header(path: str | Path) -> dict[str, int]:
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        first: Iterator[list[str]] = csv.reader(handle)
        header = next(first, [])
    return {column.strip(): i for i, column in enumerate(header)}
