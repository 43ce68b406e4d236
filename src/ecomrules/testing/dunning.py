"""Builders and hypothesis strategies for dunning tests (imports hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from ecomrules.dunning.history import DunningEvent
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.money import Money

__all__ = ["customer", "dunning_events", "open_item", "open_items"]


def open_item(
    item_id: str,
    due: date,
    amount: Decimal | str = "100.00",
    *,
    customer_id: str = "C1",
    currency: str = "EUR",
    residual: Decimal | str | None = None,
    status: ItemStatus = ItemStatus.OPEN,
    promise_until: date | None = None,
    reference: str | None = None,
    iban: str | None = None,
    partner_name: str | None = None,
) -> OpenItem:
    """An invoice issued 30 days before ``due`` (or on it, for early due dates)."""
    total = Money(Decimal(amount), currency)
    return OpenItem(
        id=item_id,
        number=f"FA-{item_id}",
        partner_id=customer_id,
        partner_name=partner_name or f"Customer {customer_id}",
        amount=total,
        residual=total if residual is None else Money(Decimal(residual), currency),
        issue_date=due - timedelta(days=30),
        due_date=due,
        reference=reference,
        iban=iban,
        status=status,
        promise_until=promise_until,
    )


def customer(
    customer_id: str = "C1",
    *,
    language: str = "fr",
    email: str | None = "billing@example.com",
    b2b: bool = True,
) -> Customer:
    """A EUR customer."""
    return Customer(
        id=customer_id,
        name=f"Customer {customer_id}",
        currency="EUR",
        email=email,
        language=language,
        b2b=b2b,
    )


BASE = date(2026, 1, 1)


def open_items(customers: int = 3, max_items: int = 8) -> st.SearchStrategy[list[OpenItem]]:
    """Lists of EUR invoices with unique ids over ``customers`` customers ``C0``..."""

    def build(rows: list[tuple[int, int, int, bool]]) -> list[OpenItem]:
        return [
            open_item(
                f"I{index}",
                BASE + timedelta(days=due),
                Decimal(cents).scaleb(-2),
                customer_id=f"C{who}",
                status=ItemStatus.DISPUTED if disputed else ItemStatus.OPEN,
            )
            for index, (who, due, cents, disputed) in enumerate(rows)
        ]

    row = st.tuples(
        st.integers(0, customers - 1),
        st.integers(0, 120),
        st.integers(1, 500_000),
        st.booleans(),
    )
    return st.lists(row, min_size=1, max_size=max_items).map(build)


def dunning_events(
    items: list[OpenItem], levels: list[str]
) -> st.SearchStrategy[list[DunningEvent]]:
    """Consistent histories: each item sent a prefix of the ladder on increasing days."""

    def for_item(item: OpenItem) -> st.SearchStrategy[list[DunningEvent]]:
        return st.tuples(st.integers(0, len(levels)), st.integers(0, 40), st.integers(1, 20)).map(
            lambda spec: [
                DunningEvent(
                    item.id,
                    item.partner_id,
                    levels[rank - 1],
                    rank,
                    item.due_date + timedelta(days=spec[1] + spec[2] * rank),
                    f"dunning:{item.id}:{levels[rank - 1]}",
                )
                for rank in range(1, spec[0] + 1)
            ]
        )

    return st.tuples(*(for_item(item) for item in items)).map(
        lambda groups: [event for group in groups for event in group]
    )
