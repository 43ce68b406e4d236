"""Golden files: each synthetic case under cases/ parsed (lenient) and compared whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomrules.bank.csv import CsvParser, load_csv_config
from ecomrules.parsing.registry import detect
from ecomrules.parsing.source import HEAD_SIZE
from ecomrules.testing.golden import assert_golden

HERE = Path(__file__).parent
CASES = HERE / "cases"
GOLDEN = HERE / "golden"

# case file -> (expected parser name, CSV mapping file or None)
TABLE = {
    "camt053_v08_batch.xml": ("bank.camt053", None),
    "camt053_v02_concatenated.xml": ("bank.camt053", None),
    "camt053_v04_impossible_date.xml": ("bank.camt053", None),
    "camt054_v04_qrr.xml": ("bank.camt054", None),
    "camt052_v06_pending.xml": ("bank.camt052", None),
    "ofx1_sgml_1252.ofx": ("bank.ofx", None),
    "ofx2_creditcard.ofx": ("bank.ofx", None),
    "csv_default.csv": ("bank.csv", None),
    "csv_debit_credit.csv": ("bank.csv", "csv_debit_credit.toml"),
    "csv_flag.tsv": ("bank.csv", "csv_flag.json"),
}


def test_every_case_has_a_row() -> None:
    on_disk = {p.name for p in CASES.iterdir() if p.suffix not in (".toml", ".json")}
    assert on_disk == set(TABLE)


@pytest.mark.parametrize("case", sorted(TABLE))
def test_golden(case: str) -> None:
    name, mapping = TABLE[case]
    data = (CASES / case).read_bytes()
    if mapping is None:
        parser = detect(data[:HEAD_SIZE], case)
        assert parser.name == name
    else:
        parser = CsvParser(load_csv_config(CASES / mapping))
    result = parser.parse(data, source=case, on_error="collect")
    stem = case.rsplit(".", 1)[0]
    assert_golden(result.to_json(), GOLDEN / f"{stem}.expected.json")
