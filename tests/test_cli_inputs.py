"""What the commands say about input files: header problems at once, row problems capped,
separators and encodings named, empty files refused (issue 14 defects 1, 3 and 5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ecomrules.errors import InputError
from ecomrules.inputs import read_open_items
from ecomrules.inputs.orders import read_order

DEMO = Path(__file__).resolve().parents[1] / "src" / "ecomrules" / "demo"
HEADER = "id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def items_file(path: Path, header: str, rows: int, *, row: str = "") -> Path:
    line = row or "I{k},FA-{k},C001,Librairie Martin SARL,EUR,100.00,100.00,2026-09-01,2026-10-01"
    path.write_text(
        header + "\n" + "".join(line.format(k=k) + "\n" for k in range(rows)), encoding="utf-8"
    )
    return path


def dunning_plan(items: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(
        "dunning", "plan", "--open-items", items, "--customers", DEMO / "customers.csv",
        "--policy", "fr-b2b", "--as-of", "2026-11-20", *extra,
    )  # fmt: skip


def test_a_header_typo_is_one_problem_said_at_once_with_a_hint(tmp_path: Path) -> None:
    """Once: 5,000 rows with ``due`` for ``due_date`` printed two problems a row."""
    items = items_file(tmp_path / "open-items.csv", HEADER.replace("due_date", "due"), 5_000)
    out = dunning_plan(items)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "open-items.csv:1: missing column 'due_date' (is 'due' meant to be 'due_date'?)" in (
        out.stderr
    )
    assert "unknown column 'due'; did you mean 'due_date'?" in out.stderr
    assert len(out.stderr.splitlines()) <= 4


def test_a_semicolon_separated_file_is_named_as_such(tmp_path: Path) -> None:
    items = items_file(tmp_path / "open-items.csv", HEADER.replace(",", ";"), 3)
    out = dunning_plan(items)
    assert out.returncode == 2
    assert "open-items.csv:1: this file uses ';' as separator" in out.stderr


def test_a_latin_1_file_is_named_with_its_line_and_read_with_encoding(tmp_path: Path) -> None:
    path = tmp_path / "open-items.csv"
    path.write_bytes(
        (
            f"{HEADER}\n"
            "I1,FA-1,C001,Librairie Martin SARL,EUR,100.00,100.00,2026-09-01,2026-10-01\n"
            "I2,FA-2,C001,Librairie Martin Crédit,EUR,100.00,100.00,2026-09-01,2026-10-01\n"
        ).encode("latin-1")
    )
    out = dunning_plan(path)
    assert out.returncode == 2
    assert "open-items.csv:3: not UTF-8 (byte 0xe9); try --encoding latin-1" in out.stderr
    assert dunning_plan(path, "--encoding", "latin-1", "--json").returncode == 0


def test_row_problems_are_capped_on_the_terminal_and_complete_for_a_program(
    tmp_path: Path,
) -> None:
    bad = "I{k},FA-{k},C001,Martin,EUR,100.00,100.00,2026-09-01,2026-02-30"
    items = items_file(tmp_path / "open-items.csv", HEADER, 30, row=bad)
    out = dunning_plan(items)
    assert out.returncode == 2
    shown = [line for line in out.stderr.splitlines() if "'due_date'" in line]
    assert len(shown) == InputError.SHOWN
    assert "... and 10 more problem(s)" in out.stderr
    with pytest.raises(InputError) as caught:
        read_open_items(items)
    assert len(caught.value.problems) == 30
    as_json = dunning_plan(items, "--json")
    assert as_json.returncode == 2
    problems = json.loads(as_json.stdout)["error"]["problems"]
    assert len(problems) == 30
    assert {(p["line"], p["column"]) for p in problems} == {(k, "due_date") for k in range(2, 32)}


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        ("5.95e2", "'5.95e2' is not a plain decimal"),
        ("1240.505", "'1240.505' has more than 2 decimal(s) for EUR"),
    ],
)
def test_an_amount_finer_than_the_currency_or_with_an_exponent_is_refused(
    tmp_path: Path, amount: str, says: str
) -> None:
    row = f"I1,FA-1,C001,Martin,EUR,{amount},{amount},2026-09-01,2026-10-01"
    items = items_file(tmp_path / "open-items.csv", HEADER, 1, row=row)
    with pytest.raises(InputError) as caught:
        read_open_items(items)
    assert caught.value.problems[0].startswith(f"open-items.csv:2: column 'amount': {says}")


def test_an_empty_open_items_file_is_refused_and_never_relaxes_a_credit_check(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "open-items.csv"
    empty.write_bytes(b"")
    order = tmp_path / "order.json"
    order.write_text(
        '{"id": "SO-1", "customer_id": "C001", "currency": "EUR", "amount": "10.00"}',
        encoding="utf-8",
    )
    out = run(
        "credit", "check", "--customers", DEMO / "customers.csv", "--open-items", empty,
        "--order", order, "--as-of", "2026-11-20",
    )  # fmt: skip
    assert out.returncode == 2
    assert "open-items.csv: the file is empty (0 bytes)" in out.stderr


def test_a_header_only_file_says_no_rows(tmp_path: Path) -> None:
    items = items_file(tmp_path / "open-items.csv", HEADER, 0)
    out = dunning_plan(items, "--json")
    assert out.returncode == 0, out.stderr
    assert "note: open-items.csv: no rows (only a header)" in out.stderr
    assert json.loads(out.stdout)["notices"] == []


def test_an_order_amount_given_as_a_json_float_is_named_a_float(tmp_path: Path) -> None:
    order = tmp_path / "order.json"
    order.write_text(
        '{"id": "SO-1", "customer_id": "C001", "currency": "EUR", "amount": 12.5}',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_order(order)
    assert caught.value.problems == (
        "order.json:1: column 'amount': '12.5' is a JSON number with a fraction (a float): "
        "write it as a string",
    )
