"""The streaming readers give the same result whatever the size of the blocks they read."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomrules.bank.camt import Camt052Parser, Camt053Parser, Camt054Parser
from ecomrules.bank.camt import stream as camt_stream
from ecomrules.bank.csv import CsvParser, load_csv_config
from ecomrules.bank.csv import parser as csv_parser
from ecomrules.parsing.base import Parser

CASES = Path(__file__).parent / "cases"
XML = {
    "camt053_v08_batch.xml": Camt053Parser(),
    "camt053_v02_concatenated.xml": Camt053Parser(),
    "camt053_v04_impossible_date.xml": Camt053Parser(),
    "camt054_v04_qrr.xml": Camt054Parser(),
    "camt052_v06_pending.xml": Camt052Parser(),
}
CSV = {
    "csv_default.csv": CsvParser(),
    "csv_debit_credit.csv": CsvParser(load_csv_config(CASES / "csv_debit_credit.toml")),
    "csv_flag.tsv": CsvParser(load_csv_config(CASES / "csv_flag.json")),
}


def _document(parser: Parser, case: str) -> object:
    result = parser.parse((CASES / case).read_bytes(), source=case, on_error="collect")
    return result.to_json(), [line.raw for line in result.lines]


@pytest.mark.parametrize("block", [1, 7, 64, 1000])
@pytest.mark.parametrize("case", sorted(XML))
def test_camt_blocks(monkeypatch: pytest.MonkeyPatch, case: str, block: int) -> None:
    expected = _document(XML[case], case)
    monkeypatch.setattr(camt_stream, "_BLOCK", block)
    assert _document(XML[case], case) == expected


@pytest.mark.parametrize("block", [1, 2, 5, 64])
@pytest.mark.parametrize("case", sorted(CSV))
def test_csv_blocks(monkeypatch: pytest.MonkeyPatch, case: str, block: int) -> None:
    expected = _document(CSV[case], case)
    monkeypatch.setattr(csv_parser, "_BLOCK", block)
    assert _document(CSV[case], case) == expected


def test_csv_cr_only_line_ends_split_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (CASES / "csv_default.csv").read_bytes().replace(b"\r\n", b"\r")
    expected = CsvParser().parse(data, source="cr.csv")
    monkeypatch.setattr(csv_parser, "_BLOCK", 3)
    again = CsvParser().parse(data, source="cr.csv")
    assert again.to_json() == expected.to_json()
    assert [str(line.location) for line in again.lines] == ["cr.csv:2", "cr.csv:3", "cr.csv:5"]
