"""``ecomrules preorder plan|board``: the pre-order engines on CSV files."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table

from ecomrules import _jsontext
from ecomrules.cli.inputs import EncodingOption
from ecomrules.cli.output import (
    SHOWN_ROWS,
    AllOption,
    ExitCode,
    JsonOption,
    OutOption,
    check_run_date,
    console,
    emit_json,
    print_json,
    rows_note,
    step,
)
from ecomrules.errors import InputError
from ecomrules.inputs.preorders import PreorderInputs, read_preorder_inputs
from ecomrules.outcome import Severity
from ecomrules.preorder import (
    AlertPolicy,
    AllocationPolicy,
    BoardRow,
    LineMode,
    MixedPolicy,
    PlanDiff,
    PlanPolicy,
    Priority,
    ReleasePlan,
    board,
    diff_plans,
    plan_release,
    snapshot,
    snapshot_from_json,
)

if TYPE_CHECKING:
    from ecomrules.cli.demo import DemoContext

__all__ = ["app", "demo_section", "render_alerts", "render_board"]

app = typer.Typer(help="Pre-orders: release plans, allocation, alerts and the board.")

Products = Annotated[Path, typer.Option("--products", help="products.csv: pre-order products.")]
Orders = Annotated[Path, typer.Option("--orders", help="preorders.csv: the order lines.")]
Supply = Annotated[Path, typer.Option("--supply", help="supply.csv: expected and received stock.")]
Carriers = Annotated[Path, typer.Option("--carriers", help="carriers.csv: carrier services.")]
Country = Annotated[
    str, typer.Option("--warehouse-country", help="The warehouse's holidays (ISO 3166 code).")
]
Zone = Annotated[str, typer.Option("--warehouse-zone", help="The warehouse's IANA time zone.")]
Cutoff = Annotated[
    str, typer.Option("--pickup-cutoff", help="Default pick-up cut-off, HH:MM warehouse time.")
]
Calendar = Annotated[
    Path | None, typer.Option("--calendar", help="CSV of warehouse closing days (date,name).")
]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="YYYY-MM-DD (midnight, warehouse zone) or an ISO date-time."),
]
PriorityOpt = Annotated[
    Priority, typer.Option("--priority", help="Who is served first when supply is short.")
]
Tiers = Annotated[
    str, typer.Option("--tiers", help="Customer tiers best first, comma-separated (tier priority).")
]
CustomerCap = Annotated[
    int | None, typer.Option("--cap-per-customer", min=1, help="Units per customer and product.")
]
AllOrNothing = Annotated[
    bool, typer.Option("--all-or-nothing", help="A line gets all its quantity or nothing.")
]
ReceivedOnly = Annotated[
    bool, typer.Option("--received-only", help="Allocate received stock only, not expected.")
]
Mixed = Annotated[
    MixedPolicy, typer.Option("--mixed", help="Orders with in-stock lines: split or wait.")
]
CutoffDays = Annotated[int, typer.Option("--cutoff-days", min=0, help="Cut-off alert horizon.")]
ReleaseDays = Annotated[int, typer.Option("--release-days", min=0, help="Release alert horizon.")]
AuthDays = Annotated[
    int, typer.Option("--authorization-days", min=1, help="Card authorisation validity in days.")
]
FailOnAlerts = Annotated[
    bool, typer.Option("--fail-on-alerts", help="Exit 1 when a warning or error alert is raised.")
]


@app.command("plan")
def plan_command(
    products: Products,
    orders: Orders,
    supply: Supply,
    carriers: Carriers,
    warehouse_country: Country = "FR",
    warehouse_zone: Zone = "Europe/Paris",
    pickup_cutoff: Cutoff = "17:00",
    calendar: Calendar = None,
    as_of: AsOf = None,
    priority: PriorityOpt = Priority.FIFO,
    tiers: Tiers = "",
    cap_per_customer: CustomerCap = None,
    all_or_nothing: AllOrNothing = False,
    received_only: ReceivedOnly = False,
    mixed: Mixed = MixedPolicy.SPLIT,
    cutoff_days: CutoffDays = 14,
    release_days: ReleaseDays = 7,
    authorization_days: AuthDays = 7,
    replan_from: Annotated[
        Path | None,
        typer.Option("--replan-from", help="A previous plan's JSON: show what changed since."),
    ] = None,
    json_output: JsonOption = False,
    out: OutOption = None,
    all_rows: AllOption = False,
    fail_on_alerts: FailOnAlerts = False,
    encoding: EncodingOption = "utf-8",
) -> None:
    """Plan every pre-order line: allocation, ship day, expected delivery, alerts.

    Many lines print a summary (the counts by status, the first lines, every
    alert); --all prints every line, --out FILE writes the whole JSON document.
    """
    inputs = _read(
        products, orders, supply, carriers, warehouse_country, warehouse_zone, pickup_cutoff,
        calendar, encoding,
    )  # fmt: skip
    policy = _policy(
        priority, tiers, cap_per_customer, all_or_nothing, received_only, mixed,
        cutoff_days, release_days, authorization_days,
    )  # fmt: skip
    result = _plan(inputs, as_of, policy)
    changes = None
    if replan_from is not None:
        changes = diff_plans(_previous(replan_from), snapshot(result))
    if json_output or out is not None:
        document = result.to_json()
        if changes is not None:
            document["changes"] = changes.to_json()
        emit_json(document, out, json_output, lambda: _plan_summary(result))
    if not json_output:
        _render_plan(result, changes, all_rows=all_rows, out=out)
    _exit(result, fail_on_alerts)


def _statuses(result: ReleasePlan) -> dict[str, int]:
    """The plan's lines counted by status."""
    return dict(sorted(Counter(line.status.value for line in result.lines).items()))


