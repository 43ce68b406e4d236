"""ecomrules.reconcile.spark with PSP reports: payouts and PSP lines decided as the embedded engine.

The statement mixes bank lines, PSP lines (charges with a fee, refunds, the
PSP's own fees) and bank lines that are payouts (named by their id, or only
by a unique amount; tying out or not; with lines missing). The proof is the
decision digest and the payout matches, equal to the embedded engine's with
1, 2 and 8 groups and shuffled input, scenario tests, and a hypothesis
property on small frames.
"""

from __future__ import annotations

import csv
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomrules.errors import InputError
from ecomrules.inputs.statement import PAYOUTS, PSP_STATEMENT
from ecomrules.inputs.table import read_table
from ecomrules.reconcile import Matcher, MatchResult
from ecomrules.reconcile.bulk import read_item_records
from ecomrules.reconcile.payouts import PayoutRecord
from ecomrules.reconcile.records import LineRecord, normalise_ibans
from ecomrules.reconcile.spark import reconcile_spark
from ecomrules.testing.reconcile import decision_digest

_LINE_HEAD = [column.name for column in PSP_STATEMENT.columns]
_PAYOUT_HEAD = ["id", "amount", "currency", "line_ids"]


def _psp(folder: Path, seed: int) -> Path:
    """Turn part of a generated bank statement into a PSP report and its payouts.

    About a third of the lines become card charges (the PSP keeps a fee:
    ``amount`` is the net, ``fee`` beside it), grouped into payouts of 1-12
    lines with a PSP fee line and sometimes a refund; each payout gets a bank
    line: most name the payout in their label, some only have its amount
    (unique, or shared with another payout), some differ by a cent, and some
    payouts list a line the report does not hold.
    """
    rng = random.Random(seed)
    with (folder / "statement.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    out: list[dict[str, str]] = []
    charges: list[dict[str, str]] = []
    for row in rows:
        row = {name: row.get(name, "") for name in _LINE_HEAD}
        amount = Decimal(row["amount"])
        if amount > 0 and rng.random() < 0.35:
            fee = (amount * Decimal("0.029")).quantize(Decimal("0.01")) + Decimal("0.25")
            row.update(id="ch_" + row["id"], kind="charge", fee=str(fee))
            row["amount"] = str(amount - fee)
            charges.append(row)
        out.append(row)
    payouts: list[dict[str, str]] = []
    at = 0
    while at < len(charges):
        members = charges[at : at + rng.randint(1, 12)]
        at += len(members)
        po = f"po_{len(payouts):05d}"
        fee_line = dict.fromkeys(_LINE_HEAD, "")
        fee_line.update(
            id=f"fee_{po}",
            booking_date=members[0]["booking_date"],
            amount="-1.50",
            currency="EUR",
            kind="fee",
            label="monthly fee",
        )
        out.append(fee_line)
        ids = [m["id"] for m in members] + [fee_line["id"]]
        net = sum(Decimal(m["amount"]) for m in members) - Decimal("1.50")
        if rng.random() < 0.2:
            refund = dict(fee_line, id=f"re_{po}", amount="-10.00", kind="refund", label="refund")
            out.append(refund)
            ids.append(refund["id"])
            net -= 10
        for m in members:
            m["payout_id"] = po
        if rng.random() < 0.05:
            ids.append(f"ch_gone_{po}")  # a line the report does not hold
        draw = rng.random()
        bank_amount = net + (Decimal("0.01") if draw < 0.08 else 0)
        label = f"STRIPE PAYOUT {po.upper()}" if draw > 0.25 else "STRIPE TRANSFER"
        if 0.15 < draw < 0.2 and payouts:  # the same amount as the payout before
            net = bank_amount = Decimal(payouts[-1]["amount"])
        bank = dict.fromkeys(_LINE_HEAD, "")
        bank.update(
            id=f"B{po}",
            booking_date=members[-1]["booking_date"],
            amount=str(bank_amount),
            currency="EUR",
            label=label,
            counterparty="STRIPE PAYMENTS EUROPE",
        )
        out.append(bank)
        payouts.append({"id": po, "amount": str(net), "currency": "EUR", "line_ids": " ".join(ids)})
    with (folder / "psp-statement.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, _LINE_HEAD)
        writer.writeheader()
        writer.writerows(out)
    with (folder / "payouts.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, _PAYOUT_HEAD)
        writer.writeheader()
        writer.writerows(payouts)
    return folder


def _lines(path: Path) -> list[LineRecord]:
    c = read_table(path, PSP_STATEMENT).columns
    return [
        LineRecord(
            line_id,
            units,
            currency,
            day.toordinal(),
            tuple(ref.split("\x1f")) if ref else (),
            label or "",
            name or "",
            iban,
            kind.value,
            fee or 0,
            payout_id or "",
        )
        for line_id, units, currency, day, ref, label, name, iban, kind, fee, payout_id in zip(
            c["id"],
            c["amount"],
            c["currency"],
            c["booking_date"],
            c["reference"],
            c["label"],
            c["counterparty"],
            normalise_ibans([text or "" for text in c["iban"]]),
            c["kind"],
            c["fee"],
            c["payout_id"],
            strict=True,
        )
    ]


def _payouts(path: Path) -> list[PayoutRecord]:
    c = read_table(path, PAYOUTS).columns
    return [
        PayoutRecord(p, units, currency, tuple((ids or "").split()))
        for p, units, currency, ids in zip(
            c["id"], c["amount"], c["currency"], c["line_ids"], strict=True
        )
    ]


def _embedded(folder: Path, statement: str = "psp-statement.csv") -> MatchResult:
    return Matcher().match_records(
        _lines(folder / statement),
        read_item_records(folder / "open-items.csv"),
        payouts=_payouts(folder / "payouts.csv"),
    )


def _spark(spark: Any, folder: Path, partitions: int, statement: str = "psp-statement.csv") -> Any:
    return reconcile_spark(
        spark,
        str(folder / statement),
        str(folder / "open-items.csv"),
        payouts=str(folder / "payouts.csv"),
        partitions=partitions,
    ).to_match_result()


def _same(found: MatchResult, expected: MatchResult) -> None:
    assert decision_digest(found) == decision_digest(expected)
    assert found.payouts == expected.payouts
    assert found.issues == expected.issues


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, generated: Any) -> tuple[Path, MatchResult]:
    folder = _psp(generated(3_000, tmp_path_factory.mktemp("psp3k"), 11), 12)
    expected = _embedded(folder)
    # the data holds every case meant
    assert {m.ties_out for m in expected.payouts} == {True, False}
    codes = {code for m in expected.matches for code in m.codes}
    assert {"reconcile.payout.by_amount", "reconcile.own_line.fee"} <= codes
    assert any(m.missing_lines for m in expected.payouts)
    return folder, expected


@pytest.mark.parametrize("partitions", [1, 2, 8])
def test_psp_lines_and_payouts_decide_as_the_embedded_engine(
    spark: Any, mixed: tuple[Path, MatchResult], partitions: int
) -> None:
    folder, expected = mixed
    _same(_spark(spark, folder, partitions), expected)


def test_shuffled_psp_input_decides_as_the_embedded_engine(
    spark: Any, mixed: tuple[Path, MatchResult], tmp_path: Path
) -> None:
    folder, expected = mixed
    for name in ("psp-statement.csv", "open-items.csv", "payouts.csv"):
        with (folder / name).open(newline="") as handle:
            rows = list(csv.reader(handle))
        body = rows[1:]
        random.Random(3).shuffle(body)
        with (tmp_path / name).open("w", newline="") as handle:
            csv.writer(handle).writerows([rows[0], *body])
    _same(_spark(spark, tmp_path, 8), expected)


_ITEMS = """\
id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date
A,INV-A,C1,Librairie Martin SARL,EUR,100.00,100.00,2026-10-01,2026-11-01
B,INV-B,C1,Librairie Martin SARL,EUR,50.00,50.00,2026-10-01,2026-11-01
C,INV-C,C2,Atelier Dupont,EUR,30.00,30.00,2026-10-01,2026-11-01
"""


def _scenario(spark: Any, tmp_path: Path, lines: str, payouts: str) -> tuple[MatchResult, Any]:
    (tmp_path / "open-items.csv").write_text(_ITEMS)
    (tmp_path / "psp-statement.csv").write_text(",".join(_LINE_HEAD) + "\n" + lines)
    (tmp_path / "payouts.csv").write_text("id,amount,currency,line_ids\n" + payouts)
    expected = _embedded(tmp_path)
    found = _spark(spark, tmp_path, 2)
    _same(found, expected)
    return expected, {m.line_id: m for m in found.matches}


# id,booking_date,value_date,amount,currency,counterparty,iban,label,reference,kind,fee,payout_id
def test_a_payout_named_by_its_id_ties_out_and_fees_stand_as_their_own_lines(
    spark: Any, tmp_path: Path
) -> None:
    expected, by_id = _scenario(
        spark,
        tmp_path,
        "ch_1,2026-11-10,,97.10,EUR,,,,INV-A,charge,2.90,po_123\n"
        "ch_2,2026-11-10,,48.40,EUR,,,,INV-B,charge,1.60,po_123\n"
        "fee_1,2026-11-10,,-0.50,EUR,,,,,fee,,\n"
        "bank_1,2026-11-12,,145.00,EUR,,,STRIPE PAYOUT po_123,,,,\n",
        "po_123,145.00,EUR,ch_1 ch_2 fee_1\n",
    )
    assert expected.payouts[0].ties_out
    assert by_id["bank_1"].codes == ("reconcile.payout.matched", "reconcile.payout.ties_out")
    assert by_id["fee_1"].codes == ("reconcile.own_line.fee",)
    assert {a.item_id for a in by_id["ch_1"].allocations} == {"A"}


def test_a_payout_found_by_its_unique_amount_goes_to_review(spark: Any, tmp_path: Path) -> None:
    _, by_id = _scenario(
        spark,
        tmp_path,
        "ch_1,2026-11-10,,29.00,EUR,,,,INV-C,charge,1.00,po_7\n"
        "bank_1,2026-11-12,,29.00,EUR,,,VIREMENT STRIPE,,,,\n",
        "po_7,29.00,EUR,ch_1\n",
    )
    assert by_id["bank_1"].codes == ("reconcile.payout.by_amount", "reconcile.payout.ties_out")
    assert by_id["bank_1"].status.value == "review"


def test_payout_lines_that_do_not_tie_out_or_are_missing_go_to_review(
    spark: Any, tmp_path: Path
) -> None:
    expected, by_id = _scenario(
        spark,
        tmp_path,
        "ch_1,2026-11-10,,97.10,EUR,,,,INV-A,charge,2.90,po_9\n"
        "bank_1,2026-11-12,,97.00,EUR,,,,po_9,,,\n"
        "ch_2,2026-11-10,,29.00,EUR,,,,INV-C,charge,1.00,po_10\n"
        "bank_2,2026-11-12,,40.00,EUR,,,po_10,,,,\n",
        "po_9,97.10,EUR,ch_1\npo_10,40.00,EUR,ch_2 ch_lost\n",
    )
    found = {p.payout_id: p for p in expected.payouts}
    assert found["po_9"].difference == -10
    assert found["po_10"].missing_lines == ("ch_lost",)
    assert by_id["bank_1"].status.value == "review"
    assert by_id["bank_2"].codes[-1] == "reconcile.payout.difference"


def test_psp_lines_without_payouts_are_decided_with_their_fee(spark: Any, tmp_path: Path) -> None:
    (tmp_path / "open-items.csv").write_text(_ITEMS)
    (tmp_path / "psp-statement.csv").write_text(
        ",".join(_LINE_HEAD) + "\n"
        "ch_1,2026-11-10,,97.10,EUR,,,,INV-A,charge,2.90,\n"
        "ch_2,2026-11-10,,50.00,EUR,Librairie Martin SARL,,,,charge,,\n"
        "rs_1,2026-11-10,,-5.00,EUR,,,,,reserve,,\n"
    )
    lines = _lines(tmp_path / "psp-statement.csv")
    expected = Matcher().match_records(lines, read_item_records(tmp_path / "open-items.csv"))
    run = reconcile_spark(
        spark, str(tmp_path / "psp-statement.csv"), str(tmp_path / "open-items.csv")
    )
    _same(run.to_match_result(), expected)
    assert {m.line_id: m.codes for m in expected.matches}["rs_1"] == ("reconcile.own_line.reserve",)


def test_a_payout_row_breaking_its_layout_is_named_by_file_line_and_column(
    spark: Any, tmp_path: Path
) -> None:
    (tmp_path / "open-items.csv").write_text(_ITEMS)
    (tmp_path / "psp-statement.csv").write_text(",".join(_LINE_HEAD) + "\n")
    (tmp_path / "payouts.csv").write_text("id,amount,currency,line_ids\npo_1,1.005,EUR,\n")
    with pytest.raises(InputError) as caught:
        _spark(spark, tmp_path, 1)
    assert caught.value.problems[0].startswith("payouts.csv:2: column 'amount': '1.005'")


@st.composite
def _chains(draw: st.DrawFn) -> tuple[str, str]:
    """Small PSP reports: charges paying items, fee lines, payouts and their bank lines."""
    lines, payouts = [], []
    for p in range(draw(st.integers(1, 3))):
        ids, net = [], 0
        for k in range(draw(st.integers(1, 3))):
            item = draw(st.sampled_from([("INV-A", 10000), ("INV-B", 5000), ("INV-C", 3000)]))
            fee = draw(st.sampled_from([0, 100, 290]))
            ref = draw(st.sampled_from([item[0], ""]))
            units = item[1] - fee
            lines.append(
                f"ch_{p}{k},2026-11-10,,{Decimal(units).scaleb(-2)},EUR,,,,{ref},charge,"
                f"{Decimal(fee).scaleb(-2)},po_{p}"
            )
            ids.append(f"ch_{p}{k}")
            net += units
        if draw(st.booleans()):
            lines.append(f"fee_{p},2026-11-10,,-0.50,EUR,,,,,fee,,")
            ids.append(f"fee_{p}")
            net -= 50
        off = draw(st.sampled_from([0, 0, 1]))
        label = draw(st.sampled_from([f"PAYOUT PO_{p}", "STRIPE", ""]))
        lines.append(f"bank_{p},2026-11-12,,{Decimal(net + off).scaleb(-2)},EUR,,,{label},,,,")
        payouts.append(f"po_{p},{Decimal(net).scaleb(-2)},EUR,{' '.join(ids)}")
    return "\n".join(lines) + "\n", "\n".join(payouts) + "\n"


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chain=_chains())
def test_small_psp_reports_decide_as_the_embedded_engine(
    spark: Any, tmp_path_factory: pytest.TempPathFactory, chain: tuple[str, str]
) -> None:
    _scenario(spark, tmp_path_factory.mktemp("chain"), *chain)


def test_the_cli_reads_a_psp_report_with_the_bank_statements_as_the_embedded_command(
    spark: Any, tmp_path: Path, cli: Any
) -> None:
    import json

    from ecomrules import demo

    statements = [
        str(demo.path(name))
        for name in ("bank-statement.csv", "reconcile-statement.csv", "stripe-payout.csv")
    ]
    items = str(demo.path("open-items.csv"))
    given = ["reconcile", "--open-items", items]
    for path in statements:
        given += ["--statement", path]
    code, stdout, stderr = cli([*given, "--json"])
    assert code == 0, stderr
    embedded = json.loads(stdout)
    assert embedded["payouts"]  # the case is the one meant
    out = tmp_path / "out"
    code, stdout, stderr = cli([*given, "--engine", "spark", "--out", str(out), "--json"])
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["payouts"] == len(embedded["payouts"])
    matches = {row.line_id: row for row in spark.read.parquet(str(out / "matches")).collect()}
    assert sorted(matches) == sorted(m["line_id"] for m in embedded["matches"])
    for m in embedded["matches"]:
        row = matches[m["line_id"]]
        assert (row.status, list(row.reasons)) == (m["status"], m["reasons"]), m["line_id"]
        assert [(a.item_id, a.amount) for a in row.allocations] == [
            (a["item_id"], a["amount"]) for a in m["allocations"]
        ]
    payouts = spark.read.parquet(str(out / "payouts")).collect()
    assert sorted((p.bank_line_id, p.payout_id, p.ties_out) for p in payouts) == sorted(
        (p["bank_line_id"], p["payout_id"], p["ties_out"]) for p in embedded["payouts"]
    )
    left = spark.read.parquet(str(out / "unmatched_lines")).collect()
    assert sorted(row.line_id for row in left) == sorted(
        u["line_id"] for u in embedded["unmatched_lines"]
    )


def test_payouts_without_the_spark_engine_are_a_usage_error(tmp_path: Path, cli: Any) -> None:
    items = tmp_path / "open-items.csv"
    items.write_text("id\n")
    code, _stdout, stderr = cli(
        [
            "reconcile",
            "--open-items",
            str(items),
            "--statement",
            str(items),
            "--payouts",
            str(items),
        ]
    )
    assert code == 2
    assert "--payouts goes with --engine spark" in stderr
