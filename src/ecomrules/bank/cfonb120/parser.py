"""The ``bank.cfonb120`` parser and its streaming :func:`iter_lines`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ecomrules.bank._events import StatementEnd, TextRecordParser, stream_statement_lines
from ecomrules.bank._records import StreamSource
from ecomrules.bank.cfonb120.reader import RECORD_LENGTH, read_cfonb120
from ecomrules.outcome import Issue
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.model import StatementLine

__all__ = ["Cfonb120Parser", "iter_lines"]


class Cfonb120Parser(TextRecordParser):
    """CFONB 120 account statements ("relevé de compte", France)."""

    name: ClassVar[str] = "bank.cfonb120"
    provider: ClassVar[str] = "CFONB"
    spec_url: ClassVar[str] = "https://www.cfonb.org/"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES when the first record is a 01 old balance of a 120-character layout."""
        first = head.lstrip(b"\r\n").split(b"\n", 1)[0].rstrip(b"\r")
        if len(first) < 40 or first[:2] != b"01" or not first[2:7].isdigit():
            return Confidence.NO
        if not (first[34:40].isdigit() or first[34:40].strip() == b""):
            return Confidence.NO
        length = len(first.rstrip())
        if length <= RECORD_LENGTH or first[RECORD_LENGTH : RECORD_LENGTH + 2] in (b"04", b"07"):
            return Confidence.YES
        return Confidence.NO

    def read(
        self, lines: Iterator[tuple[int, str]], source: str, policy: ErrorPolicy
    ) -> Iterator[StatementLine | StatementEnd]:
        """The CFONB120 reader (``parse`` and ``iter_lines`` are the base's)."""
        return read_cfonb120(lines, source, policy)


def iter_lines(
    source: StreamSource, *, on_error: OnError = "raise", issues: list[Issue] | None = None
) -> Iterator[StatementLine]:
    """Stream the lines of a CFONB 120 file; memory stays flat whatever the file size.

    Control totals are checked as each statement closes (``ControlTotalError``
    in strict mode); the issues (lenient errors, warnings, notes) are appended
    to ``issues`` when you pass a list.
    """
    return stream_statement_lines(source, read_cfonb120, on_error=on_error, issues=issues)
