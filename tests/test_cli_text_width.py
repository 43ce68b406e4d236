"""Text output that reads at 80 columns: no id cut short, no reason code broken mid-word."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from rich.console import Console

from ecomrules import demo
from ecomrules.cli import credit, dunning, parse, preorder, reconcile
from ecomrules.cli.app import main
from ecomrules.money import Money
from ecomrules.parsing.model import LineKind, ParseResult, Statement, StatementLine


@pytest.fixture
def screen(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """Every CLI module prints on one 80-column console that records."""
    recorded = io.StringIO()
    narrow = Console(file=recorded, width=80, highlight=False, soft_wrap=False)
    for module in (credit, dunning, parse, preorder, reconcile):
        monkeypatch.setattr(module, "console", narrow)
    return recorded


def test_parse_shows_whole_line_ids(screen: io.StringIO) -> None:
    lines = tuple(
        StatementLine(
            id=f"1234Test/{k}",
            kind=LineKind.TRANSFER,
            booked_on=date(2026, 11, 19),
            amount=Money("12.50", "EUR"),
            label="VIREMENT SEPA RECU DE LIBRAIRIE MARTIN SARL POUR LA FACTURE FA-2026-1001",
            references=("FA-2026-1001",),
        )
        for k in range(1, 4)
    )
    parse._render(ParseResult("bank.camt053", "camt.xml", (Statement("FR76", None, lines),)))
    text = screen.getvalue()
    assert all(len(row) <= 80 for row in text.splitlines())
    for k in range(1, 4):
        assert f"1234Test/{k}" in text
    assert "1234Test/1…" not in text


def test_the_demo_breaks_no_reason_code(screen: io.StringIO) -> None:
    with pytest.raises(SystemExit):
        main(["demo"])
    text = screen.getvalue()
    assert all(len(row) <= 80 for row in text.splitlines())
    for code in (
        "reference.structured",
        "combination.subset_sum",
        "amount.within_tolerance",
        "overdue_beyond_grace",
        "require_prepayment",
        "formal_notice",
    ):
        assert code in text
    assert "…" not in text


def test_preorder_plan_gives_each_line_one_row_and_its_why_under_the_table(
    screen: io.StringIO,
) -> None:
    folder = demo.path("products.csv").parent
    with pytest.raises(SystemExit):
        main(
            ["preorder", "plan", "--products", str(folder / "products.csv"),
             "--orders", str(folder / "preorders.csv"), "--supply", str(folder / "supply.csv"),
             "--carriers", str(folder / "carriers.csv"), "--as-of", "2026-11-20"]
        )  # fmt: skip
    text = screen.getvalue()
    table = text.split("Why")[0]
    rows = [row for row in table.splitlines() if row.startswith("│ O-")]
    assert len(rows) >= 8
    assert not [row for row in table.splitlines() if re.match(r"│ +│", row)]  # nothing wraps
    assert "got 10 of 10; ships 2026-12-02, expected on release day" in text
    assert all(len(row) <= 80 for row in text.splitlines())


def test_credit_report_keeps_amounts_and_codes_whole(screen: io.StringIO) -> None:
    with pytest.raises(SystemExit):
        main(["credit", "report", "--customers", str(demo.path("customers.csv")),
              "--open-items", str(demo.path("open-items.csv")), "--as-of", "2026-11-20",
              "--workspace", "absent.db"])  # fmt: skip
    text = screen.getvalue()
    assert all(len(row) <= 80 for row in text.splitlines())
    assert re.search(r"C001 +EUR +1650\.00 +1730\.40 +5000\.00 +3250\.00 +block", text)
    assert "overdue_beyond_grace" in text
    assert "…" not in text
