"""Properties of the Adyen SDR and Checkout.com parsers over generated reports:
payout = sum of nets, gross - fee = net on every line, row order does not matter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.parsing.model import LineKind, ParseResult
from ecomrules.parsing.registry import get_parser

SDR_HEADER = (
    "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,"
    "Creation Date,TimeZone,Type,Modification Reference,Gross Currency,Gross Debit (GC),"
    "Gross Credit (GC),Exchange Rate,Net Currency,Net Debit (NC),Net Credit (NC),"
    "Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),Payment Method Variant,"
    "Modification Merchant Reference,Batch Number"
)
CENT = Decimal("0.01")
cents = st.integers(min_value=0, max_value=500_000).map(lambda n: Decimal(n) * CENT)
rows = st.tuples(
    st.sampled_from(["Settled", "Refunded", "Chargeback", "ChargebackReversed", "Fee"]),
    cents,
    cents,
    st.sampled_from(["EUR", "USD"]),
    st.integers(min_value=1, max_value=3),
)


def _sdr_row(kind: str, gross: Decimal, fee: Decimal, currency: str, ref: int) -> str:
    psp = f"88150000000{ref:05d}"
    when = "2026-02-01 10:00:00"
    if kind == "Fee":
        return f"Co,Shop,,,,{when},CET,Fee,Fees,{currency},,,,{currency},{fee},,,,,,,,9"
    incoming = kind in {"Settled", "ChargebackReversed"}
    net = gross - fee if incoming else -gross - fee
    g_debit, g_credit = ("", gross) if incoming else (gross, "")
    n_debit, n_credit = ("", net) if net >= 0 else (-net, "")
    return (
        f"Co,Shop,{psp},ORD-{ref},visa,{when},CET,{kind},{psp}M,{currency},{g_debit},{g_credit},1,"
        f"{currency},{n_debit},{n_credit},{fee},,,,visa,,9"
    )


def _sdr(body: list[str]) -> tuple[bytes, dict[str, Decimal]]:
    totals: dict[str, Decimal] = {}
    parser = get_parser("adyen.settlement_details")
    probe = parser.parse("\n".join([SDR_HEADER, *body]).encode(), source="probe.csv")
    for line in probe.lines:
        code = line.currency.code
        totals[code] = totals.get(code, Decimal(0)) + line.amount.amount
    payouts = []
    for code, total in sorted(totals.items()):
        debit, credit = (total, "") if total >= 0 else ("", -total)
        payouts.append(
            f"Co,Shop,,,,2026-02-02 06:00:00,CET,MerchantPayout,TX batch 9,{code},,,,"
            f"{code},{debit},{credit},,,,,,,9"
        )
    return "\n".join([SDR_HEADER, *body, *payouts]).encode(), totals


def _shape(result: ParseResult) -> tuple[list[Any], list[Any]]:
    lines = sorted(
        (str(sorted({k: v for k, v in line.to_json().items() if k != "location"}.items())))
        for line in result.lines
    )
    payouts = sorted(
        (p.id, p.currency.code, p.amount.amount, tuple(sorted(p.line_ids))) for p in result.payouts
    )
    return lines, payouts


@settings(max_examples=40)
@given(st.lists(rows, min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_adyen_sdr_payout_is_sum_of_nets_and_order_free(raw: list[Any], rnd: Any) -> None:
    body = [_sdr_row(*row) for row in raw]
    data, totals = _sdr(body)
    parser = get_parser("adyen.settlement_details")
    result = parser.parse(data, source="gen.csv")
    assert result.issues == ()
    for line in result.lines:
        if line.gross is not None and line.fee is not None:
            assert line.gross - line.fee == line.amount
    assert {(p.currency.code): p.amount.amount for p in result.payouts} == totals
    for payout in result.payouts:
        members = [line for line in result.lines if line.id in payout.line_ids]
        nets = sum((m.amount.amount for m in members if m.kind is not LineKind.PAYOUT), Decimal(0))
        assert nets == payout.amount.amount
    lines = data.decode().split("\n")
    shuffled = lines[1:]
    rnd.shuffle(shuffled)
    again = parser.parse("\n".join([lines[0], *shuffled]).encode(), source="gen.csv")
    assert _shape(again) == _shape(result)


FA_HEADER = (
    "Client Entity ID,Type,Payment ID,Reference,Processed On,Holding Currency,Payout ID,"
    "Gross In Holding Currency,Deduction In Holding Currency,Net In Holding Currency,"
    "Processing Fee In Holding Currency,Scheme Fee In Holding Currency"
)


@settings(max_examples=40)
@given(
    st.lists(st.tuples(st.sampled_from(["Capture", "Refund"]), cents, cents, cents), max_size=12),
    st.randoms(use_true_random=False),
)
def test_checkout_nets_add_up_whatever_the_order(raw: list[Any], rnd: Any) -> None:
    body = []
    for index, (kind, gross, processing, scheme) in enumerate(raw):
        signed = gross if kind == "Capture" else -gross
        deduction = -(processing + scheme)
        body.append(
            f"ent,{kind},pay_{index % 4},ORD-{index % 4},2026-05-04T09:00:00.000,EUR,PO_1,"
            f"{signed},{deduction},{signed + deduction},{-processing},{-scheme}"
        )
    parser = get_parser("checkout_com.financial_actions")
    result = parser.parse("\n".join([FA_HEADER, *body]).encode(), source="fa.csv")
    assert result.issues == ()
    expected = sum((line.amount.amount for line in result.lines), Decimal(0))
    assert [p.amount.amount for p in result.payouts] == ([expected] if body else [])
    assert all(line.gross - line.fee == line.amount for line in result.lines)  # type: ignore[operator]
    rnd.shuffle(body)
    again = parser.parse("\n".join([FA_HEADER, *body]).encode(), source="fa.csv")
    assert _shape(again) == _shape(result)


def test_identical_rows_stay_two_lines_with_stable_ids() -> None:
    row = _sdr_row("Settled", Decimal("10.00"), Decimal("0.20"), "EUR", 1)
    data = "\n".join([SDR_HEADER, row, row]).encode()
    parser = get_parser("adyen.settlement_details")
    first = [line.id for line in parser.parse(data, source="a.csv").lines]
    second = [line.id for line in parser.parse(data, source="b.csv").lines]
    assert first == second
    assert len(set(first)) == 2
