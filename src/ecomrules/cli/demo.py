"""``ecomrules demo``: run every engine on the bundled example shop and report.

Each area adds a section: a function that takes the :class:`DemoContext` and
returns a JSON-ready dict, and renders itself on the console unless ``--json``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_EVEN
from pathlib import Path
from typing import Annotated, Any

import typer
from attrs import frozen
from rich.table import Table

from ecomrules import demo as dataset
from ecomrules.cli.analytics import demo_section as analytics_section
from ecomrules.cli.output import JsonOption, console, date_option, print_json
from ecomrules.cli.preorder import demo_section as preorder_section
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


def credit(ctx: DemoContext) -> dict[str, Any]:
    """Credit decisions on the bundled orders (see :mod:`ecomrules.cli.credit`)."""
    from ecomrules.cli.credit import demo_section

    return demo_section(ctx)


def _reconcile(ctx: DemoContext) -> dict[str, Any]:
    from ecomrules.cli.reconcile import demo_section

    return demo_section(ctx)


def dunning(ctx: DemoContext) -> dict[str, Any]:
    """Today's reminders under the French B2B policy.

    The shop already sent Games & Co GmbH (C002) two reminders for FA-2026-1003,
    so that invoice reaches the formal notice, with the flat indemnity and
    late interest. Yesterday's bank statement (``dunning-bank.sta``, MT940)
    shows Comics Corner paying FA-2026-1008: that invoice is held as a
    payment in transit. The letters are signed by the bundled sender profile
    (``sender.toml``), with its bank details and payment reference.
    """
    from ecomrules.dunning import DunningEvent, DunningHistory, load_policy, load_sender, plan
    from ecomrules.parsing.registry import parse_file

    (bank,) = parse_file(dataset.path("dunning-bank.sta"))

    history = DunningHistory(
        events=[
            DunningEvent("INV-1003", "C002", "reminder_1", 1, date(2026, 9, 16), "demo-1"),
            DunningEvent("INV-1003", "C002", "reminder_2", 2, date(2026, 9, 30), "demo-2"),
        ]
    )
    result = plan(
        ctx.open_items,
        ctx.customers,
        history,
        load_policy("fr-b2b"),
        ctx.as_of,
        in_transit=bank.lines,
        bank_data_as_of=max(line.booked_on for line in bank.lines),
        sender=load_sender(dataset.path("sender.toml")),
    )
    if not ctx.quiet:
        from ecomrules.cli.dunning import render_plan

        render_plan(result)
    notices = [
        {
            "customer_id": n.customer_id,
            "level": n.level,
            "channel": None if n.channel is None else n.channel.value,
            "items": [{"item_id": i.item_id, "level": i.level} for i in n.items],
            "charges": [
                {"kind": c.kind.value, "item_id": c.item_id, "amount": str(c.amount)}
                for c in n.charges
            ],
            "totals": [str(total) for total in n.totals],
            "subject": None if n.letter is None else n.letter.subject,
        }
        for n in result.notices
    ]
    holds = [{"item_id": h.item_id, "reason": h.reason.code} for h in result.holds]
    issues = [issue.code for issue in result.issues]
    return {"policy": result.policy, "notices": notices, "holds": holds, "issues": issues}


SECTIONS: dict[str, Callable[[DemoContext], dict[str, Any]]] = {
    "receivables": receivables,
    "credit": credit,
    "dunning": dunning,
    "preorders": preorder_section,
    "reconcile": _reconcile,
    "analytics": analytics_section,
}
"""The demo's sections, in the order they run."""


def demo(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Run date (YYYY-MM-DD); default: the dataset's.")
    ] = None,
    json: JsonOption = False,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Write the demo's input files into this folder, to start from; no run.",
        ),
    ] = None,
) -> None:
    """Run every engine on the bundled example shop and print a report."""
    if export is not None:
        written = dataset.export(export)
        if json:
            print_json({"exported": [str(copy) for copy in written], "folder": str(export)})
        else:
            for copy in written:
                console.print(str(copy), markup=False, highlight=False)
            console.print(f"wrote {len(written)} demo input file(s) into {export}", markup=False)
        return
    run_date = dataset.AS_OF if as_of is None else date_option(as_of, "--as-of")
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
