"""A seeded dunning book: items, customers, a consistent history and incoming payments.

The benchmarks (``benchmarks/dunning.py``, ``benchmarks/dunning_spark.py``)
and the Spark engine's equality tests plan the same generated book, so a
figure and a test speak of the same data. Amounts are ``Decimal``; the same
seed gives the same book.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ecomrules.dunning import CustomerPause, DunningEvent, DunningHistory, ItemBlock
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.money import Currency, Money
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine

__all__ = [
    "AS_OF",
    "customer_columns",
    "generate",
    "item_columns",
    "plan_digest",
    "write_csv",
]

AS_OF = date(2026, 11, 20)
"""The run date the book is made for."""
LADDER = ("reminder_1", "reminder_2", "formal_notice")
OFFSETS = (7, 21, 45)


def generate(
    n_items: int, n_customers: int, seed: int
) -> tuple[list[OpenItem], list[Customer], DunningHistory, list[StatementLine]]:
    """Build the items, customers, a consistent history and some incoming payments."""
    rng = random.Random(seed)
    eur = Currency.of("EUR")
    languages = ("fr", "fr", "fr", "en", "de", "es")
    customers = [
        Customer(
            id=f"C{c:06d}",
            name=f"Customer {c}",
            currency=eur,
            email=None if c % 17 == 0 else f"c{c}@example.com",
            language=languages[c % len(languages)],
        )
        for c in range(n_customers)
    ]
    days = [AS_OF + timedelta(days=d) for d in range(-200, 31)]
    events: list[DunningEvent] = []
    items: list[OpenItem] = []
    lines: list[StatementLine] = []
    for index in range(n_items):
        who = rng.randrange(n_customers)
        offset = rng.randrange(-150, 25)
        due = AS_OF + timedelta(days=offset)
        cents = rng.randrange(500, 2_000_000)
        amount = Money(Decimal(cents).scaleb(-2), eur)
        roll = rng.random()
        status = ItemStatus.OPEN
        promise = None
        if roll < 0.03:
            status = ItemStatus.DISPUTED
        elif roll < 0.05:
            status = ItemStatus.PROMISED
            promise = AS_OF + timedelta(days=rng.randrange(-10, 10))
        item_id = f"I{index:07d}"
        customer_id = f"C{who:06d}"
        items.append(
            OpenItem(
                id=item_id,
                number=f"FA-{index:07d}",
                partner_id=customer_id,
                partner_name=f"Customer {who}",
                amount=amount,
                residual=amount,
                issue_date=days[offset + 200 - 30] if offset > -170 else due,
                due_date=due,
                status=status,
                promise_until=promise,
            )
        )
        overdue = -offset
        reached = sum(1 for d in OFFSETS if overdue >= d + rng.randrange(0, 10))
        for rank in range(1, reached + 1):
            events.append(
                DunningEvent(
                    item_id,
                    customer_id,
                    LADDER[rank - 1],
                    rank,
                    due + timedelta(days=OFFSETS[rank - 1] + rng.randrange(0, 3)),
                    f"dunning:{item_id}:{LADDER[rank - 1]}",
                )
            )
        if rng.random() < 0.005:
            lines.append(
                StatementLine(
                    id=f"L{index:07d}",
                    kind=LineKind.TRANSFER,
                    booked_on=AS_OF - timedelta(days=1),
                    amount=amount,
                    label=f"VIR SEPA FA-{index:07d}",
                    counterparty=Counterparty(name=f"Customer {who}"),
                )
            )
    blocks = [ItemBlock(f"I{i:07d}", AS_OF + timedelta(days=5)) for i in range(0, n_items, 997)]
    pauses = [CustomerPause(f"C{c:06d}", None) for c in range(0, n_customers, 991)]
    return items, customers, DunningHistory(events, (), blocks, pauses), lines


def item_columns(items: Sequence[OpenItem]) -> dict[str, list[Any]]:
    """The items as the columns of ``open-items.csv`` (amounts and dates as their text)."""
    return {
        "id": [i.id for i in items],
        "number": [i.number for i in items],
        "partner_id": [i.partner_id for i in items],
        "partner_name": [i.partner_name for i in items],
        "currency": [i.amount.currency.code for i in items],
        "amount": [str(i.amount.amount) for i in items],
        "residual": [str(i.residual.amount) for i in items],
        "issue_date": [i.issue_date.isoformat() for i in items],
        "due_date": [i.due_date.isoformat() for i in items],
        "reference": [i.reference or "" for i in items],
        "iban": [i.iban or "" for i in items],
        "status": [i.status.value for i in items],
        "promise_until": [
            "" if i.promise_until is None else i.promise_until.isoformat() for i in items
        ],
    }


def customer_columns(customers: Sequence[Customer]) -> dict[str, list[Any]]:
    """The customers as the columns of ``customers.csv``."""
    return {
        "id": [c.id for c in customers],
        "name": [c.name for c in customers],
        "currency": [c.currency.code for c in customers],
        "email": [c.email or "" for c in customers],
        "b2b": ["true" if c.b2b else "false" for c in customers],
        "language": [c.language for c in customers],
    }


def write_csv(path: Path, columns: Mapping[str, Sequence[Any]]) -> Path:
    """Write columns as a CSV file with a header (the documented input files' form)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        out.writerows(zip(*columns.values(), strict=True))
    return path


def plan_digest(document: Mapping[str, Any]) -> str:
    """A digest of a plan's JSON document: two engines decided alike when their digests match."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
