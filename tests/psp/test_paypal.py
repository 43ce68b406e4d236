"""PayPal reports: scenarios over cases written from PayPal's specifications (golden files:
``tests/parsing/test_golden_cases.py``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.errors import ControlTotalError, MalformedRecordError
from ecomrules.money import Money
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.model import LineKind, ParseResult
from ecomrules.parsing.registry import detect, get_parser
from ecomrules.psp.paypal.settlement import SettlementReportParser
from ecomrules.psp.paypal.transaction_detail import TransactionDetailParser

CASES = Path(__file__).parent / "cases"


def parse(name: str, on_error: str = "raise") -> ParseResult:
    data = (CASES / name).read_bytes()
    return detect(data, name).parse(data, source=name, on_error=on_error)  # type: ignore[arg-type]


def test_stl_amounts_have_two_implied_decimals_even_for_jpy() -> None:
    result = parse("paypal_stl_two_days.csv")
    jpy = next(line for line in result.lines if line.id == "6EF03")
    assert jpy.gross == Money(Decimal("15000.00"), "JPY")
    assert jpy.fee == Money(Decimal("535.00"), "JPY")
    assert jpy.amount == Money(Decimal("14465.00"), "JPY")


def test_stl_sections_become_statements_with_footer_balances() -> None:
    result = parse("paypal_stl_two_days.csv")
    shapes = [
        (s.id, s.currency.code if s.currency else None, len(s.lines), str(s.opening_balance),
         str(s.closing_balance), str(s.opening_date))
        for s in result.statements
    ]  # fmt: skip
    assert shapes == [
        ("section-1", "EUR", 3, "1000.00 EUR", "1173.24 EUR", "2026-11-01"),
        ("section-1", "JPY", 2, "0.00 JPY", "0.00 JPY", "2026-11-01"),
        ("section-2", "EUR", 3, "1173.24 EUR", "98.24 EUR", "2026-11-02"),
    ]
    for statement in result.statements:
        assert statement.opening_balance is not None
        assert statement.closing_balance is not None
        moved = sum((line.amount.amount for line in statement.lines), Decimal(0))
        assert statement.opening_balance.amount + moved == statement.closing_balance.amount


def test_conversion_is_two_linked_rows_each_in_its_currency() -> None:
    result = parse("paypal_stl_two_days.csv")
    lines = {line.id: line for line in result.lines}
    out, into = lines["7GH04"], lines["8IJ05"]
    assert (out.kind, into.kind) == (LineKind.FX_CONVERSION, LineKind.FX_CONVERSION)
    assert (out.related_id, into.related_id) == ("8IJ05", "7GH04")
    assert (str(out.amount), str(into.amount)) == ("-14465.00 JPY", "81.23 EUR")
    assert out.parent_id == into.parent_id == "6EF03"


def test_withdrawal_is_a_payout_and_refund_returns_the_fee() -> None:
    result = parse("paypal_stl_two_days.csv")
    (payout,) = result.payouts
    assert (payout.id, str(payout.amount), payout.line_ids) == ("9KL06", "1000.00 EUR", ("9KL06",))
    lines = {line.id: line for line in result.lines}
    assert lines["9KL06"].metadata["bank_reference_id"] == "BANKREF77"
    refund = lines["5CD02"]
    assert refund.kind is LineKind.REFUND
    assert (str(refund.gross), str(refund.fee), str(refund.amount)) == (
        "-25.00 EUR",
        "-0.80 EUR",
        "-24.20 EUR",
    )
    assert [lines[i].kind for i in ("AB007", "AB008")] == [LineKind.CHARGEBACK, LineKind.FEE]


def test_a_wrong_footer_is_a_control_total_error_naming_its_line() -> None:
    data = (
        (CASES / "paypal_stl_two_days.csv")
        .read_bytes()
        .replace(b'"SF","EUR",20123', b'"SF","EUR",20124')
    )
    with pytest.raises(ControlTotalError) as caught:
        SettlementReportParser().parse(data, source="stl.csv")
    assert str(caught.value) == (
        "stl.csv:10: SF EUR gross credits: stated 201.24, rows add up to 201.23"
    )
    lenient = SettlementReportParser().parse(data, source="stl.csv", on_error="collect")
    assert [i.code for i in lenient.errors] == [
        "psp.paypal.totals_mismatch",
        "psp.paypal.balance_mismatch",
    ]
    assert len(lenient.lines) == 8


def test_a_bad_flag_names_the_column_and_the_row_is_an_issue() -> None:
    data = (CASES / "paypal_stl_two_days.csv").read_bytes().replace(b'"CR",12000', b'"XX",12000')
    with pytest.raises(
        MalformedRecordError, match=r"stl.csv:5:Transaction Debit or Credit: .*'XX' is not CR or DR"
    ):
        SettlementReportParser().parse(data, source="stl.csv")


def test_trr_keeps_denied_rows_with_their_status_and_notes_them() -> None:
    result = parse("paypal_trr_day.csv")
    denied = next(line for line in result.lines if line.id == "1TR002")
    assert denied.metadata["status"] == "D"
    assert [i.code for i in result.issues] == ["psp.paypal.status_not_settled"]
    charge = result.lines[0]
    assert charge.references == ("SO-5060", "cart-77")
    assert charge.counterparty is not None
    assert charge.counterparty.email == "lea@example.com"


def test_activity_reads_locale_numbers_and_links_the_conversion() -> None:
    result = parse("paypal_activity_de.csv")
    lines = {line.id: line for line in result.lines}
    assert str(lines["DE0001"].gross) == "1234.56 EUR"
    assert str(lines["DE0001"].fee) == "25.00 EUR"
    assert (lines["DE0002"].related_id, lines["DE0003"].related_id) == ("DE0003", "DE0002")
    assert lines["DE0005"].kind is LineKind.PAYOUT
    assert lines["DE0001"].booked_at is not None
    assert lines["DE0001"].booked_at.isoformat() == "2026-11-02T10:15:00+01:00"
    eur = next(s for s in result.statements if s.currency and s.currency.code == "EUR")
    assert (str(eur.opening_balance), str(eur.closing_balance)) == ("500.00 EUR", "60.86 EUR")


def test_activity_running_balance_is_checked() -> None:
    data = (CASES / "paypal_activity_fr.csv").read_bytes().replace(b'"3 182,33"', b'"3 182,34"')
    with pytest.raises(ControlTotalError, match=r"fr.csv:3: balance EUR: 3231.60 \+ -49.27"):
        get_parser("paypal.activity").parse(data, source="fr.csv")


def test_streaming_holds_a_conversion_until_its_other_half() -> None:
    data = (CASES / "paypal_stl_two_days.csv").read_bytes()
    parser = SettlementReportParser()
    streamed = list(parser.iter_lines(data, source="s.csv", policy=ErrorPolicy("raise")))
    assert sorted(streamed, key=lambda line: line.id) == sorted(
        parser.parse(data, source="s.csv").lines, key=lambda line: line.id
    )


def test_activity_newest_first_is_checked_backwards() -> None:
    data = (CASES / "paypal_activity_de.csv").read_bytes().decode("utf-8").splitlines()
    flipped = "\n".join([data[0], *reversed(data[1:])]).encode()
    result = get_parser("paypal.activity").parse(flipped, source="de-newest-first.csv")
    assert not result.errors
    eur = next(s for s in result.statements if s.currency and s.currency.code == "EUR")
    assert (str(eur.opening_balance), str(eur.closing_balance)) == ("500.00 EUR", "60.86 EUR")
    assert (str(eur.opening_date), str(eur.closing_date)) == ("2026-11-02", "2026-11-03")


def test_activity_withdrawals_are_payouts(corpus: Path) -> None:
    from ecomrules.parsing.registry import parse_file

    (result,) = parse_file(corpus / "paypal" / "oca_activity_en.csv")
    withdrawals = [line for line in result.lines if line.kind is LineKind.PAYOUT]
    assert withdrawals
    assert [(p.id, p.amount) for p in result.payouts] == sorted(
        (line.id, -line.amount) for line in withdrawals
    )


def test_a_net_is_gross_less_fee_as_booked_even_a_signed_zero() -> None:
    header = (
        "CH,Transaction ID,Transaction Event Code,Transaction Initiation Date,"
        "Transaction Debit or Credit,Gross Transaction Amount,Gross Transaction Currency,"
        "Fee Debit or Credit,Fee Amount,Fee Currency,Transactional Status"
    )
    stamp = "2026/11/02 09:00:00 -0800"
    rows = [
        f"SB,T1,T0006,{stamp},CR,100,USD,DR,100,USD,S",  # 1.00 - 1.00
        f"SB,T2,T1107,{stamp},DR,0,USD,DR,0,USD,S",  # -(0.00) is 0.00, less 0.00
        f"SB,T3,T0006,{stamp},CR,0,USD,DR,0,USD,S",  # 0.00 - 0.00
        f"SB,T4,T0006,{stamp},CR,500,USD,DR,20,USD,S",  # 4.80, cached
        f"SB,T5,T0006,{stamp},CR,490,USD,DR,10,USD,S",  # 4.80 again, other texts
        f"SB,T6,T1107,{stamp},DR,480,USD,CR,0,USD,S",  # -4.80
    ]
    data = "\n".join([header, *rows]).encode()
    policy = ErrorPolicy("collect")
    lines = list(TransactionDetailParser().iter_lines(data, source="t.csv", policy=policy))
    assert [str(line.amount.amount) for line in lines] == [
        "0.00",
        "0.00",
        "0.00",
        "4.80",
        "4.80",
        "-4.80",
    ]
    for line in lines:
        assert line.gross is not None
        assert line.fee is not None
        assert str(line.amount.amount) == str(line.gross.amount - line.fee.amount)
