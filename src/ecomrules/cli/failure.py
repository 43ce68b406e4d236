"""How the CLI reports a failed run: a message on stderr, and with ``--json`` a JSON error.

A program that calls ``ecomrules ... --json`` reads stdout as JSON whatever
happens: a failed run prints one document ``{"error": {...}}`` there (exit
code 2), with a stable dotted ``code`` (``error.`` and the exception's kind:
``error.input``, ``error.config``, ``error.malformed_record``,
``error.bad_parameter``, ``error.file_not_found``, ...), the ``message`` the
terminal shows, the place of the first problem (``file``, ``line``,
``column``, each ``null`` when unknown) and ``problems``: every problem the
error carries, each with its own message and place. The text on stderr is
unchanged, so a person reading a terminal sees the same message either way.

Every command goes through :func:`ecomrules.cli.app.main`, which calls
:func:`report_failure`; the commands themselves only raise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ecomrules.cli.output import err_console, print_json
from ecomrules.errors import ConfigError, ParseError

if TYPE_CHECKING:
    from typer._click import exceptions as clickx
else:  # typer vendors click since 0.2x; older releases use click itself
    try:
        from typer._click import exceptions as clickx
    except ImportError:  # pragma: no cover
        from click import exceptions as clickx

__all__ = ["clickx", "error_document", "json_requested", "report_failure"]

_PLACE = re.compile(r"^(?P<file>[^\s:][^:\n]*?):(?P<line>\d+)(?::(?P<column>\d+))?: ")
"""``file:line[:column]: `` at the start of a problem's text (the library's place prefix)."""
_COLUMN = re.compile(r"\bcolumn '(?P<name>[^']+)'")
"""``column 'due_date'`` in a problem's text: the field a row problem is about."""
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def json_requested(args: Sequence[str]) -> bool:
    """Whether the command line asks for JSON output (``--json`` before any ``--``)."""
    for arg in args:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False


def _code(exc: BaseException) -> str:
    name = type(exc).__name__.removesuffix("Error").removesuffix("Exception")
    return "error." + (_CAMEL.sub("_", name).lower() or "unknown")


def _place(file: str | None, line: int | None, column: str | int | None) -> dict[str, Any]:
    return {"file": file, "line": line, "column": column}


def _from_text(text: str, source: str | None) -> dict[str, Any]:
    """A problem given as text: its place read from the ``file:line:`` prefix if any."""
    found = _PLACE.match(text)
    named = _COLUMN.search(text)
    column: str | int | None = named["name"] if named else None
    if found is None:
        return {"message": text, **_place(source, None, column)}
    if found["column"] is not None:
        column = int(found["column"])
    return {"message": text, **_place(found["file"], int(found["line"]), column)}


def _from_object(problem: Any, source: str | None) -> dict[str, Any]:
    """A problem given as an object: its place from ``location`` or ``path``/``line``/``column``."""
    location = getattr(problem, "location", None)
    if location is not None:
        where = _place(location.path, location.line, location.column)
    else:
        where = _place(
            getattr(problem, "file", None) or source,
            getattr(problem, "line", None),
            getattr(problem, "column", None),
        )
    return {"message": str(problem), **where}


def _problems(exc: BaseException) -> list[dict[str, Any]]:
    source = getattr(exc, "source", None)
    source = source if isinstance(source, str) else None
    if isinstance(exc, ConfigError):
        return [
            {"message": str(p), **_place(exc.source, None, None), "field": p.path}
            for p in exc.problems
        ]
    if isinstance(exc, ParseError):
        where = exc.location
        place = _place(None, None, None) if where is None else _place(
            where.path, where.line, where.column
        )  # fmt: skip
        if exc.field is not None and place["column"] is None:
            place["column"] = exc.field
        return [{"message": str(exc), **place}]
    if isinstance(exc, OSError):
        file = None if exc.filename is None else str(exc.filename)
        return [{"message": _message(exc), **_place(file, None, None)}]
    if isinstance(exc, clickx.BadParameter):
        return [{"message": _message(exc), **_place(None, None, None), "option": _option(exc)}]
    problems = getattr(exc, "problems", None)
    if isinstance(problems, (list, tuple)) and problems:
        return [
            _from_text(p, source) if isinstance(p, str) else _from_object(p, source)
            for p in problems
        ]
    return [{"message": _message(exc), **_place(source, None, None)}]


def _option(exc: clickx.BadParameter) -> str | None:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return hint if isinstance(hint, str) else " / ".join(hint)
    if exc.param is not None and exc.param.opts:
        return exc.param.opts[0]
    return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, clickx.ClickException):
        return exc.format_message()
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}"
    return str(exc)


def error_document(exc: BaseException) -> dict[str, Any]:
    """The JSON error document of a failed run: ``{"error": {code, message, place, problems}}``.

    >>> from ecomrules.errors import InputError
    >>> doc = error_document(InputError("o.csv", ["o.csv:3: column 'due_date': not a date"]))
    >>> doc["error"]["code"], doc["error"]["line"], doc["error"]["column"]
    ('error.input', 3, 'due_date')
    """
    problems = _problems(exc)
    first = problems[0]
    return {
        "error": {
            "code": _code(exc),
            "message": _message(exc),
            "file": first["file"],
            "line": first["line"],
            "column": first["column"],
            "problems": problems,
        }
    }


def report_failure(exc: BaseException, *, as_json: bool) -> None:
    """Show a failed run: the message on stderr, and the JSON error on stdout if asked."""
    if isinstance(exc, clickx.ClickException):
        _show_usage_error(exc)
    else:
        err_console.print(f"error: {_message(exc)}", markup=False, style="red")
    if as_json:
        print_json(error_document(exc))


def _show_usage_error(exc: clickx.ClickException) -> None:
    """Click's own rendering of a usage error (the usage line, the message, the hint)."""
    try:
        from typer import rich_utils

        rich_utils.rich_format_error(exc)
    except ImportError:  # pragma: no cover - typer without rich
        exc.show()
