"""``ecomrules reconcile``: match statement lines against open items."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer
from attrs import evolve
from rich import box
from rich.table import Table

from ecomrules.cli.canonical_json import Encoded
from ecomrules.cli.inputs import EncodingOption, note_empty
from ecomrules.cli.output import (
    SHOWN_ROWS,
    AllOption,
    JsonOption,
    OutOption,
    console,
    emit_json,
    err_console,
    hold_until_exit,
    progress,
    rows_note,
    step,
)
from ecomrules.cli.tryton import TrytonOption, connect, needed
from ecomrules.cli.workspace import WorkspaceOption, reading, recording
from ecomrules.inputs.open_items import OPEN_ITEMS, open_items_of
from ecomrules.inputs.statement import STATEMENT, is_statement_header
from ecomrules.inputs.table import Parsed, parse_csv, read_table
from ecomrules.ledger import OpenItem
from ecomrules.money import Currency, Money
from ecomrules.reconcile import Matcher, MatchResult, MatchStatus, item_record, line_record
from ecomrules.reconcile.bulk import item_records_of, read_line_records
from ecomrules.reconcile.payouts import PayoutRecord, payout_record
from ecomrules.reconcile.records import ItemRecord, LineRecord
from ecomrules.reconcile.result import Match, UnmatchedLine
from ecomrules.reconcile.store import MatchStore, commit_matches, without_committed
from ecomrules.workspace import Workspace

if TYPE_CHECKING:
    from ecomrules.cli.demo import DemoContext

__all__ = ["commit_and_queue", "demo_section", "reconcile", "render", "run_reconcile"]


def _read_statement(
    path: Path, encoding: str = "utf-8", parsed: Future[Parsed] | None = None
) -> tuple[list[LineRecord], list[PayoutRecord]]:
    """A statement in the default CSV layout by its layout, any other through the parsers.

    ``parsed``: the CSV file being parsed by a thread (see :func:`_parse_ahead`).
    """
    from ecomrules.parsing.registry import parse_file

    if parsed is not None:
        return read_line_records(path, encoding=encoding, parsed=parsed.result()), []
    if _default_layout(path, encoding):
        return read_line_records(path, encoding=encoding), []
    results = parse_file(path)
    lines = [line_record(line) for result in results for line in result.lines]
    payouts = [payout_record(p) for result in results for p in result.payouts]
    return lines, payouts


def _default_layout(path: Path, encoding: str) -> bool:
    return path.suffix.lower() == ".csv" and is_statement_header(path, encoding=encoding)


def _parse_ahead(
    pool: ThreadPoolExecutor, paths: list[Path], encoding: str
) -> dict[Path, Future[Parsed]]:
    """Start parsing the statements in the default CSV layout in ``pool``'s thread.

    pyarrow parses without the interpreter lock, so the statements are parsed
    while this thread converts the open items; they are checked and converted
    after them (an error of the open items is still the first one raised).
    """
    return {
        path: pool.submit(parse_csv, path, STATEMENT, encoding=encoding)
        for path in paths
        if _default_layout(path, encoding)
    }


def _read_statements(
    paths: list[Path],
    encoding: str = "utf-8",
    parsed: dict[Path, Future[Parsed]] | None = None,
) -> tuple[list[LineRecord], list[PayoutRecord]]:
    lines: list[LineRecord] = []
    payouts: list[PayoutRecord] = []
    for path in paths:
        with step(f"reading {path.name}", unit="lines") as bar:
            # popped: the parsed cells are let go once converted
            found, paid_out = _read_statement(path, encoding, (parsed or {}).pop(path, None))
            bar.advance(len(found))
        if not lines:
            lines = found
        else:
            lines.extend(found)
        payouts.extend(paid_out)
    return lines, payouts


class _Run(NamedTuple):
    result: MatchResult
    left_out: list[str]
    items: list[OpenItem]
    lines: list[LineRecord]
    records: list[ItemRecord]
    matcher: Matcher


def run_reconcile(
    open_items: Path,
    statements: list[Path],
    *,
    config: Path | None = None,
    committed: MatchStore | None = None,
    keep_items: bool = True,
    encoding: str = "utf-8",
) -> tuple[MatchResult, list[str], list[OpenItem]]:
    """Read the inputs, leave out what the workspace already holds, and match.

    Returns the result, the lines left out as already committed, and the
    open items as read (the residuals a new commitment records). With
    ``keep_items=False`` that list is empty: the items are let go once the
    matcher's records are built, so a large run does not hold both; without
    a workspace and with ``keep_items=False`` no open item is built at all:
    the records come straight from the file's columns.
    """
    run = _run(open_items, statements, config, committed, keep_items, encoding)
    return run.result, run.left_out, run.items


def _read_items(
    open_items: Path, committed: MatchStore | None, keep_items: bool, encoding: str
) -> tuple[list[ItemRecord], list[OpenItem], frozenset[str]]:
    """The matcher's records of the open items, the items themselves (empty unless
    ``keep_items``) and the lines the workspace's commitments leave out."""
    with step(f"reading {open_items.name}", unit="items") as bar:
        table = read_table(open_items, OPEN_ITEMS, encoding=encoding)
        bar.advance(table.rows)
    note_empty(open_items, table.rows)
    skipped: frozenset[str] = frozenset()
    read: list[OpenItem] = []
    if committed is None and not keep_items:
        return item_records_of(table), read, skipped
    read = open_items_of(table)
    del table
    items = read
    if committed is not None:
        items, skipped = without_committed(read, committed.commitments())
    records = [
        item_record(item)
        for item in progress(items, total=len(items), label="indexing open items", unit="items")
    ]
    return records, read if keep_items else [], skipped


