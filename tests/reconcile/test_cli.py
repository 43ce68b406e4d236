"""``ecomrules reconcile`` end to end, through a subprocess like a user."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ecomrules import demo

ITEMS = str(demo.path("open-items.csv"))
STATEMENT = str(demo.path("reconcile-statement.csv"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", "reconcile", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_json_document_has_the_documented_shape(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    done = run("--open-items", ITEMS, "--statement", STATEMENT, "--json", "--out", str(out))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert json.loads(out.read_text(encoding="utf-8")) == document
    by_line = {m["line_id"]: m for m in document["matches"]}
    assert by_line["D001"]["status"] == "auto"
    assert by_line["D001"]["allocations"] == [{"item_id": "INV-1001", "amount": "1250.00"}]
    assert by_line["D001"]["reasons"][0] == "reconcile.reference.structured"
    assert by_line["D004"]["write_off"] == "2.50"
    assert by_line["D006"]["status"] == "review"
    assert document["unmatched_lines"] == ["D008"]
    assert set(document["unmatched_items"]) == {"INV-1006", "INV-1009"}


def test_table_by_default() -> None:
    done = run("--open-items", ITEMS, "--statement", STATEMENT)
    assert done.returncode == 0, done.stderr
    assert "6 auto, 1 to review, 1 unmatched line(s)" in done.stdout


def test_commit_records_auto_matches_and_a_later_run_skips_them(tmp_path: Path) -> None:
    workspace = str(tmp_path / "ws.db")
    first = run(
        "--open-items", ITEMS, "--statement", STATEMENT, "--commit", "--workspace", workspace
    )
    assert first.returncode == 0, first.stderr
    assert "recorded" in first.stderr
    again = run("--open-items", ITEMS, "--statement", STATEMENT, "--json", "--workspace", workspace)
    document = json.loads(again.stdout)
    assert [m["line_id"] for m in document["matches"]] == ["D006"]
    assert len(document["previously_committed_lines"]) == 6
    # D005 paid 100.00 of INV-1007: the rest stays open for the next run
    assert "INV-1007" in document["unmatched_items"]


def test_bad_config_exits_2_with_every_problem(tmp_path: Path) -> None:
    config = tmp_path / "m.toml"
    config.write_text('auto_threshold = "high"\n[[blockers]]\nkind = "nope"\n', encoding="utf-8")
    done = run("--open-items", ITEMS, "--statement", STATEMENT, "--config", str(config))
    assert done.returncode == 2
    assert "$.auto_threshold" in done.stderr
    assert "$.blockers[0]" in done.stderr
    assert "Traceback" not in done.stderr


def test_demo_has_a_reconcile_section() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ecomrules", "demo", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    section = json.loads(done.stdout)["reconcile"]
    assert section["unmatched_lines"] == ["D008"]
    statuses = {m["line_id"]: m["status"] for m in section["matches"]}
    assert statuses["D003"] == "auto"
