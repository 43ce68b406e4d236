"""Reasons, issues and source locations: how every decision and problem explains itself.

Reason codes are a public vocabulary: dotted snake case (``credit.limit_exceeded``,
``dunning.held.payment_in_transit``), listed in the reason-code catalogue of the
docs and never renamed without a deprecation.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

__all__ = ["Issue", "Reason", "Severity", "SourceLocation", "check_code", "escape_name"]

_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


_CHECKED: set[str] = set()  # codes already found valid: the vocabulary is small
_CHECKED_MAX = 10_000


def check_code(code: str) -> str:
    """Return ``code`` if it is dotted snake case, else raise ``ValueError``."""
    if code in _CHECKED:
        return code
    if not _CODE.match(code):
        raise ValueError(f"reason code {code!r} is not dotted snake case (area.what)")
    if len(_CHECKED) < _CHECKED_MAX:
        _CHECKED.add(code)
    return code


_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))} | {
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def escape_name(name: str) -> str:
    """``name`` (a path, a zip member) with control characters and line separators escaped.

    Names come from files and command lines; a newline or a terminal escape in
    one must not forge a line of a message. A newline is shown as ``\\n``, an escape
    byte as ``\\x1b``.
    """
    if name.isprintable():
        return name
    return name.translate(_ESCAPES)


def _freeze(data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(data or {}))


@frozen
class SourceLocation:
    """Where a record came from: a file path, a 1-based line and optionally a column.

    ``str()`` renders ``path:line[:column]``, the prefix of every parse message,
    with control characters of the path escaped (:func:`escape_name`).
    """

    path: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        text = escape_name(self.path)
        if self.line is not None:
            text += f":{self.line}"
        if self.column is not None:
            text += f":{self.column}"
        return text


@frozen
class Reason:
    """One reason behind a decision: a stable ``code``, a readable ``message`` and ``data``."""

    code: str = field(converter=check_code)
    message: str
    data: Mapping[str, Any] = field(factory=dict, converter=_freeze, eq=False, hash=False)

    def to_json(self) -> dict[str, Any]:
        """Return the reason as a JSON-ready dict (data values already JSON-ready)."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data:
            out["data"] = {key: _jsonable(value) for key, value in self.data.items()}
        return out


class Severity(enum.Enum):
    """How serious an issue is. ``ERROR`` issues mean data was not taken as given."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@frozen
class Issue:
    """A problem found while reading or checking input, with its place when known."""

    severity: Severity
    code: str = field(converter=check_code)
    message: str
    location: SourceLocation | None = None

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location is not None else ""
        return f"{prefix}{self.severity.value}: {self.message} [{self.code}]"

    def to_json(self) -> dict[str, Any]:
        """Return the issue as a JSON-ready dict."""
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "location": None if self.location is None else str(self.location),
        }


def _jsonable(value: Any) -> Any:
    """Turn Decimals, dates and Money into strings; leave JSON scalars alone."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return str(value)
