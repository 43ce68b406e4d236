"""Output helpers of the CLI: consoles, canonical JSON, exit codes, progress."""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, TextIO, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress

from ecomrules.cli.canonical_json import write_canonical

__all__ = [
    "RUN_DATES",
    "ExitCode",
    "check_run_date",
    "console",
    "err_console",
    "print_json",
    "progress",
    "write_json",
]

T = TypeVar("T")

console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class ExitCode(enum.IntEnum):
    """The CLI's exit codes."""

    OK = 0
    FOUND = 1
    """The run found what the user asked it to fail on (blocked, unmatched, ...)."""
    BAD_INPUT = 2


RUN_DATES = (date(1900, 1, 1), date(2999, 12, 31))
"""The run dates (``--as-of``) the commands accept: the engines add and subtract
years of terms, holds and interest periods, which the ends of the calendar
(``0001-01-01``, ``9999-12-31``) cannot hold."""


def check_run_date(value: date, option: str = "--as-of") -> date:
    """Return ``value``, or refuse it as a bad parameter when outside :data:`RUN_DATES`."""
    first, last = RUN_DATES
    if not first <= value <= last:
        raise typer.BadParameter(
            f"{value.isoformat()} is outside the dates accepted ({first} to {last})",
            param_hint=option,
        )
    return value


def write_json(document: Any, stream: TextIO) -> None:
    """Write ``document`` as canonical JSON (sorted keys, 2-space indent) and a newline.

    Written in pieces of a few thousand tokens: a large result is never held
    as one string, and the stream is not called once per token
    (:func:`~ecomrules.cli.canonical_json.write_canonical`).
    """
    write_canonical(document, stream)
    stream.write("\n")


def print_json(document: Any) -> None:
    """Print ``document`` as canonical JSON on stdout (see :func:`write_json`)."""
    write_json(document, sys.stdout)


def progress(items: Iterable[T], *, total: int | None, label: str) -> Iterator[T]:
    """Iterate with a progress bar on a terminal (stderr); silent when piped."""
    if not err_console.is_terminal:
        yield from items
        return
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)
