"""Opening gzip and zip wrappers under one :class:`~ecomrules.parsing.limits.Budget`.

gzip is inflated piece by piece with :mod:`zlib` and each piece is counted
before the next is made, so a bomb is refused after at most the cap plus one
piece (1 MiB) rather than after it filled the memory. A zip member is read in
pieces the same way; its declared size is checked first (``zipfile`` never
returns more than the declared size, so the declaration is a bound, not a
hint). An Excel workbook (a zip with ``xl/``) is not opened here but its
declared sizes are charged to the same budget, since the workbook reader will
unpack them. Every way a broken member can fail (``zlib.error``,
``EOFError``, ``OSError``, encrypted or unsupported compression) becomes a
:class:`~ecomrules.errors.ParseError` naming the member; names are escaped.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Final

from ecomrules.errors import ParseError, ReadLimitError
from ecomrules.outcome import SourceLocation, escape_name
from ecomrules.parsing.limits import Budget, ReadLimits, current_limits

__all__ = ["WORKBOOK_SUFFIXES", "check_workbook", "unwrap"]

WORKBOOK_SUFFIXES: Final = (".xlsx", ".xlsm", ".xls", ".ods")
"""Zip-based spreadsheets: handed to their parser whole, never unpacked here."""

_IN_PIECE: Final = 64 * 1024
_OUT_PIECE: Final = 1024 * 1024

try:  # zipfile reads LZMA members with it; absent from some Python builds
    from lzma import LZMAError as _LzmaError
except ImportError:  # pragma: no cover - depends on how Python was built
    _LzmaError = OSError  # type: ignore[misc,assignment]

_BROKEN: Final = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    KeyError,
    _LzmaError,
)
"""What ``zipfile`` raises for a corrupt, encrypted or unsupported member."""


def unwrap(data: bytes, source: str, limits: ReadLimits | None = None) -> list[tuple[str, bytes]]:
    """Return the members of a gzip or zip wrapper as ``(name, bytes)``, or the data itself.

    Directories and empty members of a zip are skipped; nested wrappers are
    opened too, all under one budget (``limits``, else :func:`current_limits`).
    Member names are ``archive!member`` with control characters escaped.
    """
    limits = limits or current_limits()
    budget = Budget(limits, escape_name(source), len(data))
    return _unwrap(data, escape_name(source), budget, 0)


def _unwrap(data: bytes, name: str, budget: Budget, depth: int) -> list[tuple[str, bytes]]:
    if data[:2] == b"\x1f\x8b":
        budget.enter(depth + 1, name)
        inner = _gunzip(data, name, budget)
        return _unwrap(inner, name.removesuffix(".gz").removesuffix(".GZ"), budget, depth + 1)
    if data[:4] == b"PK\x03\x04":
        with _open_zip(data, name) as archive:
            if _is_workbook(archive, name):
                _charge_declared(archive, name, budget)
                return [(name, data)]
            budget.enter(depth + 1, name)
            return _unzip(archive, name, budget, depth + 1)
    return [(name, data)]


def _is_workbook(archive: zipfile.ZipFile, name: str) -> bool:
    if name.lower().endswith(WORKBOOK_SUFFIXES):
        return True
    try:
        archive.getinfo("[Content_Types].xml")  # Office Open XML, whatever the name
    except KeyError:
        return False
    return True


def _gunzip(data: bytes, name: str, budget: Budget) -> bytes:
    """Inflate every gzip member of ``data``, charging ``budget`` as the output grows."""
    out: list[bytes] = []
    view = memoryview(data)
    start = 0
    try:
        while True:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            position = start
            while not inflater.eof and position < len(view):
                piece = view[position : position + _IN_PIECE]
                position += len(piece)
                chunk = inflater.decompress(piece, _OUT_PIECE)
                while True:
                    budget.charge(len(chunk), name)
                    out.append(chunk)
                    if not inflater.unconsumed_tail or inflater.eof:
                        break
                    chunk = inflater.decompress(inflater.unconsumed_tail, _OUT_PIECE)
            if not inflater.eof:
                raise ParseError(
                    "broken gzip data: the stream ends early", location=SourceLocation(name)
                )
            rest = len(inflater.unused_data) + (len(view) - position)
            start = len(view) - rest
            if bytes(view[start : start + 2]) != b"\x1f\x8b":
                if bytes(view[start:]).strip(b"\x00"):
                    raise ParseError(
                        "broken gzip data: bytes after the end of the stream",
                        location=SourceLocation(name),
                    )
                return b"".join(out)
    except zlib.error as exc:
        raise ParseError(f"broken gzip data: {exc}", location=SourceLocation(name)) from None


def _open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _BROKEN as exc:
        raise ParseError(
            f"broken zip data: {escape_name(str(exc))}", location=SourceLocation(name)
        ) from None


def check_workbook(data: bytes, name: str) -> None:
    """Refuse a zip-based workbook whose declared member sizes pass :func:`current_limits`.

    The sizes are read from the zip's directory; nothing is unpacked.
    """
    with _open_zip(data, name) as archive:
        _charge_declared(archive, name, Budget(current_limits(), name, len(data)))


def _charge_declared(archive: zipfile.ZipFile, name: str, budget: Budget) -> None:
    infos = archive.infolist()
    budget.add_members(len(infos), name)
    for info in infos:
        budget.charge(info.file_size, f"{name}!{escape_name(info.filename)}")


def _unzip(
    archive: zipfile.ZipFile, name: str, budget: Budget, depth: int
) -> list[tuple[str, bytes]]:
    members: list[tuple[str, bytes]] = []
    infos = sorted(archive.infolist(), key=lambda i: i.filename)
    budget.add_members(len(infos), name)
    declared = sum(info.file_size for info in infos)
    if budget.used + declared > budget.cap:
        budget.charge(declared, name)  # refuses before unpacking anything
    for info in infos:
        if info.is_dir() or info.file_size == 0:
            continue
        member = f"{name}!{escape_name(info.filename)}"
        content = _read_member(archive, info, member, budget)
        members.extend(_unwrap(content, member, budget, depth))
    return members


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, member: str, budget: Budget
) -> bytes:
    parts: list[bytes] = []
    try:
        with archive.open(info) as stream:
            while piece := stream.read(_OUT_PIECE):
                budget.charge(len(piece), member)
                parts.append(piece)
    except ReadLimitError:
        raise
    except _BROKEN as exc:
        reason = "it is encrypted" if info.flag_bits & 0x1 else escape_name(str(exc) or "")
        raise ParseError(
            f"broken zip member: {reason or type(exc).__name__}", location=SourceLocation(member)
        ) from None
    return b"".join(parts)
