"""Differential tests: every corpus file a peer parser also reads, compared line by line.

Peers: ``mt-940`` (MT940), ``ofxparse`` (OFX), ``bai2`` (BAI2), test
dependencies only. Lines are compared in file order (amount, dates,
references) and balances one by one (``ecomrules.testing.peers``). Every
disagreement left is listed here with the reason the peer is wrong; a new one
fails the test. ``scripts/peer_agreement.py`` prints the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomrules.testing.peers import PEERS, agreement

_RC = "an RC mark is the reversal of a credit, booked as a debit; the peer keeps it a credit"
_FEB30 = (
    "the value date 30 February does not exist; ecomrules reports it and leaves value_date"
    " empty, the peer silently moves it to 29 February"
)
_DEUTSCHE_BANK = (
    "Deutsche Bank writes a space before the transaction type (' NRTIKREF+'); the peer reads"
    " the type into the owner's reference"
)

KNOWN: dict[str, dict[str, list[tuple[str, str]]]] = {
    "mt940": {
        "mt940/jejik_commerzbank.sta": [
            (
                "line 1 customer reference: ours ('A1.200080779.400143254.4961336',"
                " 'SEPA-DA20200601221740-34972000-P1', '20852HW2723821'), peer NRTIKREF+",
                _DEUTSCHE_BANK,
            )
        ],
        "mt940/jejik_deutschebank.sta": [
            (
                "line 1 customer reference: ours ('A1.200080779.400143254.4961336',"
                " 'SEPA-DA20200601221740-34972000-P1', '20852HW2723821'), peer NRTIKREF+",
                _DEUTSCHE_BANK,
            )
        ],
        "mt940/wolph_betterplace_amount_formats.sta": [
            (
                "number of opening balances: ours 1, peer 6",
                "a fragment of six :60F: lines with no :20:, :25: or :62F:: not a statement;"
                " ecomrules refuses it (strict) and reports each extra opening balance,"
                " the peer lists bare balances",
            )
        ],
        "mt940/wolph_betterplace_sepa_mt9401.sta": [
            ("line 6 amount: ours -204.88, peer 204.88", _RC),
            ("line 19 amount: ours -204.88, peer 204.88", _RC),
        ],
        "mt940/wolph_self-provided_february_30.sta": [
            ("line 1 value date: ours None, peer 2016-02-29", _FEB30)
        ],
        "mt940/wolph_self-provided_transaction_details_wrapped.sta": [
            ("line 1 value date: ours None, peer 2016-02-29", _FEB30)
        ],
    },
    "ofx": {},
    "bai2": {},
}

# files a peer cannot read (or reads nothing in): not compared, with the peer's reason
NOT_COMPARED = {
    "mt940": {
        "mt940/oca_test-ing.940": "the peer cannot read it",  # :28C: '0000' then a '0' line
        "mt940/wolph_betterplace_empty_86.sta": "the peer reads nothing in it",  # a lone :86:
    },
    "ofx": {
        "ofx/ofxparse_bank_small.ofx": "the peer reads nothing in it",
        "ofx/ofxparse_error_message.ofx": "the peer reads nothing in it",  # a server error
        "ofx/ofxparse_fail_nice_date_missing.ofx": "the peer cannot read it",
        "ofx/ofxparse_fail_nice_decimal_error.ofx": "the peer cannot read it",
    },
    "bai2": {
        "bai2/moov_errors_sample-parseError.txt": "the peer cannot read it",
        "bai2/moov_sample2.txt": "the peer cannot read it",  # type code '190500000'
        "bai2/moov_sample3.txt": "the peer cannot read it",  # '2/   02' (two records a line)
    },
}

# the least each comparison must cover, so that a peer reading less fails the test
FLOOR = {"mt940": (23, 191, 136), "ofx": (7, 19, 13), "bai2": (4, 55, 6)}


@pytest.mark.parametrize("fmt", sorted(PEERS))
def test_agreement_with_the_peer_parser(corpus: Path, fmt: str) -> None:
    pytest.importorskip({"mt940": "mt940", "ofx": "ofxparse", "bai2": "bai2"}[fmt])
    found = agreement(corpus, [fmt])[fmt]
    differences = {
        compared.name: [str(d) for d in compared.differences]
        for compared in found.files
        if compared.differences
    }
    assert differences == {name: [d for d, _ in known] for name, known in KNOWN[fmt].items()}
    skipped = {name: reason.partition(" (")[0] for name, reason in found.skipped}
    assert skipped == NOT_COMPARED[fmt]
    lines, lines_agreeing, balances, balances_agreeing = found.totals()
    files_floor, lines_floor, balances_floor = FLOOR[fmt]
    assert len(found.files) >= files_floor
    assert lines >= lines_floor
    assert balances >= balances_floor
    known_lines = {
        (name, d.split()[1])
        for name, known in KNOWN[fmt].items()
        for d, _ in known
        if d[:5] == "line "
    }
    assert lines - lines_agreeing == len(known_lines)
    assert balances == balances_agreeing
