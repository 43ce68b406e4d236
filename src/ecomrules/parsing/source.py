"""Input hygiene shared by the parsers: wrappers, encodings, BOMs, line ends.

:func:`unwrap` opens gzip and zip wrappers; :func:`decode` turns bytes into
text with a declared list of encodings (never guessing silently: the encoding
used is returned); :func:`clean_text` removes the BOM and a trailing 0x1A and
normalises CR, LF and CRLF line ends.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Sequence

from ecomrules.errors import MalformedRecordError, ParseError
from ecomrules.outcome import SourceLocation

__all__ = ["HEAD_SIZE", "clean_text", "decode", "unwrap"]

HEAD_SIZE = 65536
"""How many leading bytes :meth:`Parser.sniff` is given."""

_MAX_UNPACKED = 2 * 1024**3


def unwrap(data: bytes, source: str) -> list[tuple[str, bytes]]:
    """Return the members of a gzip or zip wrapper as ``(name, bytes)``, or the data itself.

    Directories and empty members of a zip are skipped; nested wrappers are opened too.
    """
    if data[:2] == b"\x1f\x8b":
        try:
            inner = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ParseError(f"broken gzip data: {exc}", location=SourceLocation(source)) from None
        name = source.removesuffix(".gz").removesuffix(".GZ")
        return unwrap(inner, name)
    if data[:4] == b"PK\x03\x04" and not source.lower().endswith((".xlsx", ".xls", ".ods")):
        members: list[tuple[str, bytes]] = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                total = sum(info.file_size for info in archive.infolist())
                if total > _MAX_UNPACKED:
                    raise ParseError(
                        f"zip unpacks to {total} bytes, more than allowed",
                        location=SourceLocation(source),
                    )
                for info in sorted(archive.infolist(), key=lambda i: i.filename):
                    if info.is_dir() or info.file_size == 0:
                        continue
                    members.extend(unwrap(archive.read(info), f"{source}!{info.filename}"))
        except zipfile.BadZipFile as exc:
            raise ParseError(f"broken zip data: {exc}", location=SourceLocation(source)) from None
        return members
    return [(source, data)]


def decode(data: bytes, source: str, encodings: Sequence[str] = ("utf-8", "cp1252")) -> str:
    """Decode with the first of ``encodings`` that fits; a UTF-8 BOM forces UTF-8.

    ``cp1252`` leaves five bytes undefined, so list ``latin-1`` last where any
    byte must be accepted. Raises :class:`MalformedRecordError` naming the line
    of the first bad byte when none fits.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8",)
    first_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    first_bad = first_error
    if first_bad is None:
        raise ValueError("decode needs at least one encoding")
    line = data.count(b"\n", 0, first_bad.start) + 1
    raise MalformedRecordError(
        f"byte 0x{data[first_bad.start]:02x} fits none of the encodings {', '.join(encodings)}",
        location=SourceLocation(source, line),
    )


def clean_text(text: str) -> str:
    """Drop a BOM and trailing end-of-file marks (0x1A), and make every line end a LF."""
    text = text.removeprefix("\ufeff").rstrip("\x1a")
    return text.replace("\r\n", "\n").replace("\r", "\n")
