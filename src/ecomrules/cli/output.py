"""Output helpers of the CLI: consoles, canonical JSON, exit codes, shared options, progress."""

from __future__ import annotations

import enum
import io
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, BinaryIO, TypeVar, cast

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ecomrules.cli.canonical_json import records, write_canonical

__all__ = [
    "RUN_DATES",
    "SHOWN_ROWS",
    "AllOption",
    "BackgroundWriter",
    "ExitCode",
    "JsonOption",
    "OutOption",
    "Step",
    "check_run_date",
    "console",
    "date_option",
    "emit_json",
    "err_console",
    "held",
    "hold_until_exit",
    "let_go",
    "print_json",
    "progress",
    "progress_shown",
    "read_input",
    "rows_note",
    "set_json_output",
    "step",
    "write_json",
]

T = TypeVar("T")

console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print one canonical JSON document (on failure: a JSON error)."),
]
"""The ``--json`` flag every command takes."""


def date_option(text: str, option: str) -> date:
    """Read a ``YYYY-MM-DD`` option value within :data:`RUN_DATES`; a bad one is blamed on
    ``option`` (exit 2)."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None
    return check_run_date(value, option)


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


def write_json(document: Any, stream: BinaryIO, *, label: str = "writing JSON") -> None:
    """Write ``document`` as canonical JSON (sorted keys, 2-space indent) and a newline.

    Streamed through orjson (:func:`~ecomrules.cli.canonical_json.write_canonical`):
    the big lists a few thousand records at a time, as a step of the progress display.
    """
    with step(label, total=records(document), unit="records") as bar:
        write_canonical(document, stream, progress=bar.advance)
    stream.write(b"\n")


class BackgroundWriter(io.RawIOBase):
    """A binary stream whose writes a thread of its own hands to ``target``.

    The text of a large document is made in Python (holding the interpreter
    lock) and written by the system (without it): with the writes in a
    thread, the next batch is encoded while the last one goes to the file
    (700 MB at a million matches). At most :data:`PENDING` writes wait; a
    write that failed is raised by the next :meth:`write` or by :meth:`close`,
    which waits for every write to be done. The bytes and their order are
    those of writing to ``target`` directly.
    """

    PENDING = 8

    def __init__(self, target: BinaryIO) -> None:
        super().__init__()
        self._target = target
        self._queue: queue.Queue[bytes | memoryview | None] = queue.Queue(self.PENDING)
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="json-writer", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._failed is None:
                try:
                    self._target.write(data)
                except BaseException as exc:  # raised again in the writing thread
                    self._failed = exc

    def _check(self) -> None:
        if self._failed is not None:
            failed, self._failed = self._failed, None
            raise failed

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        """Queue ``data`` (bytes, or a view of bytes nobody changes) for the thread."""
        self._check()
        self._queue.put(data)
        return len(data)

    def close(self) -> None:
        """Wait for the queued writes; raise the first that failed."""
        if not self.closed:
            self._queue.put(None)
            self._thread.join()
            super().close()
        self._check()


def print_json(document: Any) -> None:
    """Print ``document`` as canonical JSON on stdout (see :func:`write_json`)."""
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a text-only stdout (some test harnesses)
        text = io.BytesIO()
        write_json(document, text)
        sys.stdout.write(text.getvalue().decode())
        return
    write_json(document, binary)
    binary.flush()


OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Write the full JSON document to this file (once); stdout gets a summary.",
    ),
]
"""``--out FILE`` of the commands whose result can be large."""
AllOption = Annotated[
    bool, typer.Option("--all", help="Print every row (default: a summary when there are many).")
]
"""``--all`` of the commands that print a summary of a large result."""

SHOWN_ROWS = 20
"""Rows a text summary shows of each part (the first ones); ``--all`` shows every row."""


def emit_json(
    document: Any, out: Path | None, as_json: bool, summary: Callable[[], dict[str, Any]]
) -> None:
    """Write the result document once: to ``out`` when given, else on stdout under ``--json``.

    With ``out`` and ``--json``, stdout gets ``summary()`` and the file's path
    (a calling program learns where the document went without reading it twice).
    """
    if out is not None:
        with out.open("wb") as handle, BackgroundWriter(handle) as writer:
            write_json(document, cast(BinaryIO, writer), label=f"writing {out.name}")
        if as_json:
            print_json({**summary(), "out": str(out)})
    elif as_json:
        print_json(document)


def rows_note(shown: int, total: int, what: str, out: Path | None = None) -> None:
    """Print the line under a summary: how much was shown, how to see all, where the rest is.

    Nothing when every row was shown.
    """
    if shown >= total:
        return
    where = f"; every row is in {out}" if out is not None else ""
    console.print(
        f"showing {shown:,} of {total:,} {what} (--all for every row{where})",
        style="dim",
        markup=False,
        soft_wrap=True,
    )


class _Rate(ProgressColumn):
    """Items a second, from rich's own speed estimate (nothing until it has one)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        unit = task.fields.get("unit", "rows")
        return Text("" if speed is None else f"{speed:,.0f} {unit}/s", style="progress.data.speed")


