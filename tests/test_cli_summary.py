"""Large results: a text summary by default, ``--all`` for every row, ``--out`` written once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ecomrules import demo
from ecomrules.cli.app import main

ITEMS_HEADER = "id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    out = capsys.readouterr()
    code = stop.value.code
    return (code if isinstance(code, int) else 0), out.out, out.err


@pytest.fixture
def books(tmp_path: Path) -> tuple[Path, Path]:
    """60 invoices, 55 lines paying one each by reference, 5 lines paying nothing known."""
    items = tmp_path / "open-items.csv"
    lines = tmp_path / "statement.csv"
    with items.open("w", encoding="utf-8") as handle:
        handle.write(ITEMS_HEADER)
        for k in range(60):
            handle.write(
                f"I{k:03d},FA-2026-{k:04d},C{k % 7},Customer {k % 7},EUR,"
                f"{100 + k}.50,{100 + k}.50,2026-10-01,2026-10-31\n"
            )
    with lines.open("w", encoding="utf-8") as handle:
        handle.write("id,booking_date,amount,currency,counterparty,label,reference\n")
        for k in range(55):
            handle.write(
                f"L{k:03d},2026-11-10,{100 + k}.50,EUR,Customer {k % 7},VIR,FA-2026-{k:04d}\n"
            )
        for k in range(5):
            handle.write(f"X{k:03d},2026-11-10,9{k}1.13,EUR,Somebody,GIFT {k},\n")
    return items, lines


def test_a_large_result_prints_a_summary_and_all_prints_every_row(
    capsys: pytest.CaptureFixture[str], books: tuple[Path, Path]
) -> None:
    items, lines = books
    args = ("reconcile", "--open-items", str(items), "--statement", str(lines))
    code, summary, _ = run(capsys, *args)
    assert code == 0
    assert "55 auto, 0 to review, 5 unmatched line(s), 5 open item(s) left" in summary
    assert "unmatched by reason:" in summary
    assert "showing 20 of 55 matches (--all for every row)" in summary
    assert "L019" in summary
    assert "L054" not in summary
    code, everything, _ = run(capsys, *args, "--all")
    assert code == 0
    assert all(f"L{k:03d}" in everything for k in range(55))
    assert "showing" not in everything


def test_json_out_writes_the_document_once_and_stdout_gets_a_summary(
    capsys: pytest.CaptureFixture[str], books: tuple[Path, Path], tmp_path: Path
) -> None:
    items, lines = books
    target = tmp_path / "result.json"
    args = ("reconcile", "--open-items", str(items), "--statement", str(lines))
    code, out, _ = run(capsys, *args, "--json", "--out", str(target))
    assert code == 0
    assert json.loads(out) == {
        "lines": 60,
        "matches": {"auto": 55},
        "out": str(target),
        "payouts": 0,
        "issues": 0,
        "previously_committed_lines": 0,
        "unmatched_items": 5,
        "unmatched_lines": 5,
    }
    code, full, _ = run(capsys, *args, "--json")
    assert code == 0
    assert target.read_text(encoding="utf-8") == full  # the same bytes, written once
    document = json.loads(full)
    assert len(document["matches"]) == 55
    assert full == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_out_without_json_writes_the_file_and_prints_the_summary(
    capsys: pytest.CaptureFixture[str], books: tuple[Path, Path], tmp_path: Path
) -> None:
    items, lines = books
    target = tmp_path / "result.json"
    code, out, _ = run(capsys, "reconcile", "--open-items", str(items), "--statement", str(lines),
                       "--out", str(target))  # fmt: skip
    assert code == 0
    assert len(json.loads(target.read_text(encoding="utf-8"))["matches"]) == 55
    assert f"every row is in {target}" in out


@pytest.fixture
def ledger(tmp_path: Path) -> tuple[Path, Path]:
    """30 customers of limit 1,000 EUR; C005, C015 and C025 owe 5,000 EUR (over the limit)."""
    people = tmp_path / "customers.csv"
    items = tmp_path / "open-items.csv"
    people.write_text(
        "id,name,currency,credit_limit\n"
        + "".join(f"C{k:03d},Customer {k},EUR,1000.00\n" for k in range(30)),
        encoding="utf-8",
    )
    with items.open("w", encoding="utf-8") as handle:
        handle.write(ITEMS_HEADER)
        for k in range(30):
            owed = "5000.00" if k % 10 == 5 else "10.00"
            handle.write(
                f"I{k:03d},FA-{k:04d},C{k:03d},Customer {k},EUR,{owed},{owed},"
                "2026-11-01,2026-12-31\n"
            )
    return people, items


def test_credit_report_prints_a_summary_refused_first_and_all_every_customer(
    capsys: pytest.CaptureFixture[str], ledger: tuple[Path, Path], tmp_path: Path
) -> None:
    people, items = ledger
    args = ("credit", "report", "--customers", str(people), "--open-items", str(items),
            "--as-of", "2026-11-20")  # fmt: skip
    code, summary, _ = run(capsys, *args)
    assert code == 0
    assert "30 customer(s): allow 27, require_prepayment 3" in summary
    refused = summary[summary.index("Refused on account (3)") : summary.index("First customers")]
    assert [f"C{k:03d}" in refused for k in (5, 15, 25)] == [True, True, True]
    assert "showing 20 of 30 customers (--all for every row)" in summary
    assert "C029" not in summary
    code, everything, _ = run(capsys, *args, "--all")
    assert all(f"C{k:03d}" in everything for k in range(30))
    assert "showing" not in everything
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, *args, "--json", "--out", str(target))
    assert json.loads(out) == {
        "as_of": "2026-11-20",
        "customers": 30,
        "outcomes": {"allow": 27, "require_prepayment": 3},
        "out": str(target),
    }
    code, full, _ = run(capsys, *args, "--json")
    assert target.read_text(encoding="utf-8") == full
    assert len(json.loads(full)["customers"]) == 30


def test_preorder_plan_prints_a_summary_and_all_prints_every_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = demo.path("products.csv").parent
    header, *rows = (folder / "preorders.csv").read_text(encoding="utf-8").splitlines()
    orders = tmp_path / "preorders.csv"
    copies = [row.replace("O-", f"O{k}-", 1) for k in range(3) for row in rows]  # 51 lines
    orders.write_text("\n".join([header, *copies]) + "\n", encoding="utf-8")
    args = ("preorder", "plan", "--products", str(folder / "products.csv"),
            "--orders", str(orders), "--supply", str(folder / "supply.csv"),
            "--carriers", str(folder / "carriers.csv"), "--as-of", "2026-11-20")  # fmt: skip
    code, summary, _ = run(capsys, *args)
    assert code == 0
    assert re.search(r"^51 line\(s\): ", summary, re.MULTILINE)
    assert "showing 20 of 51 lines (--all for every row)" in summary
    table = summary.split("Why")[0]
    assert len([row for row in table.splitlines() if row.startswith("│ O")]) == 20
    assert "O2-1001" not in table  # sorted by order: the third copy comes last
    code, everything, _ = run(capsys, *args, "--all")
    table = everything.split("Why")[0]
    assert len([row for row in table.splitlines() if row.startswith("│ O")]) == 51
    assert "showing" not in everything
    target = tmp_path / "plan.json"
    code, out, _ = run(capsys, *args, "--json", "--out", str(target))
    counts = json.loads(out)
    assert counts["lines"] == 51 == sum(counts["statuses"].values())
    assert counts["out"] == str(target)
    code, full, _ = run(capsys, *args, "--json")
    assert target.read_text(encoding="utf-8") == full
