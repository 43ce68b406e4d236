"""BAI2 logical records from physical lines: ``/`` ends, several per line, 88 continuations.

A physical line may hold several logical records (``.../ 16,...``); a line
that does not start with a record code continues the text of the record
before it (some exporters wrap long text); an ``88`` record continues the
record before it. :func:`logical_records` yields each record with its 88
continuations attached, its first physical line and how many logical records
it spans (for the trailer counts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from attrs import define, field

from ecomrules.outcome import SourceLocation

__all__ = ["Record", "logical_records"]

_SPLIT = re.compile(r"/\s*(?=(?:01|02|03|16|49|88|98|99),)")
_START = re.compile(r"^[0-9][0-9],")


@define
class Record:
    """One logical record: code, content pieces (the record, then each 88), location."""

    code: str
    pieces: list[str]
    location: SourceLocation
    raw: list[str] = field(factory=list)

    @property
    def count(self) -> int:
        """Logical records spanned: the record and its continuations."""
        return len(self.pieces)

    def fields(self) -> list[str]:
        """All comma-separated fields, continuations included (records without text)."""
        return ",".join(self.pieces).split(",")


def _content(piece: str) -> str:
    text = piece.rstrip()
    return text[:-1] if text.endswith("/") else text


def logical_records(lines: Iterable[tuple[int, str]], source: str) -> Iterator[Record]:
    """Yield the logical records of a BAI2 file with their 88 continuations attached.

    A physical line that starts with no record code is joined (with a space)
    to the text of the record before it, or yielded as a record of code ``""``
    when there is none, for the reader to refuse.
    """
    current: Record | None = None
    for number, line in lines:
        text = line.strip()
        if not text:
            continue
        if not _START.match(text):
            if current is None:
                yield Record("", [text], SourceLocation(source, number), [line])
            else:
                current.pieces[-1] = current.pieces[-1] + " " + _content(text)
                current.raw.append(line)
            continue
        for piece in _SPLIT.split(text):
            code, content = piece[:2], _content(piece[3:])
            if code == "88" and current is not None:
                current.pieces.append(content)
                current.raw.append(piece)
                continue
            if current is not None:
                yield current
            current = Record(code, [content], SourceLocation(source, number), [piece])
    if current is not None:
        yield current
