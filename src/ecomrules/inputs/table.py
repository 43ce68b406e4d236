"""Read a file of a documented :class:`~ecomrules.inputs.layout.Layout` into typed columns.

:func:`read_table` is the one reader of the documented layouts; the core
types (:func:`~ecomrules.inputs.read_open_items`...) and the matcher's
records (:mod:`ecomrules.reconcile.bulk`) are built from its columns.

In order, before any row is read: a 0-byte file is refused; the header is
decoded (a wrong encoding is named: "not UTF-8 at line 1; try --encoding
latin-1") and checked as a whole (missing and unknown columns with a "did you
mean", a name twice, a ``;``-separated file), reported once, at once.

Then the rows. pyarrow parses the file in C and every column is checked by
the layout's rules on whole columns (:func:`_columnar`); a file that passes
is returned from there. A file it does not pass is read row by row with
``csv.reader`` by the same rules (:func:`_row_read`), which reports every
problem with its file, line and column, or returns the same columns when the
difference was only one of form (a short row is refused by both). The two
agree on every file: a hypothesis test writes random files and compares
them. ``.jsonl`` files (one JSON object a line) are read row by row.
"""

from __future__ import annotations

import codecs
import csv
import enum
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ecomrules import _jsontext
from ecomrules.errors import InputError
from ecomrules.inputs.layout import (
    AMOUNT_PATTERN,
    JsonFloat,
    Kind,
    Layout,
    amount_units,
    convert,
    header_problems,
    plain_amount,
)
from ecomrules.money import Currency

__all__ = [
    "LazyColumns",
    "Parsed",
    "Table",
    "arrow_columns",
    "check_encoding",
    "convert_record",
    "decoded_text",
    "json_records",
    "not_decodable",
    "parse_csv",
    "read_table",
]


@dataclass
class Table:
    """A file's rows as typed columns (``columns[name][i]`` is row ``i``'s value).

    Amounts are ints of minor units, dates :class:`~datetime.date`, choices
    their enum member, absent optional cells the column's default.
    """

    layout: Layout
    columns: Mapping[str, list[Any]]
    rows: int
    arrays: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    """The same columns as typed arrow arrays, made when read (the columnar reader's only):
    amounts int64 minor units, dates date32, absent optional text null."""


def check_encoding(encoding: str) -> str:
    """The codec name of ``encoding``, or ``InputError`` for an unknown one."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(encoding, [f"unknown encoding {encoding!r}"]) from None


def _python_codec(encoding: str) -> str:
    name = check_encoding(encoding)
    return "utf-8-sig" if name == "utf-8" else name


def not_decodable(name: str, data: bytes, exc: UnicodeDecodeError, encoding: str) -> str:
    """The problem of a file not in ``encoding``: its line, the byte, the encoding to try."""
    line = data.count(b"\n", 0, exc.start) + 1
    hint = "latin-1" if check_encoding(encoding) == "utf-8" else "utf-8"
    return (
        f"{name}:{line}: not {encoding.upper()} (byte 0x{data[exc.start]:02x}); "
        f"try --encoding {hint} (encoding= in the API)"
    )


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError as exc:
        raise InputError(str(file), [f"{file}: cannot read: {exc.strerror}"]) from None


def _header(file: Path, layout: Layout, encoding: str) -> list[str]:
    """The header's names, after every whole-file check (raises ``InputError``)."""
    with file.open("rb") as handle:
        head = handle.read(1 << 16)
    first = head.split(b"\n", 1)[0]
    try:
        line = first.decode(_python_codec(encoding)).rstrip("\r")
    except UnicodeDecodeError as exc:
        raise InputError(str(file), [not_decodable(file.name, first, exc, encoding)]) from None
    names = next(csv.reader([line]), [])
    known = [c.name for c in layout.columns]
    problems = header_problems(file.name, names, known, layout.required, line=line)
    if problems:
        raise InputError(str(file), problems)
    return [name.strip() for name in names]


