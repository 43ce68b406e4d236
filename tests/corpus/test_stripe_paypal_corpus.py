"""The Stripe and PayPal parsers over the shared corpus of third-party files.

Every file is detected, every data row becomes a line or an error issue at
its line, and the controls hold, except where a fixture does not add up: there
the exact issues reported are asserted.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.errors import ControlTotalError, UnrecognizedFormatError
from ecomrules.outcome import Severity
from ecomrules.parsing.model import ParseResult
from ecomrules.parsing.registry import detect, parse_file
from ecomrules.parsing.source import HEAD_SIZE

PARSER_OF = {
    "stripe/smashpig_payments_activity.csv": "stripe.payout_reconciliation",
    "stripe/smashpig_settlement_report.csv": "stripe.payout_reconciliation",
    "stripe/smashpig_settlement_report_with_customer_data.csv": "stripe.payout_reconciliation",
    "stripe/wmfcrm_settlement_report.csv": "stripe.payout_reconciliation",
    "stripe/wmfcrm_settlement_report_giving_basket.csv": "stripe.payout_reconciliation",
    "paypal/oca_activity_en.csv": "paypal.activity",
    "paypal/oca_statement_es.csv": "paypal.activity",
    "paypal/smashpig_stl_brl_refund.csv": "paypal.settlement",
    # Named "stl" upstream, but its CH record is the TRR column set.
    "paypal/smashpig_stl_chargeback_reversal.csv": "paypal.transaction_detail",
    "paypal/smashpig_stl_chargeback_with_fee.csv": "paypal.transaction_detail",
    "paypal/smashpig_stl_dr_payment.csv": "paypal.settlement",
    "paypal/smashpig_trr_dr_payment.csv": "paypal.transaction_detail",
    "paypal/smashpig_trr_express_checkout_donation_denied.csv": "paypal.transaction_detail",
    "paypal/smashpig_trr_express_checkout_recurring_donation.csv": "paypal.transaction_detail",
    "paypal/smashpig_trr_express_checkout_recurring_refund.csv": "paypal.transaction_detail",
    "paypal/smashpig_trr_express_checkout_refund.csv": "paypal.transaction_detail",
    "paypal/smashpig_trr_give_lively.csv": "paypal.transaction_detail",
    "paypal/smashpig_trr_grant.csv": "paypal.transaction_detail",
    "paypal/smashpig_trr_void.csv": "paypal.transaction_detail",
    "paypal/wmfcrm_STL-20260106.01.009.csv": "paypal.settlement",
    "paypal/wmfcrm_STL_chargeback_double_transaction.csv": "paypal.settlement",
    "paypal/wmfcrm_STL_chargeback_orphan.csv": "paypal.settlement",
    "paypal/wmfcrm_STL_chargeback_variants.csv": "paypal.settlement",
    "paypal/wmfcrm_STL_order_recur.csv": "paypal.settlement",
    "paypal/wmfcrm_trr_grant.csv": "paypal.transaction_detail",
    "paypal/wmfcrm_trr_paypal_express_donation.csv": "paypal.transaction_detail",
}
"""Every Stripe and PayPal file of the corpus and the parser that must claim it."""

UNSUPPORTED = {
    # Subscription Agreement Reports list subscription events, no money moves.
    "paypal/smashpig_sar_classic_subscr_cancel.csv",
    "paypal/smashpig_sar_classic_subscr_signup.csv",
}

ERRORS: dict[str, list[tuple[str, int]]] = {
    # A synthetic payout row: +24 gross, 0 fee, +23.05 net, and positive where
    # a payout leaves the balance (FORMATS.md 1.5).
    "stripe/smashpig_settlement_report.csv": [
        ("psp.control.net_mismatch", 8),
        ("psp.control.payout_mismatch", 8),
    ],
    "stripe/wmfcrm_settlement_report.csv": [
        ("psp.control.net_mismatch", 7),
        ("psp.control.payout_mismatch", 7),
    ],
    # Footers of synthetic fixtures whose balances or counts were not kept in step.
    "paypal/smashpig_stl_dr_payment.csv": [("psp.paypal.balance_mismatch", 5)],
    "paypal/wmfcrm_STL-20260106.01.009.csv": [
        ("psp.paypal.balance_mismatch", 9),
        ("psp.paypal.balance_mismatch", 12),
    ],
    "paypal/wmfcrm_STL_chargeback_double_transaction.csv": [
        ("psp.paypal.balance_mismatch", 5),
        ("psp.paypal.balance_mismatch", 6),
    ],
    "paypal/wmfcrm_STL_chargeback_orphan.csv": [
        ("psp.paypal.totals_mismatch", 5),
        ("psp.paypal.totals_mismatch", 5),
        ("psp.paypal.totals_mismatch", 5),
        ("psp.paypal.balance_mismatch", 5),
    ],
    "paypal/wmfcrm_STL_chargeback_variants.csv": [
        ("psp.paypal.balance_mismatch", 9),
        ("psp.paypal.balance_mismatch", 10),
        ("psp.paypal.count_mismatch", 11),
        ("psp.paypal.count_mismatch", 12),
    ],
    "paypal/wmfcrm_STL_order_recur.csv": [
        ("psp.paypal.totals_mismatch", 4),
        ("psp.paypal.balance_mismatch", 4),
        ("psp.paypal.count_mismatch", 5),
        ("psp.paypal.totals_mismatch", 6),
        ("psp.paypal.balance_mismatch", 6),
        ("psp.paypal.count_mismatch", 7),
        ("psp.paypal.count_mismatch", 8),
    ],
}
"""The exact error issues (code, line) reported for fixtures that do not add up."""


def test_every_listed_stripe_and_paypal_file_is_present(corpus: Path) -> None:
    """Files added later are covered by test_every_file.py; the listed ones must stay."""
    present = {
        f"{folder}/{path.name}"
        for folder in ("stripe", "paypal")
        for path in (corpus / folder).iterdir()
    }
    assert set(PARSER_OF) | UNSUPPORTED <= present


def _data_rows(path: Path, parser: str) -> list[int]:
    """The line numbers of the data rows, counted with the csv module alone."""
    text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    reader = csv.reader(io.StringIO(text))
    rows = []
    for fields in reader:
        start = reader.line_num - sum(f.count("\n") for f in fields)
        if not any(f.strip() for f in fields):
            continue
        if parser.startswith("paypal.") and parser != "paypal.activity":
            if fields[0].strip() == "SB":
                rows.append(start)
        else:
            rows.append(start)
    return rows if parser.startswith("paypal.") and parser != "paypal.activity" else rows[1:]


@pytest.mark.parametrize("name", sorted(PARSER_OF))
def test_detected_and_every_row_accounted_for(corpus: Path, name: str) -> None:
    path = corpus / name
    assert detect(path.read_bytes()[:HEAD_SIZE], path.name).name == PARSER_OF[name]
    (result,) = parse_file(path, on_error="collect")
    located = {i.location.line for i in result.errors if i.location is not None}
    lines = {line.location.line for line in result.lines if line.location is not None}
    for row in _data_rows(path, PARSER_OF[name]):
        assert row in lines or row in located, f"{name}:{row} is neither a line nor an issue"
    assert len(result.lines) == len(lines)
    errors = [(i.code, i.location.line if i.location else 0) for i in result.errors]
    assert errors == ERRORS.get(name, [])


@pytest.mark.parametrize("name", sorted(PARSER_OF))
def test_controls_hold_where_no_error_is_reported(corpus: Path, name: str) -> None:
    (result,) = parse_file(corpus / name, on_error="collect")
    _check_controls(result)


def _check_controls(result: ParseResult) -> None:
    flagged = {i.location.line for i in result.errors if i.location is not None}
    by_id = {line.id: line for line in result.lines}
    for line in result.lines:
        checkable = line.gross is not None and line.fee is not None and line.location is not None
        if checkable and line.location.line not in flagged:  # type: ignore[union-attr]
            assert line.gross - line.fee == line.amount, line.id  # type: ignore[operator]
    codes = {i.code for i in result.errors}
    for payout in result.payouts:
        members = [by_id[i] for i in payout.line_ids]
        if "psp.control.payout_mismatch" in codes:
            continue
        transfers = [m for m in members if m.kind.value == "payout"]
        others = [m for m in members if m.kind.value != "payout"]
        if others:
            total = sum((m.amount.amount for m in others), Decimal(0))
            assert total == payout.amount.amount, payout.id
        for transfer in transfers:
            assert -transfer.amount.amount == payout.amount.amount


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_subscription_agreement_reports_are_refused_clearly(corpus: Path, name: str) -> None:
    with pytest.raises(UnrecognizedFormatError, match="no registered parser recognises"):
        parse_file(corpus / name)


def test_strict_mode_stops_at_a_fixture_that_does_not_add_up(corpus: Path) -> None:
    with pytest.raises(ControlTotalError) as caught:
        parse_file(corpus / "stripe" / "smashpig_settlement_report.csv")
    assert caught.value.reason == "line txn_005: gross 24 - fee 0 != net 23.05"
    assert caught.value.location is not None
    assert caught.value.location.line == 8


def test_activity_conversions_are_pairs_and_nothing_is_dropped(corpus: Path) -> None:
    (result,) = parse_file(corpus / "paypal" / "oca_activity_en.csv")
    conversions = [line for line in result.lines if line.kind.value == "fx_conversion"]
    assert conversions
    by_id = {line.id: line for line in result.lines}
    for line in conversions:
        assert line.related_id is not None, line.id
        other = by_id[line.related_id]
        assert other.related_id == line.id
        assert other.currency != line.currency
    per_currency: dict[str, int] = defaultdict(int)
    for line in result.lines:
        per_currency[line.currency.code] += 1
    assert dict(per_currency) == {"AUD": 2, "EUR": 29, "USD": 45}
    assert not [i for i in result.issues if i.severity is Severity.ERROR]
