"""Physical lines of the text record formats (MT940, CFONB 120, BAI2), whole or streamed.

Both paths give ``(line_number, text)`` pairs with CR, LF and CRLF line ends
(mixed too) taken as line ends, a BOM and 0x1A end-of-file marks removed, and
the text decoded with UTF-8, else Windows-1252, else ISO-8859-1 (which takes
any byte). :func:`text_lines` reads bytes already in memory; :func:`stream_lines`
reads a binary file in chunks so memory does not grow with the file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ecomrules.errors import ParseError
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.source import clean_text

__all__ = ["ENCODINGS", "StreamSource", "open_stream", "stream_lines", "text_lines"]

ENCODINGS = ("utf-8", "cp1252", "latin-1")
"""The encodings tried, in order; ``latin-1`` accepts any byte, so decoding never fails."""


_LINE_END = re.compile(rb"\r\n|\r|\n")

StreamSource = str | Path | BinaryIO
"""What the streaming readers take: a path or a binary file opened for reading."""


def _decode_bytes(raw: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def text_lines(data: bytes, source: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for each physical line of ``data`` (1-based).

    ``source`` names the data in messages. The whole text is decoded as UTF-8
    when it is; else each line on its own, as :func:`stream_lines` does.
    """
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = "\n".join(_decode_bytes(raw) for raw in _LINE_END.split(data))
    text = clean_text(text)
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.replace("\x1a", "")


def _redecode(line: str) -> str:
    """Decode again a line that is not UTF-8 (read with surrogate escapes)."""
    return _decode_bytes(line.encode("utf-8", "surrogateescape"))


def stream_lines(stream: BinaryIO) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` reading ``stream`` with buffered universal newlines.

    Each line is decoded as UTF-8, else (that line only) Windows-1252, else
    ISO-8859-1. A file without line breaks is one line (a CFONB export); memory
    then grows with that line only.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline=None)
    try:
        for number, line in enumerate(text, start=1):
            line = line.removesuffix("\n")
            if not line.isascii():
                if number == 1:
                    line = line.removeprefix("\ufeff")
                try:
                    line.encode("utf-8")
                except UnicodeEncodeError:
                    line = _redecode(line)
            if "\x1a" in line:
                line = line.replace("\x1a", "")
            yield number, line
    finally:
        text.detach()


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
