"""``ecomrules dunning``: plan today's reminders, record them as sent, block and pause."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import attrs
import typer
from rich import box
from rich.table import Table

from ecomrules.cli.canonical_json import Stream
from ecomrules.cli.dunning_spark import EngineOption, MasterOption
from ecomrules.cli.inputs import EncodingOption
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
    read_input,
    rows_note,
    step,
)
from ecomrules.cli.tryton import TrytonOption, connect, needed
from ecomrules.cli.workspace import WorkspaceOption, history, reading, recording, unpaid
from ecomrules.dunning import (
    DunningHistory,
    DunningPlan,
    LetterRenderer,
    Sender,
    commit_plan,
    load_policy,
    plan,
)
from ecomrules.dunning.engine import no_sender_issue
from ecomrules.dunning.plan import Notice
from ecomrules.dunning.policy import DunningPolicy
from ecomrules.inputs import read_customers, read_open_items
from ecomrules.ledger import Customer
from ecomrules.parsing.model import StatementLine
from ecomrules.parsing.registry import parse_file
from ecomrules.workspace import Workspace

__all__ = ["app"]

app = typer.Typer(help="Dunning: reminders of unpaid invoices.", no_args_is_help=True)

OpenItemsOption = Annotated[
    Path | None, typer.Option("--open-items", help="open-items.csv (or .jsonl).", exists=False)
]
CustomersOption = Annotated[
    Path | None, typer.Option("--customers", help="customers.csv (or .jsonl).")
]
PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy",
        help="fr-b2b, fr-b2c, default, or a TOML/JSON policy file (with --tryton: default).",
    ),
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


class _Inputs(NamedTuple):
    """The inputs of a run, read once: the planning step and what letters need."""

    make_plan: Callable[[DunningHistory], DunningPlan]
    customers: dict[str, Customer]
    policy: DunningPolicy


def _planner(
    open_items: Path | None,
    customers: Path | None,
    policy: str | None,
    statement: list[Path] | None,
    as_of: str | None,
    space: Workspace | None,
    encoding: str = "utf-8",
) -> _Inputs:
    """Read the inputs now; return the planning step, to run on a history.

    The step reads the payments committed in the workspace when it runs (for
    ``dunning commit``, under the workspace's lock): an item they settle gets
    no notice, one they pay in part is reminded of the rest. It renders no
    letter: the letters asked for are rendered one at a time as they are
    written (:class:`_Letters`).
    """
    run_date = _as_of(as_of)
    rules = load_policy(needed(policy, "--policy"))
    lines, newest = _statements(statement)
    items = read_input(read_open_items, needed(open_items, "--open-items"), "items", encoding)
    people = read_input(read_customers, needed(customers, "--customers"), "customers", encoding)

    def make_plan(history: DunningHistory) -> DunningPlan:
        with step("planning", unit="items") as bar:
            result = plan(
                unpaid(items, space),
                people,
                history,
                rules,
                run_date,
                in_transit=lines,
                bank_data_as_of=newest,
                render=False,
            )
            bar.advance(len(items))
        return result

    return _Inputs(make_plan, {person.id: person for person in people}, rules)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _stem(notice: Notice) -> str:
    """A notice's file name without suffix: ``<customer>-<level>``, made safe."""
    return _UNSAFE.sub("_", f"{notice.customer_id}-{notice.level}")


@attrs.frozen
class _Letters:
    """Which letters a run writes: text and HTML (``--letters``), PDF (``--pdf``).

    Letters are rendered only when one of the two is given, and lazily: each
    notice's letter is rendered, written and let go as the notice is reached.
    """

    inputs: _Inputs
    sender: Sender | None
    folder: Path | None
    pdf: Path | None
    pdf_font: Path | None

    @property
    def asked(self) -> bool:
        return self.folder is not None or self.pdf is not None

    def plan_issues(self, result: DunningPlan) -> DunningPlan:
        """The plan, warning ``dunning.letter.no_sender`` when letters go out unsigned."""
        if not self.asked or self.sender is not None or not result.notices:
            return result
        issues = sorted((*result.issues, no_sender_issue()), key=lambda issue: issue.code)
        return attrs.evolve(result, issues=tuple(issues))

    def pdf_paths(self, result: DunningPlan) -> dict[str, list[str]]:
        """The ``pdf`` key of the JSON document: the PDF each notice gets (none without --pdf)."""
        if self.pdf is None:
            return {}
        return {"pdf": [str(self.pdf / f"{_stem(notice)}.pdf") for notice in result.notices]}

    def notices(self, result: DunningPlan) -> Iterator[Notice]:
        """The plan's notices; each rendered and written as it is reached, when asked."""
        if not self.asked:
            yield from result.notices
            return
        for folder in (self.folder, self.pdf):
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
        if self.pdf is not None:
            from ecomrules.dunning.pdf import letter_pdf
        renderer = LetterRenderer()
        customers, rules = self.inputs.customers, self.inputs.policy
        for notice in result.notices:
            customer = customers[notice.customer_id]
            done = renderer.attach(notice, customer, rules, result.as_of, self.sender)
            assert done.letter is not None
            stem = _stem(notice)
            if self.folder is not None:
                (self.folder / f"{stem}.txt").write_text(done.letter.text, encoding="utf-8")
                (self.folder / f"{stem}.html").write_text(done.letter.html, encoding="utf-8")
            if self.pdf is not None:
                pdf = letter_pdf(done.letter, sender=self.sender, font=self.pdf_font)
                (self.pdf / f"{stem}.pdf").write_bytes(pdf)
            yield done

    def say(self, result: DunningPlan) -> None:
        """The lines of the text output that say where the letters went."""
        if self.folder is not None:
            console.print(f"{len(result.notices):,} letter(s) written to {self.folder}")
        if self.pdf is not None:
            console.print(f"wrote {len(result.notices):,} PDF letter(s)", markup=False)


def _emit(
    result: DunningPlan,
    letters: _Letters,
    *,
    as_json: bool,
    out: Path | None,
    all_rows: bool,
    extra: dict[str, Any] | None = None,
) -> None:
    """Print or write the plan: JSON (notices streamed, letters rendered lazily) or text."""
    result = letters.plan_issues(result)
    notices = letters.notices(result)
    added = {**letters.pdf_paths(result), **(extra or {})}
    if as_json or out is not None:
        document = {**attrs.evolve(result, notices=()).to_json(), **added}
        document["notices"] = Stream((n.to_json() for n in notices), len(result.notices))

        def summary() -> dict[str, Any]:
            return {**_summary(result), **added}

        emit_json(document, out, as_json, summary)
    elif letters.asked:
        for _ in progress(
            notices, total=len(result.notices), label="writing letters", unit="letters"
        ):
            pass
    if not as_json:
        render_plan(result, all_rows=all_rows, out=out)
        letters.say(result)


def _summary(result: DunningPlan) -> dict[str, Any]:
    """The counts of a plan: what ``--json --out`` prints on stdout."""
    return {
        "as_of": result.as_of.isoformat(),
        "policy": result.policy,
        "notices": dict(sorted(Counter(notice.level for notice in result.notices).items())),
        "holds": dict(sorted(Counter(hold.reason.code for hold in result.holds).items())),
        "issues": [issue.code for issue in result.issues],
    }


def _sender(path: Path | None) -> Sender | None:
    from ecomrules.dunning import load_sender

    return None if path is None else load_sender(path)


@app.command("plan")
def plan_command(
    open_items: OpenItemsOption = None,
    customers: CustomersOption = None,
    policy: PolicyOption = None,
    statement: StatementOption = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    workspace: WorkspaceOption = None,
    tryton: TrytonOption = None,
    out: OutOption = None,
    letters: LettersOption = None,
    sender: SenderOption = None,
    pdf: PdfOption = None,
    pdf_font: PdfFontOption = None,
    all_rows: AllOption = False,
    encoding: EncodingOption = "utf-8",
    engine: EngineOption = "embedded",
    master: MasterOption = None,
) -> None:
    """Plan today's notices and holds; nothing is sent or recorded.

    Letters are rendered only when asked: --letters DIR writes each as text and
    HTML, --pdf DIR as a PDF (and under --json each notice then carries its
    message: subject, text, HTML), signed by --sender with its bank details.
    With --tryton the items, customers and history are Tryton's. With --engine
    spark the plan runs on Apache Spark (Parquet or CSV inputs) and is written
    as Parquet under --out DIR, with a summary on stdout.
    """
    from ecomrules.cli import dunning_spark

    unsupported: dict[str, object] = {"--tryton": tryton, "--letters": letters, "--pdf": pdf}
    unsupported["--sender"] = sender
    unsupported["--encoding"] = encoding.lower() not in {"utf-8", "utf8"}
    if dunning_spark.run(
        engine=engine,
        open_items=open_items,
        customers=customers,
        policy=policy,
        statement=statement,
        as_of=as_of,
        workspace=workspace,
        out=out,
        master=master,
        as_json=json,
        unsupported=unsupported,
    ):
        return
    profile = _sender(sender)
    if tryton is not None:
        result, _, _, inputs = _tryton_run(tryton, policy, statement, as_of, commit=False)
    else:
        with reading(workspace) as space:
            inputs = _planner(open_items, customers, policy, statement, as_of, space, encoding)
            result = inputs.make_plan(history(space))
    wanted = _Letters(inputs, profile, letters, pdf, pdf_font)
    _emit(result, wanted, as_json=json, out=out, all_rows=all_rows)


@app.command("commit")
def commit_command(
    open_items: OpenItemsOption = None,
    customers: CustomersOption = None,
    policy: PolicyOption = None,
    statement: StatementOption = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    workspace: WorkspaceOption = None,
    tryton: TrytonOption = None,
    out: OutOption = None,
    letters: LettersOption = None,
    sender: SenderOption = None,
    pdf: PdfOption = None,
    pdf_font: PdfFontOption = None,
    all_rows: AllOption = False,
    encoding: EncodingOption = "utf-8",
) -> None:
    """Plan, then record in the workspace that the planned notices were sent.

    --letters DIR and --pdf DIR write each letter this run recorded. With
    --tryton the notices are recorded in Tryton instead: ladder levels as
    Tryton dunnings at the procedure level of the same rank, preventive
    reminders as notes on the invoice.
    """
    from ecomrules.workspace.dunning import SqliteDunningStore

    profile = _sender(sender)
    extra: dict[str, Any]
    if tryton is not None:
        result, added, where, inputs = _tryton_run(tryton, policy, statement, as_of, commit=True)
        extra = {"recorded": added, "tryton": where}
    else:
        with recording(workspace) as space:
            inputs = _planner(open_items, customers, policy, statement, as_of, space, encoding)
            result, added = commit_plan(SqliteDunningStore(space), inputs.make_plan)
        where = str(space.path)
        extra = {"recorded": added, "workspace": where}
    wanted = _Letters(inputs, profile, letters, pdf, pdf_font)
    _emit(result, wanted, as_json=json, out=out, all_rows=all_rows, extra=extra)
    if not json:
        console.print(f"recorded {added} item level(s) as sent on {result.as_of} in {where}")


def _tryton_run(
    url: str, policy: str | None, statement: list[Path] | None, as_of: str | None, *, commit: bool
) -> tuple[DunningPlan, int, str, _Inputs]:
    """Plan from Tryton (and record in Tryton): the plan, how many were recorded, where,
    and what the letters need (the customers and the policy)."""
    from ecomrules.adapters import plan_dunning

    lines, newest = _statements(statement)
    rules = load_policy(policy or "default")
    run_date = _as_of(as_of)
    with connect(url, "dunning") as erp:
        result = plan_dunning(
            erp, rules, run_date, render=False, in_transit=lines, bank_data_as_of=newest
        )
        added = erp.record_dunning(result, run_date) if commit else 0  # as commit_dunning
        people = {person.id: person for person in erp.customers()}
        where = str(erp.rpc.url)
    return result, added, where, _Inputs(lambda _: result, people, rules)


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
    with recording(workspace) as space:
        SqliteDunningStore(space).block_item(item_id, last_day, note)
    if json:
        print_json(_hand_hold("item_id", item_id, last_day, note, space.path))
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
    with recording(workspace) as space:
        SqliteDunningStore(space).pause_customer(customer_id, last_day, note)
    if json:
        print_json(_hand_hold("customer_id", customer_id, last_day, note, space.path))
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
    encoding: EncodingOption = "utf-8",
) -> None:
    """Print each customer's highest dunning level as dunning-levels.csv (customer_id,level)."""
    from ecomrules.dunning import customer_levels

    items = (
        None if open_items is None else read_input(read_open_items, open_items, "items", encoding)
    )
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
    rows_note(len(notices), len(result.notices), "notices", out)
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
        rows_note(len(holds), len(result.holds), "holds", out)
    for issue in result.issues:
        console.print(str(issue), markup=False)
