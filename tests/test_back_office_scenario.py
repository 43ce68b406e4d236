"""The whole back office through one workspace, from the command line, as a shop runs it.

The shop works in one folder: the first command that records creates
``./ecomrules.db`` there, and every later command finds it without being told.
Reconciliation commits the bank's payments, dunning then reminds only what is
still unpaid, and credit sees the payments, the dunning levels and the orders
reserved meanwhile.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ecomrules import demo
from ecomrules.inputs import read_open_items
from ecomrules.reconcile import MatchResult, MatchStatus
from ecomrules.reconcile.result import Allocation, Match
from ecomrules.reconcile.store import commit_matches
from ecomrules.workspace import Workspace
from ecomrules.workspace.reconcile import SqliteMatchStore

if TYPE_CHECKING:
    from conftest import Cli

ITEMS = ["--open-items", str(demo.path("open-items.csv"))]
CUSTOMERS = ["--customers", str(demo.path("customers.csv"))]
STATEMENTS = [
    *("--statement", str(demo.path("bank-statement.csv"))),
    *("--statement", str(demo.path("reconcile-statement.csv"))),
]
DUNNING = ["dunning", "plan", *ITEMS, *CUSTOMERS, "--policy", "fr-b2b", "--json"]


def run_json(cli: Cli, shop: Path, *args: str) -> Any:
    done = cli(*args, "--json", cwd=shop)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def reminded(cli: Cli, shop: Path, as_of: str) -> dict[str, str]:
    plan = run_json(cli, shop, *DUNNING, "--as-of", as_of)
    return {i["item_id"]: i["amount_due"] for n in plan["notices"] for i in n["items"]}


def exposures(cli: Cli, shop: Path, as_of: str) -> dict[str, dict[str, Any]]:
    report = run_json(cli, shop, "credit", "report", *ITEMS, *CUSTOMERS, "--as-of", as_of)
    return {row["customer_id"]: row for row in report["customers"]}


def test_reconcile_dunning_and_credit_see_each_others_records(tmp_path: Path, cli: Cli) -> None:
    shop = tmp_path
    before = reminded(cli, shop, "2026-11-20")
    assert before["INV-1001"] == "1250.00"
    assert exposures(cli, shop, "2026-11-20")["C001"]["exposure_before"] == "1650.00"
    assert not (shop / "ecomrules.db").exists()  # reading commands create nothing

    # 1. the bank statements: the payments are committed in ./ecomrules.db
    committed = cli("reconcile", *ITEMS, *STATEMENTS, "--commit", cwd=shop)
    assert committed.returncode == 0, committed.stderr
    assert "recorded 8 accepted allocation(s) in ecomrules.db" in committed.stderr
    again = run_json(cli, shop, "reconcile", *ITEMS, *STATEMENTS)
    assert {m["status"] for m in again["matches"]} == {"review"}  # nothing proposed twice
    assert "BNK-2026-1116-01" in again["previously_committed_lines"]
    assert "INV-1005" not in again["unmatched_items"]  # 737.50 paid, 2.50 written off

    # 2. dunning reminds what is still unpaid, and only that
    after = reminded(cli, shop, "2026-11-20")
    assert "INV-1001" not in after  # paid in full by BNK-2026-1116-01
    assert after["INV-1003"] == "1700.00"  # 1,500.00 of 3,200.00 paid
    assert after["INV-1004"] == "499.90"  # 500.00 of 999.90 paid
    for as_of in ("2026-11-20", "2026-12-20"):
        sent = cli("dunning", "commit", *DUNNING[2:-1], "--as-of", as_of, cwd=shop)
        assert sent.returncode == 0, sent.stderr

    # 3. credit: the payments lower exposure, a dunning level counts, a reservation holds
    book = exposures(cli, shop, "2026-12-20")
    assert book["C001"]["exposure_before"] == "0.00"  # INV-1001, INV-1002 and CN-0042 settled
    assert book["C002"]["exposure_before"] == "2199.90"
    assert book["C003"]["exposure_before"] == "0.00"  # the write-off settled INV-1005
    assert "credit.dunning_level" in [r["code"] for r in book["C002"]["reasons"]]
    order = shop / "order.json"
    order.write_text(
        '{"id": "SO-7001", "customer_id": "C001", "currency": "EUR", "amount": "1000.00"}',
        encoding="utf-8",
    )
    check = ["credit", "check", *ITEMS, *CUSTOMERS, "--as-of", "2026-12-20", "--order", str(order)]
    reserved = run_json(cli, shop, *check, "--reserve")
    assert reserved["outcome"] == "allow"
    assert reserved["exposure_before"] == "0.00"
    book = exposures(cli, shop, "2026-12-20")
    assert book["C001"]["exposure"]["reserved"] == "1000.00"
    assert book["C001"]["exposure_before"] == "1000.00"
    (shop / "other").mkdir()
    other = shop / "other" / "order.json"
    other.write_text(order.read_text(encoding="utf-8").replace("SO-7001", "SO-7002"))
    second = run_json(cli, shop, *check[:-1], str(other))  # a plain check counts it too
    assert second["exposure_before"] == "1000.00"


def test_a_dunning_commit_leaves_out_a_payment_committed_while_it_planned(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reconcile commit lands after the dunning run read the workspace, before it records.

    The dunning run plans again under the lock, on the payments as they are
    now: the invoice the bank paid meanwhile is neither reminded nor recorded.
    """
    import ecomrules.cli.dunning

    workspace = tmp_path / "ws.db"
    items = read_open_items(demo.path("open-items.csv"))
    paid = Match("BNK-9", MatchStatus.AUTO, 0.99, (Allocation("INV-1001", 125000, "EUR"),), "EUR")
    engine = ecomrules.cli.dunning.plan
    calls: list[int] = []

    def planning(*args: Any, **kwargs: Any) -> Any:
        calls.append(len(args[0]))
        if len(calls) == 1:  # the bank's payment is committed by another run meanwhile
            with Workspace(workspace) as other:
                commit_matches(SqliteMatchStore(other), MatchResult((paid,), (), ()), items)
        return engine(*args, **kwargs)

    monkeypatch.setattr(ecomrules.cli.dunning, "plan", planning)
    sent = run_json(
        cli,
        tmp_path,
        *DUNNING[:1],
        "commit",
        *DUNNING[2:],
        "--as-of",
        "2026-11-20",
        "--workspace",
        str(workspace),
    )
    assert calls == [len(items), len(items) - 1]  # planned again, without INV-1001
    printed = {i["item_id"] for n in sent["notices"] for i in n["items"]}
    assert "INV-1001" not in printed
    assert printed  # the other reminders are sent
    with sqlite3.connect(workspace) as db:
        recorded = {row[0] for row in db.execute("SELECT item_id FROM dunning_events")}
    assert recorded == printed
