"""Records of the report_rows fast kit (Stripe, PayPal): the fast splits agree with the csv module,
and streaming a report from a file gives what reading its bytes gives."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.errors import MalformedRecordError
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.model import StatementLine
from ecomrules.parsing.registry import get_parser
from ecomrules.psp import report_rows
from ecomrules.psp.report_rows import read_rows, report_lines

CASES = Path(__file__).parent / "cases"


def _reference_rows(text: str) -> Iterator[tuple[int, list[str], str]]:
    """Every record read by the csv module alone, with its first line and raw text."""
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    reader = csv.reader(lines)
    done = 0
    for fields in reader:
        end = reader.line_num
        raw = "\n".join(lines[done:end])
        if end > done + 1:
            fields = next(csv.reader(io.StringIO(raw)))
        line, done = done + 1, end
        if len(fields) > 1 or (fields and fields[0].strip()):
            yield line, fields, raw


@settings(max_examples=300)
@given(st.text(alphabet='ab ,"\n\x00é', max_size=60))
def test_rows_are_those_of_the_csv_module(text: str) -> None:
    assert list(read_rows(text)) == list(_reference_rows(text))


@pytest.mark.parametrize(
    "line",
    [
        'SB,"a,b",c',
        '"SB","a,b","",c"',
        '"a""b","c"',
        '"",""',
        '"","b"',
        '","',
        '"',
        '"a"',
        '"a",b',
        'a"b,c',
    ],
)
def test_quoted_lines_are_read_as_the_csv_module_reads_them(line: str) -> None:
    assert list(read_rows(line)) == list(_reference_rows(line))


REPORTS = [
    ("stripe.payout_reconciliation", "stripe_payout_reconciliation.csv"),
    ("stripe.balance_change", "stripe_balance_change.csv"),
    ("stripe.payout_reconciliation", "stripe_bad_rows.csv"),
    ("paypal.settlement", "paypal_stl_two_days.csv"),
    ("paypal.transaction_detail", "paypal_trr_day.csv"),
]


def _streamed(name: str, data: object) -> tuple[list[tuple[object, ...]], list[object]]:
    """The lines (canonical JSON and raw text) and issues read, or the error raised."""
    policy = ErrorPolicy("collect")
    parser = get_parser(name)
    try:
        lines: list[StatementLine] = list(
            parser.iter_lines(data, source="r.csv", policy=policy)  # type: ignore[attr-defined]
        )
    except MalformedRecordError as exc:  # a file with a BOM is UTF-8 or nothing
        return [], [str(exc)]
    return [(line.to_json(), line.raw) for line in lines], [i.to_json() for i in policy.issues]


@pytest.mark.parametrize(("name", "case"), REPORTS)
@pytest.mark.parametrize(
    "variant",
    ["as is", "crlf", "bom", "eof mark", "no final newline", "cp1252", "cr"],
)
def test_a_report_streams_from_a_file_as_from_its_bytes(
    name: str, case: str, variant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (CASES / case).read_bytes()
    if variant == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif variant == "cr":
        data = data.replace(b"\n", b"\r")
    elif variant == "bom":
        data = b"\xef\xbb\xbf" + data
    elif variant == "eof mark":
        data += b"\x1a\x1a"
    elif variant == "no final newline":
        data = data.rstrip(b"\n")
    elif variant == "cp1252":
        data += "\u00e9t\u00e9,\u20ac\n".encode("cp1252")  # a stray row, reported
    path = tmp_path / case
    path.write_bytes(data)
    expected = _streamed(name, data)
    monkeypatch.setattr(report_rows, "_CHUNK", 7)  # records and line ends cut across chunks
    assert _streamed(name, path) == expected
    assert _streamed(name, str(path)) == expected
    with path.open("rb") as handle:
        assert _streamed(name, handle) == expected
    assert expected[0] or (variant == "cp1252" and "r.csv:" in str(expected[1][0]))


def test_a_stream_that_cannot_seek_is_read_whole() -> None:
    data = (CASES / "paypal_trr_day.csv").read_bytes()

    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    assert _streamed("paypal.transaction_detail", Pipe(data)) == _streamed(
        "paypal.transaction_detail", data
    )


def test_a_quoted_line_break_across_chunks_keeps_its_raw_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = 'h1,h2\nx,"one\r\ntwo"\ny,z\n'
    path = tmp_path / "q.csv"
    path.write_bytes(text.encode())
    monkeypatch.setattr(report_rows, "_CHUNK", 3)
    with report_lines(path, "q.csv") as lines:
        rows = list(report_rows.rows_of(lines))
    assert rows == [
        (1, ["h1", "h2"], "h1,h2"),
        (2, ["x", "one\ntwo"], 'x,"one\ntwo"'),
        (4, ["y", "z"], "y,z"),
    ]


def test_bytes_of_no_encoding_are_refused_alike_from_a_file(tmp_path: Path) -> None:
    data = b"a,b\nc,d\n\x81\xff,e\n"
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(MalformedRecordError) as from_bytes:
        report_rows._whole_lines(data, "bad.csv")
    with pytest.raises(MalformedRecordError) as from_file, report_lines(path, "bad.csv") as lines:
        list(lines)
    assert str(from_file.value) == str(from_bytes.value)
    assert "bad.csv:3" in str(from_file.value)


def test_a_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    parser = get_parser("stripe.payout_reconciliation")
    with pytest.raises(Exception, match="cannot read") as caught:
        list(
            parser.iter_lines(  # type: ignore[attr-defined]
                tmp_path / "absent.csv", source="absent.csv", policy=ErrorPolicy("raise")
            )
        )
    assert caught.type.__name__ == "ParseError"
