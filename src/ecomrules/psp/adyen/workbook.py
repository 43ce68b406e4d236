"""Read the Settlement details report saved as an Excel workbook (``.xlsx``).

Reading workbooks needs the optional ``openpyxl`` package (``pip install
'ecomrules[xlsx]'``); without it :func:`workbook_rows` raises a
:class:`~ecomrules.errors.ParseError` saying so. The header row is found by its
column names (Customer Area exports put a blank band and a blank first column
before it). Numbers come out of openpyxl as floats: each is turned into the
shortest decimal text that reads back as the same float (``repr``), which is
the text Excel wrote for amounts of up to 15 significant digits (ADR 0005).
Old binary ``.xls`` workbooks are refused. The workbook's declared unpacked
size is checked against the read limits before anything is unpacked
(:mod:`ecomrules.parsing.limits`).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from ecomrules.errors import MalformedRecordError, ParseError
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.unpack import check_workbook

__all__ = ["OLE_MAGIC", "looks_like_workbook", "shared_strings", "workbook_rows"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of an old binary (BIFF) ``.xls`` workbook."""


def looks_like_workbook(head: bytes) -> bool:
    """Whether ``head`` starts a zip that holds an Excel workbook (never raises)."""
    return head[:4] == b"PK\x03\x04" and b"xl/" in head[:4096]


def shared_strings(head: bytes) -> str:
    """The shared-strings part of a workbook fully contained in ``head``, or ``""``."""
    try:
        with zipfile.ZipFile(io.BytesIO(head)) as archive:
            info = archive.getinfo("xl/sharedStrings.xml")
            if info.file_size > 4 * 1024**2:
                return ""
            return archive.read(info).decode("utf-8", errors="replace")
    except (
        zipfile.BadZipFile,
        zlib.error,
        KeyError,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        ValueError,
    ):
        return ""


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return str(value)


def _rows(sheet: Any, source: str) -> Iterator[tuple[int, list[str]]]:
    """The sheet's rows as text; a part broken inside the zip is a ParseError here too."""
    number = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    except Exception as exc:  # openpyxl reads lazily: the same unrelated types, later
        raise ParseError(
            f"not a readable .xlsx workbook: {type(exc).__name__} after row {number}",
            location=SourceLocation(source),
        ) from None


def workbook_rows(
    data: bytes, source: str, header_names: Sequence[str]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Return the header and the rows after it (1-based sheet row numbers) of the first
    sheet row holding all of ``header_names``."""
    if data.startswith(OLE_MAGIC):
        raise ParseError(
            "old binary .xls workbooks are not read; export the report as CSV or .xlsx",
            location=SourceLocation(source),
        )
    try:
        import openpyxl
    except ImportError:
        raise ParseError(
            "reading .xlsx reports needs the optional openpyxl package: "
            "pip install 'ecomrules[xlsx]'",
            location=SourceLocation(source),
        ) from None
    check_workbook(data, source)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a broken file
        raise ParseError(
            f"not a readable .xlsx workbook: {type(exc).__name__}", location=SourceLocation(source)
        ) from None
    if not book.worksheets:
        raise MalformedRecordError("the workbook has no sheet", location=SourceLocation(source))
    rows = _rows(book.worksheets[0], source)
    for number, cells in rows:
        names = {cell.strip() for cell in cells}
        if all(name in names for name in header_names):
            return cells, rows
        if number > 50:
            break
    raise MalformedRecordError(
        f"no header row naming {', '.join(repr(n) for n in header_names)} in the first sheet",
        location=SourceLocation(source),
    )
