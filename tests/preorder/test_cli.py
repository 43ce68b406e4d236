"""``ecomrules preorder plan|board`` and the demo's pre-order section."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from ecomrules import demo
from ecomrules.inputs.preorders import read_preorder_inputs
from ecomrules.preorder import plan_release
from ecomrules.testing.golden import assert_golden
from ecomrules.time import zone

FILES = [
    "--products",
    str(demo.path("products.csv")),
    "--orders",
    str(demo.path("preorders.csv")),
    "--supply",
    str(demo.path("supply.csv")),
    "--carriers",
    str(demo.path("carriers.csv")),
    "--as-of",
    "2026-11-20",
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", *args], capture_output=True, text=True, check=False
    )


def test_plan_json_lists_lines_and_alerts() -> None:
    out = run("preorder", "plan", *FILES, "--json")
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    lines = {(line["order_id"], line["sku"]): line for line in document["lines"]}
    first = lines[("O-1001", "BG-ARK")]
    assert {k: first[k] for k in ("order_id", "sku", "allocated", "ship_on", "status")} == {
        "order_id": "O-1001",
        "sku": "BG-ARK",
        "allocated": 10,
        "ship_on": "2026-12-02",
        "status": "scheduled",
    }
    assert first["expected_delivery"] == "2026-12-04"
    codes = {(alert["code"], alert["sku"]) for alert in document["alerts"]}
    assert ("preorder.alert.cutoff_soon", "BG-ARK") in codes
    assert ("preorder.alert.cutoff_passed", "VG-NEB") in codes


def test_replan_from_a_saved_plan_shows_the_changes(tmp_path: Path) -> None:
    saved = tmp_path / "old.json"
    saved.write_text(run("preorder", "plan", *FILES, "--json").stdout)
    later = run(
        "preorder",
        "plan",
        *FILES,
        "--json",
        "--priority",
        "paid_first",
        "--replan-from",
        str(saved),
    )
    assert later.returncode == 0, later.stderr
    changes = json.loads(later.stdout)["changes"]
    assert {"order_id": "O-1008", "sku": "VG-NEB", "code": "preorder.replan.allocation",
            "before": "8", "after": "5"} in changes  # fmt: skip


def test_board_renders_and_fails_on_alerts_when_asked() -> None:
    out = run("preorder", "board", *FILES)
    assert out.returncode == 0, out.stderr
    assert "Pre-order board" in out.stdout
    assert "BG-ARK" in out.stdout
    assert run("preorder", "board", *FILES, "--fail-on-alerts").returncode == 1
    document = json.loads(run("preorder", "board", *FILES, "--json").stdout)
    assert [row["sku"] for row in document["products"]] == ["BG-ARK", "BK-ART", "VG-NEB"]


def test_bad_input_exits_2_naming_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "supply.csv"
    bad.write_text("sku,quantity,arrival\nBG-ARK,ten,2026-12-01\n")
    args = [a if a != str(demo.path("supply.csv")) else str(bad) for a in FILES]
    out = run("preorder", "plan", *args)
    assert out.returncode == 2
    assert "supply.csv:2: column 'quantity'" in out.stderr
    assert "Traceback" not in out.stderr


def test_demo_has_a_preorder_section() -> None:
    out = run("demo", "--json")
    assert out.returncode == 0, out.stderr
    section = json.loads(out.stdout)["preorders"]
    assert [row["sku"] for row in section["board"]] == ["BG-ARK", "BK-ART", "VG-NEB"]
    assert section["extra_shipments"] == 2
    held = [a for a in section["alerts"] if a["code"] == "preorder.alert.stock_held"]
    assert held == [
        {
            "code": "preorder.alert.stock_held",
            "held": 12,
            "message": "12 units in the warehouse held by the embargo until "
            "2026-12-04T00:00:00+01:00",
            "release_at": "2026-12-04T00:00:00+01:00",
            "severity": "info",
            "sku": "BG-ARK",
        }
    ]


def test_demo_plan_matches_its_golden_file() -> None:
    inputs = read_preorder_inputs(
        products=demo.path("products.csv"),
        orders=demo.path("preorders.csv"),
        supply=demo.path("supply.csv"),
        carriers=demo.path("carriers.csv"),
    )
    result = plan_release(
        products=inputs.products,
        lines=inputs.lines,
        supply=inputs.supply,
        warehouse=inputs.warehouse,
        carriers=inputs.carriers,
        as_of=datetime(2026, 11, 20, tzinfo=zone("Europe/Paris")),
    )
    assert_golden(result.to_json(), Path(__file__).parent / "golden" / "demo-plan.json")


def test_a_calendar_file_closes_the_warehouse(tmp_path: Path) -> None:
    calendar = tmp_path / "closed.csv"
    calendar.write_text("date,name\n2026-12-02,inventory\n")
    out = run("preorder", "plan", *FILES, "--json", "--calendar", str(calendar))
    assert out.returncode == 0, out.stderr
    lines = {(line["order_id"], line["sku"]): line for line in json.loads(out.stdout)["lines"]}
    # Closed on Wednesday 2nd: leaving on Tuesday would arrive before the Friday release,
    # so the strict street date waits for Thursday and a Monday delivery.
    martin = lines[("O-1001", "BG-ARK")]
    assert (martin["ship_on"], martin["expected_delivery"]) == ("2026-12-03", "2026-12-07")
    assert martin["reasons"][-1]["code"] == "preorder.schedule.after_release"
