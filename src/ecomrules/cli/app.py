"""The root ``ecomrules`` command and its error handling.

Exit codes: 0 ok, 1 the run found what the user asked it to fail on, 2 bad
input (message on stderr, no traceback; with ``--json`` also a JSON error
document on stdout, see :mod:`ecomrules.cli.failure`).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from ecomrules import __version__
from ecomrules.cli.analytics import app as analytics_app
from ecomrules.cli.credit import app as credit_app
from ecomrules.cli.demo import demo
from ecomrules.cli.dunning import app as dunning_app
from ecomrules.cli.failure import clickx, json_requested, report_failure
from ecomrules.cli.output import ExitCode, JsonOption, console, print_json, set_json_output
from ecomrules.cli.parse import parse
from ecomrules.cli.preorder import app as preorder_app
from ecomrules.cli.rates import app as rates_app
from ecomrules.cli.reconcile import reconcile
from ecomrules.cli.serve import serve
from ecomrules.errors import EcomrulesError
from ecomrules.gcpause import paused_collector

__all__ = ["app", "main"]

app = typer.Typer(
    name="ecomrules",
    help="Back-office rules of an online shop: pre-orders, credit, dunning, reconciliation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"ecomrules {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Back-office rules of an online shop, exact to the cent."""


@app.command()
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


app.command()(demo)
app.command()(parse)
app.add_typer(analytics_app, name="analytics")
app.add_typer(credit_app, name="credit")
app.add_typer(dunning_app, name="dunning")
app.add_typer(preorder_app, name="preorder")
app.add_typer(rates_app, name="rates")
app.command()(reconcile)
app.command()(serve)


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
    limit = csv.field_size_limit(16 * 1024 * 1024)
    argv = sys.argv[1:] if args is None else list(args)
    as_json = json_requested(argv)
    set_json_output(as_json)  # no progress display when stdout carries JSON
    try:
        with paused_collector():
            code = app(args=argv, prog_name="ecomrules", standalone_mode=False)
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
    finally:
        csv.field_size_limit(limit)
    raise SystemExit(code if isinstance(code, int) else ExitCode.OK)
