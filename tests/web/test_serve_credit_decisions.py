"""The credit decisions of the day: recorded by ``credit check --reserve|--record``, shown by serve.

``ecomrules credit check`` with a workspace records its decision
(:class:`ecomrules.workspace.credit.SqliteCreditLog`) with who and when; the
credit page of ``ecomrules serve`` lists the day's, each reason in words.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ecomrules import demo
from ecomrules.workspace import Workspace
from ecomrules.workspace.credit import SqliteCreditLog, SqliteReservationStore

from .test_serve_app import client, settings, shop_settings

if TYPE_CHECKING:
    from conftest import Cli

DAY = date(2026, 11, 20)
OLD_CREDIT_SCHEMA = """
    CREATE TABLE credit_reservation (
        order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, group_id TEXT,
        currency TEXT NOT NULL, amount TEXT NOT NULL, reserved_on TEXT NOT NULL
    )
"""
DATA = [
    "--customers",
    str(demo.path("customers.csv")),
    "--open-items",
    str(demo.path("open-items.csv")),
    "--orders",
    str(demo.path("orders.csv")),
    "--policy",
    str(demo.path("credit-policy.toml")),
]


def check(
    cli: Cli, tmp_path: Path, workspace: Path, *flags: str, day: str = "2026-11-20", **order: str
) -> dict:
    file = tmp_path / f"order-{order['id']}.json"
    file.write_text(json.dumps({"currency": "EUR", **order}), encoding="utf-8")
    done = cli(
        "credit", "check", *DATA, "--order", str(file), "--as-of", day,
        "--workspace", str(workspace), *flags, "--json",
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    found: dict = json.loads(done.stdout)
    return found


def logged(workspace: Path, day: date = DAY) -> list[tuple[str, str, str]]:
    with Workspace(workspace, read_only=True) as space:
        return [
            (d.order_id, d.outcome, d.decided_on.isoformat())
            for d in SqliteCreditLog(space).of_day(day)
        ]


def test_check_records_its_decision_with_reserve_or_record(cli: Cli, tmp_path: Path) -> None:
    workspace = tmp_path / "ws.db"
    check(cli, tmp_path, workspace, "--reserve", id="R-1", customer_id="C001", amount="3000.00")
    check(cli, tmp_path, workspace, "--record", id="R-2", customer_id="C003", amount="99999.00")
    check(cli, tmp_path, workspace, id="R-3", customer_id="C001", amount="10.00")  # only asks
    check(
        cli,
        tmp_path,
        workspace,
        "--record",
        day="2026-11-19",
        id="R-4",
        customer_id="C001",
        amount="1.00",
    )
    assert logged(workspace) == [
        ("R-1", "warn", "2026-11-20"),
        ("R-2", "require_prepayment", "2026-11-20"),
    ]
    assert [d[0] for d in logged(workspace, date(2026, 11, 19))] == ["R-4"]
    with Workspace(workspace, read_only=True) as space:
        first = SqliteCreditLog(space).of_day(DAY)[0]
        assert [r["code"] for r in first.reasons] == ["credit.tier_exempt", "credit.limit_near"]
        assert first.recorded_by  # the login name
        assert first.recorded_at.startswith("20")
        assert [r.order_id for r in SqliteReservationStore(space).every()] == ["R-1"]


def test_a_decision_is_recorded_with_its_reservation_or_not_at_all(
    cli: Cli, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws.db"
    with Workspace(workspace) as space:  # an older workspace: credit area at schema 1
        space.ensure_schema("credit", [OLD_CREDIT_SCHEMA])
        assert SqliteCreditLog(Workspace(workspace, read_only=True)).of_day(DAY) == []
    check(cli, tmp_path, workspace, "--reserve", id="R-1", customer_id="C001", amount="3000.00")
    assert [d[0] for d in logged(workspace)] == ["R-1"]  # upgraded, recorded


def test_the_credit_page_lists_the_decisions_of_the_day(
    cli: Cli, tmp_path: Path, demo_workspace: Path
) -> None:
    check(
        cli, tmp_path, demo_workspace, "--reserve", id="R-1", customer_id="C001", amount="3000.00"
    )
    check(
        cli, tmp_path, demo_workspace, "--record", id="R-2", customer_id="C003", amount="99999.00"
    )
    check(
        cli,
        tmp_path,
        demo_workspace,
        "--record",
        day="2026-11-19",
        id="R-0",
        customer_id="C001",
        amount="1.00",
    )
    page = client(shop_settings(demo_workspace)).get("/credit")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "Decisions of the day" in text
    assert "<td>R-1</td><td>C001</td> <td><strong>allow</strong></td>" in text
    assert "<strong>require prepayment</strong>" in text
    assert "R-0" not in text  # another day's
    assert "<code>credit.limit_exceeded</code>" in text
    assert "is over the limit 3000.00 EUR" in text  # the reason in words, as decided
    # without the inputs of the customer list, the decisions of the day still show
    bare = client(settings(demo_workspace, as_of=DAY)).get("/credit").text
    assert "needs --customers, --open-items" in bare
    assert "<td>R-1</td>" in bare
    empty = client(settings(demo_workspace, as_of=date(2026, 11, 21))).get("/credit").text
    assert "No credit decision recorded for 2026-11-21" in empty


def test_record_does_not_go_with_tryton(cli: Cli) -> None:
    done = cli("credit", "check", "--tryton", "http://127.0.0.1:9/db", "--sale", "S1", "--record")
    assert done.returncode == 2
    assert "--record does not go with --tryton" in done.stderr
    assert "Traceback" not in done.stderr
