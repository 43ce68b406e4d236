"""``ecomrules analytics``: load orders and web events, then sales, funnel and gaps.

The store is a DuckDB file: ``--store``, else ``$ECOMRULES_ANALYTICS``, else
the workspace's name with ``.analytics.duckdb`` (``./ecomrules.analytics.duckdb``).
Every query command prints a table, or ``--json``, ``--csv``, writes the
self-contained HTML report with ``--html FILE`` or one chart with ``--png FILE``.
Exit codes: 0 ok, 2 bad input.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer
from rich.table import Table

from ecomrules.analytics.names import (
    EVENT_KIND_NAMES,
    FUNNEL_DIMENSIONS,
    ORDER_KIND_NAMES,
    SALES_DIMENSIONS,
    STEPS,
)
from ecomrules.cli.inputs import EncodingOption
from ecomrules.cli.output import ExitCode, console, date_option, err_console, print_json
from ecomrules.errors import EcomrulesError

if TYPE_CHECKING:
    from ecomrules.analytics.queries import FunnelResult, GapsResult, SalesResult
    from ecomrules.analytics.store import AnalyticsStore, LoadResult
    from ecomrules.cli.demo import DemoContext

__all__ = ["app", "demo_section"]

app = typer.Typer(help="Sales analytics and the conversion funnel.", no_args_is_help=True)
load_app = typer.Typer(
    help="Load orders or web events into the analytics store.", no_args_is_help=True
)
app.add_typer(load_app, name="load")

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="Analytics store (DuckDB file); default $ECOMRULES_ANALYTICS, else the "
        "workspace's name with .analytics.duckdb.",
    ),
]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        help="Workspace file the store sits beside; default $ECOMRULES_WORKSPACE, "
        "else ./ecomrules.db.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV rows.")]
HtmlOpt = Annotated[
    Path | None, typer.Option("--html", help="Write the self-contained HTML report (with charts).")
]
PngOpt = Annotated[Path | None, typer.Option("--png", help="Write this command's chart as PNG.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")]
FilterOpt = Annotated[
    list[str] | None,
    typer.Option("--filter", help="NAME=VALUE[,VALUE...]; repeat for several dimensions."),
]
KindOpt = Annotated[
    str | None, typer.Option("--kind", help="The export's kind; default: detected.")
]
DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="Date for an export that carries none (Matomo test outputs, PrestaShop fixtures).",
    ),
]


def _day(text: str | None, option: str) -> dt.date | None:
    """An optional date option, read by the CLI's one date reader (a bad one names ``option``)."""
    return None if text is None else date_option(text, option)


def _list(text: str | None, option: str, allowed: Sequence[str]) -> tuple[str, ...]:
    if not text:
        return ()
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise EcomrulesError(f"{option}: {', '.join(unknown)} not one of {', '.join(allowed)}")
    return names


def _rates(items: list[str] | None) -> dict[str, Decimal]:
    rates: dict[str, Decimal] = {}
    for item in items or ():
        code, sep, text = item.partition("=")
        try:
            rate = Decimal(text.strip()) if sep else None
        except ArithmeticError:
            rate = None
        if rate is None or not rate.is_finite() or rate <= 0:
            raise EcomrulesError(f"--rate: {item!r} is not CODE=RATE with a positive decimal rate")
        rates[code.strip().upper()] = rate
    return rates


