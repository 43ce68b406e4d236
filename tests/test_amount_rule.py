"""One amount rule for every reader and the API: the currency's minor units at most, no exponent.

``1240.505 EUR`` was accepted by dunning and credit and refused by
reconcile; ``5.95e2`` was accepted. Every documented file's amount columns,
``order.json`` and the core types built by a program now refuse both, the
files naming file, line and column.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ecomrules import Money
from ecomrules.credit import OpenOrder, Order
from ecomrules.errors import FieldValueError, InputError
from ecomrules.inputs import read_customers, read_open_items
from ecomrules.inputs.orders import read_order, read_orders
from ecomrules.ledger import Customer, OpenItem
from ecomrules.reconcile.bulk import read_item_records, read_line_records

FILES = {
    "open-items.csv": (
        read_open_items,
        "id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date",
        "I1,FA-1,C1,Martin,EUR,{a},10.00,2026-09-01,2026-10-01",
        "amount",
    ),
    "customers.csv": (
        read_customers,
        "id,name,currency,credit_limit",
        "C1,Acme,EUR,{a}",
        "credit_limit",
    ),
    "orders.csv": (read_orders, "id,customer_id,currency,amount", "O1,C1,EUR,{a}", "amount"),
    "deposit-orders.csv": (
        read_orders,
        "id,customer_id,currency,amount,deposit",
        "O1,C1,EUR,2000.00,{a}",
        "deposit",
    ),
    "bank-statement.csv": (
        read_line_records,
        "id,booking_date,amount,currency",
        "L1,2026-10-01,{a},EUR",
        "amount",
    ),
    "items-for-matching.csv": (
        read_item_records,
        "id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date",
        "I1,FA-1,C1,Martin,EUR,20.00,{a},2026-09-01,2026-10-01",
        "residual",
    ),
}
SAYS = {
    "1240.505": "'1240.505' has more than 2 decimal(s) for EUR",
    "5.95e2": "'5.95e2' is not a plain decimal",
    '"1,5"': "'1,5' is not a plain decimal",
}


@pytest.mark.parametrize("amount", sorted(SAYS))
@pytest.mark.parametrize("name", sorted(FILES))
def test_every_reader_refuses_the_amount_with_file_line_and_column(
    tmp_path: Path, name: str, amount: str
) -> None:
    read, header, row, column = FILES[name]
    path = tmp_path / name
    path.write_text(f"{header}\n{row.format(a=amount)}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read(path)
    said = f"{name}:2: column '{column}': {SAYS[amount]}"
    assert [p for p in caught.value.problems if p.startswith(said)], caught.value.problems


@pytest.mark.parametrize("amount", sorted(SAYS))
def test_an_order_document_refuses_the_amount(tmp_path: Path, amount: str) -> None:
    path = tmp_path / "order.json"
    text = amount.strip('"')
    path.write_text(
        f'{{"id": "S", "customer_id": "C1", "currency": "EUR", "amount": "{text}"}}',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"order\.json:1: .*amount"):
        read_order(path)


def _item(money: Money) -> Any:
    return OpenItem("I1", "FA-1", "C1", "Martin", money, money, date(2026, 9, 1), date(2026, 10, 1))


@pytest.mark.parametrize(
    "build",
    [
        _item,
        lambda money: Customer("C1", "Acme", "EUR", credit_limit=money),
        lambda money: Order("O1", "C1", money),
        lambda money: OpenOrder("O1", "C1", money),
    ],
)
def test_the_api_refuses_an_amount_finer_than_the_currency(build: Any) -> None:
    with pytest.raises(FieldValueError, match=r"1240\.505 EUR has more than 2 decimal\(s\)"):
        build(Money("1240.505", "EUR"))
    assert build(Money("1240.50", "EUR")) is not None
