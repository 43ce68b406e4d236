"""Constructs real PSPs send, each in a file of our own written from the provider's spec.

Every test here failed before the construct was read as the provider
documents it; the files are under ``constructs/`` beside this module.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.errors import ControlTotalError
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


def _fees(result: ParseResult) -> list[Decimal | None]:
    return [None if line.fee is None else line.fee.amount for line in result.lines]


# -- Adyen settlement details report ----------------------------------------------------


def test_adyen_sdr_blended_pricing_fee_is_the_commission() -> None:
    result = _parse("adyen_sdr_blended.csv", "adyen.settlement_details")
    assert _codes(result) == []
    assert _fees(result)[:3] == [Decimal("2.80"), Decimal("1.40"), Decimal("0.00")]
    assert result.lines[0].metadata["payment_fees"] == "2.80"


def test_adyen_sdr_interchange_plus_plus_fee_is_markup_scheme_interchange() -> None:
    result = _parse("adyen_sdr_interchange_plus_plus.csv", "adyen.settlement_details")
    assert _codes(result) == []
    # the DCC markup is added; a row with only Payment Fees (NC) takes it as the fee
    assert _fees(result)[:3] == [Decimal("1.83"), Decimal("1.45"), Decimal("0.29")]
    assert result.lines[1].metadata["dcc_markup"] == "0.80"


def test_adyen_sdr_payment_fees_that_disagree_with_components_is_a_warning() -> None:
    data = (CONSTRUCTS / "adyen_sdr_interchange_plus_plus.csv").read_bytes()
    data = data.replace(b",CET,1.83,", b",CET,1.93,")
    result = get_parser("adyen.settlement_details").parse(data, source="x.csv")
    assert _codes(result) == [("warning", "psp.adyen.payment_fees_mismatch")]
    assert _fees(result)[0] == Decimal("1.83")


# -- PayPal TRR -------------------------------------------------------------------------


def test_paypal_trr_count_footers_and_conversion_halves_that_name_each_other() -> None:
    result = _parse("paypal_trr_count_footers_conversions.csv", "paypal.transaction_detail")
    assert _codes(result) == []
    halves = {line.id: line for line in result.lines if line.kind.value == "fx_conversion"}
    assert {i: (line.related_id, line.parent_id) for i, line in halves.items()} == {
        "7CNV001": ("7CNV002", None),
        "7CNV002": ("7CNV001", None),
        "7CNV003": ("7CNV004", None),
        "7CNV004": ("7CNV003", None),
    }


def test_paypal_trr_count_footer_that_disagrees_is_refused() -> None:
    data = (CONSTRUCTS / "paypal_trr_count_footers_conversions.csv").read_bytes()
    data = data.replace(b'"SF","5"', b'"SF","4"')
    with pytest.raises(ControlTotalError, match="SF states '4' body records, the file has 5"):
        get_parser("paypal.transaction_detail").parse(data, source="x.csv")
    result = get_parser("paypal.transaction_detail").parse(data, source="x.csv", on_error="collect")
    assert _codes(result) == [("error", "psp.paypal.count_mismatch")]
    assert len(result.lines) == 5


def test_paypal_conversion_halves_that_name_each_other_are_paired() -> None:
    data = (CONSTRUCTS / "paypal_trr_count_footers_conversions.csv").read_bytes()
    data = data.replace(b'"SF","5"\r\n', b"").replace(b'"RF","5"\r\n', b"")
    result = get_parser("paypal.transaction_detail").parse(data, source="x.csv")
    assert "psp.paypal.conversion_unpaired" not in {i.code for i in result.issues}
    assert {line.id: line.related_id for line in result.lines if line.related_id} == {
        "7CNV001": "7CNV002",
        "7CNV002": "7CNV001",
        "7CNV003": "7CNV004",
        "7CNV004": "7CNV003",
    }


# -- Worldline WX -----------------------------------------------------------------------


def test_worldline_wx_record_with_only_a_local_amount() -> None:
    result = _parse("worldline_wx1_amount_local.xml", "worldline.globalcollect_wx")
    assert _codes(result) == []
    assert [str(line.amount) for line in result.lines] == ["159.90 BRL", "25.00 EUR"]


# -- dLocal Settlement Report -----------------------------------------------------------


def test_dlocal_settlement_report_lines_payout_and_sub_cent_rounding() -> None:
    result = _parse("dlocal_settlement_report.csv", "dlocal.settlement_report")
    assert [(i.severity.value, i.code) for i in result.issues] == [("info", "psp.dlocal.rounding")]
    assert [(str(line.amount), str(line.fee)) for line in result.lines] == [
        ("9.69 USD", "0.31 USD"),
        ("19.40 USD", "0.61 USD"),
        ("-5.00 USD", "0.00 USD"),
        ("0.01 USD", "None"),
    ]
    assert result.lines[0].metadata["net_amount_exact"] == "9.694849"
    assert result.lines[0].references == ("ORD-9001",)
    (payout,) = result.payouts
    assert (payout.id, str(payout.amount), str(payout.arrival_date)) == (
        "TR-2026-0305-01",
        "24.10 USD",
        "2026-03-05",
    )
    assert len(payout.line_ids) == 4


def test_dlocal_settlement_report_header_totals_that_differ_are_refused() -> None:
    data = (CONSTRUCTS / "dlocal_settlement_report.csv").read_bytes()
    data = data.replace(b"-0.010000,24.097200,3", b"-0.010000,24.107200,3")
    with pytest.raises(ControlTotalError, match=r"states NET_AMOUNT 24\.107200, the rows add up"):
        get_parser("dlocal.settlement_report").parse(data, source="x.csv")
