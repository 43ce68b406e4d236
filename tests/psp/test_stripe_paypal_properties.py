"""Properties of the Stripe and PayPal parsers over generated reports.

payout = sum of net per currency; gross - fee = net on every line; the result
does not depend on row order (Stripe rows, and PayPal rows inside a section).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.money import Money
from ecomrules.parsing.model import ParseResult
from ecomrules.psp.paypal.settlement import SettlementReportParser
from ecomrules.psp.stripe.payout_reconciliation import PayoutReconciliationParser

CURRENCIES = ("eur", "USD", "jpy", "chf")

stripe_rows = st.lists(
    st.tuples(
        st.sampled_from(("po_a", "po_b", "po_c")),
        st.sampled_from(CURRENCIES),
        st.integers(-50_000, 50_000),
        st.integers(0, 2_000),
        st.sampled_from(("charge", "refund", "dispute", "fee", "network_cost", "other_adjustment")),
    ),
    min_size=1,
    max_size=25,
)


def _major(units: int, currency: str) -> str:
    exponent = 0 if currency.lower() == "jpy" else 2
    return str(Decimal(units).scaleb(-exponent))


def stripe_report(rows: list[tuple[str, str, int, int, str]], order: list[int]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["balance_transaction_id", "created_utc", "currency", "gross", "fee", "net",
         "reporting_category", "automatic_payout_id", "payment_metadata[order_id]"]
    )  # fmt: skip
    for index in order:
        payout, currency, gross, fee, category = rows[index]
        writer.writerow(
            [f"txn_{index}", "2026-11-02 10:00:00", currency, _major(gross, currency),
             _major(fee, currency), _major(gross - fee, currency), category, payout,
             f"SO-{index}"]
        )  # fmt: skip
    return out.getvalue().encode()


def _summary(result: ParseResult) -> tuple[object, ...]:
    payouts = sorted((p.id, str(p.amount), tuple(sorted(p.line_ids))) for p in result.payouts)
    lines = sorted((line.id, str(line.amount), line.kind.value) for line in result.lines)
    return tuple(payouts), tuple(lines)


@settings(max_examples=40)
@given(rows=stripe_rows, data=st.data())
def test_stripe_payout_is_the_sum_of_its_nets_whatever_the_row_order(
    rows: list[tuple[str, str, int, int, str]], data: st.DataObject
) -> None:
    parser = PayoutReconciliationParser()
    result = parser.parse(stripe_report(rows, list(range(len(rows)))), source="gen.csv")
    assert not result.errors
    nets: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in result.lines:
        assert line.gross is not None
        assert line.fee is not None
        assert line.gross - line.fee == line.amount
        assert line.payout_id is not None
        nets[(line.payout_id, line.currency.code)] += line.amount.amount
    assert {(p.id, p.currency.code): p.amount.amount for p in result.payouts} == dict(nets)
    order = data.draw(st.permutations(range(len(rows))))
    shuffled = parser.parse(stripe_report(rows, list(order)), source="gen.csv")
    assert _summary(shuffled) == _summary(result)


paypal_rows = st.lists(
    st.tuples(
        st.sampled_from(("USD", "EUR", "JPY")),
        st.booleans(),
        st.integers(0, 10**7),
        st.one_of(st.none(), st.tuples(st.booleans(), st.integers(0, 10**5))),
        st.sampled_from(("T0006", "T1107", "T0400", "T1201", "T0106", "T1900")),
    ),
    min_size=1,
    max_size=20,
)


def stl_report(rows: list[tuple[str, bool, int, tuple[bool, int] | None, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["SH", "2026/11/01 00:00:00 -0800", "2026/11/01 23:59:59 -0800", "M1"])
    writer.writerow(
        ["CH", "Transaction ID", "Invoice ID", "Transaction Event Code",
         "Transaction Completion Date", "Transaction Debit or Credit",
         "Gross Transaction Amount", "Gross Transaction Currency", "Fee Debit or Credit",
         "Fee Amount", "Fee Currency"]
    )  # fmt: skip
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for index, (currency, credit, gross, fee, event) in enumerate(rows):
        fee_flag, fee_units = ("", "") if fee is None else ("CR" if fee[0] else "DR", str(fee[1]))
        writer.writerow(
            ["SB", f"TX{index}", f"SO-{index}", event, "2026/11/01 10:00:00 -0800",
             "CR" if credit else "DR", gross, currency, fee_flag, fee_units, currency]
        )  # fmt: skip
        sums = totals[currency]
        sums[0 if credit else 1] += gross
        if fee is not None:
            sums[2 if fee[0] else 3] += fee[1]
    opening = 10**9
    for currency in sorted(totals):
        cr, dr, fee_cr, fee_dr = totals[currency]
        closing = opening + cr - dr + fee_cr - fee_dr
        writer.writerow(
            ["SF", currency, cr, dr, fee_cr, fee_dr, "CR", opening,
             "CR" if closing >= 0 else "DR", abs(closing)]
        )  # fmt: skip
    writer.writerow(["SC", len(rows)])
    return out.getvalue().encode()


@settings(max_examples=40)
@given(rows=paypal_rows, data=st.data())
def test_stl_footers_hold_and_the_result_does_not_depend_on_row_order(
    rows: list[tuple[str, bool, int, tuple[bool, int] | None, str]], data: st.DataObject
) -> None:
    parser = SettlementReportParser()
    result = parser.parse(stl_report(rows), source="gen.csv")
    assert not result.errors
    for line in result.lines:
        assert line.gross is not None
        assert line.fee is not None
        assert line.gross - line.fee == line.amount
    for statement in result.statements:
        assert statement.opening_balance is not None
        assert statement.currency is not None
        moved = sum((line.amount for line in statement.lines), Money.zero(statement.currency))
        assert statement.opening_balance + moved == statement.closing_balance
    for payout in result.payouts:
        (line_id,) = payout.line_ids
        assert -next(x for x in result.lines if x.id == line_id).amount == payout.amount
    shuffled = data.draw(st.permutations(rows))
    again = parser.parse(stl_report(list(shuffled)), source="gen.csv")
    assert not again.errors
    key = lambda r: (r.currency.code, str(r.amount), r.kind.value)  # noqa: E731
    assert sorted(map(key, again.lines)) == sorted(map(key, result.lines))
