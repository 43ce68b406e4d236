"""``ecomrules dunning``: plan today's reminders, record them as sent, block and pause."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import attrs
import typer
from rich import box
from rich.table import Table

from ecomrules.cli.canonical_json import Stream
from ecomrules.cli.output import (
    SHOWN_ROWS,
    AllOption,
    JsonOption,
    OutOption,
    console,
    date_option,
    emit_json,
    print_json,
    progress,
    reading,
    rows_note,
    step,
)
from ecomrules.dunning import DunningHistory, DunningPlan, LetterRenderer, load_policy, plan
from ecomrules.dunning.plan import Letter, Notice
from ecomrules.dunning.policy import DunningPolicy
from ecomrules.inputs import read_customers, read_open_items
from ecomrules.ledger import Customer
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
LettersOption = Annotated[
    Path | None,
    typer.Option(
        "--letters",
        help="Render each notice's letter and write it to this directory (.txt and .html).",
    ),
]
WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace", help="Workspace file (default $ECOMRULES_WORKSPACE, ./ecomrules.db)."
    ),
]


def _as_of(text: str | None) -> date:
    return date.today() if text is None else date_option(text, "--as-of")


def _until(text: str | None) -> date | None:
    return None if text is None else date_option(text, "--until")


def _statements(paths: list[Path] | None) -> tuple[list[StatementLine], date | None]:
    lines: list[StatementLine] = []
    newest: date | None = None
    for path in paths or ():
        with step(f"reading {path.name}", unit="lines") as bar:
            results = parse_file(path)
            bar.advance(sum(len(result.lines) for result in results))
        for result in results:
            for statement in result.statements:
                days = [line.booked_on for line in statement.lines]
                if statement.closing_date is not None:
                    days.append(statement.closing_date)
                if days and (newest is None or max(days) > newest):
                    newest = max(days)
                lines.extend(statement.lines)
    return lines, newest


class _Run(NamedTuple):
    """A planned run and what its letters need: the customers by id and the policy."""

    plan: DunningPlan
    customers: dict[str, Customer]
    policy: DunningPolicy


def _run(
    open_items: Path,
    customers: Path,
    policy: str,
    statement: list[Path] | None,
    as_of: str | None,
    history: DunningHistory,
) -> _Run:
    run_date = _as_of(as_of)
    rules = load_policy(policy)
    lines, newest = _statements(statement)
    items = reading(read_open_items, open_items, "items")
    people = reading(read_customers, customers, "customers")
    with step("planning", unit="items") as bar:
        result = plan(
            items,
            people,
            history,
            rules,
            run_date,
            in_transit=lines,
            bank_data_as_of=newest,
            render=False,  # letters are rendered one at a time, when asked (--letters)
        )
        bar.advance(len(items))
    return _Run(result, {person.id: person for person in people}, rules)


def _letter_files(directory: Path, notice: Notice, letter: Letter) -> None:
    """Write one notice's letter as ``<customer>-<level>.txt`` and ``.html``."""
    stem = _UNSAFE.sub("_", f"{notice.customer_id}-{notice.level}")
    (directory / f"{stem}.txt").write_text(letter.text, encoding="utf-8")
    (directory / f"{stem}.html").write_text(letter.html, encoding="utf-8")


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _notices(run: _Run, letters: Path | None) -> Iterator[Notice]:
    """The plan's notices; with ``letters``, each rendered (then written) as it is reached."""
    if letters is None:
        yield from run.plan.notices
        return
    letters.mkdir(parents=True, exist_ok=True)
    renderer = LetterRenderer()
    plan = run.plan
    for notice in plan.notices:
        customer = run.customers[notice.customer_id]
        letter = renderer.render(notice, customer, run.policy, plan.as_of)
        _letter_files(letters, notice, letter)
        yield attrs.evolve(notice, letter=letter)


def _emit(
    run: _Run,
    *,
    as_json: bool,
    out: Path | None,
    letters: Path | None,
    all_rows: bool,
    extra: dict[str, Any] | None = None,
) -> None:
    """Print or write the plan: JSON (notices streamed, letters rendered lazily) or text."""
    plan = run.plan
    notices = _notices(run, letters)
    if as_json or out is not None:
        document = {**attrs.evolve(plan, notices=()).to_json(), **(extra or {})}
        document["notices"] = Stream((n.to_json() for n in notices), len(plan.notices))

        def summary() -> dict[str, Any]:
            return {**_summary(plan), **(extra or {})}

        emit_json(document, out, as_json, summary)
    elif letters is not None:
        for _ in progress(
            notices, total=len(plan.notices), label="writing letters", unit="letters"
        ):
            pass
    if not as_json:
        render_plan(plan, all_rows=all_rows, out=out)
        if letters is not None:
            console.print(f"{len(plan.notices):,} letter(s) written to {letters}", markup=False)


def _summary(plan: DunningPlan) -> dict[str, Any]:
    """The counts of a plan: what ``--json --out`` prints on stdout."""
    return {
        "as_of": plan.as_of.isoformat(),
        "policy": plan.policy,
        "notices": dict(sorted(Counter(notice.level for notice in plan.notices).items())),
        "holds": dict(sorted(Counter(hold.reason.code for hold in plan.holds).items())),
        "issues": [issue.code for issue in plan.issues],
    }


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
    out: OutOption = None,
    letters: LettersOption = None,
    all_rows: AllOption = False,
) -> None:
    """Plan today's notices and holds; nothing is sent or recorded.

    With --letters DIR each notice's letter is rendered and written there (and
    under --json each notice carries its message: subject, text, HTML).
    """
    history = _history(workspace)
    run = _run(open_items, customers, policy, statement, as_of, history)
    _emit(run, as_json=json, out=out, letters=letters, all_rows=all_rows)


