"""CAMT behaviour: controls, locations, raw records, streaming, hygiene, refusals."""

from __future__ import annotations

import gzip
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.bank.camt import Camt052Parser, Camt053Parser, Camt054Parser
from ecomrules.errors import ControlTotalError, MalformedRecordError, ParseError
from ecomrules.outcome import Issue, Severity
from ecomrules.parsing.base import Confidence

CASES = Path(__file__).parent / "cases"
BATCH = (CASES / "camt053_v08_batch.xml").read_bytes()


def _unbalanced() -> bytes:
    return BATCH.replace(b"3717.50", b"3717.49", 1)


def test_balance_mismatch_raises_in_strict_mode() -> None:
    with pytest.raises(ControlTotalError) as caught:
        Camt053Parser().parse(_unbalanced(), source="s.xml")
    assert str(caught.value).startswith("s.xml:8: statement STMT-2026-11-19: opening balance")
    assert "difference -0.01" in str(caught.value)


def test_balance_mismatch_is_an_error_issue_in_lenient_mode() -> None:
    result = Camt053Parser().parse(_unbalanced(), source="s.xml", on_error="collect")
    errors = [i for i in result.issues if i.severity is Severity.ERROR]
    assert [(e.code, str(e.location)) for e in errors] == [("bank.balance_mismatch", "s.xml:8")]
    assert len(result.statements) == 2


def test_batch_lines_sum_to_the_entry_and_keep_their_parent() -> None:
    lines = Camt053Parser().parse(BATCH, source="s.xml").statements[0].lines
    batch = [line for line in lines if line.parent_id == "BANK-0002"]
    assert [line.id for line in batch] == ["BANK-0002/1", "BANK-0002/2", "BANK-0002/rest"]
    assert sum(line.amount.amount for line in batch) == Decimal("1500.00")


def test_each_line_keeps_its_raw_entry_and_line() -> None:
    first = Camt053Parser().parse(BATCH, source="s.xml").lines[0]
    assert first.raw.startswith("<Ntry>")
    assert first.raw.endswith("</Ntry>")
    assert "RF18539007547034" in first.raw
    assert str(first.location) == "s.xml:34"


def test_impossible_date_is_reported_with_its_line() -> None:
    data = (CASES / "camt053_v04_impossible_date.xml").read_bytes()
    with pytest.raises(MalformedRecordError) as caught:
        Camt053Parser().parse(data, source="d.xml")
    assert str(caught.value) == "d.xml:10: Ntry/BookgDt '2026-02-30' is not a valid date"


def test_iter_lines_yields_what_parse_returns(tmp_path: Path) -> None:
    parsed = Camt053Parser().parse(BATCH, source="s.xml").lines
    path = tmp_path / "s.xml.gz"
    path.write_bytes(gzip.compress(BATCH))
    streamed = list(Camt053Parser().iter_lines(path, source="s.xml"))
    assert streamed == list(parsed)
    assert [str(line.location) for line in streamed] == [str(line.location) for line in parsed]


def test_iter_lines_collects_issues_in_lenient_mode() -> None:
    issues: list[Issue] = []
    lines = list(
        Camt053Parser().iter_lines(
            io.BytesIO(_unbalanced()), source="s.xml", on_error="collect", issues=issues
        )
    )
    assert len(lines) == 6
    assert [i.code for i in issues if i.severity is Severity.ERROR] == ["bank.balance_mismatch"]


def test_concatenated_documents_and_hygiene() -> None:
    data = (CASES / "camt053_v02_concatenated.xml").read_bytes()
    result = Camt053Parser().parse(data, source="c.xml")
    assert [s.id for s in result.statements] == ["DAY-1", "DAY-2"]
    assert result.lines[0].counterparty is not None
    assert result.lines[0].counterparty.name == "Hosting GmbH"  # NUL removed
    assert result.lines[1].label == "Commande SO-5030 réglée"  # ISO-8859-1 declared
    assert str(result.lines[1].location) == "c.xml:32"
    assert [i.code for i in result.issues] == ["bank.control_bytes_removed"]


