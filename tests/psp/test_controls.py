"""PSP controls: net arithmetic and payout totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ecomrules import Money
from ecomrules.errors import ControlTotalError
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import LineKind, StatementLine
from ecomrules.psp.controls import build_payouts, check_net

DAY = date(2026, 11, 2)


def line(
    id: str, kind: LineKind, net: str, payout: str | None = "po_1", **kw: str
) -> StatementLine:
    extra = {k: Money(Decimal(v), "EUR") for k, v in kw.items()}
    return StatementLine(
        id=id,
        kind=kind,
        booked_on=DAY,
        amount=Money(Decimal(net), "EUR"),
        payout_id=payout,
        **extra,
    )  # type: ignore[arg-type]


def test_net_mismatch_raises_in_strict_mode_and_is_reported_in_lenient_mode() -> None:
    bad = line("ch_1", LineKind.CHARGE, "9.00", gross="10.00", fee="0.50")
    with pytest.raises(ControlTotalError, match=r"gross 10.00 - fee 0.50 != net 9.00"):
        check_net(bad, ErrorPolicy("raise"))
    lenient = ErrorPolicy("collect")
    check_net(bad, lenient)
    assert [i.code for i in lenient.issues] == ["psp.control.net_mismatch"]
    check_net(line("ch_2", LineKind.CHARGE, "9.50", gross="10.00", fee="0.50"), lenient)
    assert len(lenient.issues) == 1


def test_payout_line_states_the_amount_and_is_checked() -> None:
    lines = [
        line("ch_1", LineKind.CHARGE, "9.50"),
        line("re_1", LineKind.REFUND, "-2.00"),
        line("po", LineKind.PAYOUT, "-7.50"),
        line("ch_x", LineKind.CHARGE, "1.00", payout=None),
    ]
    (payout,) = build_payouts(lines, ErrorPolicy("raise"))
    assert payout.amount == Money("7.50", "EUR")
    assert payout.line_ids == ("ch_1", "re_1", "po")
    lines[2] = line("po", LineKind.PAYOUT, "-7.49")
    with pytest.raises(ControlTotalError, match=r"stated 7\.49, lines add up to 7\.50"):
        build_payouts(lines, ErrorPolicy("raise"))


def test_payout_without_statement_is_the_sum_per_currency() -> None:
    lines = [line("a", LineKind.CHARGE, "5.00"), line("b", LineKind.FEE, "-0.25")]
    (payout,) = build_payouts(lines, ErrorPolicy("raise"), arrival={"po_1": DAY})
    assert payout.amount == Money("4.75", "EUR")
    assert payout.arrival_date == DAY


def test_fingerprints_are_stable_and_count_identical_rows() -> None:
    first, second = Fingerprinter("stripe"), Fingerprinter("stripe")
    ids = [first("2026-11-02", "10.00", "coffee") for _ in range(2)]
    assert ids[0] != ids[1]
    assert ids[0].endswith("-1")
    assert ids[1].endswith("-2")
    assert second("2026-11-02", "10.00", " coffee ") == ids[0]
    assert Fingerprinter("paypal")("2026-11-02", "10.00", "coffee") != ids[0]
