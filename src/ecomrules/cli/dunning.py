"""``ecomrules dunning``: plan today's reminders, record them as sent, block and pause."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ecomrules.cli.output import check_run_date, console, print_json
from ecomrules.dunning import DunningHistory, DunningPlan, load_policy, plan
from ecomrules.inputs import read_customers, read_open_items
from ecomrules.parsing.model import StatementLine
from ecomrules.parsing.registry import parse_file
from ecomrules.workspace import Workspace, resolve_path

__all__ = ["app"]

app = typer.Typer(help="Dunning: reminders of unpaid invoices.", no_args_is_help=True)

OpenItemsOption = Annotated[
    Path, typer.Option("--open-items", help="open-items.csv (or .jsonl).", exists=False)
]
CustomersOption = Annotated[Path, typer.Option("--customers", help="customers.csv (or .jsonl).")]
PolicyOption = Annotated[
    str, typer.Option("--policy", help="fr-b2b, fr-b2c, default, or a TOML/JSON policy file.")
]
StatementOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--statement", help="A bank or PSP file; its incoming lines count as payments in transit."
    ),
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Run date (YYYY-MM-DD); default: today.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print canonical JSON.")]
WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace", help="Workspace file (default $ECOMRULES_WORKSPACE, ./ecomrules.db)."
    ),
]


def _as_of(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return check_run_date(date.fromisoformat(text))
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--as-of"
        ) from None


def _statements(paths: list[Path] | None) -> tuple[list[StatementLine], date | None]:
    lines: list[StatementLine] = []
    newest: date | None = None
    for path in paths or ():
        for result in parse_file(path):
            for statement in result.statements:
                days = [line.booked_on for line in statement.lines]
                if statement.closing_date is not None:
                    days.append(statement.closing_date)
                if days and (newest is None or max(days) > newest):
                    newest = max(days)
                lines.extend(statement.lines)
    return lines, newest


def _run(
    open_items: Path,
    customers: Path,
    policy: str,
    statement: list[Path] | None,
    as_of: str | None,
    history: DunningHistory,
    *,
    render: bool,
) -> DunningPlan:
    run_date = _as_of(as_of)
    lines, newest = _statements(statement)
    return plan(
        read_open_items(open_items),
        read_customers(customers),
        history,
        load_policy(policy),
        run_date,
        in_transit=lines,
        bank_data_as_of=newest,
        render=render,
    )


def _history(workspace: Path | None) -> DunningHistory:
    from ecomrules.workspace.dunning import SqliteDunningStore

    path = resolve_path(workspace)
    if not path.exists():
        return DunningHistory()
    with Workspace(path) as ws:
        return SqliteDunningStore(ws).load()


@app.command("plan")
def plan_command(
    open_items: OpenItemsOption,
    customers: CustomersOption,
    policy: PolicyOption,
    statement: StatementOption = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Plan today's notices and holds; nothing is sent or recorded.

    With --json each notice carries its rendered message (subject, text, HTML).
    """
    history = _history(workspace)
    result = _run(open_items, customers, policy, statement, as_of, history, render=json)
    if json:
        print_json(result.to_json())
    else:
        render_plan(result)


@app.command("commit")
def commit_command(
    open_items: OpenItemsOption,
    customers: CustomersOption,
    policy: PolicyOption,
    statement: StatementOption = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Plan, then record in the workspace that the planned notices were sent."""
    from ecomrules.workspace.dunning import SqliteDunningStore

    path = resolve_path(workspace)
    with Workspace(path) as ws:
        store = SqliteDunningStore(ws)
        result = _run(open_items, customers, policy, statement, as_of, store.load(), render=json)
        added = store.record(result, result.as_of)
    if json:
        print_json({**result.to_json(), "recorded": added, "workspace": str(path)})
    else:
        render_plan(result)
        console.print(f"recorded {added} item level(s) as sent on {result.as_of} in {path}")


@app.command("block")
def block_command(
    item_id: Annotated[str, typer.Argument(help="The open item to hold.")],
    until: Annotated[
        str | None, typer.Option("--until", help="Last day of the block (default: for ever).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    workspace: WorkspaceOption = None,
) -> None:
    """Hold one item by hand (reason dunning.held.blocked)."""
    from ecomrules.workspace.dunning import SqliteDunningStore

    with Workspace(resolve_path(workspace)) as ws:
        SqliteDunningStore(ws).block_item(item_id, None if until is None else _as_of(until), note)
    console.print(f"blocked {item_id}" + (f" until {until}" if until else ""))


@app.command("pause")
def pause_command(
    customer_id: Annotated[str, typer.Argument(help="The customer to pause.")],
    until: Annotated[
        str | None, typer.Option("--until", help="Last day of the pause (default: for ever).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    workspace: WorkspaceOption = None,
) -> None:
    """Pause dunning for a whole customer (reason dunning.held.customer_paused)."""
    from ecomrules.workspace.dunning import SqliteDunningStore

    with Workspace(resolve_path(workspace)) as ws:
        SqliteDunningStore(ws).pause_customer(
            customer_id, None if until is None else _as_of(until), note
        )
    console.print(f"paused {customer_id}" + (f" until {until}" if until else ""))


@app.command("levels")
def levels_command(
    open_items: Annotated[
        Path | None,
        typer.Option("--open-items", help="Count only the items still open in this file."),
    ] = None,
    json: JsonOption = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Print each customer's highest dunning level as dunning-levels.csv (customer_id,level)."""
    from ecomrules.dunning import customer_levels

    open_ids = None if open_items is None else {i.id for i in read_open_items(open_items)}
    levels = customer_levels(_history(workspace), open_item_ids=open_ids)
    if json:
        print_json(
            [
                {
                    "customer_id": level.customer_id,
                    "level": level.rank,
                    "key": level.level,
                    "reached_on": level.reached_on.isoformat(),
                    "block_credit": level.block_credit,
                    "handover": level.handover,
                }
                for level in levels.values()
            ]
        )
        return
    lines = ["customer_id,level", *(f"{c},{level.rank}" for c, level in levels.items())]
    typer.echo("\n".join(lines))


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of a dunning policy file (for settings screens and editors)."""
    from ecomrules.dunning.config import PolicyDocument

    print_json(PolicyDocument.model_json_schema())


def render_plan(result: DunningPlan) -> None:
    """Print the plan's notices and holds as tables."""
    table = Table(
        "customer",
        "level",
        "channel",
        "items",
        "charges",
        "total",
        title=f"Dunning notices on {result.as_of} ({result.policy})",
    )
    for notice in result.notices:
        table.add_row(
            notice.customer_id,
            notice.level,
            "-" if notice.channel is None else notice.channel.value,
            "\n".join(f"{i.item_id} {i.level}" for i in notice.items),
            "\n".join(f"{c.kind.value} {c.amount}" for c in notice.charges) or "-",
            "\n".join(str(total) for total in notice.totals),
        )
    console.print(table)
    if result.holds:
        held = Table("item", "customer", "level", "reason", title="Held")
        for hold in result.holds:
            held.add_row(hold.item_id, hold.customer_id, hold.level, hold.reason.code)
        console.print(held)
    for issue in result.issues:
        console.print(str(issue), markup=False)
