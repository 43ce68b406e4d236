"""The MT940, Mollie MT940, CFONB 120/240 and BAI2 files of the shared corpus.

Every file is detected, parsed without error issues and balanced; the files
the manifest marks NEGATIVE (and the two MT940 fragments) are refused with a
ParseError naming file and line; fixtures whose own totals do not add up
report exactly the issues listed here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.errors import ParseError
from ecomrules.parsing.registry import detect, get_parser
from ecomrules.parsing.source import HEAD_SIZE

FOLDERS = {
    "mt940": "bank.mt940",
    "mollie": "bank.mt940",
    "cfonb120": "bank.cfonb120",
    "cfonb240": "bank.cfonb120",
    "bai2": "bank.bai2",
}

# file -> line of the ParseError that refuses it (strict mode)
REFUSED = {
    "mt940/wolph_betterplace_amount_formats.sta": 2,  # fragment: six :60F: lines, no :20:/:25:
    "mt940/wolph_betterplace_empty_86.sta": 1,  # fragment: a lone :86:
    "cfonb120/oca_test_cfonb_inv_04_05.txt": 2,
    "cfonb120/oca_test_cfonb_other_file.txt": 1,
    "cfonb120/pennylane_end_of_statement_without_beginning.txt": 6,
    "cfonb120/pennylane_invalid_date.txt": 1,
    "cfonb120/pennylane_new_statement_without_previous_ended.txt": 6,
    "cfonb120/pennylane_operation_detail_without_operation.txt": 3,
    "cfonb240/silarhi_cfonb.240-complex-test.txt": 1,
    "bai2/moov_errors_sample-parseError.txt": 1,
}

# files whose own figures do not add up (or hold an impossible date): the exact
# non-info issues reported in lenient mode, as (severity, code, line)
INCONSISTENT = {
    "mt940/jejik_commerzbank.sta": [("error", "bank.balance_mismatch", 13)],
    "mt940/jejik_deutschebank.sta": [("error", "bank.balance_mismatch", 13)],
    "mt940/wolph_jejik_abnamro.sta": [
        ("error", "bank.balance_mismatch", 27),
        ("error", "bank.balance_mismatch", 40),
    ],
    "mt940/wolph_self-provided_details_60-63.sta": [("error", "bank.balance_mismatch", 12)],
    "mt940/wolph_self-provided_february_30.sta": [("error", "bank.invalid_date", 6)],
    "mt940/wolph_self-provided_transaction_details_wrapped.sta": [
        ("error", "bank.invalid_date", 6)
    ],
    # the only message has no closing balance (:62F:), which MT940 requires
    "mt940/wolph_self-provided_gv_codes.sta": [("error", "bank.mt940.field", 1)],
    "mt940/wolph_self-provided_raiffeisen-cmi.sta": [("error", "bank.balance_mismatch", 40)],
    "mt940/zilverline_abn_abnamro_structured.sta": [
        ("error", "bank.balance_mismatch", 16),
        ("error", "bank.balance_mismatch", 53),
    ],
    "cfonb120/akretion_bank_statement.cfo": [("error", "bank.balance_mismatch", 6)],
    # three 04 movements (and their 05s) carry bank code 10556 inside statements of
    # bank 10278: the fixture's anonymisation changed one key and not the others
    "cfonb120/silarhi_non-strict-test.txt": [
        ("error", "bank.cfonb120.record", 2),
        ("error", "bank.cfonb120.record", 2),
        ("error", "bank.cfonb120.record", 6),
        ("error", "bank.cfonb120.record", 18),
        ("error", "bank.cfonb120.record", 18),
        ("error", "bank.cfonb120.record", 18),
    ],
    "bai2/moj_citi_example.bai2": [("warning", "bank.bai2.ledger_mismatch", 12)],
    **{
        f"bai2/{name}": [
            ("error", "bank.bai2.control_total", 22),
            ("error", "bank.bai2.control_total", 22),
            ("error", "bank.bai2.control_total", last - 6),
            ("error", "bank.bai2.control_total", last - 6),
            ("warning", "bank.bai2.ledger_mismatch", last - 6),
            ("error", "bank.bai2.control_total", last - 1),
            ("error", "bank.bai2.control_total", last - 1),
            ("error", "bank.bai2.control_total", last - 1),
            ("error", "bank.bai2.control_total", last),
            ("error", "bank.bai2.control_total", last),
        ]
        for name, last in (
            ("moov_sample4-continuations-newline-delimited.txt", 116),
            ("moov_sample5-issue113.txt", 124),
        )
    },
}


def _files(root: Path) -> list[tuple[str, Path]]:
    found = []
    for folder in FOLDERS:
        found.extend((f"{folder}/{path.name}", path) for path in sorted((root / folder).glob("*")))
    return found


def test_corpus_files(corpus: Path) -> None:
    checked = 0
    for name, path in _files(corpus):
        parser = get_parser(FOLDERS[name.split("/")[0]])
        data = path.read_bytes()
        checked += 1
        if name in REFUSED:
            with pytest.raises(ParseError) as caught:
                parser.parse(data, source=name)
            assert str(caught.value).startswith(f"{name}:{REFUSED[name]}:"), str(caught.value)
            continue
        assert detect(data[:HEAD_SIZE], name).name == parser.name, name
        result = parser.parse(data, source=name, on_error="collect")
        issues = [
            (i.severity.value, i.code, i.location.line if i.location else None)
            for i in result.issues
            if i.severity.value != "info"
        ]
        assert issues == INCONSISTENT.get(name, []), name
        if name in INCONSISTENT:
            if any(severity == "error" for severity, _, _ in INCONSISTENT[name]):
                with pytest.raises(ParseError):
                    parser.parse(data, source=name)
            continue
        strict = parser.parse(data, source=name)
        assert strict.statements, name
        for statement in strict.statements:
            assert all(line.raw and line.location is not None for line in statement.lines)
            if statement.opening_balance is None or statement.closing_balance is None:
                continue
            total = sum((line.amount.amount for line in statement.lines), Decimal(0))
            assert statement.opening_balance.amount + total == statement.closing_balance.amount
    assert checked >= 40


def test_mollie_payment_ids_are_references(corpus: Path) -> None:
    path = corpus / "mollie" / "oca_mollie_voorbeeld_MT-940.mt940"
    result = get_parser("bank.mt940").parse(path.read_bytes(), source=path.name)
    assert len(result.lines) == 21
    payments = [line for line in result.lines if line.amount.amount > 0]
    assert len(payments) == 19
    assert all(line.references == ("tr_XXXXXXXXX",) for line in payments)
    assert payments[0].label == "Order 123"
    payout, invoice = (line for line in result.lines if line.amount.amount < 0)
    assert payout.references == ("000000.1608.01",)
    assert invoice.references == ()  # EREF NOTPROVIDED
    assert invoice.counterparty is not None
    assert invoice.counterparty.name == "Mollie B.V."


def test_cfonb_one_line_file_equals_the_broken_lines_file(corpus: Path) -> None:
    parser = get_parser("bank.cfonb120")
    one = parser.parse((corpus / "cfonb120/oca_test_cfonb_one_line.txt").read_bytes(), source="a")
    lines = parser.parse(
        (corpus / "cfonb120/oca_test_cfonb_empty_line.txt").read_bytes(), source="a"
    )
    assert [s.to_json() for s in one.statements] != []
    assert [line.amount for line in one.lines] == [line.amount for line in lines.lines]
    assert one.lines[0].location is not None
    assert one.lines[0].location.column == "121"


def test_library_agrees_on_amounts_and_dates(corpus: Path) -> None:
    """The mt-940 library stays the reference: same amounts and dates where it reads a file."""
    mt940 = pytest.importorskip("mt940")
    names = [
        "jejik_volksbankenraiffeisenbanken.sta",
        "wolph_betterplace_sepa_mt9401.sta",
        "oca_test-rabo.swi",
        "zilverline_knab_knab_two_blocks.sta",
    ]
    for name in names:
        data = (corpus / "mt940" / name).read_bytes()
        ours = get_parser("bank.mt940").parse(data, source=name).lines
        theirs = list(mt940.models.Transactions().parse(data.decode("latin-1")))
        # The library keeps the sign of C/D for RC/RD reversals; the statement's
        # balances prove the reversal sign (RC books a debit), so compare magnitudes there.
        assert [
            abs(line.amount.amount) if line.kind.value == "reversal" else line.amount.amount
            for line in ours
        ] == [
            abs(t.data["amount"].amount)
            if line.kind.value == "reversal"
            else t.data["amount"].amount
            for line, t in zip(ours, theirs, strict=True)
        ]
        assert [line.value_date for line in ours] == [t.data["date"] for t in theirs]


def test_mbank_details_processor(corpus: Path) -> None:
    path = corpus / "mt940" / "wolph_mBank_mt940.sta"
    line = get_parser("bank.mt940").parse(path.read_bytes(), source=path.name).lines[0]
    assert line.label == "PRZELEW SRODKOW"
    assert line.references == ("XX000000000001", "179171073864111.010001")
    assert line.counterparty is not None
    assert line.counterparty.account == "56114010810000267002001001"
    assert line.counterparty.name == "JAN NOWAK UL. NIJAKA 1 M 2 31-234 KRAKOW"


def test_german_gvc_and_triodos_details(corpus: Path) -> None:
    path = corpus / "mt940" / "jejik_deutschebank.sta"
    line = get_parser("bank.mt940").parse(path.read_bytes(), source=path.name, on_error="collect")
    first = line.lines[0]
    assert first.references[:2] == (
        "A1.200080779.400143254.4961336",
        "SEPA-DA20200601221740-34972000-P1",
    )
    assert first.metadata["original_amount"] == "EUR11,85"
    assert first.counterparty is not None
    assert first.counterparty.iban == "DE50712345600200691329"
    path = corpus / "mt940" / "zilverline_triodos_iban.sta"
    triodos = get_parser("bank.mt940").parse(path.read_bytes(), source=path.name).lines[0]
    assert triodos.counterparty is not None
    assert (triodos.counterparty.iban, triodos.counterparty.bic) == (
        "NL12RABO0888888888",
        "RABONL2U",
    )


def test_abn_amro_sepa_text(corpus: Path) -> None:
    path = corpus / "mt940" / "zilverline_abn_abnamro_structured.sta"
    lines = get_parser("bank.mt940").parse(path.read_bytes(), source="a", on_error="collect").lines
    giro = lines[5]
    assert giro.references == ("1234567890098876",)
    assert giro.counterparty is not None
    assert (giro.counterparty.name, giro.counterparty.iban) == (
        "BELASTINGDIENST",
        "NL86INGB0002445588",
    )
    assert giro.metadata["debtor_id"] == "777777777"
