"""OFX behaviour: SGML and XML alike, dates with zones, decimal commas, refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.bank.ofx import OfxParser, read_ofx_datetime
from ecomrules.bank.problems import RecordError
from ecomrules.errors import MalformedRecordError
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence

CASES = Path(__file__).parent / "cases"
HERE = SourceLocation("f.ofx", 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20261119", (date(2026, 11, 19), None)),
        (
            "20090401122017.000[-5:EST]",
            (
                date(2009, 4, 1),
                datetime(2009, 4, 1, 12, 20, 17, tzinfo=timezone(timedelta(hours=-5))),
            ),
        ),
        (
            "20261117120000[-3.30:NST]",
            (
                date(2026, 11, 17),
                datetime(2026, 11, 17, 12, 0, tzinfo=timezone(-timedelta(hours=3, minutes=30))),
            ),
        ),
        ("200510291120", (date(2005, 10, 29), datetime(2005, 10, 29, 11, 20, tzinfo=UTC))),
        (
            "20240323000000[-3:GMT]",
            (date(2024, 3, 23), datetime(2024, 3, 23, tzinfo=timezone(timedelta(hours=-3)))),
        ),
    ],
)
def test_dates(text: str, expected: tuple[date, datetime | None]) -> None:
    assert read_ofx_datetime(text, HERE, "DTPOSTED") == expected


@pytest.mark.parametrize("text", ["20120231", "201120000000", "2026-11-19", "yesterday"])
def test_impossible_dates_are_refused_with_their_place(text: str) -> None:
    with pytest.raises(RecordError) as caught:
        read_ofx_datetime(text, HERE, "DTPOSTED")
    assert caught.value.code == "bank.invalid_date"
    assert str(caught.value).startswith("f.ofx:3: DTPOSTED")


def test_sgml_and_xml_give_the_same_fields() -> None:
    sgml = OfxParser().parse((CASES / "ofx1_sgml_1252.ofx").read_bytes(), source="a.ofx")
    first = sgml.lines[0]
    assert first.id == "OFX-0001"
    assert first.amount.amount == Decimal("1250.00")  # decimal comma
    assert first.label == "Virement RF18539007547034 & merci"  # entity decoded
    assert first.raw.startswith("<STMTTRN>")
    assert "<FITID>OFX-0001" in first.raw
    assert sgml.lines[1].counterparty is not None
    assert sgml.lines[1].counterparty.name == "Café du Commerce"  # CHARSET:1252
    statement = sgml.statements[0]
    assert statement.closing_balance is not None
    assert statement.available_balance is not None
    assert (statement.closing_balance.amount, statement.available_balance.amount) == (
        Decimal("3165.10"),
        Decimal("3100.00"),
    )
    card = OfxParser().parse((CASES / "ofx2_creditcard.ofx").read_bytes(), source="b.ofx")
    assert card.statements[0].account == "4111111111111111"
    assert card.lines[0].label == "HOSTING <US> INC"  # CDATA kept as text


def test_a_bad_amount_names_its_line() -> None:
    data = (CASES / "ofx2_creditcard.ofx").read_bytes().replace(b"-19.99", b"$19.99")
    with pytest.raises(MalformedRecordError, match=r"^b\.ofx:17: TRNAMT '\$19\.99'"):
        OfxParser().parse(data, source="b.ofx")


def test_sniff() -> None:
    parser = OfxParser()
    assert parser.sniff(b"OFXHEADER:100\nDATA:OFXSGML", None) is Confidence.YES
    assert parser.sniff(b"\n\n<OFX>\n<SIGNONMSGSRSV1>", None) is Confidence.YES
    assert parser.sniff(b"id,amount\n", "x.csv") is Confidence.NO
    assert parser.sniff(b"", "export.qfx") is Confidence.MAYBE


def test_control_bytes_are_removed_and_counted() -> None:
    data = (
        (CASES / "ofx2_creditcard.ofx").read_bytes().replace(b"PAYMENT THANK", b"PAYMENT\x00 THANK")
    )
    result = OfxParser().parse(data + b"\x1a", source="c.ofx")
    assert result.lines[1].label == "PAYMENT THANK YOU"
    assert [(i.code, i.message) for i in result.issues] == [
        ("bank.control_bytes_removed", "1 control character(s) removed before reading")
    ]
