"""Physical lines of the text record formats (MT940, CFONB 120, BAI2), whole or streamed.

Both paths give ``(line_number, text)`` pairs with CR, LF and CRLF line ends
(mixed too) taken as line ends, a BOM and 0x1A end-of-file marks removed, and
the text decoded with UTF-8, else Windows-1252, else ISO-8859-1 (which takes
any byte). :func:`text_lines` reads bytes already in memory; :func:`stream_lines`
reads a binary file in chunks so memory does not grow with the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ecomrules.errors import ParseError
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.source import clean_text, decode

__all__ = ["ENCODINGS", "StreamSource", "open_stream", "stream_lines", "text_lines"]

ENCODINGS = ("utf-8", "cp1252", "latin-1")
"""The encodings tried, in order; ``latin-1`` accepts any byte, so decoding never fails."""

_CHUNK = 1 << 20
_LINE_END = re.compile(rb"\r\n|\r|\n")

StreamSource = str | Path | BinaryIO
"""What the streaming readers take: a path or a binary file opened for reading."""


def text_lines(data: bytes, source: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for each physical line of ``data`` (1-based)."""
    text = clean_text(decode(data, source, ENCODINGS))
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.replace("\x1a", "")


def _decode_line(raw: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def stream_lines(stream: BinaryIO) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` reading ``stream`` in 1 MiB chunks.

    A line longer than a chunk is gathered whole (a CFONB file without line
    breaks is one line); memory then grows with that line only.
    """
    pending = b""
    number = 0
    first = True
    while True:
        chunk = stream.read(_CHUNK)
        if first:
            chunk = chunk.removeprefix(b"\xef\xbb\xbf")
            first = False
        if not chunk:
            break
        pending += chunk
        # A CR at the end of the buffer may be the first half of a CRLF.
        cut = len(pending) - 1 if pending.endswith(b"\r") else len(pending)
        start = 0
        for match in _LINE_END.finditer(pending, 0, cut):
            number += 1
            yield number, _decode_line(pending[start : match.start()]).replace("\x1a", "")
            start = match.end()
        pending = pending[start:]
    if pending:
        for piece in _LINE_END.split(pending.rstrip(b"\x1a")):
            number += 1
            yield number, _decode_line(piece).replace("\x1a", "")


def open_stream(source: StreamSource) -> tuple[BinaryIO, str, bool]:
    """Return ``(binary stream, label, whether the caller must close it)``."""
    if isinstance(source, str | Path):
        try:
            return Path(source).open("rb"), str(source), True
        except OSError as exc:
            raise ParseError(
                f"cannot read: {exc.strerror}", location=SourceLocation(str(source))
            ) from None
    return source, getattr(source, "name", "<stream>"), False
