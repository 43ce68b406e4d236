"""Input hygiene shared by the parsers: wrappers, encodings, BOMs, line ends.

:func:`unwrap` (from :mod:`ecomrules.parsing.unpack`) opens gzip and zip wrappers
under the read limits; :func:`decode` turns bytes into
text with a declared list of encodings (never guessing silently: the encoding
used is returned); :func:`clean_text` removes the BOM and a trailing 0x1A and
normalises CR, LF and CRLF line ends.
"""

from __future__ import annotations

from collections.abc import Sequence

from ecomrules.errors import MalformedRecordError
from ecomrules.outcome import SourceLocation, escape_name
from ecomrules.parsing.unpack import unwrap

__all__ = ["HEAD_SIZE", "clean_text", "decode", "sniffable", "unwrap"]

HEAD_SIZE = 65536
"""How many leading bytes :meth:`Parser.sniff` is given."""


_UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _utf16(data: bytes) -> str | None:
    """The UTF-16 codec a BOM at the start of ``data`` names, if any."""
    for bom, codec in _UTF16_BOMS:
        if data.startswith(bom):
            return codec
    return None


def sniffable(head: bytes) -> bytes:
    """``head`` as UTF-8 when it starts with a UTF-16 BOM, else as it is (never raises).

    Sniffers look for ASCII patterns (a namespace, a header); in UTF-16 every
    other byte is a zero and no pattern matches.
    """
    codec = _utf16(head)
    if codec is None:
        return head
    usable = len(head) - 2 - (len(head) - 2) % 2
    return head[2 : 2 + usable].decode(codec, errors="replace").encode("utf-8")


def decode(data: bytes, source: str, encodings: Sequence[str] = ("utf-8", "cp1252")) -> str:
    """Decode with the first of ``encodings`` that fits; a UTF-8 or UTF-16 BOM forces its codec.

    ``cp1252`` leaves five bytes undefined, so list ``latin-1`` last where any
    byte must be accepted. Raises :class:`MalformedRecordError` naming the line
    of the first bad byte when none fits.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8",)
    elif (codec := _utf16(data)) is not None:
        encodings = (codec,)
        data = data[2:]
    first_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
        except LookupError:  # a name read from the file itself
            raise MalformedRecordError(
                f"unknown encoding {escape_name(encoding)!r}", location=SourceLocation(source, 1)
            ) from None
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
