"""orders.csv, order.json and dunning-levels.csv: columns, checks, every bad row at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.credit import OpenOrderStatus, PaymentMethod
from ecomrules.demo import path as demo_path
from ecomrules.errors import InputError
from ecomrules.inputs.dunning_levels import read_dunning_levels
from ecomrules.inputs.orders import read_order, read_order_documents, read_orders
from ecomrules.money import Money

HEADER = (
    "id,customer_id,currency,amount,status,payment_method,expected_invoice_date,preorder,deposit\n"
)


def test_the_demo_orders_read() -> None:
    orders = {o.id: o for o in read_orders(demo_path("orders.csv"))}
    assert orders["SO-5102"].deposit == Money(Decimal("100.00"), "EUR")
    assert orders["SO-5103"].preorder
    assert orders["SO-5103"].expected_invoice_date == date(2027, 2, 15)
    assert orders["SO-5104"].status is OpenOrderStatus.DRAFT_INVOICE
    assert orders["SO-5105"].payment_method is PaymentMethod.PREPAID
    assert len(read_order_documents(demo_path("credit-orders.jsonl"))) == 6


def test_every_bad_row_is_reported(tmp_path: Path) -> None:
    file = tmp_path / "orders.csv"
    file.write_text(
        HEADER
        + "O1,C1,EUR,10.00,shipped,invoice,,false,\n"
        + "O2,C1,EUR,10.00,confirmed,invoice,,true,\n"
        + "O3,C1,EUR,10.00,confirmed,invoice,,false,20.00\n"
        + "O4,C1,ZZZ,1o.00,confirmed,barter,,false,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_orders(file)
    problems = caught.value.problems
    assert any(p.startswith("orders.csv:2: column 'status'") for p in problems)
    assert any(p.startswith("orders.csv:3:") and "expected_invoice_date" in p for p in problems)
    assert any(p.startswith("orders.csv:4:") and "deposit" in p for p in problems)
    assert any(p.startswith("orders.csv:5: column 'currency'") for p in problems)
    assert any(p.startswith("orders.csv:5: column 'amount'") for p in problems)
    assert any(p.startswith("orders.csv:5: column 'payment_method'") for p in problems)


def test_duplicate_order_ids_are_refused(tmp_path: Path) -> None:
    file = tmp_path / "orders.csv"
    file.write_text(HEADER + "O1,C1,EUR,1,,,,,\nO1,C1,EUR,2,,,,,\n", encoding="utf-8")
    with pytest.raises(InputError, match="repeats line 2"):
        read_orders(file)


def test_an_order_document_with_lines(tmp_path: Path) -> None:
    file = tmp_path / "order.json"
    file.write_text(
        '{"id": "S", "customer_id": "C1", "currency": "EUR", "amount": "30.00",'
        ' "payment_method": "cash_on_delivery", "lines": [{"amount": "10.00"},'
        ' {"amount": "20.00", "preorder": true, "expected_invoice_date": "2027-01-01"}]}',
        encoding="utf-8",
    )
    order = read_order(file)
    assert order.payment_method is PaymentMethod.CASH_ON_DELIVERY
    assert order.lines[1].expected_invoice_date == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"id": "S", "customer_id": "C1", "currency": "EUR", "amount": 1.5}', "fraction"),
        ('{"id": "S", "customer_id": "C1", "currency": "EUR", "amount": "3",'
         ' "lines": [{"amount": "1"}]}', "lines add up to 1"),
        ('{"id": "S", "currency": "EUR", "amount": "3"}', "'customer_id': missing"),
        ('{"id": "S", "customer_id": "C1", "currency": "EUR", "amount": "3", "lines":'
         ' [{"amount": "3", "preorder": true, "expected_invoice_date": " 2027-01-01"}]}',
         "is not a date"),
        ("[1", "not valid JSON"),
    ],
)  # fmt: skip
def test_bad_order_documents(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "order.json"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_order(file)


def test_dunning_levels(tmp_path: Path) -> None:
    assert read_dunning_levels(demo_path("dunning-levels.csv")) == {"C002": 2, "C005": 3}
    file = tmp_path / "levels.csv"
    file.write_text("customer_id,level\nC1,-1\nC2,x\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_dunning_levels(file)
    assert len(caught.value.problems) == 2
