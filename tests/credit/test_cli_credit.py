"""``ecomrules credit check|report|release`` and the demo's credit section."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ecomrules.demo import path as demo_path

DATA = [
    "--customers",
    str(demo_path("customers.csv")),
    "--open-items",
    str(demo_path("open-items.csv")),
    "--orders",
    str(demo_path("orders.csv")),
    "--policy",
    str(demo_path("credit-policy.toml")),
    "--dunning-levels",
    str(demo_path("dunning-levels.csv")),
    "--as-of",
    "2026-11-20",
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", *args], capture_output=True, text=True, check=False
    )


def order_file(tmp_path: Path, **fields: object) -> str:
    doc = {"id": "T-1", "customer_id": "C001", "currency": "EUR", "amount": "100.00"}
    doc.update(fields)
    file = tmp_path / "order.json"
    file.write_text(json.dumps(doc), encoding="utf-8")
    return str(file)


def test_check_prints_the_decision_as_json(tmp_path: Path) -> None:
    out = run("credit", "check", *DATA, "--order", order_file(tmp_path), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["outcome"] == "allow"
    assert [r["code"] for r in doc["reasons"]] == ["credit.tier_exempt", "credit.limit_ok"]
    assert doc["exposure_before"] == "1650.00"
    assert doc["exposure_after"] == "1750.00"
    assert doc["limit"] == "5000.00"
    assert doc["headroom"] == "3250.00"


def test_a_block_exits_1_and_other_outcomes_exit_0(tmp_path: Path) -> None:
    blocked = run("credit", "check", *DATA, "--order", order_file(tmp_path, customer_id="C002"))
    assert blocked.returncode == 1
    assert "block" in blocked.stdout
    assert "credit.overdue_beyond_grace" in blocked.stdout
    prepay = run("credit", "check", *DATA, "--order", order_file(tmp_path, customer_id="C004"))
    assert prepay.returncode == 0
    assert "require_prepayment" in prepay.stdout


def test_an_override_from_the_command_line_lifts_the_block(tmp_path: Path) -> None:
    out = run(
        "credit", "check", *DATA, "--order", order_file(tmp_path, customer_id="C002"), "--json",
        "--override-by", "dana", "--override-why", "paid by wire today",
        "--override-until", "2026-11-30",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["outcome"] == "allow"
    assert doc["override"]["who"] == "dana"


def test_bad_input_exits_2_naming_the_place(tmp_path: Path) -> None:
    out = run("credit", "check", *DATA, "--order", order_file(tmp_path, amount=12.5))
    assert out.returncode == 2
    assert "order.json" in out.stderr
    assert "Traceback" not in out.stderr
    unknown = run("credit", "check", *DATA, "--order", order_file(tmp_path, customer_id="C999"))
    assert unknown.returncode == 2
    assert "C999" in unknown.stderr


@pytest.mark.parametrize("content", ["", "\n", "id,number\n"])
def test_an_empty_open_items_file_is_refused_not_read_as_nothing_open(
    tmp_path: Path, content: str
) -> None:
    """A 0-byte open-items file turned require_prepayment into warn: no open item, no overdue."""
    order = order_file(tmp_path, customer_id="C002")
    assert run("credit", "check", *DATA, "--order", order).returncode == 1  # blocked: overdue
    empty = tmp_path / "open-items.csv"
    empty.write_text(content, encoding="utf-8")
    args = [str(empty) if value == str(demo_path("open-items.csv")) else value for value in DATA]
    out = run("credit", "check", *args, "--order", order, "--workspace", str(tmp_path / "w.db"))
    assert out.returncode == 2, out.stdout
    assert "open-items.csv" in out.stderr
    assert "Traceback" not in out.stderr


def test_reserve_in_a_workspace_counts_the_first_order_for_the_second(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws.db")
    first = order_file(tmp_path, id="R-1", amount="3000.00")
    out = run("credit", "check", *DATA, "--order", first, "--reserve", "--workspace", ws, "--json")
    assert json.loads(out.stdout)["outcome"] == "warn"
    (tmp_path / "second").mkdir()
    second = order_file(tmp_path / "second", id="R-2", amount="1000.00")
    out = run("credit", "check", *DATA, "--order", second, "--reserve", "--workspace", ws, "--json")
    doc = json.loads(out.stdout)
    assert doc["outcome"] == "require_prepayment"
    assert doc["exposure_before"] == "4650.00"
    released = run("credit", "release", "R-1", "--workspace", ws)
    assert "released" in released.stdout


def test_report_lists_every_customer() -> None:
    out = run("credit", "report", *DATA, "--json")
    assert out.returncode == 0, out.stderr
    rows = {row["customer_id"]: row for row in json.loads(out.stdout)["customers"]}
    assert sorted(rows) == ["C001", "C002", "C003", "C004", "C005", "C006"]
    assert rows["C004"]["exposure_before"] == "1715.50"
    assert rows["C004"]["outcome"] == "require_prepayment"
    assert rows["C006"]["outcome"] == "require_prepayment"
    assert rows["C001"]["exposure"]["scheduled"] == "600.00"


def test_report_refuses_a_bad_amount() -> None:
    out = run("credit", "report", *DATA, "--amount", "1,5")
    assert out.returncode == 2


@pytest.fixture(scope="module")
def demo() -> dict[str, object]:
    out = run("demo", "--json")
    assert out.returncode == 0, out.stderr
    section: dict[str, object] = json.loads(out.stdout)["credit"]
    return section


def test_the_demo_shows_every_outcome(demo: dict[str, object]) -> None:
    decisions = demo["decisions"]
    assert isinstance(decisions, list)
    outcomes = {d["order_id"]: d["outcome"] for d in decisions}
    assert outcomes == {
        "SO-6001": "allow",
        "SO-6002": "warn",
        "SO-6003": "require_prepayment",
        "SO-6004": "block",
        "SO-6005": "allow",
        "SO-6006": "warn",
    }


def test_dunning_levels_come_from_the_workspace_history(tmp_path: Path) -> None:
    from ecomrules.workspace import Workspace
    from ecomrules.workspace.dunning import SqliteDunningStore

    ws = tmp_path / "ws.db"
    with Workspace(ws) as space:
        SqliteDunningStore(space)
        space.connection.executemany(
            "INSERT INTO dunning_events (key, item_id, customer_id, level, rank, sent_on, "
            "notice_key, block_credit, handover) VALUES (?, ?, ?, ?, ?, ?, '', ?, NULL)",
            [
                ("k1", "INV-1001", "C001", "reminder", 1, "2026-10-20", 0),
                ("k2", "INV-1001", "C001", "formal_notice", 3, "2026-11-10", 1),
                ("k3", "PAID-1", "C003", "formal_notice", 3, "2026-11-10", 1),
            ],
        )
    data = [
        arg for arg in DATA if arg not in ("--dunning-levels", str(demo_path("dunning-levels.csv")))
    ]
    out = run(
        "credit", "check", *data, "--order", order_file(tmp_path), "--workspace", str(ws), "--json"
    )
    assert out.returncode == 1, out.stderr
    reasons = json.loads(out.stdout)["reasons"]
    assert reasons[-1]["code"] == "credit.dunning_level"
    assert "blocks credit" in reasons[-1]["message"]
    paid = order_file(tmp_path, customer_id="C003", amount="10.00")
    out = run("credit", "check", *data, "--order", paid, "--workspace", str(ws), "--json")
    assert json.loads(out.stdout)["outcome"] == "allow"


@pytest.mark.parametrize("attempt", range(4))  # a race: one attempt in four failed to open
def test_two_processes_reserving_at_once_cannot_share_the_headroom(
    tmp_path: Path, attempt: int
) -> None:
    ws = str(tmp_path / "ws.db")
    files = []
    for n in (1, 2):
        (tmp_path / str(n)).mkdir()
        files.append(order_file(tmp_path / str(n), id=f"P-{n}", amount="3000.00"))
    command = [sys.executable, "-m", "ecomrules", "credit", "check", *DATA, "--json"]
    runs = [
        subprocess.Popen(
            [*command, "--order", file, "--reserve", "--workspace", ws],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for file in files
    ]
    finished = [p.communicate() for p in runs]
    assert [p.returncode for p in runs] == [0, 0], [err for _, err in finished]
    outcomes = sorted(json.loads(out)["outcome"] for out, _ in finished)
    assert outcomes == ["require_prepayment", "warn"]
