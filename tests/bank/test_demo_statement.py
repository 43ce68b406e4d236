"""The demo shop's bank statement: read by detection, and paying the open items it claims."""

from __future__ import annotations

from decimal import Decimal

from ecomrules import demo
from ecomrules.inputs import read_open_items
from ecomrules.parsing.registry import parse_file


def test_demo_statement_is_detected_and_clean() -> None:
    (result,) = parse_file(demo.path("bank-statement.csv"))
    assert result.parser == "bank.csv"
    assert result.issues == ()
    assert all(line.booked_on <= demo.AS_OF for line in result.lines)


def test_demo_statement_pays_the_demo_items() -> None:
    (result,) = parse_file(demo.path("bank-statement.csv"))
    items = {item.id: item for item in read_open_items(demo.path("open-items.csv"))}
    by_reference = {line.references[0]: line for line in result.lines if line.references}
    full = by_reference["RF18539007547034"]
    assert full.amount == items["INV-1001"].residual  # C001 pays INV-1001 in full
    assert full.counterparty is not None
    assert full.counterparty.iban == items["INV-1001"].iban
    partial = by_reference["FA-2026-1003"]
    assert Decimal(0) < partial.amount.amount < items["INV-1003"].residual.amount  # C002, partly
    assert any(line.amount.amount < 0 for line in result.lines)  # unrelated outgoing lines
