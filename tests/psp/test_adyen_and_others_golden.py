"""Scenarios for the Adyen, Checkout.com, Trustly, dLocal, Worldline and Braintree
parsers, over small cases written from each provider's public documentation (their
golden files are checked by ``tests/parsing/test_golden_cases.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ecomrules.errors import ControlTotalError, MalformedRecordError, ParseError
from ecomrules.parsing.registry import get_parser, parse_file

CASES = Path(__file__).parent / "cases"


def test_adyen_batch_ties_out_per_currency() -> None:
    (result,) = parse_file(CASES / "adyen_sdr_batch_42.csv")
    assert result.issues == ()
    payouts = {(p.id, p.currency.code): str(p.amount.amount) for p in result.payouts}
    assert payouts == {("ShopEU/42", "EUR"): "56.50", ("ShopEU/42", "USD"): "78.00"}
    by_type = {line.metadata["record_type"]: line for line in result.lines}
    fx = next(line for line in result.lines if line.metadata.get("gross_currency") == "GBP")
    assert (str(fx.gross.amount), fx.metadata["exchange_rate"]) == ("57.67", "1.1534")  # type: ignore[union-attr]
    assert str(by_type["Chargeback"].fee.amount) == "15.00"  # type: ignore[union-attr]
    tiny = [line for line in result.lines if line.transaction_id == "8815000000000006"]
    assert [str(line.amount.amount) for line in tiny] == ["-0.15"]
    offsets = {
        line.metadata["merchant_account"] + line.currency.code: line.booked_at.utcoffset()  # type: ignore[union-attr]
        for line in result.lines
        if line.metadata["record_type"] == "Settled"
    }
    assert {k: v.total_seconds() for k, v in offsets.items()} == {
        "ShopEUEUR": 3600,
        "ShopEUUSD": 7200,
    }  # type: ignore[union-attr]


def test_adyen_malformed_rows_name_file_line_and_column() -> None:
    path = CASES / "adyen_sdr_malformed.csv"
    with pytest.raises(MalformedRecordError) as caught:
        parse_file(path)
    assert str(caught.value).endswith(
        "adyen_sdr_malformed.csv:3:Net Credit (NC): column 'Net Credit (NC)': "
        "'9.8O' is not a decimal ('9.8O' is not a decimal)"
    )
    (result,) = parse_file(path, on_error="collect")
    assert [(i.code, str(i.location)) for i in result.issues] == [
        ("psp.adyen.malformed_row", f"{path}:3:Net Credit (NC)"),
        ("psp.adyen.malformed_row", f"{path}:4:TimeZone"),
        ("psp.adyen.unknown_type", f"{path}:5:Type"),
    ]
    assert len(result.lines) == 3


def test_checkout_deduction_split_is_checked() -> None:
    data = (CASES / "checkout_com_financial_actions.csv").read_bytes()
    broken = data.replace(b"-2.64,117.36,-1.20,-0.24,-1.20", b"-2.64,117.36,-1.20,-0.24,-1.21")
    parser = get_parser("checkout_com.financial_actions")
    with pytest.raises(ControlTotalError, match=r":2:Deduction In Holding Currency: .*-2\.65"):
        parser.parse(broken, source="fa.csv")


def test_trustly_trailer_is_checked() -> None:
    data = (CASES / "trustly_funding.csv").read_bytes().replace(b"L,4,40.00", b"L,5,40.00")
    result = get_parser("trustly.funding").parse(data, source="t.csv", on_error="collect")
    assert [(i.code, str(i.location)) for i in result.issues] == [
        ("psp.trustly.trailer_mismatch", "t.csv:7:field 1")
    ]


def test_xlsx_needs_the_optional_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from ecomrules.psp.adyen.workbook import workbook_rows

    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ParseError, match=r"pip install 'ecomrules\[xlsx\]'"):
        workbook_rows(b"PK\x03\x04xl/", "report.xlsx", ("Type",))


def test_old_binary_xls_is_refused() -> None:
    from ecomrules.psp.adyen.workbook import OLE_MAGIC

    parser = get_parser("adyen.settlement_details")
    with pytest.raises(ParseError, match=r"old binary \.xls workbooks are not read"):
        parser.parse(OLE_MAGIC + b"\x00" * 64, source="settlement_detail_report_batch_1.xls")


def test_worldline_totals_are_checked_per_currency() -> None:
    data = (CASES / "worldline_wx1.xml").read_bytes()
    broken = data.replace(b"<tns:TotalAmountDue>-1500<", b"<tns:TotalAmountDue>-1501<")
    broken = broken.replace(b"<tns:NumberOfRecords>2<", b"<tns:NumberOfRecords>3<")
    result = get_parser("worldline.globalcollect_wx").parse(
        broken, source="wx.xml", on_error="collect"
    )
    assert [(i.code, str(i.location), i.message) for i in result.issues] == [
        (
            "psp.worldline.count_mismatch",
            "wx.xml:59:NumberOfRecords",
            "NumberOfRecords states 3, the file has 2 DataRecord(s)",
        ),
        (
            "psp.worldline.total_mismatch",
            "wx.xml:55:TotalAmount",
            "TotalAmountDue JPY -1501 != sum of the records -1500",
        ),
    ]
