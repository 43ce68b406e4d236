"""``ecomrules parse``: read a statement or settlement file with the registered parsers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ecomrules.cli.output import ExitCode, console, err_console, print_json
from ecomrules.errors import ControlTotalError, MalformedRecordError, ParseError
from ecomrules.parsing.base import OnError
from ecomrules.parsing.model import ParseResult
from ecomrules.parsing.registry import parse_file

__all__ = ["parse", "strict_hint"]


def parse(
    file: Annotated[Path, typer.Argument(help="The file to read (gzip and zip are opened).")],
    format: Annotated[
        str | None, typer.Option("--format", help="Parser name (see `ecomrules formats`).")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print canonical JSON.")] = False,
    lenient: Annotated[
        bool,
        typer.Option("--lenient", help="Report bad records as issues and go on (exit 1 if any)."),
    ] = False,
    csv_config: Annotated[
        Path | None,
        typer.Option(
            "--csv-config",
            help="Read the file as a CSV bank statement with this mapping (TOML or JSON).",
        ),
    ] = None,
) -> None:
    """Parse a bank statement or PSP report and show every line, payout and issue."""
    on_error: OnError = "collect" if lenient else "raise"
    try:
        if csv_config is not None:
            from ecomrules.bank.csv import load_csv_config, parse_csv_file

            if format not in (None, "bank.csv"):
                raise typer.BadParameter(
                    "--csv-config reads with bank.csv only", param_hint="--format"
                )
            results = parse_csv_file(file, load_csv_config(csv_config), on_error=on_error)
        else:
            results = parse_file(file, parser=format, on_error=on_error)
    except (ControlTotalError, MalformedRecordError) as exc:
        # strict mode refused the file: say how to read it anyway
        err_console.print(f"error: {exc}", markup=False, style="red")
        err_console.print(strict_hint(exc), markup=False)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    if json:
        documents = [result.to_json() for result in results]
        print_json(documents[0] if len(documents) == 1 else {"files": documents})
    else:
        for result in results:
            _render(result)
    if any(result.errors for result in results):
        raise typer.Exit(ExitCode.FOUND)


def strict_hint(error: ParseError) -> str:
    """What to tell the user when strict mode refuses a file for ``error``."""
    if isinstance(error, ControlTotalError):
        return (
            "the file's figures do not tie (above: what was stated and what the lines add up"
            " to); `ecomrules parse --lenient` reads it anyway and reports the mismatch as"
            " an issue (exit 1)"
        )
    return (
        "strict mode stops at the first bad record; `ecomrules parse --lenient` reads the"
        " rest and reports each bad record as an issue (exit 1)"
    )


def _render(result: ParseResult) -> None:
    console.print(f"[bold]{result.source}[/bold] read by {result.parser}")
    for statement in result.statements:
        title = f"account {statement.account or '?'}"
        if statement.opening_balance is not None:
            title += f", opening {statement.opening_balance}"
        if statement.closing_balance is not None:
            title += f", closing {statement.closing_balance}"
        table = Table("id", "kind", "booked", "amount", "label", "references", title=title)
        for line in statement.lines:
            table.add_row(
                line.id,
                line.kind.value,
                line.booked_on.isoformat(),
                str(line.amount),
                line.label[:60],
                ", ".join(line.references),
            )
        console.print(table)
    for payout in result.payouts:
        console.print(f"payout {payout.id}: {payout.amount}, {len(payout.line_ids)} line(s)")
    for issue in result.issues:
        err_console.print(str(issue), markup=False)
