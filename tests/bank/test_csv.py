"""The CSV statement: mapping config, sniffing, sign modes, hygiene, and a write-then-parse law."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.bank.csv import CsvConfig, CsvParser, load_csv_config, write_csv
from ecomrules.bank.csv.config import CsvLayout
from ecomrules.errors import ConfigError, ControlTotalError, MalformedRecordError
from ecomrules.money import Money
from ecomrules.parsing.base import Confidence
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine
from ecomrules.testing.strategies import money

CASES = Path(__file__).parent / "cases"
HEADER = b"id,booking_date,value_date,amount,currency,counterparty,iban,label,reference\n"


@pytest.mark.parametrize(
    ("head", "vote"),
    [
        (HEADER, Confidence.YES),
        (b"\xef\xbb\xbf" + HEADER.replace(b"\n", b"\r\n"), Confidence.YES),
        (
            b"reference,label,iban,counterparty,currency,amount,value_date,booking_date,id\n",
            Confidence.YES,
        ),
        (HEADER.replace(b",reference", b""), Confidence.NO),
        (HEADER.replace(b"\n", b",fee\n"), Confidence.NO),
        (b"id,date,amount\n1,2026-01-01,5\n", Confidence.NO),
        (b"\xff\xfe\x00junk", Confidence.NO),
    ],
)
def test_sniff_says_yes_only_for_the_default_header(head: bytes, vote: Confidence) -> None:
    assert CsvParser().sniff(head, "x.csv") is vote


def test_config_problems_are_all_reported_with_paths() -> None:
    with pytest.raises(ConfigError) as caught:
        load_csv_config(
            {
                "delimiter": ";;",
                "amount_mode": "flag",
                "encoding": "klingon",
                "date_format": "%d/%m",
                "columns": {"direction": None, "labl": ["x"]},
            }
        )
    assert sorted(p.path for p in caught.value.problems) == [
        "$.columns.direction",
        "$.columns.labl",
        "$.date_format",
        "$.delimiter",
        "$.encoding",
    ]


def test_config_loads_from_toml_and_json() -> None:
    toml = load_csv_config(CASES / "csv_debit_credit.toml")
    assert (toml.delimiter, toml.amount_mode, toml.header_row) == (";", "debit_credit", 3)
    assert toml.columns.id is None  # "" means no such column
    assert load_csv_config(CASES / "csv_flag.json").debit_flags == frozenset({"S"})


def test_unreadable_config_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text("delimiter = ", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"m\.toml: 1 problem"):
        load_csv_config(bad)


def test_rows_keep_their_raw_text_and_line() -> None:
    data = (CASES / "csv_default.csv").read_bytes()
    lines = CsvParser().parse(data, source="d.csv").lines
    assert lines[0].raw.startswith("B-1,2026-11-19,2026-11-19,1250.00,EUR,Librairie Martin SARL")
    assert [str(line.location) for line in lines] == ["d.csv:2", "d.csv:3", "d.csv:5"]
    assert lines[0].counterparty == Counterparty(
        name="Librairie Martin SARL", iban="FR7630006000011234567890189"
    )


def test_a_missing_id_gets_a_stable_fingerprint() -> None:
    data = (CASES / "csv_default.csv").read_bytes()
    first = CsvParser().parse(data, source="d.csv").lines[2].id
    again = CsvParser().parse(data, source="other.csv").lines[2].id
    assert first == again
    assert first.endswith("-1")


def test_a_bad_amount_names_file_line_and_column() -> None:
    data = HEADER + b'A,2026-11-19,,"1,234",EUR,,,,\n'
    with pytest.raises(MalformedRecordError) as caught:
        CsvParser().parse(data, source="a.csv")
    assert str(caught.value).startswith("a.csv:2: column 'amount':")


def test_missing_columns_are_named() -> None:
    with pytest.raises(MalformedRecordError, match=r"lacks the column.*'reference'"):
        CsvParser().parse(HEADER.replace(b",reference", b""), source="h.csv")


def test_ragged_rows_are_reported_and_the_rest_is_read() -> None:
    data = HEADER + b"A,2026-11-19,,1.00,EUR\nB,2026-11-19,,2.00,EUR,,,,\n"
    result = CsvParser().parse(data, source="r.csv", on_error="collect")
    assert [line.id for line in result.lines] == ["B"]
    assert [(i.code, i.message, str(i.location)) for i in result.issues] == [
        ("bank.malformed", "row has 5 fields, the header 9", "r.csv:2"),
    ]


def test_undecodable_bytes_name_their_line() -> None:
    data = HEADER + b"A,2026-11-19,,1.00,EUR,,,,\nB,2026-11-19,,2.00,EUR,\xff,,,\n"
    with pytest.raises(MalformedRecordError, match=r"^r\.csv:3: byte 0xff is not utf-8"):
        CsvParser().parse(data, source="r.csv")


def test_iter_lines_streams_from_a_path(tmp_path: Path) -> None:
    data = (CASES / "csv_default.csv").read_bytes()
    path = tmp_path / "d.csv"
    path.write_bytes(data)
    assert list(CsvParser().iter_lines(path, source="d.csv")) == list(
        CsvParser().parse(data, source="d.csv").lines
    )
    assert list(CsvParser().iter_lines(io.BytesIO(data))) == list(
        CsvParser().parse(data, source="d.csv").lines
    )


# -- write then parse -------------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufeff"),
    max_size=20,
).map(str.strip)
_NUMBERS = [(".", None), (",", None), (",", "."), (".", ","), (",", " "), (".", "'")]
_DATES = ["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d", "%m/%d/%Y"]


@st.composite
def layouts(draw: st.DrawFn) -> CsvLayout:
    decimal, group = draw(st.sampled_from(_NUMBERS))
    mode = draw(st.sampled_from(["signed", "debit_credit", "flag"]))
    columns: dict[str, Any] = {}
    if mode == "debit_credit":
        columns |= {"amount": None, "debit": "Soll", "credit": "Haben"}
    if mode == "flag":
        columns |= {"direction": "dc"}
    config = CsvConfig.model_validate(
        {
            "delimiter": draw(st.sampled_from([",", ";", "\t", "|"])),
            "decimal": decimal,
            "group": group,
            "date_format": draw(st.sampled_from(_DATES)),
            "header_row": draw(st.integers(1, 3)),
            "amount_mode": mode,
            "columns": columns,
        }
    )
    return config.to_domain()


@st.composite
def statement_lines(draw: st.DrawFn) -> list[StatementLine]:
    count = draw(st.integers(0, 6))
    out = []
    for index in range(count):
        amount: Money = draw(money(min_value=-(10**7), max_value=10**7))
        name = draw(_TEXT)
        iban = draw(st.sampled_from(["", "FR7630006000011234567890189"]))
        reference = draw(_TEXT)
        out.append(
            StatementLine(
                id=f"L{index}-{draw(st.text(alphabet='abcXYZ09-_/', max_size=6))}",
                kind=LineKind.TRANSFER,
                booked_on=draw(st.dates(date(1900, 1, 1), date(2199, 12, 31))),
                value_date=draw(st.none() | st.dates(date(1900, 1, 1), date(2199, 12, 31))),
                amount=amount,
                label=draw(_TEXT),
                references=(reference,) if reference else (),
                counterparty=Counterparty(name=name or None, iban=iban or None)
                if name or iban
                else None,
            )
        )
    return out


@settings(max_examples=60)
@given(layout=layouts(), lines=statement_lines())
def test_written_statements_read_back_the_same(
    layout: CsvLayout, lines: list[StatementLine]
) -> None:
    text = write_csv(lines, layout)
    parsed = CsvParser(layout).parse(text.encode("utf-8"), source="w.csv").lines
    assert len(parsed) == len(lines)
    for got, want in zip(parsed, lines, strict=True):
        assert (got.id, got.booked_on, got.value_date, got.label, got.references) == (
            want.id,
            want.booked_on,
            want.value_date,
            want.label,
            want.references,
        )
        assert got.amount.currency == want.amount.currency
        assert got.amount.amount == want.amount.amount
        assert got.counterparty == want.counterparty


def test_writer_formats_groups() -> None:
    line = StatementLine(
        id="x",
        kind=LineKind.TRANSFER,
        booked_on=date(2026, 11, 19),
        amount=Money(Decimal("-1234567.50"), "EUR"),
    )
    layout = CsvConfig(decimal=",", group=".", delimiter=";").to_domain()
    assert ";-1.234.567,50;" in write_csv([line], layout)


_BALANCED = {"columns": {"balance": "balance"}, "currency": "EUR"}


def _with_balances(rows: list[tuple[str, str]]) -> bytes:
    text = "id,booking_date,value_date,amount,currency,counterparty,iban,label,reference,balance\n"
    for number, (amount, balance) in enumerate(rows, 1):
        text += f"R{number},2026-11-{number:02d},,{amount},EUR,,,,,{balance}\n"
    return text.encode()


def test_a_running_balance_gives_opening_and_closing() -> None:
    parser = CsvParser(load_csv_config(_BALANCED))
    data = _with_balances([("100.00", "1100.00"), ("-30.00", "1070.00"), ("5.50", "1075.50")])
    statement = parser.parse(data, source="b.csv").statements[0]
    assert statement.opening_balance == Money(Decimal("1000.00"), "EUR")
    assert statement.closing_balance == Money(Decimal("1075.50"), "EUR")


def test_a_newest_first_running_balance() -> None:
    parser = CsvParser(load_csv_config({**_BALANCED, "newest_first": True}))
    data = _with_balances([("5.50", "1075.50"), ("-30.00", "1070.00"), ("100.00", "1100.00")])
    statement = parser.parse(data, source="b.csv").statements[0]
    assert statement.opening_balance == Money(Decimal("1000.00"), "EUR")
    assert statement.closing_balance == Money(Decimal("1075.50"), "EUR")


def test_a_broken_running_balance_names_its_row() -> None:
    parser = CsvParser(load_csv_config(_BALANCED))
    data = _with_balances([("100.00", "1100.00"), ("-30.00", "1071.00"), ("5.50", "1076.50")])
    with pytest.raises(ControlTotalError) as caught:
        parser.parse(data, source="b.csv")
    assert str(caught.value) == (
        "b.csv:3: column 'balance': 1071.00 differs from the previous row's 1100.00 "
        "+ this amount -30.00 = 1070.00 (difference 1.00)"
    )
    lenient = parser.parse(data, source="b.csv", on_error="collect")
    assert [(i.code, str(i.location)) for i in lenient.errors] == [
        ("bank.balance_mismatch", "b.csv:3")
    ]
    assert len(lenient.lines) == 3


def test_a_quoted_field_over_two_lines_keeps_both_and_its_first_line() -> None:
    data = HEADER + b'A,2026-11-19,,1.00,EUR,,,"first\r\nsecond",\nB,2026-11-19,,2.00,EUR,,,,\n'
    lines = CsvParser().parse(data, source="q.csv").lines
    assert lines[0].label == "first\r\nsecond"
    assert lines[0].raw == 'A,2026-11-19,,1.00,EUR,,,"first\r\nsecond",'
    assert [str(line.location) for line in lines] == ["q.csv:2", "q.csv:4"]
