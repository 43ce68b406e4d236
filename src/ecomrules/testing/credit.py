"""Builders and hypothesis strategies for credit tests (imports hypothesis).

The builders make small customers, open items and orders in one line, so a
scenario test reads like its spec; the strategies draw open items and orders
for property tests.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from ecomrules.credit import Order, PaymentMethod
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.money import Money

__all__ = ["make_customer", "make_item", "make_order", "open_items", "payment_methods"]


def make_customer(
    id: str = "C1",
    *,
    limit: str | None = "1000.00",
    currency: str = "EUR",
    group_id: str | None = None,
    tier: str | None = None,
    warning_message: str | None = None,
    blocking_message: str | None = None,
    created_on: date | None = None,
) -> Customer:
    """A customer with a limit given as text (``None`` for no limit)."""
    return Customer(
        id=id,
        name=f"Customer {id}",
        currency=currency,
        credit_limit=None if limit is None else Money(Decimal(limit), currency),
        group_id=group_id,
        tier=tier,
        warning_message=warning_message,
        blocking_message=blocking_message,
        created_on=created_on,
    )


def make_item(
    id: str,
    residual: str,
    *,
    as_of: date,
    days_overdue: int = -10,
    partner: str = "C1",
    currency: str = "EUR",
    status: ItemStatus = ItemStatus.OPEN,
    promise_until: date | None = None,
) -> OpenItem:
    """An open item due ``days_overdue`` days before ``as_of`` (negative: not yet due)."""
    due = as_of - timedelta(days=days_overdue)
    money = Money(Decimal(residual), currency)
    return OpenItem(
        id=id,
        number=id,
        partner_id=partner,
        partner_name=partner,
        amount=money,
        residual=money,
        issue_date=due - timedelta(days=30),
        due_date=due,
        status=status,
        promise_until=promise_until,
    )


def make_order(
    amount: str = "100.00",
    *,
    id: str = "SO-1",
    customer_id: str = "C1",
    method: PaymentMethod = PaymentMethod.INVOICE,
    currency: str = "EUR",
) -> Order:
    """An order without lines."""
    return Order(id, customer_id, Money(Decimal(amount), currency), method)


def payment_methods() -> st.SearchStrategy[PaymentMethod]:
    """Any payment method."""
    return st.sampled_from(list(PaymentMethod))


def open_items(
    as_of: date, *, partner: str = "C1", max_size: int = 8
) -> st.SearchStrategy[list[OpenItem]]:
    """Lists of EUR open items of one customer with distinct ids, due around ``as_of``."""
    one = st.tuples(
        st.decimals(min_value=Decimal("-200"), max_value=Decimal("3000"), places=2),
        st.integers(min_value=-60, max_value=200),
        st.sampled_from(list(ItemStatus)),
    )
    return st.lists(one, max_size=max_size).map(
        lambda rows: [
            make_item(
                f"I{index}",
                str(amount),
                as_of=as_of,
                days_overdue=days,
                partner=partner,
                status=status,
                promise_until=as_of if status is ItemStatus.PROMISED else None,
            )
            for index, (amount, days, status) in enumerate(rows)
        ]
    )