def _plan_summary(result: ReleasePlan) -> dict[str, Any]:
    """What ``plan --json --out`` prints on stdout: the counts."""
    return {
        "as_of": result.as_of.isoformat(),
        "lines": len(result.lines),
        "statuses": _statuses(result),
        "alerts": len(result.alerts),
        "extra_shipments": sum(1 for shipment in result.shipments if shipment.extra),
    }


@app.command("board")
def board_command(
    products: Products,
    orders: Orders,
    supply: Supply,
    carriers: Carriers,
    warehouse_country: Country = "FR",
    warehouse_zone: Zone = "Europe/Paris",
    pickup_cutoff: Cutoff = "17:00",
    calendar: Calendar = None,
    as_of: AsOf = None,
    priority: PriorityOpt = Priority.FIFO,
    tiers: Tiers = "",
    cap_per_customer: CustomerCap = None,
    all_or_nothing: AllOrNothing = False,
    received_only: ReceivedOnly = False,
    mixed: Mixed = MixedPolicy.SPLIT,
    cutoff_days: CutoffDays = 14,
    release_days: ReleaseDays = 7,
    authorization_days: AuthDays = 7,
    json_output: JsonOption = False,
    fail_on_alerts: FailOnAlerts = False,
    encoding: EncodingOption = "utf-8",
) -> None:
    """Show the board: per product the pre-orders, demand, allocation, supply, dates, alerts."""
    inputs = _read(
        products, orders, supply, carriers, warehouse_country, warehouse_zone, pickup_cutoff,
        calendar, encoding,
    )  # fmt: skip
    policy = _policy(
        priority, tiers, cap_per_customer, all_or_nothing, received_only, mixed,
        cutoff_days, release_days, authorization_days,
    )  # fmt: skip
    result = _plan(inputs, as_of, policy)
    rows = board(result)
    if json_output:
        print_json(
            {
                "as_of": result.as_of.isoformat(),
                "products": [row.to_json() for row in rows],
                "alerts": [alert.to_json() for alert in result.alerts],
            }
        )
    else:
        render_board(rows)
        render_alerts(result)
    _exit(result, fail_on_alerts)