@dataclass(frozen=True)
class Parsed:
    """A CSV file's header, checked, and its cells as pyarrow parsed them (see :func:`parse_csv`).

    ``cells`` is None when pyarrow could not parse the file (a short row, a
    stray quote): the row reader then reads it and names the problem.
    """

    file: Path
    names: list[str]
    cells: pa.Table | None


def parse_csv(path: str | Path, layout: Layout, *, encoding: str = "utf-8") -> Parsed:
    """The first half of :func:`read_table` for a CSV file: the whole-file checks (raising
    ``InputError``) and pyarrow's parse of the cells as text, nothing checked by cell yet.

    pyarrow parses without holding the interpreter lock: a command that reads two
    files parses the second in a thread while it converts the first, then gives
    the result to :func:`read_table` (``parsed=``), which checks and converts it.
    """
    file = Path(path)
    _refuse_empty(file, layout)
    names = _header(file, layout, encoding)
    return Parsed(file, names, _parse(file, names, encoding))


def _refuse_empty(file: Path, layout: Layout) -> None:
    if _size(file) == 0:
        raise InputError(
            str(file),
            [
                f"{file.name}: the file is empty (0 bytes); expected a header line "
                f"({','.join(layout.required)},...)"
            ],
        )


def read_table(
    path: str | Path, layout: Layout, *, encoding: str = "utf-8", parsed: Parsed | None = None
) -> Table:
    """Read ``path`` (CSV, or ``.jsonl``) by ``layout``; one ``InputError`` lists every problem.

    ``parsed`` is the file's :func:`parse_csv`, when it was parsed before.
    """
    file = Path(path)
    if parsed is None:
        _refuse_empty(file, layout)
        if file.suffix.lower() in {".jsonl", ".ndjson"}:
            return _build(file, layout, json_records(decoded_text(file, encoding)))
        parsed = parse_csv(file, layout, encoding=encoding)
    if parsed.cells is not None:
        table = arrow_columns(parsed.cells, layout)
        if table is not None:
            return table
    return _build(file, layout, _csv_records(file, parsed.names, encoding))


# -- row by row: the reader that names every problem ----------------------------------------


def decoded_text(file: Path, encoding: str) -> str:
    """The whole file as text; a byte the encoding cannot read is named with its line."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(str(file), [f"{file}: cannot read: {exc.strerror}"]) from None
    try:
        return data.decode(_python_codec(encoding))
    except UnicodeDecodeError as exc:
        raise InputError(str(file), [not_decodable(file.name, data, exc, encoding)]) from None


Record = tuple[int, Mapping[str, Any] | str]
"""A row's line number and its cells by name, or a problem message for the row."""


def _csv_records(file: Path, names: list[str], encoding: str) -> Iterator[Record]:
    reader = csv.reader(io.StringIO(decoded_text(file, encoding), newline=""))
    width = len(names)
    try:
        next(reader)
        for row in reader:
            if not row:
                continue  # a blank line
            if len(row) != width:
                yield reader.line_num, f"{len(row)} value(s), the header has {width}"
                continue
            yield reader.line_num, dict(zip(names, row, strict=True))
    except csv.Error as exc:
        yield reader.line_num, f"not readable as CSV: {exc}"


