"""Builders for reconciliation tests: terse open items and statement lines in EUR.

``item("A", "120.00")`` is an open invoice ``INV-A`` of 120.00 EUR for
partner ``C1``; ``line("L1", "120.00", refs=("INV-A",))`` a bank credit.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ecomrules.ledger import OpenItem
from ecomrules.money import Money
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine

__all__ = ["DAY", "item", "line"]

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
