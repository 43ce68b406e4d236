"""``ecomrules demo``: run every engine on the bundled example shop and report.

Each area adds a section: a function that takes the :class:`DemoContext` and
returns a JSON-ready dict, and renders itself on the console unless ``--json``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_EVEN
from typing import Annotated, Any

import typer
from attrs import frozen
from rich.table import Table

from ecomrules import demo as dataset
from ecomrules.cli.output import console, print_json
from ecomrules.inputs import read_customers, read_open_items
from ecomrules.ledger import Customer, OpenItem
from ecomrules.money import Money, sum_money

__all__ = ["SECTIONS", "DemoContext", "demo"]


@frozen
class DemoContext:
    """What the demo sections share: the bundled data and the run's date."""

    as_of: date
    customers: tuple[Customer, ...]
    open_items: tuple[OpenItem, ...]
    quiet: bool


def receivables(ctx: DemoContext) -> dict[str, Any]:
    """The shop's open receivables per customer: open and overdue amounts."""
    rows: list[dict[str, Any]] = []
    table = Table("customer", "name", "items", "open", "overdue", title="Open receivables")
    for customer in ctx.customers:
        items = [i for i in ctx.open_items if i.partner_id == customer.id]
        open_total = sum_money((i.residual for i in items), currency=customer.currency)
        overdue = sum_money(
            (i.residual for i in items if i.due_date < ctx.as_of), currency=customer.currency
        )
        rows.append(
            {
                "customer_id": customer.id,
                "name": customer.name,
                "items": len(items),
                "open": str(open_total.amount),
                "overdue": str(overdue.amount),
                "currency": customer.currency.code,
            }
        )
        table.add_row(
            customer.id, customer.name, str(len(items)), _show(open_total), _show(overdue)
        )
    if not ctx.quiet:
        console.print(table)
    return {"customers": rows}


def _reconcile(ctx: DemoContext) -> dict[str, Any]:
    from ecomrules.cli.reconcile import demo_section

    return demo_section(ctx)


SECTIONS: dict[str, Callable[[DemoContext], dict[str, Any]]] = {
    "receivables": receivables,
    "reconcile": _reconcile,
}
"""The demo's sections, in the order they run."""


def demo(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Run date (YYYY-MM-DD); default: the dataset's.")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Run every engine on the bundled example shop and print a report."""
    run_date = dataset.AS_OF if as_of is None else _parse_date(as_of)
    ctx = DemoContext(
        as_of=run_date,
        customers=tuple(read_customers(dataset.path("customers.csv"))),
        open_items=tuple(read_open_items(dataset.path("open-items.csv"))),
        quiet=json,
    )
    if not json:
        console.print(f"[bold]ecomrules demo[/bold]: a small online shop on {run_date}")
    report = {name: section(ctx) for name, section in SECTIONS.items()}
    if json:
        print_json({"as_of": run_date.isoformat(), **report})


def _show(amount: Money) -> str:
    return str(amount.rounded(rounding=ROUND_HALF_EVEN))


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--as-of"
        ) from None
