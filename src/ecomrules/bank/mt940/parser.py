"""The ``bank.mt940`` and ``bank.mt942`` parsers and the streaming :func:`iter_lines`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import ClassVar

from ecomrules.bank._events import StatementEnd, TextRecordParser, stream_statement_lines
from ecomrules.bank._records import StreamSource
from ecomrules.bank.mt940.reader import Variant, read_mt940
from ecomrules.outcome import Issue
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError
from ecomrules.parsing.model import StatementLine

__all__ = ["Mt940Parser", "Mt942Parser", "iter_lines"]

_MT942 = re.compile(rb"(^|[\r\n]):(34F|13D):|\{2:[IO]942")
_BALANCE = re.compile(rb"(^|[\r\n]):(60F|60M|62F|62M):[CD]\d{6}")
_FIELD = re.compile(rb"(^|[\r\n]):(20|25|61):")


class _MtParser(TextRecordParser):
    variant: ClassVar[Variant]
    name: ClassVar[str]

    def read(
        self, lines: Iterator[tuple[int, str]], source: str, policy: ErrorPolicy
    ) -> Iterator[StatementLine | StatementEnd]:
        """The MT940 reader for this variant (``parse`` and ``iter_lines`` are the base's)."""
        return read_mt940(lines, source, policy, self.variant)


class Mt940Parser(_MtParser):
    """SWIFT MT940 customer statements, with the German, Dutch and other bank dialects."""

    name: ClassVar[str] = "bank.mt940"
    provider: ClassVar[str] = "SWIFT"
    spec_url: ClassVar[str] = "https://www2.swift.com/knowledgecentre/publications/us9m_20230720"
    variant: ClassVar[Variant] = "940"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES with a ``:60F:``-style balance and no MT942 marks; MAYBE with ``:20:``/``:61:``."""
        if _MT942.search(head):
            return Confidence.NO
        if _BALANCE.search(head):
            return Confidence.YES
        return Confidence.MAYBE if _FIELD.search(head) else Confidence.NO


class Mt942Parser(_MtParser):
    """SWIFT MT942 interim transaction reports (floor limit, entries, debit/credit sums)."""

    name: ClassVar[str] = "bank.mt942"
    provider: ClassVar[str] = "SWIFT"
    spec_url: ClassVar[str] = "https://www2.swift.com/knowledgecentre/publications/us9m_20230720"
    variant: ClassVar[Variant] = "942"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES when the head has ``:34F:``, ``:13D:`` or an MT942 application header."""
        return Confidence.YES if _MT942.search(head) else Confidence.NO


def iter_lines(
    source: StreamSource,
    *,
    on_error: OnError = "raise",
    issues: list[Issue] | None = None,
    variant: Variant = "940",
) -> Iterator[StatementLine]:
    """Stream the lines of an MT940 (or MT942) file; memory stays flat whatever its size.

    Balances are checked as each message ends (``ControlTotalError`` in strict
    mode); the issues are appended to ``issues`` when you pass a list.
    """

    read = partial(read_mt940, variant=variant)
    return stream_statement_lines(source, read, on_error=on_error, issues=issues)
