"""What the streaming readers yield, and how ``parse`` gathers it into statements.

A reader is a generator over physical lines that yields each
:class:`~ecomrules.parsing.model.StatementLine` as soon as it is complete and a
:class:`StatementEnd` after the last line of each statement. ``parse`` gathers
the lines into :class:`~ecomrules.parsing.model.Statement` objects;
``iter_lines`` passes the lines through and drops nothing but the markers, so
its memory does not grow with the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import ClassVar

from attrs import frozen

from ecomrules.bank._records import StreamSource, open_stream, stream_lines, text_lines
from ecomrules.errors import ControlTotalError
from ecomrules.money import Currency, Money
from ecomrules.outcome import Issue, SourceLocation
from ecomrules.parsing.base import ErrorPolicy, OnError
from ecomrules.parsing.model import ParseResult, Statement, StatementLine

__all__ = [
    "Event",
    "Reader",
    "StatementEnd",
    "TextRecordParser",
    "check_balance",
    "gather",
    "stream_statement_lines",
]


@frozen
class StatementEnd:
    """The close of one statement: everything but its lines."""

    account: str | None
    currency: Currency | None
    id: str | None = None
    opening_balance: Money | None = None
    closing_balance: Money | None = None
    opening_date: date | None = None
    closing_date: date | None = None
    location: SourceLocation | None = None


Event = StatementLine | StatementEnd
"""What a reader yields."""


def check_balance(
    policy: ErrorPolicy,
    opening: Money | None,
    total: Decimal,
    closing: Money | None,
    where: SourceLocation | None,
    what: str,
) -> None:
    """Report through ``policy`` unless ``opening + total == closing`` (both known)."""
    if opening is None or closing is None:
        return
    expected = opening.amount + total
    if expected != closing.amount:
        policy.fail(
            ControlTotalError(
                f"{what}: opening balance {opening.amount} + lines {total} = {expected},"
                f" but the closing balance is {closing.amount}",
                location=where,
                field="closing_balance",
                value=str(closing.amount),
            ),
            "bank.balance_mismatch",
        )


def gather(
    events: Iterable[StatementLine | StatementEnd], parser: str, source: str, policy: ErrorPolicy
) -> ParseResult:
    """Build the :class:`ParseResult` from a reader's events.

    The objects built hold no cycles: a program parsing millions of lines
    may pause the collector around the call (:mod:`ecomrules.gcpause`; the
    command line does).
    """
    return _gather(events, parser, source, policy)


def _gather(
    events: Iterable[StatementLine | StatementEnd], parser: str, source: str, policy: ErrorPolicy
) -> ParseResult:
    statements: list[Statement] = []
    lines: list[StatementLine] = []
    for event in events:
        if isinstance(event, StatementLine):
            lines.append(event)
            continue
        statements.append(
            Statement(
                account=event.account,
                currency=event.currency,
                lines=tuple(lines),
                id=event.id,
                opening_balance=event.opening_balance,
                closing_balance=event.closing_balance,
                opening_date=event.opening_date,
                closing_date=event.closing_date,
                location=event.location,
            )
        )
        lines = []
    return ParseResult(parser, source, tuple(statements), issues=tuple(policy.issues))


Reader = Callable[[Iterator[tuple[int, str]], str, ErrorPolicy], Iterable[Event]]
"""A record reader: numbered physical lines, the source label, the error policy."""


def stream_statement_lines(
    source: StreamSource, read: Reader, *, on_error: OnError, issues: list[Issue] | None
) -> Iterator[StatementLine]:
    """Stream the lines a reader finds in ``source``, in file order, dropping the markers.

    The file is opened here (and closed if it was opened here); the issues of
    the run are appended to ``issues`` when a list is passed.
    """
    stream, label, owned = open_stream(source)
    try:
        policy = ErrorPolicy(on_error)
        if issues is not None:
            policy.issues = issues
        for event in read(stream_lines(stream), label, policy):
            if isinstance(event, StatementLine):
                yield event
    finally:
        if owned:
            stream.close()


class TextRecordParser:
    """``parse`` and ``iter_lines`` of a text record format, from its :meth:`read`.

    ``parse`` reads bytes in memory and gathers the statements; ``iter_lines``
    yields the lines of bytes (labelled ``source``), a path or a binary file,
    streamed, with the same controls as each statement ends.
    """

    name: ClassVar[str]

    def read(
        self, lines: Iterator[tuple[int, str]], source: str, policy: ErrorPolicy
    ) -> Iterable[Event]:
        """The format's reader over numbered physical lines."""
        raise NotImplementedError

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse a whole file."""
        policy = ErrorPolicy(on_error)
        return gather(
            self.read(text_lines(data, source), source, policy), self.name, source, policy
        )

    def iter_lines(
        self,
        data: bytes | StreamSource,
        *,
        source: str = "<stream>",
        on_error: OnError = "raise",
        issues: list[Issue] | None = None,
    ) -> Iterator[StatementLine]:
        """Yield the lines one by one (bytes, a path or a binary file, streamed)."""
        if not isinstance(data, bytes):
            yield from stream_statement_lines(data, self.read, on_error=on_error, issues=issues)
            return
        policy = ErrorPolicy.of(on_error, issues)
        for event in self.read(text_lines(data, source), source, policy):
            if isinstance(event, StatementLine):
                yield event
