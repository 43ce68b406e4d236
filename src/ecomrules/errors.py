"""The whole exception hierarchy of ecomrules.

Exceptions are for bad input and broken invariants only; decisions (blocked,
held, unmatched) are return values with reason codes. Every error derives from
:class:`EcomrulesError`, and from ``ValueError`` or ``TypeError`` where the
meaning fits, so callers may catch either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecomrules.outcome import SourceLocation

__all__ = [
    "AmbiguousFormatError",
    "ConfigError",
    "ConfigProblem",
    "ControlTotalError",
    "CurrencyMismatchError",
    "EcomrulesError",
    "ErpError",
    "FieldTypeError",
    "FieldValueError",
    "InexactAmountError",
    "InputError",
    "InvariantError",
    "MalformedRecordError",
    "MoneyError",
    "ParseError",
    "ReadLimitError",
    "ReconcileError",
    "ReviewConflict",
    "UnknownCurrencyError",
    "UnrecognizedFormatError",
    "WorkspaceError",
]


class EcomrulesError(Exception):
    """Base of every error raised by ecomrules."""


class MoneyError(EcomrulesError, ValueError):
    """An amount or currency is invalid for the operation asked."""


class CurrencyMismatchError(MoneyError):
    """Two amounts in different currencies were combined."""

    def __init__(self, left: str, right: str, operation: str) -> None:
        super().__init__(f"cannot {operation} {left} and {right} amounts")
        self.left = left
        self.right = right
        self.operation = operation


class UnknownCurrencyError(MoneyError):
    """A currency code is not in the ISO 4217 table."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown currency code {code!r}")
        self.code = code


class InexactAmountError(MoneyError):
    """An amount cannot be represented exactly in the asked unit."""


class FieldValueError(EcomrulesError, ValueError):
    """A core value (``OpenItem``, ``Customer``...) was built with a field that breaks its rule.

    ``owner`` says which value (``open item I-1``), ``field`` which field.
    """

    def __init__(self, owner: str, field: str, message: str) -> None:
        self.owner = owner
        self.field = field
        super().__init__(f"{owner}: {field} {message}")


class FieldTypeError(FieldValueError, TypeError):
    """A core value was built with a field of the wrong type (a ``str`` for a date...)."""


class InvariantError(EcomrulesError):
    """An internal or domain invariant does not hold: a bug or inconsistent data."""


class ConfigProblem:
    """One problem found in a configuration document, at a JSON-path like ``$.levels[2].days``."""

    __slots__ = ("message", "path")

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def __repr__(self) -> str:
        return f"ConfigProblem({self.path!r}, {self.message!r})"


class ConfigError(EcomrulesError, ValueError):
    """A configuration or policy document is invalid; every problem is listed at once."""

    def __init__(self, source: str, problems: Sequence[ConfigProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = [f"{source}: {len(self.problems)} problem(s)"]
        lines.extend(f"  {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))


class InputError(EcomrulesError, ValueError):
    """A tabular input file has bad rows; every bad row is listed at once.

    ``problems`` holds one message per bad field, each starting with its place
    (``open-items.csv:14: column 'due_date': ...``): all of them, for a
    program (``--json``). The message (``str(error)``, what a terminal shows)
    lists the first :data:`SHOWN` and then how many more there are.
    """

    SHOWN = 20
    """How many problems the message lists."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        shown = list(self.problems[: self.SHOWN])
        if len(self.problems) > self.SHOWN:
            shown.append(f"... and {len(self.problems) - self.SHOWN} more problem(s)")
        super().__init__("\n".join(shown) or f"{source}: invalid input")


class ParseError(EcomrulesError, ValueError):
    """A statement or settlement file cannot be parsed.

    The message starts with the place (``file:line: ...``); the place and the
    offending data stay available as attributes.
    """

    def __init__(
        self,
        message: str,
        *,
        location: SourceLocation | None = None,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        self.reason = message
        self.location = location
        self.field = field
        self.value = value
        super().__init__(f"{location}: {message}" if location is not None else message)


class UnrecognizedFormatError(ParseError):
    """No registered parser recognises the file."""


class AmbiguousFormatError(ParseError):
    """More than one registered parser claims the file."""

    def __init__(self, message: str, *, candidates: Sequence[str], **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.candidates = tuple(candidates)


class MalformedRecordError(ParseError):
    """One record (row, line, XML element) of a file is malformed."""


class ControlTotalError(ParseError):
    """A control total of the file does not add up (balances, trailers, payout sums)."""


class ReadLimitError(ParseError):
    """A file passes a read limit: unpacked size or ratio, nesting, members, record length.

    The limits are :class:`ecomrules.parsing.limits.ReadLimits`; the message
    names the member and the limit.
    """


class ReconcileError(EcomrulesError, ValueError):
    """The reconciliation inputs or configuration are inconsistent."""


class WorkspaceError(EcomrulesError):
    """The workspace store cannot be opened or written."""


class ErpError(EcomrulesError):
    """An ERP adapter could not talk to its ERP: unreachable, refused, missing module, gone.

    The message names the server, the database and what to do (the module to
    activate, the option to fix); a write that raised it wrote nothing, or a
    rerun completes it without duplicates (each adapter documents which).
    """


class ReviewConflict(WorkspaceError):
    """A review decision lost to another: the line (or an item) was decided meanwhile.

    Nothing was recorded; the message says who decided and when.
    """


class SparkError(EcomrulesError):
    """Apache Spark cannot run the job: not installed, wrong version, no Java, a failed task.

    The message says what is missing and how to install it (``pip install
    "ecomrules[spark]"``, a Java 17 runtime), or which partition failed. A run
    that raised it presented no partial output as complete.
    """
