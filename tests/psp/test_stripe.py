"""Stripe reports: scenarios over cases written from Stripe's documentation (golden files:
``tests/parsing/test_golden_cases.py``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.errors import ControlTotalError, MalformedRecordError
from ecomrules.parsing.base import Confidence, ErrorPolicy
from ecomrules.parsing.model import LineKind, ParseResult
from ecomrules.parsing.registry import detect, get_parser
from ecomrules.psp.stripe.payout_reconciliation import PayoutReconciliationParser

CASES = Path(__file__).parent / "cases"


def parse(name: str, on_error: str = "raise") -> ParseResult:
    data = (CASES / name).read_bytes()
    parser = detect(data, name)
    return parser.parse(data, source=name, on_error=on_error)  # type: ignore[arg-type]


def test_payout_reconciliation_groups_payouts_per_currency_and_keeps_references() -> None:
    result = parse("stripe_payout_reconciliation.csv")
    assert not result.issues or all(i.severity.value == "info" for i in result.issues)
    payouts = {p.id: p for p in result.payouts}
    assert str(payouts["po_eur_1"].amount) == "66.30 EUR"
    assert str(payouts["po_usd_1"].amount) == "48.13 USD"
    assert str(payouts["po_eur_1"].arrival_date) == "2026-11-05"
    lines = {line.id: line for line in result.lines}
    charge = lines["txn_1001"]
    assert charge.kind is LineKind.CHARGE
    assert charge.references == ("SO-5030",)
    assert charge.metadata["payment_metadata[order_id]"] == "SO-5030"
    assert charge.booked_at is not None
    assert charge.booked_at.isoformat() == "2026-11-02T08:15:00+00:00"
    dispute = lines["txn_1004"]
    assert dispute.kind is LineKind.CHARGEBACK
    assert dispute.gross is not None
    assert dispute.fee is not None
    assert (dispute.gross.amount, dispute.fee.amount, dispute.amount.amount) == (
        Decimal("-89.90"),
        Decimal("15.00"),
        Decimal("-104.90"),
    )
    assert dispute.parent_id == "ch_1002"
    assert dispute.metadata["customer_facing_currency"] == "usd"
    assert lines["txn_1005"].currency.code == "EUR"  # upper and lower case alike
    assert lines["txn_1007"].kind is LineKind.FEE


def test_balance_transactions_payout_row_states_the_payout() -> None:
    result = parse("stripe_balance_transactions.csv")
    (payout,) = result.payouts
    assert payout.id == "po_3009"
    assert str(payout.amount) == "37.36 EUR"
    assert payout.line_ids == ("txn_3001", "txn_3002", "txn_3003", "txn_3009")
    assert result.lines[0].references == ("SO-5032",)


def test_rows_without_id_get_fingerprints_with_an_occurrence_counter() -> None:
    result = parse("stripe_balance_change.csv")
    ids = [line.id for line in result.lines[-2:]]
    assert ids[0].endswith("-1")
    assert ids[1].endswith("-2")
    assert ids[0][:-2] == ids[1][:-2]
    again = parse("stripe_balance_change.csv")
    assert [line.id for line in again.lines] == [line.id for line in result.lines]


def test_unknown_category_is_kept_as_other_and_noted() -> None:
    result = parse("stripe_balance_change.csv")
    climate = next(line for line in result.lines if line.id == "txn_2004")
    assert climate.kind is LineKind.OTHER
    assert climate.metadata["reporting_category"] == "climate_order_purchase"
    assert "psp.stripe.category_unknown" in [i.code for i in result.issues]


def test_strict_mode_stops_at_the_first_bad_field_naming_file_line_and_column() -> None:
    with pytest.raises(MalformedRecordError) as caught:
        parse("stripe_bad_rows.csv")
    assert str(caught.value) == (
        "stripe_bad_rows.csv:3:gross: column 'gross': '12,5x' is not a decimal"
    )
    assert caught.value.field == "gross"
    assert caught.value.value == "12,5x"


def test_lenient_mode_accounts_for_every_row() -> None:
    result = parse("stripe_bad_rows.csv", on_error="collect")
    assert [line.id for line in result.lines] == ["txn_1", "txn_5"]
    errors = [(i.code, str(i.location)) for i in result.errors]
    assert errors == [
        ("psp.stripe.amount", "stripe_bad_rows.csv:3:gross"),
        ("psp.stripe.currency", "stripe_bad_rows.csv:4:currency"),
        ("psp.stripe.row_width", "stripe_bad_rows.csv:5"),
        ("psp.control.net_mismatch", "stripe_bad_rows.csv:6"),
        ("psp.stripe.date", "stripe_bad_rows.csv:7:created"),
    ]


def test_net_mismatch_raises_a_control_total_error_in_strict_mode() -> None:
    data = (CASES / "stripe_bad_rows.csv").read_bytes()
    good = b"\n".join(data.splitlines()[i] for i in (0, 1, 5))
    with pytest.raises(ControlTotalError, match=r"x.csv:3: line txn_5: gross 10.00 - fee 1.00"):
        get_parser("stripe.payout_reconciliation").parse(good, source="x.csv")


def test_streaming_yields_the_same_lines_as_parse() -> None:
    data = (CASES / "stripe_payout_reconciliation.csv").read_bytes()
    parser = PayoutReconciliationParser()
    streamed = list(parser.iter_lines(data, source="s.csv", policy=ErrorPolicy("raise")))
    assert streamed == list(parser.parse(data, source="s.csv").lines)


def test_local_times_follow_the_requested_zone() -> None:
    header = b"balance_transaction_id,created,currency,gross,fee,net,reporting_category\n"
    row = b"txn_1,2026-11-02 00:30:00,eur,1.00,0.00,1.00,charge\n"
    result = PayoutReconciliationParser(zone="Europe/Paris").parse(
        header.replace(b"reporting_category", b"reporting_category,automatic_payout_id")
        + row.replace(b"charge\n", b"charge,po_1\n"),
        source="z.csv",
    )
    (line,) = result.lines
    assert line.booked_on.isoformat() == "2026-11-02"
    assert line.booked_at is not None
    assert line.booked_at.isoformat() == "2026-11-02T00:30:00+01:00"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            b"automatic_payout_id,balance_transaction_id,currency,net\n",
            "stripe.payout_reconciliation",
        ),
        (b"balance_transaction_id,currency,gross,fee,net\n", "stripe.balance_change"),
        (b"id,Type,Amount,Fee,Net,Currency,Created (UTC)\n", "stripe.balance_transactions"),
    ],
)
def test_each_header_is_claimed_by_exactly_one_parser(header: bytes, expected: str) -> None:
    assert detect(header, "x.csv").name == expected
    votes = {
        name: get_parser(name).sniff(header, "x.csv")
        for name in (
            "stripe.payout_reconciliation",
            "stripe.balance_change",
            "stripe.balance_transactions",
        )
    }
    assert [n for n, v in votes.items() if v is Confidence.YES] == [expected]


def test_demo_payout_ties_out() -> None:
    from ecomrules import demo

    result = get_parser("stripe.payout_reconciliation").parse(
        demo.path("stripe-payout.csv").read_bytes(), source="stripe-payout.csv"
    )
    assert not result.errors
    (payout,) = result.payouts
    assert (payout.id, str(payout.amount), str(payout.arrival_date)) == (
        "po_1QdemoNov18",
        "489.74 EUR",
        "2026-11-18",
    )
    assert len(payout.line_ids) == 6
    kinds = [line.kind for line in result.lines]
    assert kinds.count(LineKind.CHARGE) == 4
    assert kinds.count(LineKind.REFUND) == kinds.count(LineKind.FEE) == 1
    assert result.lines[0].references == ("SO-5030",)


def test_a_report_without_a_net_column_takes_gross_less_fee() -> None:
    data = (
        b"automatic_payout_id,balance_transaction_id,created_utc,currency,gross,fee\n"
        b"po_1,txn_1,2026-11-02 10:00:00,eur,10.00,0.55\n"
        b"po_1,txn_2,2026-11-02 11:00:00,eur,-2.00,\n"
    )
    result = detect(data, "no-net.csv").parse(data, source="no-net.csv")
    assert [str(line.amount) for line in result.lines] == ["9.45 EUR", "-2.00 EUR"]
    assert str(result.payouts[0].amount) == "7.45 EUR"
