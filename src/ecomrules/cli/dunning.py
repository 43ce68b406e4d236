"""``ecomrules dunning``: plan today's reminders, record them as sent, block and pause."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ecomrules.cli.output import check_run_date, console, print_json
from ecomrules.cli.workspace import WorkspaceOption, history, reading, recording, unpaid
from ecomrules.dunning import DunningHistory, DunningPlan, Sender, commit_plan, load_policy, plan
from ecomrules.inputs import read_customers, read_open_items
from ecomrules.parsing.model import StatementLine
from ecomrules.parsing.registry import parse_file
from ecomrules.workspace import Workspace

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
SenderOption = Annotated[
    Path | None,
    typer.Option(
        "--sender",
        help="Sender profile (TOML/JSON): company, address, IBAN/BIC, reference rule, signature.",
    ),
]
PdfOption = Annotated[
    Path | None,
    typer.Option(
        "--pdf", help='Write each letter as a PDF into this folder (needs "ecomrules[pdf]").'
    ),
]
PdfFontOption = Annotated[
    Path | None,
    typer.Option("--pdf-font", help="TrueType font for PDF letters beyond Western European."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print canonical JSON.")]


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


def _planner(
    open_items: Path,
    customers: Path,
    policy: str,
    statement: list[Path] | None,
    as_of: str | None,
    space: Workspace | None,
    *,
    render: bool,
    sender: Sender | None = None,
) -> Callable[[DunningHistory], DunningPlan]:
    """Read the inputs now; return the planning step, to run on a history.

    The step reads the payments committed in the workspace when it runs (for
    ``dunning commit``, under the workspace's lock): an item they settle gets
    no notice, one they pay in part is reminded of the rest.
    """
    run_date = _as_of(as_of)
    lines, newest = _statements(statement)
    items = read_open_items(open_items)
    people = read_customers(customers)
    rules = load_policy(policy)

    def make_plan(history: DunningHistory) -> DunningPlan:
        return plan(
            unpaid(items, space),
            people,
            history,
            rules,
            run_date,
            in_transit=lines,
            bank_data_as_of=newest,
            render=render,
            sender=sender,
        )

    return make_plan


def _sender(path: Path | None) -> Sender | None:
    from ecomrules.dunning import load_sender

    return None if path is None else load_sender(path)


def _write_pdfs(
    result: DunningPlan, folder: Path | None, sender: Sender | None, font: Path | None
) -> dict[str, list[str]]:
    """Write each rendered letter to ``folder/<customer>-<level>.pdf``; return the paths."""
    if folder is None:
        return {}
    import re

    from ecomrules.dunning.pdf import letter_pdf

    folder.mkdir(parents=True, exist_ok=True)
    paths: list[str] = []
    for notice in result.notices:
        if notice.letter is None:
            continue
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", f"{notice.customer_id}-{notice.level}")
        target = folder / f"{stem}.pdf"
        target.write_bytes(letter_pdf(notice.letter, sender=sender, font=font))
        paths.append(str(target))
    return {"pdf": paths}


def _say_pdfs(written: dict[str, list[str]]) -> None:
    if "pdf" in written:
        console.print(f"wrote {len(written['pdf'])} PDF letter(s)", markup=False)


@app.command("plan")
def plan_command(
    open_items: OpenItemsOption,
    customers: CustomersOption,
    policy: PolicyOption,
    statement: StatementOption = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    workspace: WorkspaceOption = None,
    sender: SenderOption = None,
    pdf: PdfOption = None,
    pdf_font: PdfFontOption = None,
) -> None:
    """Plan today's notices and holds; nothing is sent or recorded.

    With --json each notice carries its rendered message (subject, text, HTML),
    signed by --sender with its bank details; --pdf DIR writes each letter as a PDF.
    """
    profile = _sender(sender)
    with reading(workspace) as space:
        make_plan = _planner(
            open_items,
            customers,
            policy,
            statement,
            as_of,
            space,
            render=json or pdf is not None,
            sender=profile,
        )
        result = make_plan(history(space))
    written = _write_pdfs(result, pdf, profile, pdf_font)
    if json:
        print_json({**result.to_json(), **written})
    else:
        render_plan(result)
        _say_pdfs(written)


@app.command("commit")
def commit_command(
    open_items: OpenItemsOption,
    customers: CustomersOption,
    policy: PolicyOption,
    statement: StatementOption = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    workspace: WorkspaceOption = None,
    sender: SenderOption = None,
    pdf: PdfOption = None,
    pdf_font: PdfFontOption = None,
) -> None:
    """Plan, then record in the workspace that the planned notices were sent.

    --pdf DIR writes each letter this run recorded as a PDF.
    """
    from ecomrules.workspace.dunning import SqliteDunningStore

    profile = _sender(sender)
    with recording(workspace) as space:
        make_plan = _planner(
            open_items,
            customers,
            policy,
            statement,
            as_of,
            space,
            render=json or pdf is not None,
            sender=profile,
        )
        result, added = commit_plan(SqliteDunningStore(space), make_plan)
        written = _write_pdfs(result, pdf, profile, pdf_font)
    path = space.path
    if json:
        print_json({**result.to_json(), **written, "recorded": added, "workspace": str(path)})
    else:
        render_plan(result)
        _say_pdfs(written)
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

    with recording(workspace) as space:
        SqliteDunningStore(space).block_item(
            item_id, None if until is None else _as_of(until), note
        )
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

    with recording(workspace) as space:
        SqliteDunningStore(space).pause_customer(
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

    items = None if open_items is None else read_open_items(open_items)
    with reading(workspace) as space:
        open_ids = None if items is None else {i.id for i in unpaid(items, space)}
        levels = customer_levels(history(space), open_item_ids=open_ids)
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
