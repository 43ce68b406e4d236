"""Constructs real banks send, each in a file of our own written from the format's spec.

Every test here failed before the construct was read as the specification
says; the files are under ``constructs/`` beside this module.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.errors import ParseError
from ecomrules.money import Money
from ecomrules.parsing.model import ParseResult
from ecomrules.parsing.registry import detect, get_parser
from ecomrules.parsing.source import HEAD_SIZE

CONSTRUCTS = Path(__file__).parent / "constructs"


def _parse(name: str, parser: str, *, lenient: bool = False) -> ParseResult:
    data = (CONSTRUCTS / name).read_bytes()
    assert detect(data[:HEAD_SIZE], name).name == parser
    return get_parser(parser).parse(data, source=name, on_error="collect" if lenient else "raise")


def _codes(result: ParseResult) -> list[tuple[str, str]]:
    return [(i.severity.value, i.code) for i in result.issues if i.severity.value != "info"]


# -- MT940 / MT942 ----------------------------------------------------------------------


def test_mt940_block_end_followed_by_trailer_control_bytes_and_next_header() -> None:
    result = _parse("mt940_block_trailers.sta", "bank.mt940")
    assert [s.id for s in result.statements] == ["STMT-1/1/1", "STMT-2/2/1"]
    assert [s.closing_balance for s in result.statements] == [
        Money("620.00", "EUR"),
        Money("599.50", "EUR"),
    ]
    assert [len(s.lines) for s in result.statements] == [1, 1]


def test_mt940_without_closing_balance_is_reported() -> None:
    with pytest.raises(ParseError, match=r"mt940_no_closing_balance.sta:1: .*closing balance"):
        _parse("mt940_no_closing_balance.sta", "bank.mt940")
    result = _parse("mt940_no_closing_balance.sta", "bank.mt940", lenient=True)
    assert _codes(result) == [("error", "bank.mt940.field")]
    assert len(result.statements[0].lines) == 1


def test_mt942_floor_limit_without_comma_is_read_with_a_warning() -> None:
    result = _parse("mt942_floor_limit_without_comma.sta", "bank.mt942")
    assert _codes(result) == [("warning", "bank.mt942.floor_limit_without_comma")]
    statement = result.statements[0]
    assert [line.amount for line in statement.lines] == [Money("100", "PLN"), Money("-40", "PLN")]
    assert statement.currency is not None
    assert statement.currency.code == "PLN"


def test_mt942_unreadable_floor_limit_keeps_the_lines_in_lenient_mode() -> None:
    data = (CONSTRUCTS / "mt942_floor_limit_without_comma.sta").read_bytes()
    data = data.replace(b":34F:PLN0", b":34F:PLNX0")
    result = get_parser("bank.mt942").parse(data, source="x.sta", on_error="collect")
    assert _codes(result) == [("error", "bank.mt940.field")]
    assert sum(line.amount.amount for line in result.lines) == Decimal(60)


# -- BAI2 -------------------------------------------------------------------------------


def test_bai2_account_record_continued_after_a_trailing_empty_field() -> None:
    result = _parse("bai2_account_continued_after_trailing_comma.bai2", "bank.bai2")
    assert _codes(result) == []
    statement = result.statements[0]
    assert statement.opening_balance == Money("5000.00", "USD")
    assert statement.closing_balance == Money("6200.00", "USD")
    assert [line.amount for line in statement.lines] == [
        Money("1500.00", "USD"),
        Money("-300.00", "USD"),
    ]


# -- CFONB 120 --------------------------------------------------------------------------


def test_cfonb120_movement_of_another_bank_or_branch_is_refused() -> None:
    name = "cfonb120_movement_of_another_bank_branch.txt"
    with pytest.raises(ParseError, match=rf"{name}:4: movement is for account 30003/00123/"):
        _parse(name, "bank.cfonb120")
    result = _parse(name, "bank.cfonb120", lenient=True)
    assert [(i.code, i.location and i.location.line) for i in result.issues] == [
        ("bank.cfonb120.record", 4),
        ("bank.cfonb120.record", 5),
    ]
    # lenient mode keeps every line, and the statement still balances
    assert len(result.statements[0].lines) == 3


def test_cfonb120_lenient_keeps_the_closing_balance_of_another_account() -> None:
    name = "cfonb120_closing_of_another_account.txt"
    with pytest.raises(ParseError, match="new balance 07 is for account"):
        _parse(name, "bank.cfonb120")
    result = _parse(name, "bank.cfonb120", lenient=True)
    assert _codes(result) == [("error", "bank.cfonb120.record")]
    assert result.statements[0].closing_balance == Money("1250.00", "EUR")


# -- withdrawn ISO 4217 currencies ------------------------------------------------------


def test_withdrawn_currencies_are_read_with_their_historic_minor_units() -> None:
    result = _parse("mt940_withdrawn_currencies.sta", "bank.mt940")
    dem, itl = result.statements
    assert [line.amount for line in dem.lines] == [Money("-1250.50", "DEM"), Money("300", "DEM")]
    assert dem.closing_balance == Money("14049.50", "DEM")
    assert str(dem.lines[1].amount.amount) == "300.00"
    assert itl.closing_balance == Money("2375000", "ITL")
    assert str(itl.lines[0].amount.amount) == "-125000"


# -- camt.052/053/054 -------------------------------------------------------------------


def test_camt_document_without_statement_is_refused() -> None:
    with pytest.raises(ParseError, match="no Stmt element: no statement to read"):
        _parse("camt053_no_statement.xml", "bank.camt053")
    result = _parse("camt053_no_statement.xml", "bank.camt053", lenient=True)
    assert _codes(result) == [("error", "bank.missing_field")]


@pytest.mark.parametrize(
    ("parser", "message", "element"),
    [
        ("bank.camt053", "camt.053.001.02", "Stmt"),
        ("bank.camt054", "camt.054.001.08", "Ntfctn"),
        ("bank.camt052", "camt.052.001.06", "Rpt"),
    ],
)
def test_camt_document_without_message_element_is_refused(
    parser: str, message: str, element: str
) -> None:
    data = f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{message}"></Document>'.encode()
    with pytest.raises(ParseError, match=f"no {element} element"):
        get_parser(parser).parse(data, source="empty.xml")


def test_camt_booking_date_time_is_booked_on_the_statements_day() -> None:
    result = _parse("camt053_utc_booking_ultimate_parties.xml", "bank.camt053")
    first, second = result.lines
    # 23:30 UTC on 1 March is 00:30 on 2 March in the statement's +01:00
    assert first.booked_on.isoformat() == "2025-03-02"
    assert first.booked_at is not None
    assert first.booked_at.isoformat() == "2025-03-01T23:30:00+00:00"
    assert second.booked_on.isoformat() == "2025-03-02"


def test_camt_ultimate_debtor_and_creditor_are_kept() -> None:
    first, second = _parse("camt053_utc_booking_ultimate_parties.xml", "bank.camt053").lines
    assert first.counterparty is not None
    assert first.counterparty.name == "Marketplace GmbH"
    assert {k: v for k, v in first.metadata.items() if k.startswith("ultimate")} == {
        "ultimate_debtor": "Erika Mustermann",
        "ultimate_debtor_id": "CUST-88",
        "ultimate_creditor": "Shop Outlet Berlin",
    }
    assert second.metadata["ultimate_debtor"] == "Shop Outlet Berlin"


def test_camt_balance_in_another_currency_is_kept_in_its_own() -> None:
    name = "camt053_balance_in_other_currency.xml"
    with pytest.raises(ParseError, match="balance CLBD is in SEK, the account in EUR"):
        _parse(name, "bank.camt053")
    result = _parse(name, "bank.camt053", lenient=True)
    assert _codes(result) == [("error", "bank.camt.balance_currency")] * 2
    statement = result.statements[0]
    assert statement.closing_balance == Money("1120.00", "SEK")
    out = statement.to_json()
    assert (out["closing_balance"], out["closing_balance_currency"]) == ("1120.00", "SEK")
    assert (out["available_balance"], out["available_balance_currency"]) == ("1085.00", "CHF")
    assert "opening_balance_currency" not in out
    assert len(statement.lines) == 1


# -- OFX --------------------------------------------------------------------------------


def test_ofx_lenient_keeps_statements_with_empty_curdef_fitid_and_balamt() -> None:
    name = "ofx_empty_curdef_fitid_balamt.ofx"
    with pytest.raises(ParseError, match="CURDEF is missing or empty"):
        _parse(name, "bank.ofx")
    result = _parse(name, "bank.ofx", lenient=True)
    assert _codes(result) == [("error", "bank.missing_field")] * 3
    first, second = result.statements
    # the currency comes from the transactions' own CURRENCY when CURDEF is empty
    assert [line.amount for line in first.lines] == [Money("75.00", "USD"), Money("-12.50", "USD")]
    assert [line.id for line in first.lines] == ["4001234567:1", "2026030200001"]
    assert first.closing_balance is None
    assert first.closing_date is not None
    assert first.available_balance == Money("1062.50", "USD")
    assert second.closing_balance == Money("501.25", "USD")


def test_mt940_owner_reference_is_sixteen_characters() -> None:
    data = (
        b":20:ABN\n:25:NL91ABNA0417164300\n:28C:1\n:60F:C120918EUR1000,00\n"
        b":61:120918D000000000500,00N0620266050522      Arvato Fin Serv Ltd\n"
        b":86:BETALINGSKENM.  3010675705\n:62F:C120918EUR500,00\n-\n"
    )
    (line,) = get_parser("bank.mt940").parse(data, source="abn.sta").lines
    assert line.references == ("0266050522",)
    assert line.metadata["text_after_reference"] == "Arvato Fin Serv Ltd"