def json_records(text: str) -> Iterator[Record]:
    """Each non-blank line of a JSON-lines text as an object, or the reason it is not one."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = _jsontext.loads(line, parse_float=JsonFloat)
        except ValueError as exc:
            yield number, f"not valid JSON: {exc}"
            continue
        if not isinstance(record, dict):
            yield number, "not a JSON object"
            continue
        yield number, record


def convert_record(
    layout: Layout, record: Mapping[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """One record's values by the layout's cell rules, and its problems as (column, message).

    Row rules and the unique key are whole-file checks, left to the caller.
    """
    found: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    known = layout.by_name
    for key in record:
        if key not in known:
            found.append(("", f"unknown field {key!r}"))
    for column in layout.columns:
        raw = record.get(column.name)
        if raw is None or raw == "":
            if column.required:
                found.append((column.name, "missing"))
            values[column.name] = column.default
        elif column.kind is not Kind.AMOUNT:
            try:
                values[column.name] = convert(column, raw)
            except ValueError as exc:
                found.append((column.name, f"{raw!r} {exc}"))
    currency = values.get(layout.currency)
    for column in layout.columns:
        raw = record.get(column.name)
        if column.kind is not Kind.AMOUNT or raw is None or raw == "":
            continue
        try:
            if currency is None:  # the currency is reported: the amount's form still is
                plain_amount(raw)
                continue
            units = amount_units(raw, currency)
        except ValueError as exc:
            found.append((column.name, f"{raw!r} {exc}"))
            continue
        if column.not_negative and units < 0:
            found.append((column.name, f"{raw!r} is negative"))
        values[column.name] = units
    if len(found) > 1:  # in the order of the columns
        order = {column.name: i for i, column in enumerate(layout.columns)}
        found.sort(key=lambda problem: order.get(problem[0], -1))
    return values, found


def _place(name: str, line: int, column: str, message: str) -> str:
    return f"{name}:{line}: column {column!r}: {message}" if column else f"{name}:{line}: {message}"


def _build(file: Path, layout: Layout, records: Iterator[Record]) -> Table:
    """Convert each record by the layout's rules; raise one ``InputError`` naming every problem."""
    name = file.name
    columns: dict[str, list[Any]] = {c.name: [] for c in layout.columns}
    lines: list[int] = []
    problems: list[str] = []
    for line, record in records:
        if isinstance(record, str):
            problems.append(f"{name}:{line}: {record}")
            continue
        values, found = convert_record(layout, record)
        if found:
            problems.extend(_place(name, line, column, message) for column, message in found)
            continue
        lines.append(line)
        for key, value in values.items():
            columns[key].append(value)
    for rule in layout.rules:
        for i in rule.bad(columns):
            problems.append(_place(name, lines[i], rule.column, rule.message))
    if layout.key is not None:
        first: dict[Any, int] = {}
        for line, key in zip(lines, columns[layout.key], strict=True):
            if key in first:
                problems.append(
                    _place(name, line, layout.key, f"{key!r} repeats line {first[key]}")
                )
            else:
                first[key] = line
    if problems:
        problems.sort(key=_line_of)
        raise InputError(str(file), problems)
    return Table(layout, columns, len(lines))


def _line_of(problem: str) -> int:
    """A problem's line number, for listing problems in file order (stable otherwise)."""
    place = problem.split(": ", 1)[0]
    number = place.rpartition(":")[2]
    return int(number) if number.isascii() and number.isdigit() else 0


# -- columnar: pyarrow, whole columns ---------------------------------------------------------


def _parse(file: Path, names: list[str], encoding: str) -> pa.Table | None:
    """The file's cells as text, parsed by pyarrow in C, or None when it cannot parse them."""
    try:
        return pcsv.read_csv(
            file,
            read_options=pcsv.ReadOptions(
                column_names=names, skip_rows=1, encoding=check_encoding(encoding)
            ),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, OSError, UnicodeDecodeError):
        return None


def _columnar(file: Path, layout: Layout, names: list[str], encoding: str) -> Table | None:
    """The file's columns, checked in C, or None when a row must be looked at one by one."""
    cells = _parse(file, names, encoding)
    return None if cells is None else arrow_columns(cells, layout)


class LazyColumns(Mapping[str, list[Any]]):
    """Columns made Python lists on first use (then kept), in the layout's order.

    The columnar reader checks every cell in C, then converts only the
    columns a caller reads: the matcher's records of an open-items file never
    read ``amount`` or ``issue_date`` (checked, and their rules too, but
    never made a million Python objects). Compares equal to a dict of the
    same lists.
    """

    def __init__(self, makers: dict[str, Callable[[], list[Any]]]) -> None:
        self._names = list(makers)
        self._makers = makers
        self._made: dict[str, list[Any]] = {}

    def __getitem__(self, name: str) -> list[Any]:
        found = self._made.get(name)
        if found is None:
            found = self._made[name] = self._makers[name]()
            del self._makers[name]  # and the arrow arrays it held
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


