"""``ecomrules reconcile``: match statement lines against open items."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from ecomrules.cli.output import console, err_console, print_json, write_json
from ecomrules.cli.workspace import WorkspaceOption, reading, recording
from ecomrules.errors import UnrecognizedFormatError
from ecomrules.gcpause import paused_collector
from ecomrules.inputs import read_open_items
from ecomrules.ledger import OpenItem
from ecomrules.money import Currency, Money
from ecomrules.reconcile import Matcher, MatchResult, MatchStatus, item_record, line_record
from ecomrules.reconcile.bulk import read_line_records
from ecomrules.reconcile.payouts import PayoutRecord, payout_record
from ecomrules.reconcile.records import LineRecord
from ecomrules.reconcile.store import MatchStore, commit_matches, without_committed

if TYPE_CHECKING:
    from ecomrules.cli.demo import DemoContext

__all__ = ["demo_section", "reconcile", "render", "run_reconcile"]

_DEFAULT_CSV = {"id", "booking_date", "amount", "currency"}
_PROGRESS_FROM = 20_000


def _read_statement(path: Path) -> tuple[list[LineRecord], list[PayoutRecord]]:
    from ecomrules.parsing.registry import parse_file

    try:
        results = parse_file(path)
    except UnrecognizedFormatError:
        if path.suffix.lower() == ".csv" and _header(path) >= _DEFAULT_CSV:
            return read_line_records(path), []
        raise
    lines = [line_record(line) for result in results for line in result.lines]
    payouts = [payout_record(p) for result in results for p in result.payouts]
    return lines, payouts


def _header(path: Path) -> set[str]:
    with path.open(encoding="utf-8-sig") as handle:
        return {c.strip() for c in handle.readline().split(",")}


@paused_collector()
def run_reconcile(
    open_items: Path,
    statements: list[Path],
    *,
    config: Path | None = None,
    committed: MatchStore | None = None,
    keep_items: bool = True,
) -> tuple[MatchResult, list[str], list[OpenItem]]:
    """Read the inputs, leave out what the workspace already holds, and match.

    Returns the result, the lines left out as already committed, and the
    open items as read (the residuals a new commitment records). With
    ``keep_items=False`` that list is empty: the items are let go once the
    matcher's records are built, so a large run does not hold both.
    """
    from ecomrules.reconcile.config import load_config

    settings = load_config(config) if config else None
    read = read_open_items(open_items)
    items = read
    skipped: frozenset[str] = frozenset()
    if committed is not None:
        items, skipped = without_committed(read, committed.commitments())
    records = [item_record(item) for item in items]
    del items
    if not keep_items:
        read = []
    lines: list[LineRecord] = []
    payouts: list[PayoutRecord] = []
    for path in statements:
        found, paid_out = _read_statement(path)
        lines.extend(found)
        payouts.extend(paid_out)
    left_out = sorted(line.id for line in lines if line.id in skipped)
    if skipped:
        lines = [line for line in lines if line.id not in skipped]
    matcher = Matcher(settings)
    if len(lines) >= _PROGRESS_FROM and err_console.is_terminal:
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("matching", total=len(lines))
            result = matcher.match_records(
                lines, records, payouts=payouts, progress=lambda n: bar.advance(task, n)
            )
    else:
        result = matcher.match_records(lines, records, payouts=payouts)
    return result, left_out, read


def reconcile(
    open_items: Annotated[
        Path, typer.Option("--open-items", help="open-items.csv (or .jsonl).", exists=True)
    ],
    statement: Annotated[
        list[Path],
        typer.Option(
            "--statement", help="A statement or PSP report; repeat for more.", exists=True
        ),
    ],
    config: Annotated[
        Path | None, typer.Option("--config", help="Matcher configuration (.toml or .json).")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the JSON here.")] = None,
    commit: Annotated[
        bool, typer.Option("--commit", help="Record the auto matches in the workspace.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Propose which open items each statement line settles: auto, review or unmatched.

    The payments committed in the workspace count: their lines are left out
    and the residuals they paid are lowered.
    """
    from ecomrules.workspace.reconcile import SqliteMatchStore

    with ExitStack() as stack:
        space = stack.enter_context(recording(workspace) if commit else reading(workspace))
        store = None if space is None else SqliteMatchStore(space)
        result, left_out, items = run_reconcile(
            open_items, statement, config=config, committed=store, keep_items=commit
        )
        if commit and store is not None:
            result, new = commit_matches(store, result, items)
            err_console.print(f"recorded {new} accepted allocation(s) in {store.workspace.path}")
    with paused_collector():
        document = result.to_json()
    document["previously_committed_lines"] = left_out
    if out is not None:
        with out.open("w", encoding="utf-8") as handle:
            write_json(document, handle)
    if json:
        print_json(document)
        return
    render(result, left_out)


def _amount(units: int, currency: str) -> str:
    if not currency:
        return ""
    return str(Money.from_minor_units(units, Currency.of(currency)).amount)


def render(result: MatchResult, left_out: list[str] | None = None) -> None:
    """Print the result as readable tables."""
    table = Table()
    for column in ("line", "status", "score", "items", "allocated", "write-off", "reasons"):
        table.add_column(column, overflow="fold")
    for match in result.matches:
        table.add_row(
            match.line_id,
            match.status.value,
            f"{match.score:.3f}",
            "\n".join(a.item_id for a in match.allocations) or "-",
            "\n".join(_amount(a.units, a.currency) for a in match.allocations) or "-",
            _amount(match.write_off, match.currency) if match.write_off else "",
            "\n".join(code.removeprefix("reconcile.") for code in match.codes),
        )
    console.print(table)
    auto = len(result.by_status(MatchStatus.AUTO))
    review = len(result.by_status(MatchStatus.REVIEW))
    console.print(
        f"{auto} auto, {review} to review, {len(result.unmatched_lines)} unmatched line(s), "
        f"{len(result.unmatched_items)} open item(s) left"
    )
    for unmatched in result.unmatched_lines:
        hint = f" (candidates: {', '.join(unmatched.candidates)})" if unmatched.candidates else ""
        console.print(f"  unmatched {unmatched.line_id}: {', '.join(unmatched.reasons)}{hint}")
    if left_out:
        console.print(f"{len(left_out)} line(s) already committed were left out")


DEMO_STATEMENTS = ("bank-statement.csv", "reconcile-statement.csv", "stripe-payout.csv")
"""The demo's statements: two bank statements (CSV) and a Stripe payout report."""


def demo_section(ctx: DemoContext) -> dict[str, Any]:
    """The demo's reconciliation: the bundled statements against the open items."""
    from ecomrules import demo as dataset

    lines: list[LineRecord] = []
    payouts: list[PayoutRecord] = []
    for name in DEMO_STATEMENTS:
        found, paid_out = _read_statement(dataset.path(name))
        lines.extend(found)
        payouts.extend(paid_out)
    result = Matcher().match_records(
        lines, [item_record(item) for item in ctx.open_items], payouts=payouts
    )
    if not ctx.quiet:
        console.print(f"[bold]Reconciliation[/bold] of {', '.join(DEMO_STATEMENTS)}")
        render(result)
    document = result.to_json()
    return {
        "matches": [
            {
                "line_id": m["line_id"],
                "status": m["status"],
                "allocations": m["allocations"],
                "write_off": m["write_off"],
            }
            for m in document["matches"]
        ],
        "unmatched_lines": document["unmatched_lines"],
        "unmatched_items": document["unmatched_items"],
        "payouts": document["payouts"],
    }
