"""``ecomrules reconcile``: match statement lines against open items."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from attrs import evolve
from rich import box
from rich.table import Table

from ecomrules.cli.canonical_json import Stream
from ecomrules.cli.output import (
    SHOWN_ROWS,
    AllOption,
    JsonOption,
    OutOption,
    console,
    emit_json,
    err_console,
    progress,
    read_input,
    rows_note,
    step,
)
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
from ecomrules.reconcile.result import Match, UnmatchedLine
from ecomrules.reconcile.store import MatchStore, commit_matches, without_committed

if TYPE_CHECKING:
    from ecomrules.cli.demo import DemoContext

__all__ = ["demo_section", "reconcile", "render", "run_reconcile"]

_DEFAULT_CSV = {"id", "booking_date", "amount", "currency"}


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
    read = read_input(read_open_items, open_items, "items")
    items = read
    skipped: frozenset[str] = frozenset()
    if committed is not None:
        items, skipped = without_committed(read, committed.commitments())
    records = [
        item_record(item)
        for item in progress(items, total=len(items), label="indexing open items", unit="items")
    ]
    del items
    if not keep_items:
        read = []
    lines: list[LineRecord] = []
    payouts: list[PayoutRecord] = []
    for path in statements:
        with step(f"reading {path.name}", unit="lines") as bar:
            found, paid_out = _read_statement(path)
            bar.advance(len(found))
        lines.extend(found)
        payouts.extend(paid_out)
    left_out = sorted(line.id for line in lines if line.id in skipped)
    if skipped:
        lines = [line for line in lines if line.id not in skipped]
    matcher = Matcher(settings)
    with step("blocking: candidate items of each line", unit="lines") as bar:

        def advance(count: int) -> None:
            if bar.done == 0 and count:  # the first lines are decided: blocking is over
                bar.start(len(lines), "matching")
            bar.advance(count)

        result = matcher.match_records(lines, records, payouts=payouts, progress=advance)
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
    json: JsonOption = False,
    out: OutOption = None,
    all_rows: AllOption = False,
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
    if json or out is not None:
        with paused_collector():
            emit_json(_document(result, left_out), out, json, lambda: _summary(result, left_out))
    if not json:
        render(result, left_out, all_rows=all_rows, out=out)


def _document(result: MatchResult, left_out: list[str]) -> dict[str, Any]:
    """The ``--json`` document (:meth:`MatchResult.to_json`), its matches encoded as written."""
    document = evolve(result, matches=()).to_json()
    document["matches"] = Stream((m.to_json() for m in result.matches), len(result.matches))
    document["previously_committed_lines"] = left_out
    return document


def _summary(result: MatchResult, left_out: list[str]) -> dict[str, Any]:
    """What stdout gets under ``--json --out``: the counts, by status."""
    statuses = Counter(match.status.value for match in result.matches)
    return {
        "lines": len(result.matches) + len(result.unmatched_lines),
        "matches": dict(sorted(statuses.items())),
        "unmatched_lines": len(result.unmatched_lines),
        "unmatched_items": len(result.unmatched_items),
        "payouts": len(result.payouts),
        "issues": len(result.issues),
        "previously_committed_lines": len(left_out),
    }


def _amount(units: int, currency: str) -> str:
    if not currency:
        return ""
    return str(Money.from_minor_units(units, Currency.of(currency)).amount)


def _match_table(matches: Sequence[Match], title: str | None = None) -> Table:
    """The matches as a table that reads at 80 columns: reason codes are never cut.

    The status cell holds the score under it; each allocation is ``item amount``.
    """
    reasons = [[code.removeprefix("reconcile.") for code in match.codes] for match in matches]
    widest = max((len(code) for codes in reasons for code in codes), default=7)
    write_offs = any(match.write_off for match in matches)
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0)
    )
    table.add_column("line", overflow="fold", ratio=1)
    table.add_column("status", no_wrap=True)
    table.add_column("allocations", overflow="fold", ratio=1)
    if write_offs:
        table.add_column("write-off", no_wrap=True, justify="right")
    table.add_column("reasons", no_wrap=True, min_width=min(widest, 28), overflow="fold")
    for match, codes in zip(matches, reasons, strict=True):
        allocations = "\n".join(
            f"{a.item_id} {_amount(a.units, a.currency)}" for a in match.allocations
        )
        row = [match.line_id, f"{match.status.value}\n{match.score:.3f}", allocations or "-"]
        if write_offs:
            row.append(_amount(match.write_off, match.currency) if match.write_off else "")
        table.add_row(*row, "\n".join(codes))
    return table


def render(
    result: MatchResult,
    left_out: list[str] | None = None,
    *,
    all_rows: bool = True,
    out: Path | None = None,
) -> None:
    """Print the result as readable tables.

    With ``all_rows=False`` and more than :data:`SHOWN_ROWS` matches, a
    summary: the counts by status, the review queue first, the unmatched lines
    by reason, then the first rows; ``--all`` prints every row.
    """
    auto = result.by_status(MatchStatus.AUTO)
    review = result.by_status(MatchStatus.REVIEW)
    unmatched = result.unmatched_lines
    counts = (
        f"{len(auto):,} auto, {len(review):,} to review, {len(unmatched):,} unmatched line(s), "
        f"{len(result.unmatched_items):,} open item(s) left"
    )
    summary = not all_rows and len(result.matches) + len(unmatched) > SHOWN_ROWS
    if not summary:
        console.print(_match_table(result.matches))
        console.print(counts)
        for line in unmatched:
            console.print(_unmatched(line), markup=False)
    else:
        console.print(counts)
        if review:
            console.print(_match_table(review[:SHOWN_ROWS], f"Review queue ({len(review):,})"))
            rows_note(len(review[:SHOWN_ROWS]), len(review), "matches to review", out)
        if unmatched:
            reasons = Counter(reason for line in unmatched for reason in line.reasons)
            console.print(
                "unmatched by reason: "
                + ", ".join(f"{code} {count:,}" for code, count in reasons.most_common()),
                markup=False,
            )
            for line in unmatched[:SHOWN_ROWS]:
                console.print(_unmatched(line), markup=False)
            rows_note(len(unmatched[:SHOWN_ROWS]), len(unmatched), "unmatched lines", out)
        console.print(_match_table(result.matches[:SHOWN_ROWS], "First matches"))
        rows_note(len(result.matches[:SHOWN_ROWS]), len(result.matches), "matches", out)
    if left_out:
        console.print(f"{len(left_out):,} line(s) already committed were left out")


def _unmatched(line: UnmatchedLine) -> str:
    hint = f" (candidates: {', '.join(line.candidates)})" if line.candidates else ""
    return f"  unmatched {line.line_id}: {', '.join(line.reasons)}{hint}"


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
