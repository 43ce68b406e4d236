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
    document = json.loads(out.read_text(encoding="utf-8"))  # written once, to --out
    assert json.loads(done.stdout)["out"] == str(out)  # stdout: a summary
    by_line = {m["line_id"]: m for m in document["matches"]}
    assert by_line["D002"]["status"] == "auto"
    assert by_line["D002"]["allocations"] == [
        {"item_id": "CN-0042", "amount": "-80.40"},
        {"item_id": "INV-1002", "amount": "480.40"},
    ]
    assert by_line["D003"]["reasons"][-1] == "reconcile.combination.subset_sum"
    assert by_line["D004"]["write_off"] == "2.50"
    assert by_line["D006"]["status"] == "review"
    assert document["unmatched_lines"] == ["D007", "D008"]  # D007 is a payout: no report given
    assert set(document["unmatched_items"]) == {"INV-1001", "INV-1003", "INV-1009", "INV-1010"}


def test_table_by_default() -> None:
    done = run("--open-items", ITEMS, "--statement", STATEMENT)
    assert done.returncode == 0, done.stderr
    assert "4 auto, 1 to review, 2 unmatched line(s)" in done.stdout


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
    assert len(document["previously_committed_lines"]) == 4
    # D005 paid 500.00 of INV-1004: the rest stays open for the next run
    assert "INV-1004" in document["unmatched_items"]


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
    statuses = {m["line_id"]: m["status"] for m in section["matches"]}
    assert statuses["D003"] == "auto"
    assert statuses["D007"] == "auto"  # the Stripe payout, tied out to the cent
    assert section["payouts"][0]["ties_out"] is True
    assert section["unmatched_items"] == ["INV-1009"]


def test_statements_in_registered_formats_are_read(tmp_path: Path) -> None:
    done = run(
        "--open-items",
        ITEMS,
        "--statement",
        str(demo.path("bank-statement.csv")),
        "--statement",
        str(demo.path("stripe-payout.csv")),
        "--json",
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    by_line = {m["line_id"]: m for m in document["matches"]}
    assert by_line["txn_3Qdemo5030"]["allocations"] == [{"item_id": "INV-1010", "amount": "59.90"}]
    assert by_line["txn_1QdemoRadar"]["reasons"] == ["reconcile.own_line.fee"]


def test_the_items_are_kept_only_when_a_commit_needs_their_residuals() -> None:
    from ecomrules.cli.reconcile import run_reconcile

    kept_result, _, kept = run_reconcile(Path(ITEMS), [Path(STATEMENT)])
    let_go_result, _, let_go = run_reconcile(Path(ITEMS), [Path(STATEMENT)], keep_items=False)
    assert len(kept) == 11
    assert kept[0].id == "INV-1001"
    assert let_go == []
    assert let_go_result == kept_result


def test_invalid_ibans_are_reported_in_the_json_document(tmp_path: Path) -> None:
    items = tmp_path / "open-items.csv"
    items.write_text(
        "id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date,iban\n"
        "I1,FA-1,N1,Atelier Dupont Martin SARL,EUR,70.00,70.00,2026-10-01,2026-10-31,"
        "FR7630006000011234567890188\n"
        "I2,FA-2,N1,Atelier Dupont Martin SARL,EUR,30.00,30.00,2026-10-01,2026-10-31,\n"
        "I3,FA-3,N2,Atelier Dupont Martin SAS,EUR,70.00,70.00,2026-10-01,2026-10-31,\n",
        encoding="utf-8",
    )
    statement = tmp_path / "bank.csv"
    statement.write_text(
        "id,booking_date,value_date,amount,currency,counterparty,iban,label,reference\n"
        "B1,2026-11-02,2026-11-02,100.00,EUR,ATELIER DUPONT MARTIN SARL,"
        "FR7630006000011234567890188,virement,\n",
        encoding="utf-8",
    )
    done = run("--open-items", str(items), "--statement", str(statement), "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [(i["record"], i["id"], i["code"]) for i in document["issues"]] == [
        ("item", "I1", "reconcile.iban_invalid"),
        ("line", "B1", "reconcile.iban_invalid"),
    ]
    (match,) = document["matches"]  # the exact name leads to the customer's two invoices
    assert match["status"] == "auto"
    assert [a["item_id"] for a in match["allocations"]] == ["I1", "I2"]
    assert "reconcile.iban_invalid" in match["reasons"]


def _bad_statement(path: Path) -> Path:
    path.write_text(
        "id,booking_date,amount,currency,reference\n"
        "S1,2026-11-02,10.00,EUR,INV-1\n"
        "S2,2026-11-31,10.00,EUR,INV-2\n",
        encoding="utf-8",
    )
    return path


def test_a_bad_statement_read_beside_the_open_items_is_named_with_line_and_column(
    tmp_path: Path,
) -> None:
    """The statement is read by a thread while the open items are converted: its error is
    the command's, with file, line and column, exit 2 and no traceback."""
    statement = _bad_statement(tmp_path / "statement.csv")
    done = run("--open-items", ITEMS, "--statement", str(statement), "--json")
    assert done.returncode == 2
    assert "statement.csv:3: column 'booking_date': '2026-11-31' is not a date" in done.stdout
    assert "Traceback" not in done.stderr


def test_when_both_files_are_bad_the_open_items_are_named_first(tmp_path: Path) -> None:
    items = tmp_path / "open-items.csv"
    lines = Path(ITEMS).read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("EUR", "EURO", 1)
    items.write_text("\n".join(lines) + "\n", encoding="utf-8")
    statement = _bad_statement(tmp_path / "statement.csv")
    done = run("--open-items", str(items), "--statement", str(statement))
    assert done.returncode == 2
    assert "open-items.csv:3: column 'currency': 'EURO'" in done.stderr
    assert "statement.csv" not in done.stderr
