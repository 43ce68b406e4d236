"""The root ``ecomrules`` command and its error handling.

Exit codes: 0 ok, 1 the run found what the user asked it to fail on, 2 bad
input (message on stderr, no traceback; with ``--json`` also a JSON error
document on stdout, see :mod:`ecomrules.cli.failure`).
"""

from __future__ import annotations

import atexit
import csv
import os
import sys
from collections.abc import Iterable, Sequence
from contextlib import suppress
from importlib import import_module
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ecomrules import __version__
from ecomrules.cli.failure import clickx, json_requested, report_failure
from ecomrules.cli.output import (
    ExitCode,
    JsonOption,
    console,
    held,
    let_go,
    print_json,
    set_json_output,
)
from ecomrules.errors import EcomrulesError
from ecomrules.gcpause import paused_collector

__all__ = ["COMMANDS", "app", "command_app", "main", "run"]

if TYPE_CHECKING:
    app: typer.Typer

COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("ecomrules.cli.demo", "demo"),
    "parse": ("ecomrules.cli.parse", "parse"),
    "analytics": ("ecomrules.cli.analytics", "app"),
    "credit": ("ecomrules.cli.credit", "app"),
    "dunning": ("ecomrules.cli.dunning", "app"),
    "preorder": ("ecomrules.cli.preorder", "app"),
    "rates": ("ecomrules.cli.rates", "app"),
    "reconcile": ("ecomrules.cli.reconcile", "reconcile"),
    "serve": ("ecomrules.cli.serve", "serve"),
}
"""Each command (or group of commands) after ``formats``: its module and its object, in
the order of the help text. A run loads only the module of the command it runs."""


def _version(value: bool) -> None:
    if value:
        console.print(f"ecomrules {__version__}")
        raise typer.Exit()


def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Back-office rules of an online shop, exact to the cent."""


def formats(json: JsonOption = False) -> None:
    """List the registered statement and settlement parsers (names are never cut)."""
    from rich.table import Column, Table

    from ecomrules.parsing.registry import all_parsers

    parsers = all_parsers()
    if json:
        print_json(
            [{"name": p.name, "provider": p.provider, "specification": p.spec_url} for p in parsers]
        )
        return
    if not parsers:
        console.print("no parsers are registered")
        return
    widest = max(len(parser.name) for parser in parsers)
    table = Table(
        Column("name", no_wrap=True, min_width=widest),
        Column("provider", overflow="fold"),
        Column("specification", overflow="fold"),
    )
    for parser in parsers:
        table.add_row(parser.name, parser.provider, parser.spec_url)
    console.print(table)


def command_app(names: Iterable[str] = COMMANDS) -> typer.Typer:
    """The ``ecomrules`` command with ``formats`` and the commands ``names`` (all by default)."""
    built = typer.Typer(
        name="ecomrules",
        help="Back-office rules of an online shop: pre-orders, credit, dunning, reconciliation.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    built.callback()(root)
    built.command()(formats)
    for name in names:
        module, attribute = COMMANDS[name]
        found = getattr(import_module(module), attribute)
        if isinstance(found, typer.Typer):
            built.add_typer(found, name=name)
        else:
            built.command()(found)
    return built


def __getattr__(name: str) -> Any:
    """``app``: every command, built on first use (``main`` builds only the one it runs)."""
    if name == "app":
        globals()["app"] = built = command_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _run_app(argv: Sequence[str]) -> typer.Typer:
    """The app of the command ``argv`` names (its first word), or every command."""
    first = next((word for word in argv if not word.startswith("-")), None)
    if first in COMMANDS and "--help" not in argv[: argv.index(first)]:
        return command_app([first])
    return command_app()


def main(args: Sequence[str] | None = None) -> None:
    """Entry point of the ``ecomrules`` script: errors become exit code 2 without traceback.

    Usage errors (click's) exit 2 with click's message; the library's errors
    and unreadable files exit 2 with their message. With ``--json`` on the
    command line every failure also prints its JSON error document on stdout.

    The one place that changes process-wide state, for the command's run: the
    cyclic garbage collector is paused (:mod:`ecomrules.gcpause`: a run builds
    millions of objects without cycles, and collections over them cost a third
    to a half of the time), and ``csv.field_size_limit`` is raised to 16 MiB
    (a PSP report's description may be long); both are restored when the
    command returns (``main`` may be called in-process). The library itself
    never does.
    """
    let_go()  # what the previous in-process run held
    limit = csv.field_size_limit(16 * 1024 * 1024)
    argv = sys.argv[1:] if args is None else list(args)
    as_json = json_requested(argv)
    set_json_output(as_json)  # no progress display when stdout carries JSON
    try:
        with paused_collector():
            code = _run_app(argv)(args=argv, prog_name="ecomrules", standalone_mode=False)
    except clickx.NoArgsIsHelpError:  # the help text is already printed
        raise SystemExit(ExitCode.BAD_INPUT) from None
    except clickx.ClickException as exc:
        report_failure(exc, as_json=as_json)
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        raise SystemExit(130) from None
    except (EcomrulesError, OSError) as exc:
        report_failure(exc, as_json=as_json)
        raise SystemExit(ExitCode.BAD_INPUT) from None
    except OverflowError:  # a date or number at the end of its range, given or computed
        report_failure(EcomrulesError("a date or number is out of range"), as_json=as_json)
        raise SystemExit(ExitCode.BAD_INPUT) from None
    finally:
        csv.field_size_limit(limit)
    raise SystemExit(code if isinstance(code, int) else ExitCode.OK)


def run() -> None:
    """The ``ecomrules`` script and ``python -m ecomrules``: :func:`main` in its own process.

    When the command holds its bulk objects
    (:func:`~ecomrules.cli.output.hold_until_exit`: ``reconcile``'s records
    and matches), the process ends without freeing them one by one (about a
    second of CPU at a million lines): the standard streams are flushed, the
    exit handlers run, then ``os._exit`` with the command's exit code. Any
    other command ends as usual.
    """
    try:
        main()
    except SystemExit as exc:
        if not held() or not isinstance(exc.code, int):
            raise
        code = exc.code
    else:  # pragma: no cover - main always raises SystemExit
        return
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe: nothing more to say there
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)
