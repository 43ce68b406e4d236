"""The shared reading of delimited PSP reports: fast paths give what the general ones give."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ecomrules.decimals import DecimalFormat, DecimalRangeError, parse_decimal
from ecomrules.errors import MalformedRecordError
from ecomrules.money import Currency
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.registry import get_parser
from ecomrules.psp.report_parser import HeaderReportParser
from ecomrules.psp.report_result import AccountLine, collect_lines
from ecomrules.psp.report_rows import (
    ReportRow,
    ReportTable,
    amount_in_range,
    naive_time,
)
from ecomrules.psp.report_rows import _text_lines as _text_lines

POINT = DecimalFormat(decimal=".")
CASES = Path(__file__).parent / "cases"


def _row(text: str) -> ReportRow:
    return next(ReportTable.from_text(text, "r.csv").rows())


def _general(text: str) -> Decimal | str:
    """What ReportRow.number gave before its fast path: parse_decimal, then the range check."""
    try:
        value = parse_decimal(text, POINT)
    except DecimalRangeError:
        return "out of range"
    except ValueError:
        return "not a decimal"
    return value if amount_in_range(value) else "out of range"


def _number(text: str) -> Decimal | str:
    try:
        value = _row("A\nx\n").number("A", text)
    except MalformedRecordError as exc:
        return "out of range" if "out of range" in str(exc) else "not a decimal"
    assert value is not None
    return value


plain = st.from_regex(r"\A-?[0-9]{0,22}(\.[0-9]{0,24})?\Z", fullmatch=True)
odd = st.text(alphabet="-+.0123456789eE ()٣²", min_size=1, max_size=12)


@settings(max_examples=300)
@given(st.one_of(plain, odd).map(str.strip).filter(bool))
@example("-10000000.000000000000000000000")  # 29 digits: negating in the context rounded them
def test_number_reads_as_parse_decimal_does(text: str) -> None:
    expected, got = _general(text), _number(text)
    assert type(got) is type(expected)
    assert str(got) == str(expected)  # same digits, exponent and sign, not only equal


@pytest.mark.parametrize("text", ["-0", "-0.00", "0.000", "1.", ".5", "-.5", "007.10"])
def test_number_keeps_sign_and_exponent(text: str) -> None:
    assert str(_number(text)) == str(_general(text))


def test_number_refuses_what_parse_decimal_refuses() -> None:
    assert _number("1" * 16) == "out of range"
    assert _number("0." + "1" * 21) == "out of range"
    assert _number("0." + "0" * 25) == _general("0." + "0" * 25)
    assert _number("1.2.3") == "not a decimal"
    assert _number("-") == "not a decimal"


def _rows_via_stringio(text: str) -> list[tuple[int, list[str]]] | str:
    """How rows and their lines were read before: csv.reader over io.StringIO."""
    reader = csv.reader(io.StringIO(text))
    rows, start = [], 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        return f"t.csv:{start}: unreadable row: {exc}"
    return rows


def _rows(text: str) -> list[tuple[int, list[str]]] | str:
    try:
        table = ReportTable.from_text(text, "t.csv", delimiter=",")
    except MalformedRecordError as exc:
        return str(exc)
    rows = [(1, table.header)]
    try:
        rows.extend((row.line, list(row.cells)) for row in table.rows())
    except MalformedRecordError as exc:
        return str(exc)
    return rows


@settings(max_examples=200)
@given(st.text(alphabet='ab,"\n\r ', max_size=40))
def test_rows_and_their_lines_are_read_as_through_stringio(text: str) -> None:
    text = "h,i\n" + text
    assert list(_text_lines(text)) == list(io.StringIO(text))
    expected = _rows_via_stringio(text)
    if not isinstance(expected, str):  # the header comes back stripped, blank rows skipped
        expected = [(1, ["h", "i"])] + [(n, c) for n, c in expected[1:] if "".join(c).strip()]
    assert _rows(text) == expected


def test_values_pad_to_the_header_and_position_sends_absent_columns_to_a_blank() -> None:
    table = ReportTable.from_text("A,B,A,C\n x ,y\n1,2,3,4,5\n", "t.csv")
    short, long = list(table.rows())
    assert short.values() == ["x", "y", "", "", ""]
    assert long.values() == ["1", "2", "3", "4", ""]
    assert table.position("A") == 0  # the first of two columns named alike
    assert table.position("Z") == 4
    assert short.values()[table.position("Z")] == ""
    assert long.get("A") == "1"
    assert short.get("C") == ""
    assert short.get("Z") == ""


def test_required_and_currency_take_the_text_already_read() -> None:
    row = _row("Cur,Name\neur,\n")
    assert row.currency("Cur", "eur") == Currency.of("EUR")
    with pytest.raises(MalformedRecordError, match="'Name': is empty"):
        row.required("Name", "")
    with pytest.raises(MalformedRecordError, match="'Cur': 'XXY' is not an ISO 4217"):
        row.currency("Cur", "XXY")


def test_naive_time_reads_iso_and_formats_and_refuses_offsets() -> None:
    formats = ("%Y-%m-%d %H:%M:%S", "%d.%m.%Y")
    assert naive_time("2026-02-01 10:00:00", formats).isoformat() == "2026-02-01T10:00:00"
    assert naive_time("01.02.2026", formats).isoformat() == "2026-02-01T00:00:00"
    assert naive_time("2026-02-01T10:00:00+01:00", formats) is None
    assert naive_time("yesterday", formats) is None


def test_fingerprints_are_those_of_earlier_releases() -> None:
    fingerprint = Fingerprinter("x")
    assert fingerprint("a", " b ", "") == "f1c3b6e4092868e06f14-1"
    assert fingerprint("a", "b", "") == "f1c3b6e4092868e06f14-2"
    assert fingerprint() == "82eb5f36d44e01d4c0a8-1"
    assert fingerprint("é") == "df77ec27e9637bbfcae4-1"


def test_collect_lines_keeps_the_lines_given_before_a_failure() -> None:
    policy = ErrorPolicy("collect")
    table = ReportTable.from_text("A\n1\n2\n", "t.csv")

    def read(row: ReportRow) -> Iterator[AccountLine]:
        yield ("acct", row.line)  # type: ignore[misc]
        if row.get("A") == "2":
            raise row.error("A", "is two")

    entries = collect_lines(table.rows(), read, policy, "test.malformed")
    assert [line for _, line in entries] == [2, 3]
    assert [(i.code, str(i.location)) for i in policy.issues] == [("test.malformed", "t.csv:3:A")]


STREAMED = {
    "adyen_sdr_batch_42.csv": "adyen.settlement_details",
    "adyen_sdr_malformed.csv": "adyen.settlement_details",
    "adyen_par_lifecycle.csv": "adyen.payment_accounting",
    "braintree_fee_report.csv": "braintree.fee_report",
    "braintree_transaction_search.csv": "braintree.transaction_search",
    "checkout_com_financial_actions.csv": "checkout_com.financial_actions",
    "checkout_com_payouts.csv": "checkout_com.payouts",
    "dlocal_legacy.csv": "dlocal.legacy_report",
    "gocardless_payout_transactions.csv": "gocardless.payout_transactions",
}


@pytest.mark.parametrize("name", sorted(STREAMED))
def test_iter_lines_gives_the_lines_and_row_issues_parse_gives(name: str) -> None:
    parser = get_parser(STREAMED[name])
    assert isinstance(parser, HeaderReportParser)
    data = (CASES / name).read_bytes()
    result = parser.parse(data, source=name, on_error="collect")
    policy = ErrorPolicy("collect")
    streamed = list(parser.iter_lines(data, source=name, policy=policy))
    in_file_order = sorted(result.lines, key=lambda line: streamed.index(line))
    assert [line.to_json() for line in streamed] == [line.to_json() for line in in_file_order]
    payout_issues = [i for i in result.issues if i.code == "psp.control.payout_mismatch"]
    assert policy.issues == [i for i in result.issues if i not in payout_issues]