class _Count(ProgressColumn):
    """``done/total`` with thousands separators, or ``done`` while the total is unknown."""

    def render(self, task: Task) -> Text:
        done = int(task.completed)
        if task.total is None:
            return Text(f"{done:,}" if done else "", style="progress.download")
        return Text(f"{done:,}/{int(task.total):,}", style="progress.download")


class Step:
    """One long step of a command on the progress display: a bar with counts and rate.

    Without a total the bar pulses (the step's length is not known yet, or
    it reports no counts: reading a file in one call); :meth:`start` gives
    the total once known, :meth:`advance` counts what was done. A step that
    is not shown (not a terminal, or ``--json``) does nothing.
    """

    def __init__(self, bar: Progress | None, label: str, total: int | None, unit: str) -> None:
        self._bar = bar
        self._label = label
        self.unit = unit
        self.done = 0
        self._task = None if bar is None else bar.add_task(label, total=total, unit=unit)
        self.began = time.perf_counter()

    def start(self, total: int, label: str | None = None) -> None:
        """Switch to a determinate bar of ``total`` (and a new label, if given)."""
        if label is not None:
            self._label = label
        if self._bar is not None and self._task is not None:
            self._bar.reset(self._task, total=total, description=self._label)
        self.done = 0
        self.began = time.perf_counter()

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more units done."""
        self.done += count
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, count)

    def finish(self, count: int | None = None, *, what: str | None = None) -> None:
        """End the step; on a terminal a step that took 2 s or more leaves one line.

        ``count`` is the number of units the step produced when it did not
        count them as it went (a file read in one call); ``what`` names them.
        """
        if count is not None:
            self.done = count
        seconds = time.perf_counter() - self.began
        if self._bar is None or seconds < SLOW_STEP_SECONDS:
            return
        rate = f", {self.done / seconds:,.0f} {self.unit}/s" if self.done else ""
        amount = f"{self.done:,} {what or self.unit}" if self.done else "done"
        err_console.print(
            f"{self._label}: {amount} in {seconds:.1f} s{rate}", style="dim", markup=False
        )


SLOW_STEP_SECONDS = 2.0
"""A step that takes this long or more leaves a line on the terminal when it ends."""

_shown = {"json": False}

_held: list[Any] = []


def hold_until_exit(*values: Any) -> None:
    """Keep a command's bulk objects (records, matches) until its process ends.

    Freeing a million matches and records object by object takes about a
    second of CPU, after the work is done. The ``ecomrules`` script
    (:func:`ecomrules.cli.app.run`) ends the process without freeing them;
    called in-process, :func:`~ecomrules.cli.app.main` lets them go at its
    next call. Values held before are let go now.
    """
    _held[:] = values


def held() -> bool:
    """True when a command holds values until its process ends."""
    return bool(_held)


def let_go() -> None:
    """Release what :func:`hold_until_exit` holds."""
    _held.clear()


def set_json_output(requested: bool) -> None:
    """Tell the progress display that stdout carries JSON (the CLI's entry point does)."""
    _shown["json"] = requested


def progress_shown() -> bool:
    """Whether progress is shown: stderr is a terminal and the run is not ``--json``."""
    return err_console.is_terminal and not _shown["json"]


def _bar() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(bar_width=24),
        _Count(),
        _Rate(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        refresh_per_second=8,
    )


@contextmanager
def step(label: str, *, total: int | None = None, unit: str = "rows") -> Iterator[Step]:
    """Show one long step (see :class:`Step`); silent when piped or under ``--json``."""
    if not progress_shown():
        yield Step(None, label, total, unit)
        return
    with _bar() as bar:
        current = Step(bar, label, total, unit)
        yield current
    current.finish()


def read_input(
    reader: Callable[..., list[T]], path: Path, what: str = "rows", encoding: str = "utf-8"
) -> list[T]:
    """Read one input file with ``reader(path, encoding=...)`` as a step of the progress display.

    The readers take a path and read it in one call, so the bar pulses while
    they run; a read of 2 s or more leaves ``reading F: N rows in S s, R rows/s``.
    A file with a header and no rows is said on stderr ("no rows").
    """
    from ecomrules.cli.inputs import note_empty

    with step(f"reading {path.name}", unit=what) as bar:
        rows = reader(path, encoding=encoding)
        bar.advance(len(rows))
    note_empty(path, len(rows))
    return rows


def progress(
    items: Iterable[T], *, total: int | None, label: str, unit: str = "rows"
) -> Iterator[T]:
    """Iterate with a progress bar on a terminal (stderr); silent when piped or ``--json``.

    The bar is advanced every few thousand items: a million items cost
    a few hundred calls to the display, not a million.
    """
    if not progress_shown():
        yield from items
        return
    with step(label, total=total, unit=unit) as bar:
        pending = 0
        for item in items:
            yield item
            pending += 1
            if pending == _BATCH:
                bar.advance(pending)
                pending = 0
        bar.advance(pending)


_BATCH = 4096