@app.command("commit")
def commit_command(
    open_items: OpenItemsOption,
    customers: CustomersOption,
    policy: PolicyOption,
    statement: StatementOption = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    workspace: WorkspaceOption = None,
    out: OutOption = None,
    letters: LettersOption = None,
    all_rows: AllOption = False,
) -> None:
    """Plan, then record in the workspace that the planned notices were sent."""
    from ecomrules.workspace.dunning import SqliteDunningStore

    path = resolve_path(workspace)
    with Workspace(path) as ws:
        store = SqliteDunningStore(ws)
        run = _run(open_items, customers, policy, statement, as_of, store.load())
        added = store.record(run.plan, run.plan.as_of)
    extra = {"recorded": added, "workspace": str(path)}
    _emit(run, as_json=json, out=out, letters=letters, all_rows=all_rows, extra=extra)
    if not json:
        console.print(f"recorded {added} item level(s) as sent on {run.plan.as_of} in {path}")


@app.command("block")
def block_command(
    item_id: Annotated[str, typer.Argument(help="The open item to hold.")],
    until: Annotated[
        str | None, typer.Option("--until", help="Last day of the block (default: for ever).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Hold one item by hand (reason dunning.held.blocked)."""
    from ecomrules.workspace.dunning import SqliteDunningStore

    last_day = _until(until)
    path = resolve_path(workspace)
    with Workspace(path) as ws:
        SqliteDunningStore(ws).block_item(item_id, last_day, note)
    if json:
        print_json(_hand_hold("item_id", item_id, last_day, note, path))
    else:
        console.print(f"blocked {item_id}" + (f" until {last_day}" if last_day else ""))


@app.command("pause")
def pause_command(
    customer_id: Annotated[str, typer.Argument(help="The customer to pause.")],
    until: Annotated[
        str | None, typer.Option("--until", help="Last day of the pause (default: for ever).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Pause dunning for a whole customer (reason dunning.held.customer_paused)."""
    from ecomrules.workspace.dunning import SqliteDunningStore

    last_day = _until(until)
    path = resolve_path(workspace)
    with Workspace(path) as ws:
        SqliteDunningStore(ws).pause_customer(customer_id, last_day, note)
    if json:
        print_json(_hand_hold("customer_id", customer_id, last_day, note, path))
    else:
        console.print(f"paused {customer_id}" + (f" until {last_day}" if last_day else ""))


def _hand_hold(
    kind: str, key: str, until: date | None, note: str, path: Path
) -> dict[str, str | None]:
    """The JSON answer of ``block`` and ``pause``: what was held, until when, where recorded."""
    return {
        kind: key,
        "until": None if until is None else until.isoformat(),
        "note": note,
        "workspace": str(path),
    }


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
def schema_command(json: JsonOption = False) -> None:
    """Print the JSON Schema of a dunning policy file (for settings screens and editors).

    The schema is JSON either way; ``--json`` is accepted like on every command.
    """
    from ecomrules.dunning.config import PolicyDocument

    print_json(PolicyDocument.model_json_schema())


def render_plan(result: DunningPlan, *, all_rows: bool = True, out: Path | None = None) -> None:
    """Print the plan's notices and holds as tables.

    With ``all_rows=False`` and more than :data:`SHOWN_ROWS` notices or holds,
    a summary: the counts by level and by hold reason, then the first rows.
    """
    notices, holds = result.notices, result.holds
    if not all_rows and len(notices) + len(holds) > SHOWN_ROWS:
        levels = Counter(notice.level for notice in notices)
        reasons = Counter(hold.reason.code for hold in holds)
        console.print(
            f"{len(notices):,} notice(s): "
            + (", ".join(f"{level} {n:,}" for level, n in sorted(levels.items())) or "none"),
            markup=False,
        )
        console.print(
            f"{len(holds):,} hold(s): "
            + (", ".join(f"{code} {n:,}" for code, n in reasons.most_common()) or "none"),
            markup=False,
        )
        notices, holds = notices[:SHOWN_ROWS], holds[:SHOWN_ROWS]
    table = Table(
        title=f"Dunning notices on {result.as_of} ({result.policy})",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    table.add_column("customer", overflow="fold")
    table.add_column("level", no_wrap=True)
    table.add_column("channel", no_wrap=True)
    table.add_column("items", overflow="fold")
    table.add_column("charges", overflow="fold")
    table.add_column("total", no_wrap=True, justify="right")
    for notice in notices:
        table.add_row(
            notice.customer_id,
            notice.level,
            "-" if notice.channel is None else notice.channel.value,
            "\n".join(
                i.item_id if i.level == notice.level else f"{i.item_id} ({i.level})"
                for i in notice.items
            ),
            "\n".join(f"{c.kind.value} {c.amount}" for c in notice.charges) or "-",
            "\n".join(str(total) for total in notice.totals),
        )
    console.print(table)
    _shown(len(notices), len(result.notices), "notices", out)
    if holds:
        held = Table(
            "item",
            "customer",
            "level",
            "reason",
            title="Held",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            padding=(0, 1, 0, 0),
        )
        for hold in holds:
            held.add_row(hold.item_id, hold.customer_id, hold.level, hold.reason.code)
        console.print(held)
        _shown(len(holds), len(result.holds), "holds", out)
    for issue in result.issues:
        console.print(str(issue), markup=False)


def _shown(shown: int, total: int, what: str, out: Path | None) -> None:
    note = rows_note(shown, total, what, out)
    if note is not None:
        console.print(note, style="dim", markup=False, soft_wrap=True)
