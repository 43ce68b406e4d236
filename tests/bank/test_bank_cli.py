"""``ecomrules parse`` over bank files: detection, --csv-config, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CASES = Path(__file__).parent / "cases"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", *args], capture_output=True, text=True, check=False
    )


def test_parse_with_a_csv_mapping() -> None:
    out = run(
        "parse",
        str(CASES / "csv_flag.tsv"),
        "--csv-config",
        str(CASES / "csv_flag.json"),
        "--json",
        "--lenient",
    )
    assert out.returncode == 1, out.stderr  # lenient, and the file has one bad flag
    document = json.loads(out.stdout)
    assert document["parser"] == "bank.csv"
    assert [line["amount"] for line in document["statements"][0]["lines"]] == ["3200.00", "-12.50"]
    assert [issue["code"] for issue in document["issues"]] == ["bank.invalid_amount"]


def test_a_bad_mapping_exits_2_with_every_problem(tmp_path: Path) -> None:
    mapping = tmp_path / "m.json"
    mapping.write_text('{"delimiter": ";;", "amount_mode": "flag"}', encoding="utf-8")
    out = run("parse", str(CASES / "csv_flag.tsv"), "--csv-config", str(mapping))
    assert out.returncode == 2
    assert "$.delimiter" in out.stderr
    assert "$.columns.direction" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_negative_camt_file_exits_2_naming_file_and_line() -> None:
    out = run("parse", str(CASES / "camt053_v04_impossible_date.xml"))
    assert out.returncode == 2
    assert "camt053_v04_impossible_date.xml:10: Ntry/BookgDt '2026-02-30'" in out.stderr


def test_encoding_reads_a_mapped_csv_in_another_encoding(tmp_path: Path) -> None:
    text = (CASES / "csv_flag.tsv").read_text(encoding="utf-8")
    latin = tmp_path / "umsaetze.tsv"
    latin.write_bytes(text.replace("Games & Co GmbH", "Spielwaren Müller").encode("cp1252"))
    args = ("parse", str(latin), "--csv-config", str(CASES / "csv_flag.json"), "--json")
    refused = run(*args)  # the mapping says utf-8
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    read = run(*args, "--lenient", "--encoding", "cp1252")
    assert read.returncode == 1, read.stderr  # lenient, and the file has one bad flag
    lines = json.loads(read.stdout)["statements"][0]["lines"]
    assert lines[0]["counterparty"]["name"] == "Spielwaren Müller"
    unknown = run(*args, "--encoding", "klingon")
    assert unknown.returncode == 2
    assert "unknown encoding 'klingon'" in unknown.stderr
    alone = run("parse", str(CASES / "csv_flag.tsv"), "--encoding", "cp1252")
    assert alone.returncode == 2
    assert "goes with --csv-config" in alone.stderr
