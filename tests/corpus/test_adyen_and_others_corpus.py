"""The Adyen, Braintree, Checkout.com, Worldline, Trustly and dLocal parsers over the corpus.

Every file is detected; every data row is a line or an issue; the controls
(gross - fee = net, payout = sum of nets) hold or are reported. Third-party
fixtures that do not add up are listed with the exact issues reported.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.errors import MalformedRecordError
from ecomrules.outcome import Severity
from ecomrules.parsing.model import LineKind, ParseResult
from ecomrules.parsing.registry import parse_file

FOLDERS = ("adyen", "braintree", "checkout_com", "mollie", "worldline_globalcollect", "other_psp")

# file -> (parser, number of lines, [(code, place in the file)] of warnings and errors)
EXPECTED: dict[str, tuple[str, int, list[tuple[str, str]]]] = {
    "adyen/oca_adyen_test_credit_fees.xlsx": ("adyen.settlement_details", 40, []),
    "adyen/smashpig_payments_accounting_report_chargeback.csv": ("adyen.payment_accounting", 1, []),
    "adyen/smashpig_payments_accounting_report_gravy_chargeback.csv": (
        "adyen.payment_accounting",
        1,
        [],
    ),
    "adyen/smashpig_payments_accounting_report_nyce.csv": ("adyen.payment_accounting", 1, []),
    "adyen/smashpig_settlement_detail_report_chargeback.csv": (
        "adyen.settlement_details",
        3,
        [
            (
                "psp.control.payout_mismatch",
                ":4",
            )
        ],
    ),
    "adyen/smashpig_settlement_detail_report_chargeback_reversed.csv": (
        "adyen.settlement_details",
        1,
        [],
    ),
    "adyen/smashpig_settlement_detail_report_deposit_correction.csv": (
        "adyen.settlement_details",
        2,
        [],
    ),
    "adyen/smashpig_settlement_detail_report_donation-ach.csv": ("adyen.settlement_details", 2, []),
    "adyen/smashpig_settlement_detail_report_donation-ideal.csv": (
        "adyen.settlement_details",
        2,
        [
            (
                "psp.control.payout_mismatch",
                ":3",
            )
        ],
    ),
    "adyen/smashpig_settlement_detail_report_donation_reordered.csv": (
        "adyen.settlement_details",
        2,
        [],
    ),
    "adyen/smashpig_settlement_detail_report_ignore.csv": ("adyen.settlement_details", 2, []),
    "adyen/smashpig_settlement_detail_report_refund.csv": (
        "adyen.settlement_details",
        3,
        [("psp.control.payout_mismatch", ":4")],
    ),
    "adyen/wmfcrm_payments_accounting_report_2025_11_16-test.csv": (
        "adyen.payment_accounting",
        1,
        [],
    ),
    "adyen/wmfcrm_settlement_detail_report_batch_1128.csv": (
        "adyen.settlement_details",
        15,
        [
            ("psp.control.net_mismatch", ":2"),
            ("psp.control.net_mismatch", ":3"),
            ("psp.control.net_mismatch", ":12"),
        ],
    ),
    "adyen/wmfcrm_settlement_detail_report_batch_1129.csv": (
        "adyen.settlement_details",
        18,
        [
            ("psp.control.net_mismatch", ":2"),
            ("psp.control.net_mismatch", ":3"),
            ("psp.control.net_mismatch", ":5"),
            ("psp.control.net_mismatch", ":7"),
        ],
    ),
    "adyen/wmfcrm_settlement_detail_report_chargeback_reversal.csv": (
        "adyen.settlement_details",
        3,
        [],
    ),
    "adyen/wmfcrm_settlement_detail_report_refunded_reversal.csv": (
        "adyen.settlement_details",
        3,
        [],
    ),
    "braintree/oca_braintree_graphql_nodata.json": ("braintree.graphql", 0, []),
    "braintree/oca_braintree_graphql_search_0.json": ("braintree.graphql", 1, []),
    "braintree/oca_braintree_graphql_search_2.json": ("braintree.graphql", 0, []),
    "braintree/wmfcrm_braintree_dispute_won.json": ("braintree.graphql", 2, []),
    "braintree/wmfcrm_braintree_raw_disbursement_report_consolidated.jsonl": (
        "braintree.graphql",
        2,
        [],
    ),
    "checkout_com/smashpig_settlement-breakdown_ent_testcheckoutfixture_20260702_00000003k599_1.csv": (  # noqa: E501
        "checkout_com.financial_actions",
        9,
        [],
    ),
    "checkout_com/wmfcrm_payouts_ent_testcheckoutfixture_20260701_20260702.csv": (
        "checkout_com.payouts",
        8,
        [
            (
                "psp.control.payout_mismatch",
                ":2:Payout Amount",
            )
        ],
    ),
    "worldline_globalcollect/smashpig_wx1_chargeback.xml.gz": ("worldline.globalcollect_wx", 1, []),
    "worldline_globalcollect/smashpig_wx1_connectdonation.xml.gz": (
        "worldline.globalcollect_wx",
        1,
        [],
    ),
    "worldline_globalcollect/smashpig_wx1_donation.xml.gz": ("worldline.globalcollect_wx", 1, []),
    "worldline_globalcollect/smashpig_wx1_donation_bpay.xml.gz": (
        "worldline.globalcollect_wx",
        1,
        [],
    ),
    "worldline_globalcollect/smashpig_wx1_recurring.xml.gz": ("worldline.globalcollect_wx", 1, []),
    "worldline_globalcollect/smashpig_wx1_recurringrefund.xml.gz": (
        "worldline.globalcollect_wx",
        1,
        [],
    ),
    "worldline_globalcollect/smashpig_wx1_sparseRefund.xml.gz": (
        "worldline.globalcollect_wx",
        1,
        [
            (
                "psp.worldline.total_mismatch",
                ":51:TotalAmount",
            )
        ],
    ),
    "other_psp/dlocal/smashpig_dlocal_chargebacks.csv": ("dlocal.legacy_report", 1, []),
    "other_psp/dlocal/smashpig_dlocal_donation.csv": ("dlocal.legacy_report", 1, []),
    "other_psp/dlocal/smashpig_dlocal_refund.csv": ("dlocal.legacy_report", 1, []),
    "other_psp/trustly/smashpig_P11KFUN-3618-20260201120000-20260202120000-0001of0001.csv": (
        "trustly.funding",
        3,
        [
            (
                "psp.trustly.trailer_mismatch",
                ":5:field 1",
            )
        ],
    ),
    "other_psp/trustly/smashpig_P11KFUN-3618-r-code-reversal.csv": ("trustly.funding", 3, []),
    "other_psp/trustly/smashpig_P11KFUN-3618-refund-long-merchant-reference.csv": (
        "trustly.funding",
        2,
        [],
    ),
    "other_psp/trustly/smashpig_P11KREC-3618-20260201120000-20260202120000-0001of0001.csv": (
        "trustly.reconciliation",
        2,
        [
            (
                "psp.trustly.trailer_mismatch",
                ":4:field 1",
            ),
            (
                "psp.trustly.trailer_mismatch",
                ":4:field 2",
            ),
        ],
    ),
}

NEGATIVE = {
    "adyen/oca_adyen_test_invalid.xls": (
        MalformedRecordError,
        "header lacks column(s) 'Company Account', 'Merchant Account', 'Psp Reference', "
        "'Merchant Reference'",
    ),
}


def _files(corpus: Path) -> list[str]:
    found = []
    for folder in FOLDERS:
        for path in sorted((corpus / folder).rglob("*")):
            if path.is_file() and path.suffix != ".mt940":
                found.append(str(path.relative_to(corpus)))
    return found


def test_every_listed_corpus_file_is_present(corpus: Path) -> None:
    """Files added later are covered by test_every_file.py; the listed ones must stay."""
    assert set(EXPECTED) | set(NEGATIVE) <= set(_files(corpus))


def _data_rows(corpus: Path, name: str) -> set[int] | None:
    """The start lines of the data rows of a delimited file; None for other formats."""
    path = corpus / name
    if path.suffix != ".csv":
        return None
    text = path.read_text(encoding="utf-8-sig")
    if name.startswith("other_psp/trustly/"):
        return {n for n, raw in enumerate(text.splitlines(), 1) if raw[:2] in ("I,", "F,", "T,")}
    delimiter = ";" if name.startswith("other_psp/dlocal/") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows, start = set(), 1
    for cells in reader:
        if start > 1 and any(c.strip() for c in cells):
            rows.add(start)
        start = reader.line_num + 1
    return rows


def _accounted(result: ParseResult) -> set[int]:
    lines = {line.location.line for line in result.lines if line.location is not None}
    issues = {i.location.line for i in result.issues if i.location is not None}
    return {n for n in lines | issues if n is not None}


def _check_controls(result: ParseResult) -> None:
    flagged = {(i.code, str(i.location)) for i in result.issues if i.severity is Severity.ERROR}
    for line in result.lines:
        if line.gross is not None and line.fee is not None and line.gross - line.fee != line.amount:
            assert ("psp.control.net_mismatch", str(line.location)) in flagged, line
    by_id = {line.id: line for line in result.lines}
    mismatched = {
        i.message.split(" ")[1] for i in result.issues if i.code == "psp.control.payout_mismatch"
    }
    for payout in result.payouts:
        members = [by_id[i] for i in payout.line_ids if by_id[i].kind is not LineKind.PAYOUT]
        total = sum((m.amount.amount for m in members), Decimal(0))
        assert total == payout.amount.amount or payout.id in mismatched, payout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(corpus: Path, name: str) -> None:
    parser, count, issues = EXPECTED[name]
    (result,) = parse_file(corpus / name, on_error="collect")
    assert result.parser == parser
    assert len(result.lines) == count
    prefix = str(corpus / name).removesuffix(".gz")
    reported = [
        (i.code, str(i.location).removeprefix(prefix))
        for i in result.issues
        if i.severity is not Severity.INFO
    ]
    assert reported == issues
    rows = _data_rows(corpus, name)
    if rows is not None:
        assert rows <= _accounted(result), sorted(rows - _accounted(result))
    _check_controls(result)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_negative_corpus_file_is_refused(corpus: Path, name: str) -> None:
    error, message = NEGATIVE[name]
    with pytest.raises(error) as caught:
        parse_file(corpus / name, on_error="collect")
    assert str(caught.value) == f"{corpus / name}:1: {message}"


def test_adyen_batch_with_two_payout_currencies(corpus: Path) -> None:
    (result,) = parse_file(
        corpus / "adyen/wmfcrm_settlement_detail_report_batch_1128.csv", on_error="collect"
    )
    assert [(p.id, p.currency.code, str(p.amount.amount)) for p in result.payouts] == [
        ("WikimediaDonations/1128", "CAD", "9.54"),
        ("WikimediaDonations/1128", "USD", "59.75"),
    ]


def test_adyen_fx_inside_the_report(corpus: Path) -> None:
    (result,) = parse_file(
        corpus / "adyen/smashpig_settlement_detail_report_donation-ideal.csv", on_error="collect"
    )
    settled = result.lines[0]
    assert (str(settled.gross.amount), str(settled.fee.amount), str(settled.amount.amount)) == (  # type: ignore[union-attr]
        "5.70",
        "0.27",
        "5.43",
    )
    assert settled.metadata["gross_currency"] == "EUR"
