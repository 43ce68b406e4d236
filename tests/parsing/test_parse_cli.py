"""``ecomrules parse`` and ``ecomrules formats``: refusals, hints, names, zip members."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ecomrules.parsing.registry import all_parsers

TESTS = Path(__file__).parent.parent
BANK_CASES = TESTS / "bank" / "cases"
CONSTRUCTS = TESTS / "bank" / "constructs"


def run(*args: str, columns: int = 100) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


@pytest.mark.parametrize(
    ("name", "case", "lenient"),
    [
        ("bank.mt940", "csv_default.csv", False),
        ("bank.mt940", "ofx2_creditcard.ofx", True),
        ("bank.mt942", "csv_default.csv", True),
        ("bank.mt942", "ofx2_creditcard.ofx", False),
    ],
)
def test_a_file_of_another_format_is_refused(name: str, case: str, lenient: bool) -> None:
    out = run("parse", str(BANK_CASES / case), "--format", name, *(["--lenient"] * lenient))
    assert out.returncode == 2, out.stdout
    assert f"not an MT{name[-3:]} file" in out.stderr
    assert "Traceback" not in out.stderr


def test_plain_text_and_an_empty_file_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("just some notes\n", encoding="utf-8")
    empty = tmp_path / "empty.sta"
    empty.write_bytes(b"")
    assert run("parse", str(text), "--format", "bank.mt940").returncode == 2
    out = run("parse", str(empty), "--format", "bank.cfonb120", "--lenient")
    assert out.returncode == 2
    assert "the file is empty" in out.stderr


def test_unknown_format_is_exit_2_with_the_names() -> None:
    out = run("parse", str(BANK_CASES / "csv_default.csv"), "--format", "bank.mt941")
    assert out.returncode == 2
    assert "no parser named 'bank.mt941'" in out.stderr
    assert "bank.mt940" in out.stderr
    assert "dlocal.settlement_report" in out.stderr
    assert "Traceback" not in out.stderr


def test_strict_mismatch_says_what_does_not_tie_and_the_way_out(tmp_path: Path) -> None:
    data = (CONSTRUCTS / "mt940_block_trailers.sta").read_bytes()
    broken = tmp_path / "broken.sta"
    broken.write_bytes(data.replace(b":62F:C250110EUR620,00", b":62F:C250110EUR630,00"))
    out = run("parse", str(broken))
    assert out.returncode == 2
    assert "opening balance 500.00 + lines 120.00 = 620.00" in out.stderr
    assert "closing balance is 630.00" in out.stderr
    assert "do not tie" in out.stderr
    assert "--lenient" in out.stderr
    lenient = run("parse", str(broken), "--lenient", "--json")
    assert lenient.returncode == 1
    codes = [issue["code"] for issue in json.loads(lenient.stdout)["issues"]]
    assert codes == ["bank.balance_mismatch"]


def test_formats_json_lists_every_parser() -> None:
    out = run("formats", "--json")
    assert out.returncode == 0
    names = [entry["name"] for entry in json.loads(out.stdout)]
    assert names == [parser.name for parser in all_parsers()]


def test_formats_never_cuts_a_name_on_a_narrow_terminal() -> None:
    out = run("formats", columns=50)
    assert out.returncode == 0
    for parser in all_parsers():
        assert parser.name in out.stdout


def test_zip_members_are_reported_under_their_own_names(tmp_path: Path) -> None:
    archive = tmp_path / "statements.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(CONSTRUCTS / "mt940_block_trailers.sta", "january/bank.sta")
        zipped.write(BANK_CASES / "ofx2_creditcard.ofx", "card.ofx")
    out = run("parse", str(archive), "--json")
    assert out.returncode == 0, out.stderr
    documents = json.loads(out.stdout)["files"]
    assert [(d["source"], d["parser"]) for d in documents] == [
        (f"{archive}!card.ofx", "bank.ofx"),
        (f"{archive}!january/bank.sta", "bank.mt940"),
    ]
    text = run("parse", str(archive), columns=300)
    assert f"{archive}!january/bank.sta read by bank.mt940" in text.stdout
    assert f"{archive}!card.ofx read by bank.ofx" in text.stdout
