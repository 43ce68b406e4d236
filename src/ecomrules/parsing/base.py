"""The parser protocol and the strict/lenient error policy shared by all parsers."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import ClassVar, Literal, Protocol, runtime_checkable

from ecomrules.errors import ParseError
from ecomrules.outcome import Issue, Severity, SourceLocation
from ecomrules.parsing.model import ParseResult, StatementLine

__all__ = ["Confidence", "ErrorPolicy", "OnError", "Parser", "WholeFileLines"]

OnError = Literal["raise", "collect"]
"""``"raise"``: the first bad record raises; ``"collect"``: it becomes an error issue."""


class Confidence(enum.IntEnum):
    """How sure :meth:`Parser.sniff` is that a file is its format."""

    NO = 0
    MAYBE = 1
    YES = 2


@runtime_checkable
class Parser(Protocol):
    """A statement or settlement file parser.

    ``name`` is unique in the registry (``"bank.camt053"``, ``"stripe.itemized"``).
    ``sniff`` looks at the first bytes (about 64 KiB) and the file name; it is
    cheap and never raises. ``parse`` reads the whole (already unwrapped) file
    and raises only :class:`~ecomrules.errors.ParseError` subclasses;
    ``iter_lines`` yields the same lines one by one (a parser that cannot
    stream takes :class:`WholeFileLines`).
    """

    name: ClassVar[str]
    provider: ClassVar[str]
    spec_url: ClassVar[str]

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """Say whether ``head`` looks like this parser's format."""
        ...

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse ``data`` read from ``source`` (a path or a label, used in messages)."""
        ...

    def iter_lines(
        self,
        data: bytes,
        *,
        source: str,
        on_error: OnError = "raise",
        issues: list[Issue] | None = None,
    ) -> Iterator[StatementLine]:
        """Yield the lines of ``data`` one by one; the issues go to ``issues`` when given.

        The streaming parsers also take a path or a binary file and keep memory
        flat; controls that need every line (payout totals) are :meth:`parse`'s.
        """
        ...


class ErrorPolicy:
    """Carries out ``on_error``: raise at once, or collect an error issue and go on.

    Parsers call :meth:`fail` for a bad record and continue with the next one
    when it returns; they call :meth:`warn` and :meth:`info` for notes that
    never raise. :attr:`issues` is what the :class:`ParseResult` reports.
    """

    def __init__(self, on_error: OnError) -> None:
        if on_error not in ("raise", "collect"):
            raise ValueError(f"on_error must be 'raise' or 'collect', not {on_error!r}")
        self.on_error = on_error
        self.issues: list[Issue] = []

    @classmethod
    def of(
        cls, on_error: OnError, issues: list[Issue] | None, policy: ErrorPolicy | None = None
    ) -> ErrorPolicy:
        """The policy of an ``iter_lines`` call: ``policy`` when given, else a new one
        for ``on_error`` that appends to ``issues`` when a list is given."""
        if policy is not None:
            return policy
        made = cls(on_error)
        if issues is not None:
            made.issues = issues
        return made

    def fail(self, error: ParseError, code: str) -> None:
        """Raise ``error`` in strict mode; record it as an error issue in lenient mode."""
        if self.on_error == "raise":
            raise error
        self.issues.append(Issue(Severity.ERROR, code, error.reason, error.location))

    def warn(self, code: str, message: str, location: SourceLocation | None = None) -> None:
        """Record a warning (never raises)."""
        self.issues.append(Issue(Severity.WARNING, code, message, location))

    def info(self, code: str, message: str, location: SourceLocation | None = None) -> None:
        """Record a note (never raises)."""
        self.issues.append(Issue(Severity.INFO, code, message, location))


class WholeFileLines:
    """``iter_lines`` for a parser that reads its file whole (JSON, XML, workbooks).

    The lines of :meth:`parse` are yielded one by one and its issues appended
    to ``issues``: the protocol is the same as a streaming parser's, the
    memory is not.
    """

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse the whole file (the parser's own)."""
        raise NotImplementedError

    def iter_lines(
        self,
        data: bytes,
        *,
        source: str,
        on_error: OnError = "raise",
        issues: list[Issue] | None = None,
    ) -> Iterator[StatementLine]:
        """Yield the lines of :meth:`parse`; its issues go to ``issues`` when given."""
        result = self.parse(data, source=source, on_error=on_error)
        if issues is not None:
            issues.extend(result.issues)
        return iter(result.lines)