_ARROW_TYPES: dict[Kind, Any] = {
    Kind.TEXT: pa.string(),
    Kind.AMOUNT: pa.int64(),
    Kind.CURRENCY: pa.string(),
    Kind.DATE: pa.date32(),
    Kind.FLAG: pa.bool_(),
    Kind.CHOICE: pa.string(),
}
"""The arrow type of a column's values as :attr:`Rule.columnar` sees them."""


def _arrow_value(value: Any) -> Any:
    """A value as in an arrow column: a choice by its enum value."""
    return value.value if isinstance(value, enum.Enum) else value


def _constant(value: Any, kind: Kind, n: int) -> Any:
    """An arrow column of ``n`` times ``value`` (an absent optional column's default)."""
    arrow_type = _ARROW_TYPES[kind]
    if value is None:
        return pa.nulls(n, arrow_type)
    return pa.repeat(pa.scalar(_arrow_value(value), arrow_type), n)


Checked = tuple[Callable[[], list[Any]], Callable[[], Any]]
"""A column checked in C: how to make its Python values, how to make its typed arrow array."""


def arrow_columns(table: pa.Table, layout: Layout) -> Table | None:
    """An Arrow table of text cells checked by ``layout``'s rules, or None when one breaks them.

    This is the columnar reader's check without the file: the CSV reader gives
    it what pyarrow parsed, the Spark engines each partition's rows. An
    absent optional column takes its default; None says "look at the rows
    one by one" (:func:`convert_record` names the problems).

    Every cell and every row rule is checked here, in C where the rule has
    its columnar form (:attr:`~ecomrules.inputs.layout.Rule.columnar`); the
    columns become Python lists when read (:class:`LazyColumns`).
    """
    names = table.column_names
    n = table.num_rows
    python: dict[str, Callable[[], list[Any]]] = {}
    typed: dict[str, Callable[[], Any]] = {}
    present = set(names)
    try:
        for amounts in (False, True):  # the amounts after the currency is checked
            for column in layout.columns:
                if (column.kind is Kind.AMOUNT) is not amounts:
                    continue
                if column.name not in present:
                    default, kind = column.default, column.kind
                    python[column.name] = partial(_repeated, default, n)
                    typed[column.name] = partial(_constant, default, kind, n)
                    continue
                data = table.column(column.name)
                checked = (
                    _units(data, table.column(layout.currency), column)
                    if amounts
                    else _column(data, column)
                )
                if checked is None:
                    return None
                python[column.name], typed[column.name] = checked
        del table
        columns = LazyColumns(python)
        arrays = LazyColumns(typed)
        for rule in layout.rules:
            if rule.columnar is None:
                broken = bool(rule.bad(columns))
            else:
                broken = pc.any(pc.fill_null(rule.columnar(arrays), False)).as_py() or False
            if broken:
                return None
        # the key's Python strings, which every caller reads: a set of them costs less than
        # pyarrow's distinct values, and their hashes are kept for the caller's dicts
        if layout.key is not None and len(set(columns[layout.key])) != n:
            return None
    except (pa.ArrowException, UnicodeEncodeError):
        return None
    return Table(layout, columns, n, arrays)


def _repeated(value: Any, n: int) -> list[Any]:
    return [value] * n


def _column(data: Any, column: Any) -> Checked | None:
    """A non-amount column checked by its rule, or None when one cell breaks it."""
    if column.kind is Kind.TEXT:
        if column.required:
            if len(data) and pc.any(pc.equal(data, "")).as_py():
                return None
            return partial(_texts, data), partial(_same, data)
        if column.default is None:  # an empty cell is absent: null in arrow, None in Python
            absent = pc.if_else(pc.equal(data, ""), None, data)
            return partial(_texts, absent), partial(_same, absent)
        default = column.default
        filled = pc.if_else(pc.equal(data, ""), default, data)
        return partial(_filled, data, default), partial(_same, filled)
    encoded = pc.dictionary_encode(data).combine_chunks()
    values = []
    for text in encoded.dictionary.to_pylist():
        if text == "":
            if column.required:
                return None
            values.append(column.default)
            continue
        try:
            values.append(convert(column, text))
        except ValueError:
            return None
    indices = encoded.indices
    return partial(_looked_up, values, indices), partial(_typed, values, column.kind, indices)


