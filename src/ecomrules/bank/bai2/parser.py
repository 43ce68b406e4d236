"""The ``bank.bai2`` parser and its streaming :func:`iter_lines`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from ecomrules.bank._events import StatementEnd, TextRecordParser, stream_statement_lines
from ecomrules.bank._records import StreamSource
from ecomrules.bank.bai2.reader import read_bai2
from ecomrules.outcome import Issue
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.model import StatementLine

__all__ = ["Bai2Parser", "iter_lines"]

_HEADER = re.compile(rb"^\s*01,[^,\r\n]*,[^,\r\n]*,\d{6},")
_GROUP = re.compile(rb"(^|[\r\n/]\s*)02,")


class Bai2Parser(TextRecordParser):
    """BAI2 balance and transaction reports (US and Canadian banks)."""

    name: ClassVar[str] = "bank.bai2"
    provider: ClassVar[str] = "BAI"
    spec_url: ClassVar[str] = "https://www.bai.org/"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES for a ``01,sender,receiver,YYMMDD,`` header followed by a 02 group."""
        if _HEADER.match(head):
            return Confidence.YES if _GROUP.search(head) else Confidence.MAYBE
        return Confidence.NO

    def read(
        self, lines: Iterator[tuple[int, str]], source: str, policy: ErrorPolicy
    ) -> Iterator[StatementLine | StatementEnd]:
        """The BAI2 reader (``parse`` and ``iter_lines`` are the base's)."""
        return read_bai2(lines, source, policy)


def iter_lines(
    source: StreamSource, *, on_error: OnError = "raise", issues: list[Issue] | None = None
) -> Iterator[StatementLine]:
    """Stream the detail lines of a BAI2 file; memory stays flat whatever its size.

    Trailers are checked as they come (``ControlTotalError`` in strict mode);
    the issues are appended to ``issues`` when you pass a list.
    """
    return stream_statement_lines(source, read_bai2, on_error=on_error, issues=issues)
