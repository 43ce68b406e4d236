"""Read a CSV or JSON-lines file into pydantic row models, reporting every bad row."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ecomrules.errors import InputError
from ecomrules.inputs.layout import header_problems
from ecomrules.inputs.table import decoded_text, json_records

__all__ = ["read_rows", "row_errors"]

RowT = TypeVar("RowT", bound=BaseModel)


def _records(path: Path, text: str, model: type[BaseModel]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, record)``; CSV by header name, ``.jsonl`` one object a line."""
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        for number, record in json_records(text):
            if isinstance(record, str):
                raise InputError(str(path), [f"{path.name}:{number}: {record}"])
            yield number, dict(record)
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return
    fields = model.model_fields
    required = [name for name, info in fields.items() if info.is_required()]
    problems = header_problems(path.name, header, list(fields), required)
    if problems:
        raise InputError(str(path), problems)
    names = [name.strip() for name in header]
    width = len(names)
    for row in reader:
        if not row:
            continue  # a blank line
        if len(row) > width:
            raise InputError(
                str(path),
                [f"{path.name}:{reader.line_num}: {len(row) - width} value(s) beyond the header"],
            )
        yield reader.line_num, {k: v for k, v in zip(names, row, strict=False) if v}


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
    encoding: str = "utf-8",
) -> list[tuple[int, RowT]]:
    """Read every row of ``path`` into ``model``; raise one ``InputError`` listing all bad rows.

    Returns ``(line number, row)`` pairs in file order. ``check`` may add
    whole-file problems (duplicate ids, say) as more messages.
    """
    file = Path(path)
    text = decoded_text(file, encoding)
    rows: list[tuple[int, RowT]] = []
    problems: list[str] = []
    if not text:
        raise InputError(str(file), [f"{file.name}: the file is empty (0 bytes)"])
    for line, record in _records(file, text, model):
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