def _same(data: Any) -> Any:
    return data


def _filled(data: Any, default: str) -> list[str]:
    return [text or default for text in _texts(data)]


def _looked_up(values: list[Any], indices: Any) -> list[Any]:
    """Each row's value, by its index into the distinct values."""
    return list(map(values.__getitem__, indices.to_pylist()))


def _typed(values: list[Any], kind: Kind, indices: Any) -> Any:
    """Each row's value as a typed arrow array, by its index into the distinct values."""
    distinct = pa.array([_arrow_value(value) for value in values], _ARROW_TYPES[kind])
    return pc.take(distinct, indices)


_SAMPLE = 4096
"""Rows of a text column sampled to tell whether its values repeat (see :func:`_texts`)."""


def _texts(data: Any) -> list[str | None]:
    """A text column as Python strings; where values repeat, equal values share one string.

    A customer's name is on each of its items and a payer's on each of its
    lines: one string per distinct name instead of one per row (tens of
    megabytes a million rows). Whether the values repeat is judged on
    :data:`_SAMPLE` rows spread over the column (fewer than 90 % of the
    non-empty ones distinct: a column of at most about 20,000 values), so
    ids and other columns of distinct values are not hashed for nothing.
    """
    n = len(data)
    if n <= _SAMPLE:
        return list(data.to_pylist())
    sample = pc.take(data, pa.array(range(0, n, n // _SAMPLE), pa.int64()))
    sample = pc.filter(sample, pc.not_equal(sample, ""))
    if pc.count_distinct(sample).as_py() >= 0.9 * len(sample):
        return list(data.to_pylist())
    encoded = pc.dictionary_encode(data, null_encoding="encode").combine_chunks()
    values = encoded.dictionary.to_pylist()
    return list(map(values.__getitem__, encoded.indices.to_pylist()))


def _units(amounts: Any, currencies: Any, column: Any) -> Checked | None:
    """An amount column in minor units of each row's currency, or None when one is not exact."""
    if not len(amounts):
        return partial(_repeated, None, 0), partial(pa.array, [], pa.int64())
    empty = pc.equal(amounts, "")
    absent = pc.any(empty).as_py()
    if absent:
        if column.required:
            return None  # the row reader names the missing amount
        amounts = pc.if_else(empty, "0", amounts)
    if not pc.all(pc.match_substring_regex(amounts, AMOUNT_PATTERN)).as_py():
        return None
    codes = pc.unique(currencies).to_pylist()
    exponents = [Currency.of(code).exponent for code in codes]  # checked by _column
    scale = max(exponents)
    scaled = pc.cast(
        pc.multiply(
            pc.cast(amounts, pa.decimal128(18, scale)),
            pa.scalar(10**scale, pa.decimal128(18, 0)),
        ),
        pa.int64(),
    )
    if len(set(exponents)) > 1:
        divisors = pa.array([10 ** (scale - e) for e in exponents], pa.int64())
        divisor = pc.take(divisors, pc.index_in(currencies, value_set=pa.array(codes)))
        units = pc.divide(scaled, divisor)
        if not pc.all(pc.equal(pc.multiply(units, divisor), scaled)).as_py():
            return None
        scaled = units
    if column.not_negative and pc.min(scaled).as_py() < 0:
        return None
    if absent:
        default = column.default
        typed = pc.if_else(empty, pa.scalar(default, pa.int64()), scaled)
        return partial(_defaulted, scaled, empty, default), partial(_same, typed)
    return scaled.to_pylist, partial(_same, scaled)


def _defaulted(scaled: Any, empty: Any, default: Any) -> list[Any]:
    pairs = zip(scaled.to_pylist(), empty.to_pylist(), strict=True)
    return [default if gap else units for units, gap in pairs]
