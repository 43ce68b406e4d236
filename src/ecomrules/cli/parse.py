"""``ecomrules parse``: read a statement or settlement file with the registered parsers."""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import attrs
import typer
from rich import box
from rich.table import Table

from ecomrules.cli.failure import report_failure
from ecomrules.cli.output import (
    SHOWN_ROWS,
    AllOption,
    ExitCode,
    JsonOption,
    OutOption,
    console,
    emit_json,
    err_console,
    rows_note,
    step,
)
from ecomrules.errors import ControlTotalError, MalformedRecordError, ParseError
from ecomrules.parsing.base import OnError
from ecomrules.parsing.model import ParseResult, StatementLine
from ecomrules.parsing.registry import parse_file

__all__ = ["parse", "strict_hint"]


def parse(
    file: Annotated[Path, typer.Argument(help="The file to read (gzip and zip are opened).")],
    format: Annotated[
        str | None, typer.Option("--format", help="Parser name (see `ecomrules formats`).")
    ] = None,
    json: JsonOption = False,
    all_rows: AllOption = False,
    out: OutOption = None,
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
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="With --csv-config: the CSV file's text encoding, over the mapping's own. "
            "Every other format states its encoding itself.",
        ),
    ] = None,
) -> None:
    """Parse a bank statement or PSP report and show every line, payout and issue."""
    on_error: OnError = "collect" if lenient else "raise"
    try:
        with step(f"reading {file.name}", unit="lines") as bar:
            if csv_config is not None:
                from ecomrules.bank.csv import load_csv_config, parse_csv_file

                if format not in (None, "bank.csv"):
                    raise typer.BadParameter(
                        "--csv-config reads with bank.csv only", param_hint="--format"
                    )
                layout = load_csv_config(csv_config)
                if encoding is not None:
                    layout = attrs.evolve(layout, encoding=_codec(encoding))
                results = parse_csv_file(file, layout, on_error=on_error)
            else:
                if encoding is not None:
                    raise typer.BadParameter(
                        "goes with --csv-config: every other format states its own encoding "
                        "(an XML declaration, the format's specification)",
                        param_hint="--encoding",
                    )
                results = parse_file(file, parser=format, on_error=on_error)
            bar.advance(sum(len(result.lines) for result in results))
    except (ControlTotalError, MalformedRecordError) as exc:
        # strict mode refused the file: say how to read it anyway
        report_failure(exc, as_json=json)
        err_console.print(strict_hint(exc), markup=False)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    if json or out is not None:
        documents = [result.to_json() for result in results]
        document = documents[0] if len(documents) == 1 else {"files": documents}
        emit_json(document, out, json, lambda: _summary(results))
    if not json:
        for result in results:
            _render(result, all_rows=all_rows)
    if any(result.errors for result in results):
        raise typer.Exit(ExitCode.FOUND)


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise typer.BadParameter(f"unknown encoding {name!r}", param_hint="--encoding") from None


def _summary(results: Sequence[ParseResult]) -> dict[str, Any]:
    """What stdout gets under ``--json --out``: per file its parser and counts."""
    return {
        "files": [
            {
                "source": result.source,
                "parser": result.parser,
                "statements": len(result.statements),
                "lines": sum(len(statement.lines) for statement in result.statements),
                "payouts": len(result.payouts),
                "issues": len(result.issues),
            }
            for result in results
        ]
    }


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


def _render(result: ParseResult, *, all_rows: bool = True) -> None:
    """Print a parsed file: per statement its lines (the first :data:`SHOWN_ROWS` unless all)."""
    console.print(f"[bold]{result.source}[/bold] read by {result.parser}", soft_wrap=True)
    for statement in result.statements:
        title = f"account {statement.account or '?'}"
        if statement.opening_balance is not None:
            title += f", opening {statement.opening_balance}"
        if statement.closing_balance is not None:
            title += f", closing {statement.closing_balance}"
        lines = statement.lines if all_rows else statement.lines[:SHOWN_ROWS]
        table = Table(
            title=f"{title}: {len(statement.lines):,} line(s)",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            padding=(0, 1, 0, 0),
        )
        table.add_column("id", overflow="fold", min_width=min(_widest(lines), 32))
        table.add_column("kind", no_wrap=True)
        table.add_column("booked", no_wrap=True)
        table.add_column("amount", no_wrap=True, justify="right")
        table.add_column("label", overflow="ellipsis", no_wrap=True, max_width=28)
        table.add_column("references", overflow="fold")
        for line in lines:
            table.add_row(
                line.id,
                line.kind.value,
                line.booked_on.isoformat(),
                str(line.amount),
                line.label[:60],
                "\n".join(line.references),
            )
        console.print(table)
        rows_note(len(lines), len(statement.lines), "lines")
    for payout in result.payouts:
        console.print(f"payout {payout.id}: {payout.amount}, {len(payout.line_ids)} line(s)")
    for issue in result.issues:
        err_console.print(str(issue), markup=False)


def _widest(lines: Sequence[StatementLine]) -> int:
    return max((len(line.id) for line in lines), default=2)
