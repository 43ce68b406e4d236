"""Constructs real PSPs send, each in a file of our own written from the provider's spec.

Every test here failed before the construct was read as the provider
documents it; the files are under ``constructs/`` beside this module.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

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
