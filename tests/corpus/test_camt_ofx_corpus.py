"""The CAMT and OFX files of the shared corpus: detected, parsed, balanced or refused.

Several third-party fixtures carry balances that do not add up (they were
written to test other things: all balance types with made-up amounts, an EUR
opening balance with a SEK closing one, a reversal example whose closing
balance ignores its entries). The manifest does not flag them; the sums were
checked by hand. For those the test asserts the exact issue reported.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.errors import ParseError
from ecomrules.parsing.registry import detect, get_parser
from ecomrules.parsing.source import HEAD_SIZE, unwrap

FOLDERS = {
    "camt052": "bank.camt052",
    "camt053": "bank.camt053",
    "camt054": "bank.camt054",
    "ofx": "bank.ofx",
}

NEGATIVE = {
    # unknown namespace root
    "camt053/kedder_unsupported.xml": (1, "namespace 'urn:weird-namespace' is not an ISO 20022"),
    # second entry's Amt commented out
    "camt053/oca_test-camt053-wrong-amount.xml": (93, "Ntry/Amt is missing"),
    # first transaction without DTPOSTED (and later 31 February)
    "ofx/ofxparse_fail_nice_date_missing.ofx": (33, "DTPOSTED is missing"),
    # DTPOSTED 201120000000 (month 20), TRNAMT $120
    "ofx/ofxparse_fail_nice_decimal_error.ofx": (36, "DTPOSTED '201120000000' is not a valid date"),
}

# member -> the (code, line) of every error issue, for fixtures whose balances do not add up
INCONSISTENT = {
    "camt053/genkgo_camt053.v2.all-balance-types.xml": [("bank.balance_mismatch", 10)],
    "camt053/genkgo_camt053.v2.five.decimals.xml": [("bank.balance_mismatch", 25)],
    # an EUR account with its CLBD in SEK, OPAV in CHF and CLAV in JPY: each balance
    # is reported and kept in its own currency, none is checked against EUR lines
    "camt053/genkgo_camt053.v2.with-party-ids.xml": [("bank.camt.balance_currency", 26)] * 3,
    "camt053/genkgo_camt053.v4.xml": [("bank.camt.balance_currency", 30)] * 3,
    "camt053/genkgo_camt053.v8.xml": [("bank.camt.balance_currency", 30)] * 3,
    "camt053/kedder_gcamp6.xml": [("bank.balance_mismatch", 12)],
    "camt053/oca_test-camt053-more-than-one-xml.xml": [
        ("bank.balance_mismatch", 8),
        ("bank.balance_mismatch", 299),
    ],
    "camt053/oca_test-camt053.xml": [("bank.balance_mismatch", 7)],
    "camt053/oca_test-camt053.zip!test-camt053_02.xml": [("bank.balance_mismatch", 7)],
    "camt053/oca_test-camt053.zip!test-camt053_03.xml": [("bank.balance_mismatch", 7)],
}

MESSAGES = {
    "camt053/oca_test-camt053.xml": (
        "statement 1234Test/1: opening balance 15568.27 + lines -12.99 = 15555.28, "
        "but the closing balance is 15121.12 (difference -434.16)"
    ),
    "camt053/genkgo_camt053.v4.xml": (
        "statement 253EURNL26VAYB8060476890: balance CLBD is in SEK, the account in EUR"
    ),
    "camt053/genkgo_camt053.v2.five.decimals.xml": (
        "statement 253EURNL26VAYB8060476890: opening balance 18.150 + lines 8.850 = 27.000, "
        "but the closing balance is 27.050 (difference 0.050)"
    ),
}


def _files(corpus: Path) -> list[tuple[str, Path]]:
    return [
        (f"{folder}/{path.name}", path)
        for folder in FOLDERS
        for path in sorted((corpus / folder).iterdir())
        if path.is_file()
    ]


def _members(corpus: Path) -> list[tuple[str, str, bytes]]:
    out = []
    for name, path in _files(corpus):
        for member, content in unwrap(path.read_bytes(), name):
            out.append((name, member, content))
    return out


def test_every_file_is_detected(corpus: Path) -> None:
    for name, member, content in _members(corpus):
        expected = FOLDERS[name.split("/", 1)[0]]
        assert detect(content[:HEAD_SIZE], member).name == expected, member


def test_negative_files_are_refused_with_file_and_line(corpus: Path) -> None:
    for name, (line, message) in NEGATIVE.items():
        parser = get_parser(FOLDERS[name.split("/", 1)[0]])
        with pytest.raises(ParseError) as caught:
            parser.parse((corpus / name).read_bytes(), source=name)
        assert str(caught.value).startswith(f"{name}:{line}: {message}"), str(caught.value)


def test_files_parse_without_errors_and_balance(corpus: Path) -> None:
    seen = set()
    for name, member, content in _members(corpus):
        if name in NEGATIVE:
            continue
        parser = get_parser(FOLDERS[name.split("/", 1)[0]])
        result = parser.parse(content, source=member, on_error="collect")
        errors = [(i.code, i.location.line if i.location else None) for i in result.errors]
        assert errors == INCONSISTENT.get(member, []), member
        if member in MESSAGES:
            assert result.errors[0].message == MESSAGES[member]
        seen.add(member)
        if member in INCONSISTENT:
            continue
        for statement in result.statements:
            if statement.opening_balance is None or statement.closing_balance is None:
                continue
            total = sum((line.amount.amount for line in statement.lines), Decimal(0))
            assert statement.opening_balance.amount + total == statement.closing_balance.amount
    assert set(INCONSISTENT) <= seen


def test_known_details_are_read(corpus: Path) -> None:
    camt = get_parser("bank.camt053")
    txdtls = camt.parse(
        (corpus / "camt053/oca_test-camt053-txdtls.xml").read_bytes(), source="t.xml"
    )
    assert [len(line.references[0]) for line in txdtls.lines] == [27, 27]  # ISR references
    assert {line.parent_id for line in txdtls.lines} != {None}
    fx = camt.parse(
        (corpus / "camt053/oca_test-camt053-multi-currency.xml").read_bytes(), source="m.xml"
    )
    assert fx.lines[0].metadata["fx_rate"] == "1.1087693103"
    assert fx.lines[0].metadata["instructed_amount"] == "522.39"
    returns = camt.parse(
        (corpus / "camt053/oca_test-camt053.xml").read_bytes(), source="o.xml", on_error="collect"
    )
    assert [line.metadata.get("return_reason") for line in returns.lines] == [
        None,
        "AC06",
        "AC06",
        None,
    ]
    qrr = get_parser("bank.camt054").parse(
        (corpus / "camt054/oca_test-camt054.xml").read_bytes(), source="q.xml"
    )
    assert qrr.lines[0].metadata["creditor_reference_type"] == "QRR"
    euro = get_parser("bank.ofx").parse(
        (corpus / "ofx/ofxtools_stmtrs_euro.ofx").read_bytes(), source="e.ofx"
    )
    assert [str(line.amount.amount) for line in euro.lines] == ["-200.00", "-300.00"]
    error = get_parser("bank.ofx").parse(
        (corpus / "ofx/ofxparse_error_message.ofx").read_bytes(), source="x.ofx"
    )
    assert error.statements == ()
    assert [i.code for i in error.issues] == ["bank.ofx.server_error"]
