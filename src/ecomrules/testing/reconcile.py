"""Builders for reconciliation tests: terse open items and statement lines in EUR.

``item("A", "120.00")`` is an open invoice ``INV-A`` of 120.00 EUR for
partner ``C1``; ``line("L1", "120.00", refs=("INV-A",))`` a bank credit.
``paid_twice(folder, 200)`` writes the files of two clerks committing at once.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ecomrules.ledger import OpenItem
from ecomrules.money import Money
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine

if TYPE_CHECKING:
    from ecomrules.reconcile.result import MatchResult

__all__ = ["DAY", "decision_digest", "item", "line", "paid_twice"]

DAY = date(2026, 11, 10)
"""The booking date of the built lines unless given."""


def item(
    id: str,
    residual: str,
    *,
    partner: str = "C1",
    name: str = "Librairie Martin SARL",
    number: str | None = None,
    reference: str | None = None,
    iban: str | None = None,
    due: date = date(2026, 11, 1),
    order_id: str | None = None,
) -> OpenItem:
    """An open item in EUR whose residual is its amount."""
    amount = Money(Decimal(residual), "EUR")
    return OpenItem(
        id=id,
        number=number or f"INV-{id}",
        partner_id=partner,
        partner_name=name,
        amount=amount,
        residual=amount,
        issue_date=due - timedelta(days=30),
        due_date=due,
        reference=reference,
        order_id=order_id,
        iban=iban,
    )


def line(
    id: str,
    amount: str,
    *,
    label: str = "",
    refs: tuple[str, ...] = (),
    name: str | None = None,
    iban: str | None = None,
    kind: LineKind = LineKind.TRANSFER,
    fee: str | None = None,
    on: date = DAY,
    payout_id: str | None = None,
) -> StatementLine:
    """A statement line in EUR; ``fee`` makes it a PSP line with ``gross = amount + fee``."""
    net = Money(Decimal(amount), "EUR")
    fee_money = None if fee is None else Money(Decimal(fee), "EUR")
    return StatementLine(
        id=id,
        kind=kind,
        booked_on=on,
        amount=net,
        label=label,
        references=refs,
        counterparty=Counterparty(name=name, iban=iban) if name or iban else None,
        fee=fee_money,
        gross=None if fee_money is None else net + fee_money,
        payout_id=payout_id,
    )


_ITEMS_HEADER = (
    "id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date,"
    "reference,order_id,iban,status,promise_until,partner_vat\n"
)
_LINES_HEADER = "id,booking_date,value_date,amount,currency,counterparty,iban,label,reference\n"


def paid_twice(folder: Path, invoices: int) -> tuple[Path, list[Path]]:
    """Write ``open-items.csv`` and two bank statements (``A.csv``, ``B.csv``) into ``folder``.

    The open items are ``invoices`` invoices of the demo's customers (``C001``
    to ``C006``), due 2026-10-15; each statement pays every one of them in
    full, by its number in the label, on 2026-11-16. Two runs committing one
    statement each on one workspace must settle each invoice once.
    """
    items, lines = [_ITEMS_HEADER], [_LINES_HEADER]
    for n in range(invoices):
        amount = f"{100 + n}.{n % 100:02d}"
        items.append(
            f"INV-{n:05d},FA-{n:05d},C{1 + n % 6:03d},Partner {n % 6},EUR,{amount},{amount},"
            f"2026-09-15,2026-10-15,,SO-{n:05d},,open,,\n"
        )
        lines.append(
            f"{{bank}}-{n:05d},2026-11-16,2026-11-16,{amount},EUR,Partner {n % 6},,"
            f"VIR FACTURE FA-{n:05d},\n"
        )
    open_items = folder / "open-items.csv"
    open_items.write_text("".join(items), encoding="utf-8")
    statements = []
    for bank in ("A", "B"):
        statement = folder / f"{bank}.csv"
        statement.write_text("".join(lines).replace("{bank}", bank), encoding="utf-8")
        statements.append(statement)
    return open_items, statements


def decision_digest(result: MatchResult) -> str:
    """A hash of every decision of a result: status, score, allocations and reasons of each
    match, reasons and candidates of each unmatched line, the unmatched items.

    Two engines (or two versions of one) that give the same digest on the same
    data decided every line the same way.
    """
    digest = hashlib.sha256()
    for m in result.matches:
        allocations = [(a.item_id, a.units) for a in m.allocations]
        fields = (m.line_id, m.status.value, repr(m.score), allocations, m.codes)
        digest.update(repr((*fields, m.write_off, m.unallocated)).encode())
    for u in result.unmatched_lines:
        digest.update(repr((u.line_id, u.reasons, u.candidates)).encode())
    digest.update(repr(result.unmatched_items).encode())
    return digest.hexdigest()[:16]