def demo_section(ctx: DemoContext) -> dict[str, Any]:
    """The demo's pre-order section: the bundled catalogue planned at the demo's date."""
    from ecomrules import demo as dataset

    inputs = read_preorder_inputs(
        products=dataset.path("products.csv"),
        orders=dataset.path("preorders.csv"),
        supply=dataset.path("supply.csv"),
        carriers=dataset.path("carriers.csv"),
    )
    result = _plan(inputs, ctx.as_of.isoformat(), PlanPolicy())
    rows = board(result)
    if not ctx.quiet:
        render_board(rows)
        render_alerts(result)
    statuses = _statuses(result)
    return {
        "board": [row.to_json() for row in rows],
        "alerts": [alert.to_json() for alert in result.alerts],
        "lines": [line.to_json() for line in result.lines],
        "statuses": dict(sorted(statuses.items())),
        "extra_shipments": sum(1 for shipment in result.shipments if shipment.extra),
    }


def render_board(rows: tuple[BoardRow, ...]) -> None:
    """Print the board as a table."""
    table = Table(title="Pre-order board", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("product", min_width=10, overflow="fold")
    for name in ("orders", "demand", "alloc", "incoming"):
        table.add_column(name, justify="right")
    table.add_column("release", no_wrap=True)
    table.add_column("cut-off", no_wrap=True)
    table.add_column("alerts", justify="right")
    for row in rows:
        table.add_row(
            f"{row.sku}\n{row.name}", str(row.preorders), str(row.demanded), str(row.allocated),
            str(row.incoming), _days(row.days_to_release), _days(row.days_to_cutoff),
            str(len(row.alerts)) if row.alerts else "-",
        )  # fmt: skip
    console.print(table)


def _days(count: int | None) -> str:
    if count is None:
        return "-"
    if count < 0:
        return f"{-count} d ago"
    return "today" if count == 0 else f"in {count} d"


def render_alerts(result: ReleasePlan) -> None:
    """Print the plan's alerts as a table (nothing when there are none)."""
    if not result.alerts:
        return
    table = Table(title="Alerts", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("alert", no_wrap=True)
    table.add_column("sku", no_wrap=True)
    table.add_column("message")
    for alert in result.alerts:
        code = alert.code.removeprefix("preorder.alert.")
        table.add_row(f"{code}\n{alert.severity.value}", alert.sku, alert.message)
    console.print(table)


_WHY_IN_TABLE_FROM = 120
"""Below this terminal width the "why" of each line goes under the table, not in a column."""


def _render_plan(
    result: ReleasePlan,
    changes: PlanDiff | None,
    *,
    all_rows: bool = True,
    out: Path | None = None,
) -> None:
    """Print the plan; with many lines and not ``all_rows``, the counts and the first lines."""
    lines = sorted(result.lines, key=lambda planned: (planned.order_id, planned.sku))
    extra = [s for s in result.shipments if s.extra]
    if not all_rows and len(lines) > SHOWN_ROWS:
        console.print(
            f"{len(lines):,} line(s): "
            + ", ".join(f"{status} {n:,}" for status, n in _statuses(result).items()),
            markup=False,
        )
        lines, extra = lines[:SHOWN_ROWS], extra[:SHOWN_ROWS]
    wide = console.width >= _WHY_IN_TABLE_FROM
    table = Table(title=f"Release plan as of {result.as_of.isoformat()}")
    for name in ("order", "sku", "qty", "alloc", "status", "ship on", "delivery"):
        table.add_column(name, no_wrap=True)
    if wide:
        table.add_column("why", min_width=30)
    for line in lines:
        cells = [
            line.order_id, line.sku, str(line.quantity), str(line.allocated), line.status.value,
            str(line.ship_on or "-"), str(line.expected_delivery or "-"),
        ]  # fmt: skip
        if wide:
            cells.append("; ".join(message for _, message in line.notes))
        table.add_row(*cells)
    console.print(table)
    if not wide and any(line.notes for line in lines):
        why = Table.grid(padding=(0, 2))
        why.add_column(no_wrap=True)
        why.add_column()  # wraps on words at the terminal's width
        for line in lines:
            if line.notes:
                why.add_row(
                    f"{line.order_id} {line.sku}", "; ".join(message for _, message in line.notes)
                )
        console.print("[bold]Why[/bold]")
        console.print(why)
    rows_note(len(lines), len(result.lines), "lines", out)
    if extra:
        shipments = Table("order", "shipment", "ship on", "items", title="Extra shipments")
        for shipment in extra:
            items = ", ".join(f"{quantity} x {sku}" for sku, quantity in shipment.items)
            shipments.add_row(
                shipment.order_id, str(shipment.number), str(shipment.ship_on or "later"), items
            )
        console.print(shipments)
        every = sum(1 for shipment in result.shipments if shipment.extra)
        rows_note(len(extra), every, "extra shipments", out)
    render_alerts(result)
    if changes is not None:
        diff = Table("order", "sku", "change", "before", "after", title="Changes since the plan")
        for change in changes.changes:
            diff.add_row(
                change.order_id,
                change.sku,
                change.code.removeprefix("preorder.replan."),
                change.before or "-",
                change.after or "-",
            )
        console.print(diff)


def _read(
    products: Path,
    orders: Path,
    supply: Path,
    carriers: Path,
    warehouse_country: str,
    warehouse_zone: str,
    pickup_cutoff: str,
    calendar: Path | None,
    encoding: str = "utf-8",
) -> PreorderInputs:
    try:
        cutoff = time.fromisoformat(pickup_cutoff)
    except ValueError:
        raise typer.BadParameter(
            f"{pickup_cutoff!r} is not a time (HH:MM)", param_hint="--pickup-cutoff"
        ) from None
    with step("reading the pre-order files", unit="lines") as bar:
        inputs = read_preorder_inputs(
            products=products,
            orders=orders,
            supply=supply,
            carriers=carriers,
            warehouse_country=warehouse_country.upper(),
            warehouse_zone=warehouse_zone,
            pickup_cutoff=cutoff,
            calendar=calendar,
            encoding=encoding,
        )
        bar.advance(len(inputs.lines))
    return inputs


def _policy(
    priority: Priority,
    tiers: str,
    cap_per_customer: int | None,
    all_or_nothing: bool,
    received_only: bool,
    mixed: MixedPolicy,
    cutoff_days: int,
    release_days: int,
    authorization_days: int,
) -> PlanPolicy:
    try:
        allocation = AllocationPolicy(
            priority=priority,
            tiers=tuple(t.strip() for t in tiers.split(",") if t.strip()),
            cap_per_customer=cap_per_customer,
            mode=LineMode.ALL_OR_NOTHING if all_or_nothing else LineMode.PARTIAL,
            count_expected=not received_only,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--all-or-nothing") from None
    return PlanPolicy(
        allocation=allocation,
        mixed=mixed,
        alerts=AlertPolicy(cutoff_days, release_days, authorization_days),
    )


def _plan(inputs: PreorderInputs, as_of: str | None, policy: PlanPolicy) -> ReleasePlan:
    run_date = _as_of(as_of, inputs)
    with step("planning", unit="lines") as bar:
        result = plan_release(
            products=inputs.products,
            lines=inputs.lines,
            supply=inputs.supply,
            warehouse=inputs.warehouse,
            carriers=inputs.carriers,
            as_of=run_date,
            policy=policy,
        )
        bar.advance(len(inputs.lines))
    return result


def _as_of(text: str | None, inputs: PreorderInputs) -> datetime:
    tz = inputs.warehouse.zone
    if text is None:
        return datetime.combine(date.today(), time(0, 0), tzinfo=tz)
    try:
        if len(text) == 10:
            day = check_run_date(date.fromisoformat(text))
            return datetime.combine(day, time(0, 0), tzinfo=tz)
        parsed = datetime.fromisoformat(text)
        check_run_date(parsed.date())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD) or an ISO date-time", param_hint="--as-of"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _previous(path: Path) -> dict[tuple[str, str], Any]:
    try:
        document = _jsontext.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(str(path), [f"{path.name}: not JSON: {exc}"]) from None
    return snapshot_from_json(document, path.name)


def _exit(result: ReleasePlan, fail_on_alerts: bool) -> None:
    if fail_on_alerts and any(a.severity is not Severity.INFO for a in result.alerts):
        raise typer.Exit(ExitCode.FOUND)
