"""Hostile values get the library's own errors: unknown encodings, digits of other scripts,
deep nesting, amounts past the documented maximum, run dates at the ends of the calendar."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.bank.cfonb120 import write_cfonb120
from ecomrules.decimals import parse_decimal
from ecomrules.errors import InputError, ParseError
from ecomrules.money import Currency, Money
from ecomrules.parsing.model import LineKind, Statement, StatementLine
from ecomrules.parsing.registry import get_parser
from ecomrules.testing.conformance import check_parse

BANK = Path(__file__).parent.parent / "bank" / "cases"
PSP = Path(__file__).parent.parent / "psp" / "cases"

OFX = (
    b"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nENCODING:USASCII\nCHARSET:1252\n\n"
    b"<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>1</BANKACCTFROM>"
    b"<BANKTRANLIST><STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260105<TRNAMT>AMOUNT<FITID>F1"
    b"</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
)
MT940 = (
    b":20:X\n:25:ACC\n:28C:1\n:60F:C260101EUROPENING\n"
    b":61:2601010101C1,00NTRFREF\n:62F:C260101EUR1,00\n"
)


def refused(parser: str, data: bytes) -> ParseError:
    """Parse strictly; fail unless a ParseError (and nothing else) comes out, in both modes."""
    assert list(check_parse(get_parser(parser), data)) == []
    with pytest.raises(ParseError) as caught:
        get_parser(parser).parse(data, source="hostile")
    return caught.value


def test_an_unknown_encoding_in_an_xml_declaration_is_a_parse_error() -> None:
    data = (BANK / "camt053_v08_batch.xml").read_bytes()
    data = data.replace(b'encoding="UTF-8"', b'encoding="x-nope-42"', 1)
    assert b"x-nope-42" in data
    assert "unknown encoding 'x-nope-42'" in str(refused("bank.camt053", data))


def test_an_xml_declared_unknown_encoding_in_ofx_is_refused() -> None:
    data = b'<?xml version="1.0" encoding="x-nope"?>\n<OFX></OFX>'
    assert "unknown encoding 'x-nope'" in str(refused("bank.ofx", data))


@pytest.mark.parametrize("digits", ["\u0668", "\uff18", "\u00b2", "\u0968"])
def test_digits_of_other_scripts_are_not_amounts(digits: str) -> None:
    with pytest.raises(ValueError, match="not a decimal"):
        parse_decimal(f"1{digits}.50")
    camt = (BANK / "camt053_v08_batch.xml").read_text(encoding="utf-8")
    start = camt.index('<Amt Ccy="')
    amount_start = camt.index(">", start) + 1
    amount_end = camt.index("<", amount_start)
    hostile = camt[:amount_start] + "1" + digits + camt[amount_end:]
    assert "is not a decimal" in str(refused("bank.camt053", hostile.encode("utf-8")))
    wx = (PSP / "worldline_wx1.xml").read_text(encoding="utf-8")
    wx = wx.replace("<tns:AmountDue>4995<", f"<tns:AmountDue>49{digits}5<", 1)
    assert "not an amount in minor units" in str(refused("worldline.globalcollect_wx", wx.encode()))


def _cfonb() -> bytes:
    euro = Currency.of("EUR")
    line = StatementLine(
        id="1",
        kind=LineKind.TRANSFER,
        booked_on=date(2026, 1, 5),
        amount=Money(Decimal("12.50"), euro),
        label="PAYMENT",
    )
    statement = Statement(
        account="12345/67890/ABCDEFGHIJK",
        currency=euro,
        lines=(line,),
        opening_balance=Money(Decimal("100.00"), euro),
        closing_balance=Money(Decimal("112.50"), euro),
        opening_date=date(2026, 1, 4),
        closing_date=date(2026, 1, 5),
    )
    return write_cfonb120([statement]).encode("latin-1")


def test_other_script_digits_in_cfonb_and_bai2_are_refused_cleanly() -> None:
    data = _cfonb()
    assert get_parser("bank.cfonb120").parse(data, source="ok").lines
    records = data.decode("latin-1").split("\r\n")
    for index, record in enumerate(records[:3]):
        for position in (19, 90, 100):
            if len(record) > position:
                broken = records.copy()
                broken[index] = record[:position] + "\u00b2" + record[position + 1 :]
                hostile = "\r\n".join(broken).encode("utf-8")
                assert list(check_parse(get_parser("bank.cfonb120"), hostile)) == []
    bai2 = (
        b"01,SENDER,RECEIVER,260105,0800,1,80,,2/\n02,RECEIVER,SENDER,1,260104,,EUR,2/\n"
        b"03,12345,EUR,010,100000,,/\n16,1\xc2\xb25,12500,Z,BANKREF,CUSTREF,Payment/\n"
        b"49,112500,3/\n98,112500,1,5/\n99,112500,1,7/\n"
    )
    refused("bank.bai2", bai2)


def test_ofx_amount_with_a_huge_exponent_is_refused() -> None:
    error = refused("bank.ofx", OFX.replace(b"AMOUNT", b"1e999999"))
    assert "more than 18 digits before the point" in str(error)
    assert get_parser("bank.ofx").parse(OFX.replace(b"AMOUNT", b"1.00"), source="ok").lines


@pytest.mark.parametrize("opening", [b"1" + b"0" * 26 + b",00", b"1" + b"0" * 28 + b",", b"1,5"])
def test_mt940_amounts_past_the_maximum_are_refused(opening: bytes) -> None:
    data = MT940.replace(b"OPENING", opening)
    if opening == b"1,5":
        refused("bank.mt940", data)  # a plain balance mismatch, for contrast
        return
    assert "is not a balance" in str(refused("bank.mt940", data))


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_reports_nested_a_thousand_deep_are_parse_errors() -> None:
    for parser in ("mollie.settlement_json", "braintree.graphql"):
        error = refused(parser, _nested(1000).encode())
        assert "nested more than 64 deep" in str(error), parser
    # strings holding brackets are not nesting
    flat = json.dumps({"id": "[" * 1000, "data": []}).encode()
    assert "nested" not in str(refused("mollie.settlement_json", flat))


def test_an_order_nested_a_thousand_deep_is_an_input_error(tmp_path: Path) -> None:
    from ecomrules.inputs.orders import read_order

    path = tmp_path / "order.json"
    path.write_text('{"lines": ' + _nested(1000) + "}", encoding="utf-8")
    with pytest.raises(InputError, match="nested more than 64 deep"):
        read_order(path)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize(
    "command",
    [["dunning", "plan"], ["credit", "check"], ["demo"], ["preorder", "plan"]],
)
def test_run_dates_at_the_ends_of_the_calendar_are_bad_parameters(
    command: list[str], day: str
) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ecomrules", *command, "--as-of", day],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert "outside the dates accepted" in out.stderr or "Missing" in out.stderr


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    ("case", "parser"),
    [
        (BANK / "camt053_v08_batch.xml", "bank.camt053"),
        (BANK / "camt054_v04_qrr.xml", "bank.camt054"),
        (PSP / "worldline_wx1.xml", "worldline.globalcollect_wx"),
    ],
)
def test_utf16_xml_with_a_bom_is_detected_and_read(case: Path, parser: str, codec: str) -> None:
    from ecomrules.parsing.registry import detect
    from ecomrules.parsing.source import HEAD_SIZE

    text = case.read_text(encoding="utf-8")
    text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    text = text.replace('encoding="utf-8"', 'encoding="UTF-16"', 1)
    assert 'encoding="UTF-16"' in text
    data = "\ufeff".encode(codec) + text.encode(codec)
    assert detect(data[:HEAD_SIZE], case.name).name == parser
    wide = get_parser(parser).parse(data, source=case.name)
    narrow = get_parser(parser).parse(case.read_bytes(), source=case.name)
    assert [(x.id, x.amount, x.booked_on) for x in wide.lines] == [
        (x.id, x.amount, x.booked_on) for x in narrow.lines
    ]
    assert narrow.lines


def test_a_bai2_account_in_a_currency_without_minor_units_is_refused_cleanly() -> None:
    """Found by the fuzzing pass: XXX reached Money.from_minor_units in lenient mode."""
    data = (
        b"01,SENDER,RECEIVER,260105,0800,1,80,,2/\n02,RECEIVER,SENDER,1,260104,,EUR,2/\n"
        b"03,12345,XXX,010,100000,,/\n16,195,12500,Z,BANKREF,CUSTREF,Payment/\n"
        b"49,112500,3/\n98,112500,1,5/\n99,112500,1,7/\n"
    )
    assert "XXX has no minor units" in str(refused("bank.bai2", data))
    result = get_parser("bank.bai2").parse(data, source="x", on_error="collect")
    assert any("XXX has no minor units" in issue.message for issue in result.errors)


def test_bai2_amounts_past_the_maximum_are_refused_not_money_errors() -> None:
    """Found by the fuzzing pass: a 60-digit amount reached Money past its 50 digits."""
    data = (
        b"01,SENDER,RECEIVER,260105,0800,1,80,,2/\n02,RECEIVER,SENDER,1,260104,,EUR,2/\n"
        b"03,12345,EUR,010,100000,,/\n16,195,AMOUNT,Z,BANKREF,CUSTREF,Payment/\n"
        b"49,112500,3/\n98,112500,1,5/\n99,112500,1,7/\n"
    )
    assert get_parser("bank.bai2").parse(data.replace(b"AMOUNT", b"12500"), source="ok").lines
    assert "more than 22 digits" in str(refused("bank.bai2", data.replace(b"AMOUNT", b"9" * 60)))
    refused("bank.bai2", data.replace(b"AMOUNT", b"9" * 5000))  # past int()'s own limit


@pytest.mark.parametrize("value", ["\u00b2", "9" * 60, "9" * 5000])
def test_paypal_footer_figures_past_the_maximum_are_refused(value: str) -> None:
    text = (PSP / "paypal_stl_two_days.csv").read_text(encoding="utf-8")
    assert get_parser("paypal.settlement").parse(text.encode(), source="ok").lines
    hostile = text.replace('"SF","EUR",20123,', f'"SF","EUR",{value},').replace(
        '"SC",5', f'"SC",{value}'
    )
    assert hostile != text
    refused("paypal.settlement", hostile.encode())


@pytest.mark.parametrize("stamp", ["99999999999999999", "9" * 30])
def test_a_stripe_time_out_of_range_is_refused(stamp: str) -> None:
    text = (PSP / "stripe_balance_transactions.csv").read_text(encoding="utf-8")
    hostile = text.replace("2026-11-02 10:00", stamp, 1)
    assert hostile != text
    refused("stripe.balance_transactions", hostile.encode())


@pytest.mark.parametrize("amount", ["9" * 60 + ".00", "1" + "0" * 18, "\u0668.00"])
def test_plain_amounts_past_the_maximum_are_refused_in_csv_readers(amount: str) -> None:
    """The plain-number shortcut of the bank CSV and Stripe readers skipped the maximum."""
    bank = (BANK / "csv_default.csv").read_text(encoding="utf-8-sig")
    assert "1250.00" in bank
    refused("bank.csv", bank.replace("1250.00", amount).encode())
    stripe = (PSP / "stripe_balance_transactions.csv").read_text(encoding="utf-8")
    assert ",59.00," in stripe
    refused("stripe.balance_transactions", stripe.replace(",59.00,", f",{amount},", 1).encode())


LONG_ZONE = "America/Chicago" + "<A>" * 100  # a file name too long for the zone database


def test_a_time_zone_name_too_long_for_a_file_name_is_unknown() -> None:
    """Found by the fuzzing pass (held-back seed): ZoneInfo raised OSError ENAMETOOLONG."""
    from ecomrules.psp.zone_names import zone_named
    from ecomrules.time import zone

    with pytest.raises(ValueError, match="unknown time zone"):
        zone(LONG_ZONE)
    assert zone_named(LONG_ZONE) is None
    assert zone_named("America/Chicago") is not None
    paypal = (PSP / "paypal_activity_de.csv").read_text(encoding="utf-8")
    assert '"MEZ"' in paypal
    refused("paypal.activity", paypal.replace('"MEZ"', f'"{LONG_ZONE}"', 1).encode())
    braintree = (PSP / "braintree_transaction_search.csv").read_text(encoding="utf-8")
    assert ",CDT," in braintree
    hostile = braintree.replace(",CDT,", f",{LONG_ZONE},", 1).encode()
    assert list(check_parse(get_parser("braintree.transaction_search"), hostile)) == []


def test_an_encoding_name_past_the_declarations_first_bytes_is_refused() -> None:
    """Found by the fuzzing pass (held-back seed): expat's own lookup raised LookupError."""
    case = (BANK / "camt053_v08_batch.xml").read_bytes()
    assert case.startswith(b"<?xml")
    end = case.index(b"?>")
    hostile = b"<?xml version='1.0' encoding='utf-8" + b"tf-8" * 60 + b"'" + case[end:]
    assert "unknown encoding" in str(refused("bank.camt053", hostile))


def test_a_paypal_activity_date_with_other_script_digits_is_refused_cleanly() -> None:
    paypal = (PSP / "paypal_activity_de.csv").read_text(encoding="utf-8")
    error = refused("paypal.activity", paypal.replace('"02.11.2026"', '"11².11.2026"', 1).encode())
    assert "Traceback" not in str(error)
