"""Input hygiene of the text formats, and streaming equal to whole-file parsing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ecomrules.bank import bai2, cfonb120, mt940
from ecomrules.bank._records import stream_lines, text_lines
from ecomrules.outcome import Issue
from ecomrules.parsing.registry import get_parser

MIXED = b"\xef\xbb\xbfone\r\ntwo\rthree\nfour caf\xe9\r\nfive caf\xc3\xa9\n\x1a"


def test_line_ends_encodings_and_eof_marks() -> None:
    expected = [(1, "one"), (2, "two"), (3, "three"), (4, "four café"), (5, "five café")]
    whole = [(n, line) for n, line in text_lines(MIXED, "x") if line]
    streamed = [(n, line) for n, line in stream_lines(io.BytesIO(MIXED)) if line]
    assert streamed == expected
    assert whole == expected


def _same(parser: str, stream: object, data: bytes) -> None:
    whole = get_parser(parser).parse(data, source="<stream>")
    streamed = list(stream(io.BytesIO(data)))  # type: ignore[operator]
    assert [line.to_json() for line in streamed] == [line.to_json() for line in whole.lines]


@pytest.mark.parametrize(
    ("folder", "parser", "stream"),
    [
        ("mt940", "bank.mt940", mt940.iter_lines),
        ("cfonb120", "bank.cfonb120", cfonb120.iter_lines),
        ("bai2", "bank.bai2", bai2.iter_lines),
    ],
)
def test_iter_lines_equals_parse_on_the_corpus(
    corpus: Path, folder: str, parser: str, stream: object
) -> None:
    compared = 0
    for path in sorted((corpus / folder).glob("*")):
        data = path.read_bytes()
        try:
            get_parser(parser).parse(data, source="<stream>")
        except Exception:  # the refused and inconsistent files are the corpus test's
            continue
        _same(parser, stream, data)
        compared += 1
    assert compared >= 3


def test_cr_only_mt940_with_trailing_eof_mark() -> None:
    data = (
        b":20:X\r:25:ACC\r:28C:1\r:60F:C250101EUR0,\r:61:2501010101C1,NTRFNONREF\r"
        b":86:caf\xe9\r:62F:C250101EUR1,\r-\r\x1a\x1a"
    )
    result = get_parser("bank.mt940").parse(data, source="cr.sta")
    assert result.lines[0].label == "café"
    assert str(result.lines[0].location) == "cr.sta:5"
    _same("bank.mt940", mt940.iter_lines, data)


def test_bai2_several_records_on_one_line_keep_their_line() -> None:
    data = (
        b"01,S,R,250101,0000,1,,,2/ 02,R,S,1,250101,,EUR,2/\n"
        b"03,ACC,,010,100,,,015,150,,/ 16,195,50,0,B1,C1,TEXT/ 49,300,3/\n"
        b"98,300,1,5/ 99,300,1,7/\n"
    )
    result = get_parser("bank.bai2").parse(data, source="one.bai2")
    line = result.lines[0]
    assert (str(line.amount), str(line.location), line.references) == (
        "0.50 EUR",
        "one.bai2:2",
        ("C1",),
    )
    assert result.statements[0].closing_balance is not None
    _same("bank.bai2", bai2.iter_lines, data)


def test_iter_lines_reports_lenient_issues_to_a_list() -> None:
    data = (
        b":20:X\n:25:ACC\n:28C:1\n:60F:C250227EUR10,00\n"
        b":61:2502300301D1,00NCHGNONREF\n:86:fee\n:62F:C250301EUR9,50\n-\n"
    )
    issues: list[Issue] = []
    lines = list(mt940.iter_lines(io.BytesIO(data), on_error="collect", issues=issues))
    assert [line.booked_on.isoformat() for line in lines] == ["2025-03-01"]
    assert [(i.code, i.location.line if i.location else None) for i in issues] == [
        ("bank.invalid_date", 5),
        ("bank.balance_mismatch", 7),
    ]
