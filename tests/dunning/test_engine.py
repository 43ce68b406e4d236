"""Scenarios of the dunning engine, one rule each."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest

from ecomrules.dunning import (
    BankDataStaleError,
    ChargeKind,
    CustomerPause,
    DunningCharge,
    DunningEvent,
    DunningHistory,
    DunningPlan,
    ItemBlock,
    customer_levels,
    load_policy,
    plan,
)
from ecomrules.errors import InputError
from ecomrules.ledger import ItemStatus
from ecomrules.money import Money
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine
from ecomrules.testing.dunning import customer, open_item

B2B = load_policy("fr-b2b")
B2C = load_policy("fr-b2c")
DEFAULT = load_policy("default")
DUE = date(2026, 10, 15)
EMPTY = DunningHistory()


def run(items, history=EMPTY, policy=B2B, as_of=DUE, customers=None, **kwargs) -> DunningPlan:
    return plan(
        items, customers or [customer("C1")], history, policy, as_of, render=False, **kwargs
    )


def levels(result: DunningPlan) -> dict[str, str]:
    return {item.item_id: item.level for n in result.notices for item in n.items}


def held(result: DunningPlan) -> dict[str, str]:
    return {h.item_id: h.reason.code for h in result.holds}


def sent(item_id: str, level: str, rank: int, on: date, customer_id: str = "C1") -> DunningEvent:
    return DunningEvent(item_id, customer_id, level, rank, on, f"dunning:{item_id}:{level}")


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


# Preventive reminder and the first level


def test_preventive_reminder_from_five_days_before_due_until_the_day_before() -> None:
    item = open_item("A", DUE)
    assert levels(run([item], as_of=day(-6))) == {}
    assert levels(run([item], as_of=day(-5))) == {"A": "preventive"}
    assert levels(run([item], as_of=day(-1))) == {"A": "preventive"}
    assert levels(run([item], as_of=day(0))) == {}


def test_preventive_reminder_is_sent_once() -> None:
    history = DunningHistory([sent("A", "preventive", 0, day(-5))])
    assert levels(run([open_item("A", DUE)], history, as_of=day(-4))) == {}


def test_an_item_already_past_due_starts_at_the_first_level_without_preventive() -> None:
    item = open_item("A", DUE)
    assert levels(run([item], as_of=day(6))) == {}
    assert levels(run([item], as_of=day(7))) == {"A": "reminder_1"}


def test_the_preventive_reminder_is_no_step_of_the_ladder() -> None:
    history = DunningHistory([sent("A", "preventive", 0, day(-5))])
    result = run([open_item("A", DUE)], history, as_of=day(30))
    assert levels(result) == {"A": "reminder_1"}
    assert result.notices[0].rank == 1


# Escalation


def test_escalation_only_once_the_previous_level_was_sent() -> None:
    item = open_item("A", DUE)
    assert levels(run([item], as_of=day(60))) == {"A": "reminder_1"}
    history = DunningHistory([sent("A", "reminder_1", 1, day(60))])
    assert levels(run([item], history, as_of=day(60))) == {}
    assert levels(run([item], history, as_of=day(67))) == {"A": "reminder_2"}


def test_fr_b2b_schedule_seven_twenty_one_forty_five() -> None:
    item = open_item("A", DUE)
    h1 = DunningHistory([sent("A", "reminder_1", 1, day(7))])
    assert levels(run([item], h1, as_of=day(20))) == {}
    assert levels(run([item], h1, as_of=day(21))) == {"A": "reminder_2"}
    h2 = DunningHistory([*h1.events, sent("A", "reminder_2", 2, day(21))])
    assert levels(run([item], h2, as_of=day(44))) == {}
    result = run([item], h2, as_of=day(45))
    assert levels(result) == {"A": "formal_notice"}
    notice = result.notices[0]
    assert notice.block_credit
    assert notice.handover == "collection"


def test_final_level_is_the_end_of_the_ladder() -> None:
    history = DunningHistory(
        [
            sent("A", "reminder_1", 1, day(7)),
            sent("A", "reminder_2", 2, day(21)),
            sent("A", "formal_notice", 3, day(45)),
        ]
    )
    assert run([open_item("A", DUE)], history, as_of=day(200)).notices == ()


def test_end_of_month_trigger() -> None:
    item = open_item("A", date(2026, 10, 3))
    history = DunningHistory([sent("A", "reminder_1", 1, date(2026, 10, 17))])
    assert levels(run([item], history, DEFAULT, as_of=date(2026, 11, 29))) == {}
    assert levels(run([item], history, DEFAULT, as_of=date(2026, 11, 30))) == {"A": "reminder_2"}


def test_days_after_previous_trigger() -> None:
    item = open_item("A", date(2026, 10, 3))
    history = DunningHistory(
        [
            sent("A", "reminder_1", 1, date(2026, 10, 17)),
            sent("A", "reminder_2", 2, date(2026, 12, 5)),
        ]
    )
    assert levels(run([item], history, DEFAULT, as_of=date(2026, 12, 18))) == {}
    result = run([item], history, DEFAULT, as_of=date(2026, 12, 19))
    assert levels(result) == {"A": "final_notice"}


def test_one_notice_per_customer_each_item_at_its_own_level() -> None:
    a, b = open_item("A", DUE), open_item("B", day(10))
    history = DunningHistory([sent("A", "reminder_1", 1, day(7))])
    result = run([b, a], history, as_of=day(21 + 7))
    (notice,) = result.notices
    assert [(i.item_id, i.level) for i in notice.items] == [
        ("A", "reminder_2"),
        ("B", "reminder_1"),
    ]
    assert notice.level == "reminder_2"
    assert notice.totals == (Money("200.00", "EUR"),)


# Minimum interval and minimum amount


def test_minimum_interval_per_customer() -> None:
    history = DunningHistory([sent("A", "reminder_1", 1, day(7))])
    other = open_item("B", day(-3))
    result = run([open_item("A", DUE), other], history, as_of=day(11))
    assert held(result) == {"B": "dunning.held.min_interval"}
    assert result.holds[0].reason.data["next_notice"] == day(14).isoformat()
    assert levels(run([open_item("A", DUE), other], history, as_of=day(14))) == {"B": "reminder_1"}


def test_minimum_amount_per_currency_on_the_overdue_total() -> None:
    small = open_item("A", DUE, "9.99")
    assert held(run([small], as_of=day(7))) == {"A": "dunning.held.below_minimum"}
    other = open_item("B", day(5), "0.01")  # overdue, not yet due for a step, counts in the total
    assert levels(run([small, other], as_of=day(7))) == {"A": "reminder_1"}


# Holds


def test_disputed_item_is_held() -> None:
    item = open_item("A", DUE, status=ItemStatus.DISPUTED)
    assert held(run([item], as_of=day(7))) == {"A": "dunning.held.disputed"}


def test_promise_to_pay_holds_until_its_date() -> None:
    item = open_item("A", DUE, status=ItemStatus.PROMISED, promise_until=day(20))
    assert held(run([item], as_of=day(20))) == {"A": "dunning.held.promised"}
    assert levels(run([item], as_of=day(21))) == {"A": "reminder_1"}


def test_manual_block_with_expiry() -> None:
    history = DunningHistory(blocks=[ItemBlock("A", until=day(10), note="called")])
    item = open_item("A", DUE)
    result = run([item], history, as_of=day(10))
    assert held(result) == {"A": "dunning.held.blocked"}
    assert result.holds[0].reason.data["note"] == "called"
    assert levels(run([item], history, as_of=day(11))) == {"A": "reminder_1"}


def test_customer_pause() -> None:
    history = DunningHistory(pauses=[CustomerPause("C1", until=None)])
    assert held(run([open_item("A", DUE)], history, as_of=day(7))) == {
        "A": "dunning.held.customer_paused"
    }


def test_unknown_customer_is_held_not_lost() -> None:
    item = open_item("A", DUE, customer_id="C9")
    assert held(run([item], as_of=day(7))) == {"A": "dunning.held.unknown_customer"}


def _line(
    amount: str,
    *,
    references: tuple[str, ...] = (),
    label: str = "",
    party: Counterparty | None = None,
    booked_on: date = DUE + timedelta(days=6),
) -> StatementLine:
    return StatementLine(
        id=f"L{amount}",
        kind=LineKind.TRANSFER,
        booked_on=booked_on,
        amount=Money(amount, "EUR"),
        label=label,
        references=references,
        counterparty=party,
    )


def test_payment_in_transit_by_reference_in_the_label() -> None:
    line = _line("100.00", label="VIR SEPA PAIEMENT FA-A MERCI")
    result = run([open_item("A", DUE)], as_of=day(7), in_transit=[line], bank_data_as_of=day(6))
    assert held(result) == {"A": "dunning.held.payment_in_transit"}
    assert result.holds[0].reason.data["line_id"] == "L100.00"


def test_payment_in_transit_by_party_within_tolerance() -> None:
    item = open_item("A", DUE, iban="FR76 3000 6000 0112 3456 7890 189")
    party = Counterparty(name="Someone", iban="FR7630006000011234567890189")
    assert held(
        run([item], as_of=day(7), in_transit=[_line("99.50", party=party)], bank_data_as_of=day(6))
    ) == {"A": "dunning.held.payment_in_transit"}
    result = run(
        [item], as_of=day(7), in_transit=[_line("99.49", party=party)], bank_data_as_of=day(6)
    )
    assert levels(result) == {"A": "reminder_1"}


def test_outgoing_or_future_lines_are_no_payment_in_transit() -> None:
    item = open_item("A", DUE, reference="RF18539007547034")
    out = _line("-100.00", references=("RF18539007547034",))
    later = _line("100.00", references=("RF18 5390 0754 7034",), booked_on=day(8))
    result = run([item], as_of=day(7), in_transit=[out, later], bank_data_as_of=day(7))
    assert levels(result) == {"A": "reminder_1"}
    result = run([item], as_of=day(8), in_transit=[later], bank_data_as_of=day(8))
    assert held(result) == {"A": "dunning.held.payment_in_transit"}


def test_stale_bank_data_refuses_the_run() -> None:
    with pytest.raises(BankDataStaleError) as caught:
        run([open_item("A", DUE)], as_of=day(7), bank_data_as_of=day(1))
    assert caught.value.code == "dunning.bank_data_stale"
    run([open_item("A", DUE)], as_of=day(7), bank_data_as_of=day(2))


def test_require_bank_data() -> None:
    strict = attrs.evolve(B2B, require_bank_data=True)
    with pytest.raises(BankDataStaleError):
        run([open_item("A", DUE)], policy=strict, as_of=day(7))


# Channels


def test_channel_falls_back_when_the_contact_is_missing() -> None:
    result = run([open_item("A", DUE)], customers=[customer(email=None)], as_of=day(7))
    notice = result.notices[0]
    assert notice.channel is not None
    assert notice.channel.value == "letter"
    assert [r.code for r in notice.reasons] == ["dunning.channel_fallback"]


def test_no_reachable_channel_holds_the_items() -> None:
    result = run([open_item("A", DUE)], customers=[customer(email=None)], as_of=day(-5))
    assert held(result) == {"A": "dunning.held.no_contact"}


# Fees and interest


def _formal_notice_history(item_id: str = "A") -> DunningHistory:
    return DunningHistory(
        [sent(item_id, "reminder_1", 1, day(7)), sent(item_id, "reminder_2", 2, day(21))]
    )


def test_formal_notice_charges_the_flat_indemnity_and_ecb_interest() -> None:
    item = open_item("A", date(2025, 5, 20), "3200.00")
    history = DunningHistory(
        [
            sent("A", "reminder_1", 1, date(2025, 5, 27)),
            sent("A", "reminder_2", 2, date(2025, 6, 10)),
        ]
    )
    result = run([item], history, as_of=date(2025, 7, 20))
    charges = {c.kind: c for c in result.notices[0].charges}
    assert charges[ChargeKind.INDEMNITY].amount == Money("40.00", "EUR")
    interest = charges[ChargeKind.INTEREST]
    # 2025 S1: ECB rate on 1 Jan 2025 = 3.15 -> 13.15 %, 21 May .. 30 June = 41 days
    # 2025 S2: ECB rate on 1 Jul 2025 = 2.15 -> 12.15 %, 1 July .. 20 July = 20 days
    expected = Decimal("3200") * (Decimal("13.15") * 41 + Decimal("12.15") * 20) / 100 / 365
    assert interest.amount == Money(expected.quantize(Decimal("0.01")), "EUR")
    assert interest.period == (date(2025, 5, 21), date(2025, 7, 20))
    assert result.issues == ()


def test_flat_indemnity_once_per_invoice_and_interest_never_twice() -> None:
    item = open_item("A", DUE)
    history = DunningHistory(
        charges=[
            DunningCharge(
                "dunning:A:indemnity",
                "C1",
                "A",
                ChargeKind.INDEMNITY,
                "formal_notice",
                Money("40.00", "EUR"),
                day(30),
            ),
            DunningCharge(
                "x:interest",
                "C1",
                "A",
                ChargeKind.INTEREST,
                "formal_notice",
                Money("1.00", "EUR"),
                day(30),
                period_end=day(40),
            ),
        ],
        events=_formal_notice_history().events,
    )
    result = run([item], history, as_of=day(45))
    (notice,) = result.notices
    assert [c.kind for c in notice.charges] == [ChargeKind.INTEREST]
    assert notice.charges[0].period == (day(41), day(45))


def test_fees_and_interest_are_receivables_of_their_own() -> None:
    fee = DunningCharge(
        "dunning:A:indemnity",
        "C1",
        "A",
        ChargeKind.INDEMNITY,
        "formal_notice",
        Money("40.00", "EUR"),
        day(45),
        paid=Money("15.00", "EUR"),
    )
    paid = attrs.evolve(fee, key="k2", paid=Money("40.00", "EUR"))
    history = DunningHistory(charges=[fee, paid])
    result = run([], history, as_of=day(60))
    assert [(c.key, c.open_amount) for c in result.claims] == [
        ("dunning:A:indemnity", Money("25.00", "EUR"))
    ]
    with_item = run([open_item("B", day(50))], history, as_of=day(60))
    assert with_item.notices[0].open_charges == (fee,)
    assert with_item.notices[0].totals == (Money("125.00", "EUR"),)


def test_percentage_fee_with_minimum_and_maximum_and_fixed_fee_per_notice() -> None:
    from ecomrules.dunning import policy_from_document

    doc = {
        "name": "fees",
        "levels": [
            {
                "key": "reminder_1",
                "name": "R1",
                "trigger": {"kind": "days_after_due", "days": 1},
                "notify": {"channel": "letter", "template": "reminder_1"},
                "fees": [
                    {
                        "kind": "percentage",
                        "rate": "2",
                        "currency": "EUR",
                        "minimum": "5",
                        "maximum": "50",
                    },
                    {"kind": "fixed", "amount": "3.50", "currency": "EUR"},
                ],
            }
        ],
    }
    fees = policy_from_document(doc)
    items = [
        open_item("A", DUE, "100.00"),
        open_item("B", DUE, "1000.00"),
        open_item("C", DUE, "5000.00"),
    ]
    (notice,) = run(items, policy=fees, as_of=day(1)).notices
    amounts = [(c.item_id, str(c.amount.amount)) for c in notice.charges]
    assert amounts == [("A", "5.00"), ("B", "20.00"), ("C", "50.00"), (None, "3.50")]


def test_fr_b2c_charges_no_indemnity_and_legal_interest_since_the_formal_notice() -> None:
    item = open_item("A", date(2025, 3, 1), "1000.00")
    events = [
        sent("A", "reminder_1", 1, date(2025, 3, 8)),
        sent("A", "reminder_2", 2, date(2025, 3, 22)),
        sent("A", "formal_notice", 3, date(2025, 4, 15)),
    ]
    result = run(
        [item],
        DunningHistory(events),
        B2C,
        as_of=date(2025, 7, 10),
        customers=[customer(b2b=False)],
    )
    (notice,) = result.notices
    assert notice.level == "final_notice"
    (interest,) = notice.charges
    # 16 April .. 30 June at 7.21 %, 1 .. 10 July at 6.65 %
    expected = Decimal(1000) * (Decimal("7.21") * 76 + Decimal("6.65") * 10) / 100 / 365
    assert interest.amount.amount == expected.quantize(Decimal("0.01"))


def test_outdated_rate_table_is_a_warning() -> None:
    item = open_item("A", DUE)
    result = run([item], _formal_notice_history(), as_of=day(45))
    assert [i.code for i in result.issues] == ["dunning.rate_table_outdated"]


# Idempotency


def test_idempotency_keys_per_item_and_level() -> None:
    result = run([open_item("A", DUE)], as_of=day(7))
    assert result.notices[0].items[0].idempotency_key == "dunning:A:reminder_1"
    assert result.notices[0].idempotency_key.startswith("dunning-notice:")


def test_second_run_on_the_same_day_after_recording_proposes_nothing() -> None:
    items = [open_item("A", DUE), open_item("B", day(5)), open_item("C", day(-10))]
    first = run(items, as_of=day(20))
    assert first.notices
    history = DunningHistory(list(first.events(day(20))), list(first.new_charges(day(20))))
    assert run(items, history, as_of=day(20)).notices == ()


def test_duplicate_item_ids_are_refused() -> None:
    with pytest.raises(InputError):
        run([open_item("A", DUE), open_item("A", DUE)], as_of=day(7))


def test_credit_notes_and_settled_items_are_not_dunned() -> None:
    credit = open_item("A", DUE, "-50.00")
    settled = open_item("B", DUE, "50.00", residual="0")
    assert run([credit, settled], as_of=day(30)) == DunningPlan(day(30), "fr-b2b", (), ())


# The credit engine's view


def test_customer_levels_reports_the_highest_level_and_credit_block() -> None:
    events = [
        sent("A", "reminder_1", 1, day(7)),
        sent("A", "reminder_2", 2, day(21)),
        attrs.evolve(sent("B", "formal_notice", 3, day(45)), block_credit=True),
        sent("C", "preventive", 0, day(-5), customer_id="C2"),
        sent("D", "reminder_1", 1, day(7), customer_id="C3"),
    ]
    found = customer_levels(DunningHistory(events))
    assert {k: (v.level, v.block_credit) for k, v in found.items()} == {
        "C1": ("formal_notice", True),
        "C3": ("reminder_1", False),
    }
    only_open = customer_levels(events, open_item_ids={"A", "D"})
    assert only_open["C1"].level == "reminder_2"
    assert not only_open["C1"].block_credit


def test_a_period_before_the_rate_table_is_an_error_issue_not_a_crash() -> None:
    item = open_item("A", date(2008, 1, 10))
    history = DunningHistory(
        [
            sent("A", "reminder_1", 1, date(2008, 1, 17)),
            sent("A", "reminder_2", 2, date(2008, 1, 31)),
        ]
    )
    result = run([item], history, as_of=date(2008, 2, 24))
    assert [c.kind for c in result.notices[0].charges] == [ChargeKind.INDEMNITY]
    assert [(i.code, i.severity.value) for i in result.issues] == [
        ("dunning.rate_missing", "error")
    ]


def test_a_fixed_fee_per_notice_only_in_its_currency() -> None:
    from ecomrules.dunning import policy_from_document

    doc = {
        "name": "fees",
        "levels": [
            {
                "key": "reminder_1",
                "name": "R1",
                "trigger": {"kind": "days_after_due", "days": 1},
                "notify": {"channel": "letter", "template": "reminder_1"},
                "fees": [{"kind": "fixed", "amount": "3.50", "currency": "EUR"}],
            }
        ],
    }
    policy = policy_from_document(doc)
    (notice,) = run([open_item("A", DUE, currency="USD")], policy=policy, as_of=day(1)).notices
    assert notice.charges == ()


def test_highest_levels_are_the_credit_engines_dunning_level() -> None:
    from ecomrules.dunning import highest_levels

    events = [sent("A", "reminder_1", 1, day(7)), sent("A", "reminder_2", 2, day(21))]
    assert highest_levels(DunningHistory(events)) == {"C1": 2}
    assert highest_levels(events, open_item_ids=set()) == {}


def test_bank_data_age_defaults_to_the_newest_line() -> None:
    with pytest.raises(BankDataStaleError):
        run([open_item("A", DUE)], as_of=day(7), in_transit=[_line("5.00", booked_on=day(1))])


def test_trigger_dates() -> None:
    from ecomrules.dunning import DaysAfterPrevious, EndOfMonthAfterDue

    assert EndOfMonthAfterDue().on(date(2026, 1, 31), None) == date(2026, 1, 31)
    assert EndOfMonthAfterDue(1, 3).on(date(2026, 1, 31), None) == date(2026, 3, 3)
    assert EndOfMonthAfterDue(12).on(date(2026, 12, 5), None) == date(2027, 12, 31)
    assert DaysAfterPrevious(10).on(date(2026, 1, 1), None) == date(2026, 1, 11)
    assert DaysAfterPrevious(10).on(date(2026, 1, 1), date(2026, 2, 1)) == date(2026, 2, 11)


def test_level_history_per_item() -> None:
    history = DunningHistory(
        [
            sent("A", "reminder_2", 2, day(21)),
            sent("B", "reminder_1", 1, day(8)),
            sent("A", "preventive", 0, day(-5)),
            sent("A", "reminder_1", 1, day(7)),
        ]
    )
    assert [e.level for e in history.item_levels("A")] == ["preventive", "reminder_1", "reminder_2"]
