"""The ``bank.bai2`` parser and its streaming :func:`iter_lines`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from ecomrules.bank._events import gather, parser_lines, stream_statement_lines
from ecomrules.bank._records import StreamSource, text_lines
from ecomrules.bank.bai2.reader import read_bai2
from ecomrules.outcome import Issue
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.model import ParseResult, StatementLine

__all__ = ["Bai2Parser", "iter_lines"]

_HEADER = re.compile(rb"^\s*01,[^,\r\n]*,[^,\r\n]*,\d{6},")
_GROUP = re.compile(rb"(^|[\r\n/]\s*)02,")


class Bai2Parser:
    """BAI2 balance and transaction reports (US and Canadian banks)."""

    name: ClassVar[str] = "bank.bai2"
    provider: ClassVar[str] = "BAI"
    spec_url: ClassVar[str] = "https://www.bai.org/"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES for a ``01,sender,receiver,YYMMDD,`` header followed by a 02 group."""
        if _HEADER.match(head):
            return Confidence.YES if _GROUP.search(head) else Confidence.MAYBE
        return Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse a whole BAI2 file."""
        policy = ErrorPolicy(on_error)
        events = read_bai2(text_lines(data, source), source, policy)
        return gather(events, self.name, source, policy)

    def iter_lines(
        self,
        data: bytes | StreamSource,
        *,
        source: str = "<stream>",
        on_error: OnError = "raise",
        issues: list[Issue] | None = None,
    ) -> Iterator[StatementLine]:
        """Yield the lines one by one (bytes, a path or a binary file, streamed)."""
        return parser_lines(data, source, read_bai2, on_error=on_error, issues=issues)


def iter_lines(
    source: StreamSource, *, on_error: OnError = "raise", issues: list[Issue] | None = None
) -> Iterator[StatementLine]:
    """Stream the detail lines of a BAI2 file; memory stays flat whatever its size.

    Trailers are checked as they come (``ControlTotalError`` in strict mode);
    the issues are appended to ``issues`` when you pass a list.
    """
    return stream_statement_lines(source, read_bai2, on_error=on_error, issues=issues)
