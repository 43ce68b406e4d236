"""``ecomrules rates``: refresh the interest rate tables from a file the user downloads.

The shipped ECB table ends where the release was made; ``rates update FILE``
reads the series downloaded from the ECB, checks it against the shipped table
and saves it in the user's data folder, where loading a policy finds it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ecomrules.cli.inputs import EncodingOption
from ecomrules.cli.output import console, print_json

__all__ = ["app"]

app = typer.Typer(help="Interest rate tables: show them, refresh them.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print canonical JSON.")]


def _table_json(name: str) -> dict[str, object]:
    from ecomrules.dunning.rates import builtin_rate_table

    table = builtin_rate_table(name)
    day, rate = table.entries[-1]
    return {
        "table": name,
        "source": table.source,
        "known_until": None if table.known_until is None else table.known_until.isoformat(),
        "last_change": day.isoformat(),
        "rate": str(rate),
        "entries": len(table.entries),
    }


@app.command("update")
def update_command(
    file: Annotated[
        Path, typer.Argument(help="The CSV downloaded from the ECB Data Portal (or from,rate).")
    ],
    table: Annotated[str, typer.Option("--table", help="The table to refresh.")] = "ecb-mro",
    known_until: Annotated[
        str | None,
        typer.Option(
            "--known-until",
            help="Last day the download is complete for (default: the file's date).",
        ),
    ] = None,
    json: JsonOption = False,
    encoding: EncodingOption = "utf-8",
) -> None:
    """Check a downloaded rate series and save it where every policy finds it."""
    from ecomrules.dunning.rates import rate_table_update, read_ecb_csv, user_rates_dir

    # The ECB series lists the days the rate changed: its last row is the last
    # change, not the day it was downloaded; the file's date is that day.
    try:
        until = date.fromtimestamp(file.stat().st_mtime)
    except OSError:
        until = None  # read_ecb_csv reports the unreadable file
    if known_until is not None:
        try:
            until = date.fromisoformat(known_until)
        except ValueError:
            raise typer.BadParameter(
                f"{known_until!r} is not a date (YYYY-MM-DD)", param_hint="--known-until"
            ) from None
    fresh = read_ecb_csv(file, name=table, known_until=until, encoding=encoding)
    path, saved = rate_table_update(table, fresh)
    report = {**_table_json(table), "saved_to": str(path), "folder": str(user_rates_dir())}
    if json:
        print_json(report)
        return
    console.print(
        f"saved {table}: {len(saved.entries)} rate(s), known until {saved.known_until}, in {path}",
        markup=False,
    )


@app.command("show")
def show_command(json: JsonOption = False) -> None:
    """Show each rate table in use: where it comes from and how far it is known."""
    from ecomrules.dunning.rates import BUILTIN_TABLES, user_rates_dir

    rows = [_table_json(name) for name in BUILTIN_TABLES]
    if json:
        print_json({"tables": rows, "folder": str(user_rates_dir())})
        return
    out = Table("table", "known until", "last change", "rate", "source", title="Rate tables")
    for row in rows:
        out.add_row(
            str(row["table"]),
            str(row["known_until"]),
            str(row["last_change"]),
            f"{row['rate']} %",
            _short(str(row["source"])),
        )
    console.print(out)
    console.print(f"updates are saved in {user_rates_dir()}", markup=False)


def _short(text: str, width: int = 32) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
