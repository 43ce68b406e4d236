"""Read a CSV or JSON-lines file into pydantic row models, reporting every bad row."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ecomrules import _jsontext
from ecomrules.errors import InputError

__all__ = ["read_rows", "row_errors"]

RowT = TypeVar("RowT", bound=BaseModel)


def _records(path: Path, text: str, required: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, record)``; CSV by header name, ``.jsonl`` one object a line.

    A CSV file must have a header naming every ``required`` column: an empty
    file is refused rather than read as "nothing open", which would relax
    the decisions taken on it. A header alone is an empty table.
    """
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = _jsontext.loads(line, parse_float=_refuse_float)
            except ValueError as exc:
                raise InputError(str(path), [f"{path.name}:{number}: {exc}"]) from None
            if not isinstance(record, dict):
                raise InputError(str(path), [f"{path.name}:{number}: not a JSON object"])
            yield number, record
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise InputError(
            str(path), [f"{path.name}: empty file: a CSV table starts with its header line"]
        )
    names = [name.strip() for name in header]
    missing = [name for name in required if name not in names]
    if missing:
        raise InputError(str(path), [f"{path.name}:1: header lacks column(s) {', '.join(missing)}"])
    width = len(names)
    repeated = len(set(header)) != width
    for row in reader:
        if not row:
            continue  # a blank line
        if len(row) > width:
            raise InputError(
                str(path),
                [f"{path.name}:{reader.line_num}: {len(row) - width} value(s) beyond the header"],
            )
        if repeated:  # a name twice: its last cell wins, empty or not, as in a dict by name
            cells = dict(zip(header, row + [""] * (width - len(row)), strict=True))
            yield reader.line_num, {k.strip(): v for k, v in cells.items() if v}
        else:
            yield reader.line_num, {k: v for k, v in zip(names, row, strict=False) if v}


def _refuse_float(text: str) -> Any:
    raise ValueError(f"number {text} has a fraction: write amounts as strings")


def row_errors(name: str, line: int, error: ValidationError) -> list[str]:
    """Render a pydantic error as ``file:line: column 'x': message`` lines."""
    out = []
    for detail in error.errors():
        column = ".".join(str(part) for part in detail["loc"])
        message = detail["msg"].removeprefix("Value error, ")
        given = detail.get("input")
        if not column:
            out.append(f"{name}:{line}: {message}")
        elif detail["type"] == "missing":
            out.append(f"{name}:{line}: column {column!r}: missing")
        elif isinstance(given, str):
            out.append(f"{name}:{line}: column {column!r}: {given!r} {message}")
        else:
            out.append(f"{name}:{line}: column {column!r}: {message}")
    return out


def read_rows(
    path: str | Path,
    model: type[RowT],
    *,
    check: Callable[[list[tuple[int, RowT]]], list[str]] | None = None,
) -> list[tuple[int, RowT]]:
    """Read every row of ``path`` into ``model``; raise one ``InputError`` listing all bad rows.

    Returns ``(line number, row)`` pairs in file order. ``check`` may add
    whole-file problems (duplicate ids, say) as more messages.
    """
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(str(file), [f"{file}: cannot read: {exc.strerror}"]) from None
    except UnicodeDecodeError as exc:
        raise InputError(str(file), [f"{file}: not UTF-8 at byte {exc.start}"]) from None
    rows: list[tuple[int, RowT]] = []
    problems: list[str] = []
    required = [name for name, info in model.model_fields.items() if info.is_required()]
    for line, record in _records(file, text, required):
        try:
            rows.append((line, model.model_validate(record)))
        except ValidationError as exc:
            problems.extend(row_errors(file.name, line, exc))
    if check is not None and not problems:
        problems.extend(check(rows))
    if problems:
        raise InputError(str(file), problems)
    return rows


def unique_ids(name: str, rows: list[tuple[int, Any]], attribute: str = "id") -> list[str]:
    """Return a problem per id that appears on more than one line."""
    seen: dict[str, int] = {}
    problems = []
    for line, row in rows:
        key = getattr(row, attribute)
        if key in seen:
            problems.append(
                f"{name}:{line}: column {attribute!r}: {key!r} repeats line {seen[key]}"
            )
        else:
            seen[key] = line
    return problems