def _filters(items: list[str] | None, allowed: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items or ():
        name, sep, values = item.partition("=")
        if not sep or name.strip() not in allowed:
            raise EcomrulesError(
                f"--filter: {item!r} is not NAME=VALUE with NAME one of {', '.join(allowed)}"
            )
        out.setdefault(name.strip(), []).extend(v.strip() for v in values.split(","))
    return out


def _open(store: Path | None, workspace: Path | None, *, read_only: bool = False) -> AnalyticsStore:
    from ecomrules.analytics.store import AnalyticsStore, default_store_path

    path = store or default_store_path(workspace)
    if read_only and not path.exists():
        raise EcomrulesError(f"{path}: no analytics store yet: load orders or events first")
    return AnalyticsStore(path, read_only=read_only)


def _watched(opened: AnalyticsStore, label: str, work: Callable[[], LoadResult]) -> LoadResult:
    """Run one load; on a terminal, a progress bar follows DuckDB's own progress of it.

    The load runs in a worker thread while this one polls the connection's
    ``query_progress`` (DuckDB answers it from another thread); off a terminal,
    or in JSON mode, the load simply runs.
    """
    if not err_console.is_terminal:
        return work()
    import threading

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:  # handed back to the caller's thread
            outcome["error"] = exc

    # DuckDB tracks a query's progress only with its progress bar on; it prints
    # nothing itself here (this connection's setting, not the process's).
    opened.con.execute("SET enable_progress_bar = true")
    opened.con.execute("SET enable_progress_bar_print = false")
    worker = threading.Thread(target=run, daemon=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
    )
    with Progress(*columns, TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(f"loading {label}", total=100)
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
            done = opened.con.query_progress()
            if done >= 0:
                bar.update(task, completed=done)
    if "error" in outcome:
        raise outcome["error"]
    result: LoadResult = outcome["result"]
    return result


def _load(
    files: list[Path],
    kinds: Sequence[str],
    kind: str | None,
    date: str | None,
    store: Path | None,
    workspace: Path | None,
    as_json: bool,
    events: bool,
    encoding: str = "utf-8",
) -> None:
    if kind is not None and kind not in kinds:
        raise EcomrulesError(f"--kind: {kind!r} is not one of {', '.join(sorted(kinds))}")
    undated_day = _day(date, "--date")
    undated = None if undated_day is None else dt.datetime.combine(undated_day, dt.time())
    results = []
    with _open(store, workspace) as opened:
        load = opened.load_events if events else opened.load_orders
        for file in files:
            results.append(
                _watched(
                    opened,
                    file.name,
                    partial(load, file, kind=kind, undated=undated, encoding=encoding),
                )
            )
        totals = {"orders": opened.count("orders"), "events": opened.count("events")}
        path = opened.path
    if as_json:
        print_json({"store": path, "loads": [r.to_json() for r in results], "totals": totals})
        return
    for r in results:
        if events:
            console.print(f"{r.source}: {r.kind}, {r.events_read} events read, {r.events_new} new")
        else:
            console.print(
                f"{r.source}: {r.kind}, {r.orders_read} orders ({r.lines_read} lines) read, "
                f"{r.orders_new} new"
            )
            if r.lines_without_order:
                console.print(
                    f"warning: {r.lines_without_order} line(s) of orders not in the store: "
                    "load their orders to count them"
                )
    console.print(f"{path}: {totals['orders']} orders, {totals['events']} events")


@load_app.command("orders")
def load_orders(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Order exports (none with --tryton).")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help=f"One of {', '.join(ORDER_KIND_NAMES)}; default: detected."),
    ] = None,
    date: DateOpt = None,
    tryton: Annotated[
        str | None,
        typer.Option(
            "--tryton",
            help="Load the confirmed sales of a Tryton database instead of files: "
            "http://USER:PASSWORD@HOST:PORT/DATABASE/.",
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--from", help="With --tryton: sales ordered from this day.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="With --tryton: sales ordered up to this day.")
    ] = None,
    encoding: EncodingOption = "utf-8",
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """Load order exports (sales.csv, orders.csv, Shopify, WooCommerce, PrestaShop) or Tryton."""
    if tryton is not None:
        if files:
            raise EcomrulesError("--tryton: give either order files or --tryton, not both")
        _load_tryton(tryton, _day(since, "--from"), _day(until, "--to"), store, workspace, json)
        return
    if since is not None or until is not None:
        raise EcomrulesError("--from/--to: they go with --tryton (files are loaded whole)")
    if not files:
        raise EcomrulesError("no order file given (or --tryton URL)")
    _load(files, ORDER_KIND_NAMES, kind, date, store, workspace, json, False, encoding)


def _load_tryton(
    url: str,
    since: dt.date | None,
    until: dt.date | None,
    store: Path | None,
    workspace: Path | None,
    as_json: bool,
) -> None:
    from ecomrules.cli.tryton import connect

    with connect(url, "sales") as erp, _open(store, workspace) as opened:
        result = opened.load_sales(erp, since=since, until=until)
        totals = {"orders": opened.count("orders"), "events": opened.count("events")}
        path = opened.path
    if as_json:
        print_json({"store": path, "loads": [result.to_json()], "totals": totals})
        return
    console.print(
        f"{result.source}: {result.orders_read} sales ({result.lines_read} lines) read, "
        f"{result.orders_new} new"
    )
    console.print(f"{path}: {totals['orders']} orders, {totals['events']} events")


@load_app.command("events")
def load_events(
    files: Annotated[list[Path], typer.Argument(help="Web-analytics exports.")],
    kind: Annotated[
        str | None,
        typer.Option("--kind", help=f"One of {', '.join(EVENT_KIND_NAMES)}; default: detected."),
    ] = None,
    date: DateOpt = None,
    encoding: EncodingOption = "utf-8",
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """Load web-analytics exports (GA4, UA 360, Matomo, Snowplow)."""
    _load(files, EVENT_KIND_NAMES, kind, date, store, workspace, json, True, encoding)


_STEP_LABELS: Final = {
    "session_start": "visits",
    "view_item": "views",
    "add_to_cart": "cart",
    "begin_checkout": "checkout",
    "add_payment_info": "pay",
    "purchase": "bought",
}


class _table(Table):
    """A table that reads at 80 columns: light rules; a figure is never cut, headers wrap."""

    def __init__(self, *headers: str) -> None:
        from rich import box

        super().__init__(*headers, box=box.SIMPLE_HEAD, pad_edge=False)

    def add_row(self, *cells: Any, **kwargs: Any) -> None:
        for column, cell in zip(self.columns, cells, strict=False):
            if isinstance(cell, str) and cell[:1].isdigit() and " " not in cell:
                header = str(column.header)
                column.min_width = max(column.min_width or 0, len(cell), len(header))
        super().add_row(*cells, **kwargs)


def _percent(rate: Decimal | None) -> str:
    return "" if rate is None else f"{rate:.1%}"


def _label(name: str, value: str | None) -> str:
    """A group's value as the terminal shows it: ``2026-03`` for a month, ``2026-Q1``..."""
    if value is None:
        return "(none)"
    if name in ("month", "quarter", "year"):
        day = dt.date.fromisoformat(value)
        return {
            "month": f"{day:%Y-%m}",
            "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
            "year": str(day.year),
        }[name]
    return value


@load_app.command("sources")
def load_sources(
    file: Annotated[Path, typer.Argument(help="source,source_category CSV (GA4's site list).")],
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """Load the source categories the channel grouping sorts sites by (search, social, ...)."""
    with _open(store, workspace) as opened:
        count = opened.load_source_categories(file)
        path = opened.path
    if json:
        print_json({"store": path, "sources": count})
    else:
        console.print(f"{path}: {count} source categories")


def _write_csv(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


def _report(
    opened: AnalyticsStore, path: Path, date_from: dt.date | None, date_to: dt.date | None
) -> None:
    from ecomrules.analytics.report import store_report

    path.write_text(
        store_report(opened.con, date_from=date_from, date_to=date_to), encoding="utf-8"
    )


def _png(name: str, result: SalesResult | FunnelResult | GapsResult, path: Path) -> None:
    from ecomrules.analytics.report import chart, save_png

    save_png(chart(name, result), str(path))


def _outputs(
    opened: AnalyticsStore,
    document: dict[str, Any],
    flat: list[dict[str, Any]],
    as_json: bool,
    as_csv: bool,
    html_path: Path | None,
    png: tuple[str, SalesResult | FunnelResult | GapsResult, Path] | None,
    window: tuple[dt.date | None, dt.date | None],
) -> bool:
    if html_path is not None:
        _report(opened, html_path, *window)
    if png is not None:
        _png(*png)
    if as_json:
        print_json(document)
        return True
    if as_csv:
        _write_csv(flat)
        return True
    for written in (html_path, png[2] if png else None):
        if written is not None:
            console.print(f"wrote {written}")
    return False


@app.command("sales")
def sales_command(
    by: Annotated[
        str, typer.Option("--by", help=f"Comma-separated, from: {', '.join(SALES_DIMENSIONS)}.")
    ] = "month",
    filter_: FilterOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    rate: Annotated[
        list[str] | None,
        typer.Option("--rate", help="CODE=RATE: one unit of CODE in the --in currency; repeat."),
    ] = None,
    in_: Annotated[
        str | None, typer.Option("--in", help="Report every currency in this one (with --rate).")
    ] = None,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
    csv_: CsvOpt = False,
    html: HtmlOpt = None,
    png: PngOpt = None,
) -> None:
    """Revenue, orders, units, average order and new vs returning customers, by any dimension.

    Currencies stay apart unless --in names one to report in, with a --rate for
    each other currency (each order converted, then rounded half-even).
    """
    from ecomrules.analytics.queries import sales

    dims = _list(by, "--by", SALES_DIMENSIONS)
    filters = _filters(filter_, (*SALES_DIMENSIONS, "currency"))
    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    with _open(store, workspace, read_only=True) as opened:
        result = sales(
            opened.con,
            by=dims,
            filters=filters,
            date_from=start,
            date_to=end,
            rates=_rates(rate) if rate or in_ else None,
            reporting_currency=in_,
        )
        chart_name = (
            "categories" if any(d in ("category", "product", "sku") for d in dims) else "sales"
        )
        document = result.to_json()
        done = _outputs(
            opened,
            document,
            document["rows"],
            json,
            csv_,
            html,
            None if png is None else (chart_name, result, png),
            (start, end),
        )
    if done:
        return
    table = _table(*dims, "cur.", "orders", "units", "net", "avg order", "new")
    for row in result.rows:
        table.add_row(
            *(_label(name, value) for name, value in row.group),
            row.currency,
            f"{row.orders:,}",
            "" if row.units is None else f"{row.units:,}",
            f"{row.net:,}",
            "" if row.average_order is None else f"{row.average_order:,}",
            f"{row.new_customers:,}",
        )
    console.print(table)
    for c in result.comparison:
        prev = c.change_vs_previous
        year = c.change_vs_last_year
        console.print(
            f"{c.currency}: net {c.net:,} vs previous period {c.previous_net:,}"
            f"{'' if prev is None else f' ({prev:+.2%})'}, vs last year {c.last_year_net:,}"
            f"{'' if year is None else f' ({year:+.2%})'}"
        )


@app.command("funnel")
def funnel_command(
    by: Annotated[
        str, typer.Option("--by", help=f"Comma-separated, from: {', '.join(FUNNEL_DIMENSIONS)}.")
    ] = "",
    steps: Annotated[
        str, typer.Option("--steps", help=f"Funnel steps in order, from: {', '.join(STEPS[1:])}.")
    ] = ",".join(STEPS[1:]),
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Count only the steps a session sent (no implied steps)."),
    ] = False,
    filter_: FilterOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
    csv_: CsvOpt = False,
    html: HtmlOpt = None,
    png: PngOpt = None,
) -> None:
    """Sessions reaching each step, conversion step to step and overall, abandoned carts."""
    from ecomrules.analytics.queries import funnel

    dims = _list(by, "--by", FUNNEL_DIMENSIONS)
    chosen = _list(steps, "--steps", STEPS[1:])
    filters = _filters(filter_, FUNNEL_DIMENSIONS)
    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    with _open(store, workspace, read_only=True) as opened:
        result = funnel(
            opened.con,
            by=dims,
            steps=chosen,
            filters=filters,
            date_from=start,
            date_to=end,
            strict=strict,
        )
        document = result.to_json()
        flat = [
            {
                **dict(row.group),
                **dict(zip(row.steps, row.reached, strict=True)),
                "overall_conversion": row.overall_conversion,
                "abandoned_carts": row.abandoned_carts,
            }
            for row in result.rows
        ]
        done = _outputs(
            opened, document, flat, json, csv_, html,
            None if png is None else ("funnel", result, png), (start, end),
        )  # fmt: skip
    if done:
        return
    if not dims and result.rows:
        # one funnel: a row per step, with its conversion from the step before
        (only,) = result.rows
        table = _table("step", "sessions", "from previous", "of sessions")
        for i, (step, count) in enumerate(zip(only.steps, only.reached, strict=True)):
            rate = None if i == 0 else only.step_conversion[i - 1]
            share = _percent(Decimal(count) / only.sessions if only.sessions else None)
            table.add_row(_STEP_LABELS[step], f"{count:,}", _percent(rate), share)
        console.print(table)
        console.print(f"abandoned carts: {only.abandoned_carts:,}")
        return
    table = _table(*dims, *(_STEP_LABELS[s] for s in result.steps), "conv.", "left")
    for row in result.rows:
        table.add_row(
            *(_label(name, value) for name, value in row.group),
            *(f"{count:,}" for count in row.reached),
            _percent(row.overall_conversion),
            f"{row.abandoned_carts:,}",
        )
    console.print(table)


@app.command("gaps")
def gaps_command(
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
    csv_: CsvOpt = False,
    html: HtmlOpt = None,
    png: PngOpt = None,
) -> None:
    """Web purchases with no order, orders the web did not record, revenue differences per day."""
    from ecomrules.analytics.queries import gaps

    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    with _open(store, workspace, read_only=True) as opened:
        result = gaps(opened.con, date_from=start, date_to=end)
        document = result.to_json()
        done = _outputs(
            opened, document, document["days"], json, csv_, html,
            None if png is None else ("gaps", result, png), (start, end),
        )  # fmt: skip
    if done:
        return
    console.print(
        f"{result.matched} orders matched, {len(result.web_only)} web purchases without an order, "
        f"{len(result.books_only)} orders not seen by the web, "
        f"{len(result.duplicates)} purchases recorded more than once"
    )
    for currency, share in result.share_seen:
        if share is not None:
            console.print(f"{currency}: the web saw {share:.1%} of booked revenue")
    if result.web_only:
        table = Table("web purchase without an order", "tool", "revenue")
        for t, tool, revenue, web_currency in result.web_only[:20]:
            table.add_row(t, tool, "" if revenue is None else f"{revenue:,} {web_currency}")
        console.print(table)
    if result.books_only:
        table = Table("order not seen by the web", "source", "total")
        for order, source, total, currency in result.books_only[:20]:
            table.add_row(order, source, f"{total:,} {currency}")
        console.print(table)


@app.command("compare")
def compare_command(
    report: Annotated[Path, typer.Argument(help="A Matomo Goals.get report (XML).")],
    goal: Annotated[
        str, typer.Option("--goal", help="'all' (every goal and order) or 'ecommerceOrder'.")
    ] = "all",
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    json: JsonOpt = False,
) -> None:
    """Check a Matomo Goals.get report against the figures computed from the loaded visits.

    Exits 1 when a metric disagrees.
    """
    from ecomrules.analytics.reports import compare_goals, read_matomo_report

    sections = read_matomo_report(report.read_bytes(), str(report))
    with _open(store, workspace, read_only=True) as opened:
        result = compare_goals(opened.con, sections, goal=goal)
    if json:
        print_json({"report": str(report), "goal": goal, "metrics": [c.to_json() for c in result]})
    else:
        table = Table("metric", "reported", "computed", "agrees")
        for c in result:
            table.add_row(c.metric, str(c.reported), str(c.computed), "yes" if c.agrees else "NO")
        console.print(table)
    if not all(c.agrees for c in result):
        raise typer.Exit(ExitCode.FOUND)


def demo_section(ctx: DemoContext) -> dict[str, Any]:
    """The demo's analytics: the example shop's last four weeks of orders and GA4 events."""
    import tempfile

    from ecomrules.analytics.queries import funnel, gaps, sales
    from ecomrules.analytics.sample import generate, write_ga4_ndjson, write_sales_csv
    from ecomrules.analytics.store import AnalyticsStore

    start = ctx.as_of - dt.timedelta(days=28)
    shop = generate(seed=7, start=start, days=28, sessions_per_day=60)
    with tempfile.TemporaryDirectory() as folder, AnalyticsStore() as store:
        root = Path(folder)
        write_sales_csv(root / "sales.csv", shop.sales)
        write_ga4_ndjson(root / "ga4.ndjson", shop.events)
        store.load_orders(root / "sales.csv")
        store.load_events(root / "ga4.ndjson")
        by_category = sales(store.con, by=("category",), filters={"currency": ["EUR"]})
        (overall,) = funnel(store.con).rows
        checked = gaps(store.con)
    section = {
        "sales_by_category": [r.to_json() for r in by_category.rows],
        "funnel": overall.to_json(),
        "web_against_books": {
            "matched": checked.matched,
            "web_only": len(checked.web_only),
            "books_only": len(checked.books_only),
            "share_seen": {c: None if s is None else str(s) for c, s in checked.share_seen},
        },
    }
    if not ctx.quiet:
        table = _table("category", "orders", "units", "net EUR")
        for row in by_category.rows:
            table.add_row(
                dict(row.group)["category"] or "",
                f"{row.orders:,}",
                f"{row.units or 0:,}",
                f"{row.net:,}",
            )
        table.title = "Sales, last four weeks"
        console.print(table)
        steps = ", ".join(
            f"{_STEP_LABELS[s]} {n:,}" for s, n in zip(overall.steps, overall.reached, strict=True)
        )
        console.print(f"Funnel: {steps}; {_percent(overall.overall_conversion)} of visits buy.")
        console.print(
            f"Web against books: {checked.matched} orders seen by the web, "
            f"{len(checked.books_only)} not, "
            f"{len(checked.web_only)} web purchases without an order. "
            "`ecomrules analytics --help` loads your own exports."
        )
    return section
