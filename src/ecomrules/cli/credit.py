"""``ecomrules credit``: check an order's credit, report every customer's exposure.

``check`` exits with 1 when the decision is ``block`` (0 for allow, warn and
require_prepayment), 2 on bad input.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table

from ecomrules.cli.canonical_json import Stream
from ecomrules.cli.inputs import EncodingOption
from ecomrules.cli.output import (
    SHOWN_ROWS,
    AllOption,
    ExitCode,
    JsonOption,
    OutOption,
    console,
    date_option,
    emit_json,
    print_json,
    read_input,
    rows_note,
    step,
)
from ecomrules.cli.tryton import TrytonOption, connect, needed
from ecomrules.cli.workspace import (
    WorkspaceOption,
    history,
    reading,
    recording,
    reservations,
    unpaid,
)
from ecomrules.credit import (
    CreditDecision,
    CreditPolicy,
    ExposureBook,
    Order,
    Outcome,
    Override,
    PaymentMethod,
    decide,
    decide_and_reserve,
    load_policy,
)
from ecomrules.errors import InputError
from ecomrules.inputs import read_customers, read_open_items
from ecomrules.inputs.dunning_levels import read_dunning_levels
from ecomrules.inputs.orders import read_order, read_order_documents, read_orders
from ecomrules.ledger import Customer, OpenItem
from ecomrules.money import Money, to_decimal
from ecomrules.workspace import Workspace

if TYPE_CHECKING:
    from ecomrules.cli.demo import DemoContext

__all__ = ["app", "build_book", "demo_section", "standard_decisions"]

app = typer.Typer(help="Credit decisions at order entry.", no_args_is_help=True)

CustomersOpt = Annotated[Path, typer.Option("--customers", help="customers.csv")]
ItemsOpt = Annotated[Path, typer.Option("--open-items", help="open-items.csv")]
OrdersOpt = Annotated[
    Path | None, typer.Option("--orders", help="orders.csv: open orders not yet invoiced")
]
PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="Credit policy (.toml or .json); default policy.")
]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Decision date; default: today.")]
LevelsOpt = Annotated[
    Path | None,
    typer.Option("--dunning-levels", help="dunning-levels.csv: customer_id,level reached"),
]


def build_book(
    customers: list[Customer],
    policy: CreditPolicy,
    as_of: date,
    open_items: list[OpenItem],
    orders: Path | None,
    *,
    skip_order: str | None = None,
    encoding: str = "utf-8",
) -> ExposureBook:
    """Put the open items and orders into a book (the order being checked left out)."""
    open_orders = [] if orders is None else read_input(read_orders, orders, "orders", encoding)
    with step("building the exposure book", unit="items") as bar:
        book = ExposureBook.build(
            customers,
            policy,
            as_of,
            open_items=open_items,
            open_orders=[o for o in open_orders if o.id != skip_order],
        )
        bar.advance(len(open_items) + len(open_orders))
    return book


def dunning_standing(
    levels_file: Path | None,
    space: Workspace | None,
    open_items: list[OpenItem],
    encoding: str = "utf-8",
) -> dict[str, tuple[int, bool]]:
    """Each customer's highest dunning level and whether it blocks credit.

    From ``levels_file`` when given (no credit block flag there); otherwise
    from the dunning history in the workspace, if there is one, counting only
    items still open.
    """
    if levels_file is not None:
        given = read_dunning_levels(levels_file, encoding=encoding)
        return {c: (level, False) for c, level in given.items()}
    if space is None:
        return {}
    from ecomrules.dunning import customer_levels

    levels = customer_levels(history(space), open_item_ids={item.id for item in open_items})
    return {c: (level.rank, level.block_credit) for c, level in levels.items()}


def with_reservations(
    book: ExposureBook, space: Workspace | None, *, skip_order: str | None = None
) -> None:
    """Count in the book the reservations recorded in the workspace (but ``skip_order``'s).

    A reservation of an order the book counts already, or of a customer it
    does not know, adds nothing.
    """
    for reservation in reservations(space):
        if reservation.order_id != skip_order and reservation.customer_id in book.customers:
            book.add_reservation(reservation)


@app.command()
def check(
    customers: Annotated[Path | None, typer.Option("--customers", help="customers.csv")] = None,
    open_items: Annotated[Path | None, typer.Option("--open-items", help="open-items.csv")] = None,
    order: Annotated[
        Path | None, typer.Option("--order", help="order.json: the order to check")
    ] = None,
    orders: OrdersOpt = None,
    policy: PolicyOpt = None,
    as_of: AsOfOpt = None,
    dunning_levels: LevelsOpt = None,
    override_by: Annotated[
        str | None, typer.Option("--override-by", help="Who lifts a refusal of this order.")
    ] = None,
    override_why: Annotated[str | None, typer.Option("--override-why", help="Why.")] = None,
    override_until: Annotated[
        str | None, typer.Option("--override-until", help="Until when (YYYY-MM-DD).")
    ] = None,
    reserve: Annotated[
        bool,
        typer.Option(
            "--reserve",
            help="Reserve the order's amount in the workspace (and record the decision).",
        ),
    ] = False,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="Record the decision in the workspace (ecomrules serve: decisions of the day).",
        ),
    ] = False,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
    encoding: EncodingOption = "utf-8",
    tryton: TrytonOption = None,
    sale: Annotated[
        str | None, typer.Option("--sale", help="With --tryton: the number of the sale to check.")
    ] = None,
) -> None:
    """Decide whether an order may be taken on account: allow, warn, require_prepayment, block.

    With --tryton and --sale the order is a Tryton sale, and the exposure and
    dunning level are read from Tryton. Exit code 1 when the decision is block.
    With --reserve or --record the decision is recorded in the workspace, with
    who (the login name) and when.
    """
    run_date = _as_of(as_of)
    rules = CreditPolicy() if policy is None else load_policy(policy)
    if tryton is not None:
        for flag, given in (("--reserve", reserve), ("--record", record)):
            if given:
                raise typer.BadParameter(f"{flag} does not go with --tryton", param_hint=flag)
        from ecomrules.adapters import check_credit

        number = needed(sale, "--sale", unless="--order without --tryton")
        with connect(tryton, "credit") as erp:
            overrides = _overrides_of(number, override_by, override_why, override_until)
            decision = check_credit(erp, number, rules, run_date, overrides=overrides)
        _show(decision, json=json)
        return
    order = needed(order, "--order")
    the_order = read_order(order)
    people = read_input(read_customers, needed(customers, "--customers"), "customers", encoding)
    customer = _customer(people, the_order.customer_id, order)
    read = read_input(read_open_items, needed(open_items, "--open-items"), "items", encoding)
    overrides = _overrides(the_order, override_by, override_why, override_until)
    if reserve:
        from ecomrules.workspace.credit import SqliteReservationStore

        with recording(workspace) as space:
            items = unpaid(read, space)
            book = build_book(
                people, rules, run_date, items, orders, skip_order=the_order.id, encoding=encoding
            )
            standing = dunning_standing(dunning_levels, space, items, encoding)
            level, blocks = standing.get(customer.id, (0, False))
            with space.transaction():  # the reservation and its decision, or neither
                decision = decide_and_reserve(
                    SqliteReservationStore(space),
                    book,
                    the_order,
                    dunning_level=level,
                    dunning_blocks_credit=blocks,
                    overrides=overrides,
                )
                _record(space, decision, run_date)
    else:
        with reading(workspace) as seen:
            items = unpaid(read, seen)
            book = build_book(
                people, rules, run_date, items, orders, skip_order=the_order.id, encoding=encoding
            )
            with_reservations(book, seen, skip_order=the_order.id)
            standing = dunning_standing(dunning_levels, seen, items, encoding)
        level, blocks = standing.get(customer.id, (0, False))
        decision = decide(
            the_order,
            customer,
            book.exposure(customer.id),
            rules,
            run_date,
            group=book.group(customer),
            dunning_level=level,
            dunning_blocks_credit=blocks,
            overrides=overrides,
        )
        if record:
            with recording(workspace) as space:
                _record(space, decision, run_date)
    _show(decision, json=json)


def _record(space: Workspace, decision: CreditDecision, run_date: date) -> None:
    """Record the decision in the workspace's credit log, with who and when."""
    import getpass
    from datetime import UTC, datetime

    from ecomrules.workspace.credit import SqliteCreditLog

    SqliteCreditLog(space).record(decision, on=run_date, by=getpass.getuser(), at=datetime.now(UTC))


def _show(decision: CreditDecision, *, json: bool) -> None:
    if json:
        print_json(decision.to_json())
    else:
        _print_decision(decision)
    if decision.outcome is Outcome.BLOCK:
        raise typer.Exit(ExitCode.FOUND)


@app.command()
def report(
    customers: CustomersOpt,
    open_items: ItemsOpt,
    orders: OrdersOpt = None,
    policy: PolicyOpt = None,
    as_of: AsOfOpt = None,
    dunning_levels: LevelsOpt = None,
    workspace: WorkspaceOption = None,
    amount: Annotated[
        str, typer.Option("--amount", help="Standard order amount, customer currency.")
    ] = "100",
    json: JsonOption = False,
    encoding: EncodingOption = "utf-8",
    out: OutOption = None,
    all_rows: AllOption = False,
) -> None:
    """List each customer's exposure, headroom and the outcome of a standard order.

    Many customers print a summary (the counts by outcome, the refused first);
    --all prints every customer, --out FILE writes the whole JSON document.
    """
    run_date = _as_of(as_of)
    rules = CreditPolicy() if policy is None else load_policy(policy)
    people = read_input(read_customers, customers, "customers", encoding)
    read = read_input(read_open_items, open_items, "items", encoding)
    with reading(workspace) as space:
        items = unpaid(read, space)
        book = build_book(people, rules, run_date, items, orders, encoding=encoding)
        with_reservations(book, space)
        levels = dunning_standing(dunning_levels, space, items, encoding)
    try:
        standard = to_decimal(amount)
    except ValueError:
        raise typer.BadParameter(f"{amount!r} is not a decimal", param_hint="--amount") from None
    with step("deciding", total=len(book.customers), unit="customers") as bar:
        decisions = standard_decisions(book, levels, standard, progress=bar.advance)
    if json or out is not None:
        document = {
            "as_of": run_date.isoformat(),
            "customers": Stream((_row(d) for d in decisions), len(decisions)),
        }
        emit_json(document, out, json, lambda: _report_summary(run_date, decisions))
    if not json:
        _print_report(decisions, all_rows=all_rows, out=out)


def _report_summary(run_date: date, decisions: list[CreditDecision]) -> dict[str, Any]:
    """What ``report --json --out`` prints on stdout: the customers counted by outcome."""
    outcomes = Counter(d.outcome.value for d in decisions)
    return {
        "as_of": run_date.isoformat(),
        "customers": len(decisions),
        "outcomes": dict(sorted(outcomes.items())),
    }


def _report_table(decisions: Sequence[CreditDecision], title: str | None = None) -> Table:
    """One row a customer that reads at 80 columns: reason codes under the outcome."""
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0)
    )
    table.add_column("customer", overflow="fold", ratio=1)
    table.add_column("cur", no_wrap=True)
    for name in ("exposure", "overdue", "limit", "headroom"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("standard order", overflow="fold", min_width=18)
    for d in decisions:
        codes = "\n".join(code.removeprefix("credit.") for code in d.codes())
        table.add_row(
            d.customer_id,
            d.exposure_before.currency.code,
            str(d.exposure_before.amount),
            str(d.exposure.overdue.amount),
            "-" if d.limit is None else str(d.limit.amount),
            "-" if d.headroom is None else str(d.headroom.amount),
            f"{d.outcome.value}\n{codes}" if codes else d.outcome.value,
        )
    return table


def _print_report(
    decisions: list[CreditDecision], *, all_rows: bool = True, out: Path | None = None
) -> None:
    """Every customer, or with many and not ``all_rows`` the counts and the refused first."""
    if all_rows or len(decisions) <= SHOWN_ROWS:
        console.print(_report_table(decisions))
        return
    outcomes = Counter(d.outcome for d in decisions)
    console.print(
        f"{len(decisions):,} customer(s): "
        + ", ".join(f"{o.value} {outcomes[o]:,}" for o in Outcome if outcomes[o]),
        markup=False,
    )
    refused = [d for d in decisions if d.outcome.severity >= Outcome.REQUIRE_PREPAYMENT.severity]
    if refused:
        shown = refused[:SHOWN_ROWS]
        console.print(_report_table(shown, f"Refused on account ({len(refused):,})"))
        rows_note(len(shown), len(refused), "refused customers", out)
    shown = decisions[:SHOWN_ROWS]
    console.print(_report_table(shown, "First customers"))
    rows_note(len(shown), len(decisions), "customers", out)


@app.command()
def release(
    order_id: Annotated[str, typer.Argument(help="The order whose reservation ends.")],
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Drop an order's credit reservation (invoiced or cancelled)."""
    from ecomrules.workspace.credit import SqliteReservationStore

    with recording(workspace) as space:
        found = SqliteReservationStore(space).release(order_id)
        path = space.path
    if json:
        print_json({"order_id": order_id, "released": found, "workspace": str(path)})
        return
    console.print(f"{order_id}: {'released' if found else 'no reservation'}")


def standard_decisions(
    book: ExposureBook,
    levels: dict[str, tuple[int, bool]],
    amount: Decimal,
    *,
    progress: Callable[[int], None] | None = None,
) -> list[CreditDecision]:
    """Decide on a standard order (``amount`` on account) for every customer, by id.

    ``progress`` is called with 1 for each customer decided.
    """
    out = []
    for customer in sorted(book.customers.values(), key=lambda c: c.id):
        order = Order(
            f"standard-{customer.id}",
            customer.id,
            Money(amount, customer.currency),
            PaymentMethod.INVOICE,
        )
        level, blocks = levels.get(customer.id, (0, False))
        out.append(
            decide(
                order,
                customer,
                book.exposure(customer.id),
                book.policy,
                book.as_of,
                group=book.group(customer),
                dunning_level=level,
                dunning_blocks_credit=blocks,
            )
        )
        if progress is not None:
            progress(1)
    return out


def _row(decision: CreditDecision) -> dict[str, Any]:
    row = decision.to_json()
    del row["order_id"], row["override"]
    row["exposure"] = decision.exposure.to_json()
    return row


def _customer(people: list[Customer], customer_id: str, source: Path) -> Customer:
    for person in people:
        if person.id == customer_id:
            return person
    raise InputError(
        str(source), [f"{source.name}: customer_id {customer_id!r} is not in customers.csv"]
    )


def _overrides(
    order: Order, who: str | None, why: str | None, until: str | None
) -> tuple[Override, ...]:
    return _overrides_of(order.id, who, why, until)


def _overrides_of(
    order_id: str, who: str | None, why: str | None, until: str | None
) -> tuple[Override, ...]:
    given = [who, why, until]
    if all(value is None for value in given):
        return ()
    if who is None or why is None or until is None:
        raise typer.BadParameter(
            "an override needs --override-by, --override-why and --override-until"
        )
    return (Override(who, why, date_option(until, "--override-until"), order_id=order_id),)


def _as_of(text: str | None) -> date:
    return date.today() if text is None else date_option(text, "--as-of")


def _print_decision(decision: CreditDecision) -> None:
    console.print(
        f"order {decision.order_id} for {decision.customer_id}: "
        f"[bold]{decision.outcome.value}[/bold]"
    )
    for reason in decision.reasons:
        console.print(f"  {reason.code}: {reason.message}", markup=False)
    console.print(
        f"  exposure {decision.exposure_before} -> {decision.exposure_after}; "
        f"limit {decision.limit or '-'}; headroom {decision.headroom or '-'}",
        markup=False,
    )


def demo_section(ctx: DemoContext) -> dict[str, Any]:
    """The demo's credit section: the bundled orders decided, and every customer's headroom."""
    from ecomrules import demo as dataset

    rules = load_policy(dataset.path("credit-policy.toml"))
    levels = dunning_standing(dataset.path("dunning-levels.csv"), None, list(ctx.open_items))
    book = ExposureBook.build(
        ctx.customers,
        rules,
        ctx.as_of,
        open_items=ctx.open_items,
        open_orders=read_orders(dataset.path("orders.csv")),
    )
    people = {customer.id: customer for customer in ctx.customers}
    decisions = []
    for order in read_order_documents(dataset.path("credit-orders.jsonl")):
        customer = people[order.customer_id]
        decisions.append(
            decide(
                order,
                customer,
                book.exposure(customer.id),
                rules,
                ctx.as_of,
                group=book.group(customer),
                dunning_level=levels.get(customer.id, (0, False))[0],
            )
        )
    if not ctx.quiet:
        codes = [[code.removeprefix("credit.") for code in d.codes()] for d in decisions]
        widest = max((len(code) for row in codes for code in row), default=7)
        table = Table(
            title="Credit decisions", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0)
        )
        table.add_column("order", overflow="fold")
        table.add_column("customer", overflow="fold")
        table.add_column("outcome", no_wrap=True)
        table.add_column("exposure\nafter", justify="right", no_wrap=True)
        table.add_column("headroom", justify="right", no_wrap=True, min_width=8)
        table.add_column("reasons", no_wrap=True, min_width=min(widest, 28), overflow="fold")
        for d, reasons in zip(decisions, codes, strict=True):
            table.add_row(
                d.order_id,
                d.customer_id,
                d.outcome.value,
                str(d.exposure_after),
                "-" if d.headroom is None else str(d.headroom),
                "\n".join(reasons),
            )
        console.print(table)
    return {
        "decisions": [d.to_json() for d in decisions],
        "customers": [_row(d) for d in standard_decisions(book, levels, Decimal(100))],
    }