def _run(
    open_items: Path,
    statements: list[Path],
    config: Path | None,
    committed: MatchStore | None,
    keep_items: bool,
    encoding: str = "utf-8",
) -> _Run:
    from ecomrules.reconcile.config import load_config

    settings = load_config(config) if config else None
    with ThreadPoolExecutor(1, thread_name_prefix="statements") as pool:
        parsed = _parse_ahead(pool, statements, encoding)
        records, read, skipped = _read_items(open_items, committed, keep_items, encoding)
        lines, payouts = _read_statements(statements, encoding, parsed)
    left_out = sorted(line.id for line in lines if line.id in skipped) if skipped else []
    if skipped:
        lines = [line for line in lines if line.id not in skipped]
    matcher = Matcher(settings)
    with step("blocking: candidate items of each line", unit="lines") as bar:

        def advance(count: int) -> None:
            if bar.done == 0 and count:  # the first lines are decided: blocking is over
                bar.start(len(lines), "matching")
            bar.advance(count)

        result = matcher.match_records(lines, records, payouts=payouts, progress=advance)
    from ecomrules.workspace.reconcile import SqliteMatchStore

    if isinstance(committed, SqliteMatchStore):
        from ecomrules.reconcile.review import held_for_review
        from ecomrules.workspace.review import SqliteReviewStore

        # what a person reverted or decided on the review page is theirs, not the matcher's
        result = held_for_review(result, SqliteReviewStore(committed.workspace).held())
    return _Run(result, left_out, read, lines, records, matcher)


def commit_and_queue(
    space: Workspace,
    open_items: Path,
    statements: list[Path],
    config: Path | None = None,
    *,
    encoding: str = "utf-8",
) -> tuple[MatchResult, list[str], int, int]:
    """``reconcile --commit``: match, record the ``auto`` matches, queue the rest for review.

    Returns the result as recorded, the lines left out as committed before,
    how many allocations were new and how many lines were queued. The review
    page's statement upload runs the same.
    """
    from ecomrules.workspace.reconcile import SqliteMatchStore

    store = SqliteMatchStore(space)
    run = _run(open_items, statements, config, store, True, encoding)
    result, new = commit_matches(store, run.result, run.items)
    queued = _queue_for_review(space, run, result)
    return result, run.left_out, new, queued


def _queue_for_review(space: Workspace, run: _Run, result: MatchResult) -> int:
    """Queue the run's ``review`` and unmatched lines in the workspace (``ecomrules serve``)."""
    from ecomrules.reconcile.comparison import AmountComparison
    from ecomrules.reconcile.review import review_entries
    from ecomrules.workspace.review import SqliteReviewStore

    queued = {m.line_id for m in result.matches if m.status is MatchStatus.REVIEW}
    queued.update(u.line_id for u in result.unmatched_lines)
    lines = [line for line in run.lines if line.id in queued]
    amount = next(
        (c for c in run.matcher.settings.comparisons if isinstance(c, AmountComparison)), None
    )
    entries = review_entries(
        result,
        lines,
        run.records,
        run.matcher.candidates(lines, run.records),
        ledger=[item_record(item) for item in run.items],
        amount=amount,
    )
    return SqliteReviewStore(space).queue(entries, datetime.now(UTC))


