"""``ecomrules credit``: check an order's credit, report every customer's exposure.

``check`` exits with 1 when the decision is ``block`` (0 for allow, warn and
require_prepayment), 2 on bad input.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ecomrules.cli.output import ExitCode, check_run_date, console, print_json
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
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


def build_book(
    customers: list[Customer],
    policy: CreditPolicy,
    as_of: date,
    open_items: list[OpenItem],
    orders: Path | None,
    *,
    skip_order: str | None = None,
) -> ExposureBook:
    """Put the open items and orders into a book (the order being checked left out)."""
    open_orders = [] if orders is None else read_orders(orders)
    return ExposureBook.build(
        customers,
        policy,
        as_of,
        open_items=open_items,
        open_orders=[o for o in open_orders if o.id != skip_order],
    )


def dunning_standing(
    levels_file: Path | None, space: Workspace | None, open_items: list[OpenItem]
) -> dict[str, tuple[int, bool]]:
    """Each customer's highest dunning level and whether it blocks credit.

    From ``levels_file`` when given (no credit block flag there); otherwise
    from the dunning history in the workspace, if there is one, counting only
    items still open.
    """
    if levels_file is not None:
        return {c: (level, False) for c, level in read_dunning_levels(levels_file).items()}
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
    customers: CustomersOpt,
    open_items: ItemsOpt,
    order: Annotated[Path, typer.Option("--order", help="order.json: the order to check")],
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
        bool, typer.Option("--reserve", help="Reserve the order's amount in the workspace.")
    ] = False,
    workspace: WorkspaceOption = None,
    json: JsonOpt = False,
) -> None:
    """Decide whether an order may be taken on account: allow, warn, require_prepayment, block.

    Exit code 1 when the decision is block.
    """
    run_date = _as_of(as_of)
    rules = CreditPolicy() if policy is None else load_policy(policy)
    the_order = read_order(order)
    people = read_customers(customers)
    customer = _customer(people, the_order.customer_id, order)
    read = read_open_items(open_items)
    overrides = _overrides(the_order, override_by, override_why, override_until)
    if reserve:
        from ecomrules.workspace.credit import SqliteReservationStore

        with recording(workspace) as space:
            items = unpaid(read, space)
            book = build_book(people, rules, run_date, items, orders, skip_order=the_order.id)
            standing = dunning_standing(dunning_levels, space, items)
            level, blocks = standing.get(customer.id, (0, False))
            decision = decide_and_reserve(
                SqliteReservationStore(space),
                book,
                the_order,
                dunning_level=level,
                dunning_blocks_credit=blocks,
                overrides=overrides,
            )
    else:
        with reading(workspace) as seen:
            items = unpaid(read, seen)
            book = build_book(people, rules, run_date, items, orders, skip_order=the_order.id)
            with_reservations(book, seen, skip_order=the_order.id)
            standing = dunning_standing(dunning_levels, seen, items)
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
    json: JsonOpt = False,
) -> None:
    """List each customer's exposure, headroom and the outcome of a standard order."""
    run_date = _as_of(as_of)
    rules = CreditPolicy() if policy is None else load_policy(policy)
    people = read_customers(customers)
    read = read_open_items(open_items)
    with reading(workspace) as space:
        items = unpaid(read, space)
        book = build_book(people, rules, run_date, items, orders)
        with_reservations(book, space)
        levels = dunning_standing(dunning_levels, space, items)
    try:
        standard = to_decimal(amount)
    except ValueError:
        raise typer.BadParameter(f"{amount!r} is not a decimal", param_hint="--amount") from None
    decisions = standard_decisions(book, levels, standard)
    if json:
        print_json({"as_of": run_date.isoformat(), "customers": [_row(d) for d in decisions]})
        return
    table = Table("customer", "exposure", "overdue", "limit", "headroom", "standard order")
    for d in decisions:
        table.add_row(
            d.customer_id,
            str(d.exposure_before),
            str(d.exposure.overdue),
            "-" if d.limit is None else str(d.limit),
            "-" if d.headroom is None else str(d.headroom),
            f"{d.outcome.value} ({', '.join(d.codes())})",
        )
    console.print(table)


@app.command()
def release(
    order_id: Annotated[str, typer.Argument(help="The order whose reservation ends.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Drop an order's credit reservation (invoiced or cancelled)."""
    from ecomrules.workspace.credit import SqliteReservationStore

    with recording(workspace) as space:
        found = SqliteReservationStore(space).release(order_id)
    console.print(f"{order_id}: {'released' if found else 'no reservation'}")


def standard_decisions(
    book: ExposureBook, levels: dict[str, tuple[int, bool]], amount: Decimal
) -> list[CreditDecision]:
    """Decide on a standard order (``amount`` on account) for every customer, by id."""
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
    given = [who, why, until]
    if all(value is None for value in given):
        return ()
    if who is None or why is None or until is None:
        raise typer.BadParameter(
            "an override needs --override-by, --override-why and --override-until"
        )
    return (Override(who, why, _date(until, "--override-until"), order_id=order.id),)


def _as_of(text: str | None) -> date:
    return date.today() if text is None else check_run_date(_date(text, "--as-of"))


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = f"{text!r} is not a date (YYYY-MM-DD)"
        raise typer.BadParameter(message, param_hint=option) from None


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
        table = Table(
            "order",
            "customer",
            "outcome",
            "exposure after",
            "headroom",
            "reasons",
            title="Credit decisions",
        )
        for d in decisions:
            table.add_row(
                d.order_id,
                d.customer_id,
                d.outcome.value,
                str(d.exposure_after),
                "-" if d.headroom is None else str(d.headroom),
                "\n".join(code.removeprefix("credit.") for code in d.codes()),
            )
        console.print(table)
    return {
        "decisions": [d.to_json() for d in decisions],
        "customers": [_row(d) for d in standard_decisions(book, levels, Decimal(100))],
    }
