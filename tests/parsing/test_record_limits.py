"""Readers stay linear and bounded per record: long runs are refused, unclosed markup is
refused in one pass. (Their growth with size is measured in benchmarks/hostile_inputs.py.)"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ecomrules.bank.camt import Camt053Parser
from ecomrules.bank.csv import DEFAULT_COLUMNS, CsvParser
from ecomrules.errors import ParseError, ReadLimitError
from ecomrules.parsing.limits import ReadLimits, applied_limits
from ecomrules.parsing.registry import get_parser
from ecomrules.psp.report_rows import report_lines

CAMT_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n'
    b"<BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Id>S</Id><Ntry><AddtlNtryInf>"
)
CASES = Path(__file__).parent.parent / "bank" / "cases"
CSV_HEAD = ",".join(DEFAULT_COLUMNS).encode() + b"\n"
ROW = b"1,2026-01-05,2026-01-05,12.50,EUR,Martin,,coffee,INV-1\n"


def test_a_camt_run_without_a_tag_end_is_refused_at_the_record_limit() -> None:
    data = CAMT_HEAD + b"x" * (2 << 20) + b"</AddtlNtryInf></Ntry></Stmt>"
    with pytest.raises(ReadLimitError, match=r"camt.xml:3: a run without '>' longer than 1048576"):
        Camt053Parser().parse(data, source="camt.xml")
    with applied_limits(ReadLimits(max_record_bytes=4 << 20)), pytest.raises(ParseError) as other:
        Camt053Parser().parse(data, source="camt.xml")
    assert not isinstance(other.value, ReadLimitError)  # read to the end, then judged


class Trickle(io.BytesIO):
    """A stream that hands out a few bytes per read, so every tag is split across blocks."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(5)


@pytest.mark.parametrize("case", ["camt053_v08_batch.xml", "camt053_v02_concatenated.xml"])
def test_a_camt_file_read_in_tiny_blocks_gives_the_same_lines(case: str) -> None:
    data = (CASES / case).read_bytes()
    whole = Camt053Parser().parse(data, source=case).lines
    trickled = list(Camt053Parser().iter_lines(Trickle(data), source=case))
    assert [(x.id, x.amount, x.location) for x in trickled] == [
        (x.id, x.amount, x.location) for x in whole
    ]
    assert whole


def test_a_bank_csv_read_in_tiny_blocks_gives_the_same_lines() -> None:
    data = (CASES / "csv_default.csv").read_bytes()
    whole = CsvParser().parse(data, source="c.csv").lines
    trickled = list(CsvParser().iter_lines(Trickle(data), source="c.csv"))
    assert [(x.id, x.amount, x.raw, x.location) for x in trickled] == [
        (x.id, x.amount, x.raw, x.location) for x in whole
    ]
    assert whole


def test_a_bank_csv_line_longer_than_the_limit_is_refused_with_its_line() -> None:
    data = CSV_HEAD + ROW + b"2," + b"y" * (2 << 20)
    with pytest.raises(ReadLimitError, match=r"bank.csv:3: a line longer than 1048576"):
        CsvParser().parse(data, source="bank.csv")
    result = CsvParser().parse(data, source="bank.csv", on_error="collect")
    assert [line.amount.amount for line in result.lines] == [12.5]
    assert [issue.code for issue in result.errors] == ["bank.malformed"]


def test_a_bank_csv_line_under_the_limit_is_joined_across_blocks() -> None:
    label = "z" * 700_000  # longer than one read block, shorter than the limit
    data = CSV_HEAD + f"1,2026-01-05,2026-01-05,1.00,EUR,Martin,,{label},R\n".encode() + ROW
    with applied_limits(ReadLimits(max_record_bytes=2 << 20)):
        import csv

        old = csv.field_size_limit(1 << 21)
        try:
            lines = CsvParser().parse(data, source="bank.csv").lines
        finally:
            csv.field_size_limit(old)
    assert [len(line.label) for line in lines] == [700_000, 6]


def test_a_psp_report_line_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"a,b\n" + b"q" * (3 << 20))
    with report_lines(path, "report.csv") as lines, pytest.raises(ReadLimitError, match=":2:"):
        list(lines)
    with report_lines(io.BytesIO(b"a,b\r\n1,2\n3,4"), "r.csv") as lines:
        assert list(lines) == ["a,b", "1,2", "3,4"]


OFX = b"OFXHEADER:100\nDATA:OFXSGML\n\n<OFX>\n<SIGNONMSGSRSV1>"


@pytest.mark.parametrize(
    ("opening", "what"),
    [
        (b"<!--", "a comment"),
        (b"<?", "a processing instruction"),
        (b"<![CDATA[", "a CDATA section"),
        (b"<!DOCTYPE", "a DOCTYPE"),
    ],
)
def test_unclosed_ofx_markup_is_refused_in_one_pass(opening: bytes, what: str) -> None:
    data = OFX + b"\n" + opening * 20_000  # took seconds, growing with the square
    with pytest.raises(ParseError, match=f"ofx:6: {what} is opened here and never closed"):
        get_parser("bank.ofx").parse(data, source="ofx")


def test_closed_ofx_comments_are_still_skipped() -> None:
    data = OFX + b"<!-- a <? b -->" * 1000 + b"</SIGNONMSGSRSV1></OFX>"
    result = get_parser("bank.ofx").parse(data, source="ofx")
    assert result.statements == ()


def test_ofx_nested_a_thousand_deep_is_a_clean_error() -> None:
    data = OFX + b"<A>" * 1000 + b"x"
    with pytest.raises(ParseError, match="nested more than 64 deep"):
        get_parser("bank.ofx").parse(data, source="ofx")