def reconcile(
    open_items: Annotated[
        Path | None,
        typer.Option("--open-items", help="open-items.csv (or .jsonl).", exists=True),
    ] = None,
    *,
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
        bool,
        typer.Option(
            "--commit", help="Record the auto matches in the workspace; queue the rest for review."
        ),
    ] = False,
    workspace: WorkspaceOption = None,
    encoding: EncodingOption = "utf-8",
    tryton: TrytonOption = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="embedded (this process) or spark (Apache Spark; writes Parquet to --out DIR).",
        ),
    ] = "embedded",
    master: Annotated[
        str | None,
        typer.Option("--master", help="Spark master URL with --engine spark (default: local)."),
    ] = None,
    payouts: Annotated[
        Path | None,
        typer.Option(
            "--payouts",
            help="PSP payouts (CSV/Parquet: id, amount, currency, line_ids), --engine spark.",
            exists=True,
        ),
    ] = None,
) -> None:
    """Propose which open items each statement line settles: auto, review or unmatched.

    The payments committed in the workspace count: their lines are left out
    and the residuals they paid are lowered. With --tryton the open items are
    Tryton's receivables, lines Tryton already holds are left out, and --commit
    writes the auto matches as a draft Tryton statement linked to the invoices
    (the accountant validates it in Tryton).
    """
    from ecomrules.cli.reconcile_spark import check_engine_options, reconcile_on_spark
    from ecomrules.workspace.reconcile import SqliteMatchStore

    check_engine_options(
        engine,
        out=out,
        master=master,
        payouts=payouts,
        statements=statement,
        commit=commit,
        tryton=tryton,
        all=all_rows,
    )
    if engine == "spark":
        items_path = needed(open_items, "--open-items", unless="a --statement")
        reconcile_on_spark(
            items_path,
            statement,
            out,  # type: ignore[arg-type]
            master=master,
            config=config,
            json=json,
            payouts=payouts,
        )
        return
    if tryton is not None:
        _reconcile_tryton(
            tryton, statement, config, commit=commit, json=json, out=out, all_rows=all_rows
        )
        return
    items_file = needed(open_items, "--open-items")
    with ExitStack() as stack:
        space = stack.enter_context(recording(workspace) if commit else reading(workspace))
        if commit and space is not None:
            result, left_out, new, queued = commit_and_queue(
                space, items_file, statement, config, encoding=encoding
            )
            err_console.print(
                f"recorded {new} accepted allocation(s) in {space.path}; "
                f"{queued} line(s) queued for review (ecomrules serve)"
            )
        else:
            store = None if space is None else SqliteMatchStore(space)
            run = _run(items_file, statement, config, store, False, encoding)
            result, left_out = run.result, run.left_out
            hold_until_exit(run)  # a million records and matches: the process ends, not frees
    _output(result, left_out, as_json=json, out=out, all_rows=all_rows)


def _output(
    result: MatchResult,
    left_out: list[str],
    *,
    as_json: bool,
    out: Path | None,
    all_rows: bool,
    extra: dict[str, Any] | None = None,
) -> None:
    """Print the result as JSON or tables, and write its JSON to ``out`` when given."""
    added = extra or {}
    if as_json or out is not None:
        emit_json(
            {**_document(result, left_out), **added},
            out,
            as_json,
            lambda: {**_summary(result, left_out), **added},
        )
    if not as_json:
        render(result, left_out, all_rows=all_rows, out=out)


def _document(result: MatchResult, left_out: list[str]) -> dict[str, Any]:
    """The ``--json`` document (:meth:`MatchResult.to_json`), its matches encoded as written
    (:mod:`ecomrules.cli.reconcile_json`)."""
    from ecomrules.cli.reconcile_json import match_texts

    document = evolve(result, matches=()).to_json()
    matches = result.matches
    document["matches"] = Encoded(lambda level: match_texts(matches, level), len(matches))
    document["previously_committed_lines"] = left_out
    return document


def _summary(result: MatchResult, left_out: list[str]) -> dict[str, Any]:
    """What stdout gets under ``--json --out``: the counts, by status."""
    statuses = result.status_counts()
    return {
        "lines": len(result.matches) + len(result.unmatched_lines),
        "matches": dict(sorted((status.value, n) for status, n in statuses.items())),
        "unmatched_lines": len(result.unmatched_lines),
        "unmatched_items": len(result.unmatched_items),
        "payouts": len(result.payouts),
        "issues": len(result.issues),
        "previously_committed_lines": len(left_out),
    }


def _reconcile_tryton(
    url: str,
    statements: list[Path],
    config: Path | None,
    *,
    commit: bool,
    json: bool,
    out: Path | None,
    all_rows: bool,
) -> None:
    from ecomrules.adapters import reconcile_lines
    from ecomrules.reconcile.config import load_config

    lines, payouts = _read_statements(statements)
    name = ", ".join(path.name for path in statements)
    with connect(url, "reconcile") as erp:
        run = reconcile_lines(
            erp,
            erp,
            lines,
            name=name,
            payouts=payouts,
            settings=load_config(config) if config else None,
            commit=commit,
        )
    extra: dict[str, Any] = {}
    if commit:
        extra["tryton_statement"] = run.statement or None
        err_console.print(
            f"wrote {run.committed} line(s) to draft statement {run.statement or '-'}"
        )
    _output(run.result, list(run.left_out), as_json=json, out=out, all_rows=all_rows, extra=extra)


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

    lines, payouts = _read_statements([dataset.path(name) for name in DEMO_STATEMENTS])
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