def test_entities_and_dtds_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&a;</Document>'
    )
    with pytest.raises(ParseError, match=r"^b\.xml:1: refused XML: a DTD"):
        Camt053Parser().parse(bomb, source="b.xml")


def test_a_dtd_after_a_tag_like_comment_is_refused() -> None:
    sneaky = (
        b'<?xml version="1.0"?><!-- <Document> --><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&a;</Document>'
    )
    with pytest.raises(ParseError, match="DTD"):
        Camt053Parser().parse(sneaky, source="b.xml")


def test_truncated_document_names_the_file() -> None:
    with pytest.raises(ParseError, match=r"^t\.xml:\d+: not well-formed XML"):
        Camt053Parser().parse(BATCH[: len(BATCH) // 2], source="t.xml")


def test_other_camt_messages_are_refused_by_name() -> None:
    data = (CASES / "camt054_v04_qrr.xml").read_bytes()
    with pytest.raises(ParseError, match=r"read it with bank\.camt054"):
        Camt053Parser().parse(data, source="n.xml")


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("camt053_v08_batch.xml", (Confidence.YES, Confidence.NO, Confidence.NO)),
        ("camt054_v04_qrr.xml", (Confidence.NO, Confidence.YES, Confidence.NO)),
        ("camt052_v06_pending.xml", (Confidence.NO, Confidence.NO, Confidence.YES)),
    ],
)
def test_sniff_tells_the_messages_apart(case: str, expected: tuple[Confidence, ...]) -> None:
    head = (CASES / case).read_bytes()
    votes = tuple(p().sniff(head, case) for p in (Camt053Parser, Camt054Parser, Camt052Parser))
    assert votes == expected


def test_pending_entries_are_reported_not_booked() -> None:
    data = (CASES / "camt052_v06_pending.xml").read_bytes()
    result = Camt052Parser().parse(data, source="r.xml")
    assert [line.amount.amount for line in result.lines] == [Decimal("215.50")]
    assert [(i.code, str(i.location)) for i in result.issues] == [
        ("bank.camt.entry_not_booked", "r.xml:14")
    ]


def test_utf16_documents_are_read_without_line_numbers() -> None:
    text = (CASES / "camt054_v04_qrr.xml").read_text(encoding="utf-8")
    data = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    result = Camt054Parser().parse(data, source="u.xml")
    assert [line.id for line in result.lines] == ["QR-BATCH-1/1", "QR-BATCH-1/2"]


def _with_summary(count: str, net: str, indicator: str) -> bytes:
    summary = (
        f"<TxsSummry><TtlNtries><NbOfNtries>{count}</NbOfNtries><TtlNetNtry>"
        f"<Amt>{net}</Amt><CdtDbtInd>{indicator}</CdtDbtInd></TtlNetNtry></TtlNtries></TxsSummry>"
    )
    return BATCH.replace(b"<Ntry>", summary.encode() + b"<Ntry>", 1)


def test_transactions_summary_is_checked() -> None:
    result = Camt053Parser().parse(_with_summary("3", "2717.50", "CRDT"), source="s.xml")
    assert [i.code for i in result.issues] == ["bank.camt.batch_remainder"]
    wrong_net = Camt053Parser().parse(
        _with_summary("3", "2717.50", "DBIT"), source="s.xml", on_error="collect"
    )
    assert [(i.code, i.message) for i in wrong_net.errors] == [
        (
            "bank.camt.summary_mismatch",
            "statement STMT-2026-11-19: the transactions summary nets -2717.50, "
            "the entries 2717.50",
        )
    ]
    with pytest.raises(ControlTotalError, match="counts 4 entries, the statement has 3"):
        Camt053Parser().parse(_with_summary("4", "2717.50", "CRDT"), source="s.xml")


def test_prefixed_elements_read_as_the_default_namespace() -> None:
    prefixed = re.sub(rb"<(/?)([A-Za-z]\w*)", rb"<\1c:\2", BATCH).replace(b"xmlns=", b"xmlns:c=")
    plain = Camt053Parser().parse(BATCH, source="s.xml")
    other = Camt053Parser().parse(prefixed, source="s.xml")
    assert other.to_json() == plain.to_json()
    assert other.lines[0].raw.startswith("<c:Ntry>")
