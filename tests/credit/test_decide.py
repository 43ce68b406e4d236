"""decide(): a scenario per check, and their combinations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ecomrules.credit import (
    Boundary,
    Bucket,
    BucketLimit,
    Check,
    CreditDecision,
    CreditPolicy,
    DunningRule,
    ExposureBook,
    FxRates,
    LimitRule,
    NewCustomerRule,
    Order,
    OrderLine,
    Outcome,
    OverdueRule,
    Override,
    PaymentMethod,
    TierRule,
    decide,
)
from ecomrules.errors import InvariantError
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.money import Money
from ecomrules.testing.credit import make_customer, make_item, make_order

AS_OF = date(2026, 11, 20)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def run(
    amount: str = "100.00",
    *,
    items: tuple[OpenItem, ...] = (),
    customer: Customer | None = None,
    policy: CreditPolicy | None = None,
    method: PaymentMethod = PaymentMethod.INVOICE,
    people: tuple[Customer, ...] = (),
    the_order: Order | None = None,
    **kwargs: Any,
) -> CreditDecision:
    who = customer or make_customer()
    rules = policy or CreditPolicy()
    book = ExposureBook.build((who, *people), rules, AS_OF, open_items=items)
    o = the_order or make_order(amount, customer_id=who.id, method=method)
    return decide(o, who, book.exposure(who.id), rules, AS_OF, group=book.group(who), **kwargs)


def late(residual: str, days: int, **kwargs: Any) -> OpenItem:
    return make_item(f"L{days}-{residual}", residual, as_of=AS_OF, days_overdue=days, **kwargs)


def test_an_order_well_within_the_limit_is_allowed() -> None:
    d = run("100.00", items=(make_item("a", "200.00", as_of=AS_OF),))
    assert d.outcome is Outcome.ALLOW
    assert d.codes() == ("credit.limit_ok",)
    assert d.exposure_before == eur("200.00")
    assert d.exposure_after == eur("300.00")
    assert d.limit == eur("1000.00")
    assert d.headroom == eur("700.00")
    assert "inclusive" in d.reasons[0].message


@pytest.mark.parametrize(
    ("boundary", "amount", "outcome"),
    [
        (Boundary.INCLUSIVE, "1000.00", Outcome.WARN),
        (Boundary.INCLUSIVE, "1000.01", Outcome.REQUIRE_PREPAYMENT),
        (Boundary.EXCLUSIVE, "999.99", Outcome.WARN),
        (Boundary.EXCLUSIVE, "1000.00", Outcome.REQUIRE_PREPAYMENT),
    ],
)
def test_the_limit_boundary_is_inclusive_or_exclusive_and_says_so(
    boundary: Boundary, amount: str, outcome: Outcome
) -> None:
    d = run(amount, policy=CreditPolicy(limit=LimitRule(boundary=boundary)))
    assert d.outcome is outcome
    assert boundary.value in d.reasons[0].message
    expected = "credit.limit_near" if outcome is Outcome.WARN else "credit.limit_exceeded"
    assert d.codes() == (expected,)


def test_limit_outcome_and_warning_ratio_come_from_the_policy() -> None:
    rules = CreditPolicy(limit=LimitRule(outcome=Outcome.BLOCK, warn_ratio=None))
    assert run("1000.00", policy=rules).outcome is Outcome.ALLOW
    assert run("1000.01", policy=rules).outcome is Outcome.BLOCK


def test_a_customer_without_limit_gets_the_policy_outcome() -> None:
    d = run("10.00", customer=make_customer(limit=None))
    assert d.outcome is Outcome.REQUIRE_PREPAYMENT
    assert d.codes() == ("credit.no_limit",)
    assert d.headroom is None
    rules = CreditPolicy(limit=LimitRule(when_missing=Outcome.ALLOW))
    assert run("10.00", customer=make_customer(limit=None), policy=rules).outcome is Outcome.ALLOW


def test_the_group_limit_counts_every_member() -> None:
    member = make_customer("M1", group_id="G", limit="5000.00")
    sister = make_customer("M2", group_id="G", limit="5000.00")
    rules = CreditPolicy(group_limits={"G": eur("1000.00")})
    items = (make_item("s", "950.00", as_of=AS_OF, partner="M2"),)
    d = run("100.00", customer=member, people=(sister,), items=items, policy=rules)
    assert d.outcome is Outcome.REQUIRE_PREPAYMENT
    assert d.codes() == ("credit.limit_ok", "credit.group_limit_exceeded")
    assert d.group is not None
    assert d.group.exposure.total == eur("950.00")


def test_bucket_limits_by_amount_and_by_ratio() -> None:
    rules = CreditPolicy(
        bucket_limits=(
            BucketLimit(Bucket.OVERDUE_OVER_90, max_amount=Decimal("100.00")),
            BucketLimit(Bucket.OPEN_ORDERS, max_ratio=Decimal("0.5"), outcome=Outcome.WARN),
        ),
        overdue=OverdueRule(grace_days=1000),
    )
    d = run("600.00", items=(late("150.00", 95),), policy=rules)
    assert d.outcome is Outcome.BLOCK
    assert d.codes() == (
        "credit.limit_ok",
        "credit.bucket_limit_exceeded",
        "credit.bucket_limit_exceeded",
        "credit.overdue_within_grace",
    )
    assert "overdue_over_90 150.00 EUR is over its limit 100.00 EUR" in d.reasons[1].message
    assert "open_orders 600.00 EUR is over its limit 500.00 EUR" in d.reasons[2].message


def test_overdue_beyond_grace_blocks_within_grace_warns() -> None:
    assert run(items=(late("10.00", 16),)).codes()[-1] == "credit.overdue_beyond_grace"
    assert run(items=(late("10.00", 16),)).outcome is Outcome.BLOCK
    within = run(items=(late("10.00", 15),))
    assert within.outcome is Outcome.WARN
    assert within.codes()[-1] == "credit.overdue_within_grace"
    quiet = CreditPolicy(overdue=OverdueRule(warn_within_grace=False))
    assert run(items=(late("10.00", 15),), policy=quiet).outcome is Outcome.ALLOW


def test_small_overdue_amounts_are_ignored_up_to_the_minimum() -> None:
    rules = CreditPolicy(overdue=OverdueRule(min_amount=Decimal("20.00")))
    assert run(items=(late("20.00", 40),), policy=rules).outcome is Outcome.ALLOW
    assert run(items=(late("20.01", 40),), policy=rules).outcome is Outcome.BLOCK


def test_disputed_and_promised_items_do_not_trip_the_overdue_check() -> None:
    items = (
        late("10.00", 40, status=ItemStatus.DISPUTED),
        late("10.00", 50, status=ItemStatus.PROMISED, promise_until=AS_OF),
    )
    assert run(items=items).outcome is Outcome.ALLOW


@pytest.mark.parametrize(
    ("level", "outcome"),
    [
        (None, Outcome.ALLOW),
        (1, Outcome.ALLOW),
        (2, Outcome.WARN),
        (3, Outcome.BLOCK),
        (5, Outcome.BLOCK),
    ],
)
def test_dunning_levels_flagged_in_the_policy(level: int | None, outcome: Outcome) -> None:
    d = run(dunning_level=level)
    assert d.outcome is outcome
    if outcome is not Outcome.ALLOW:
        assert d.codes()[-1] == "credit.dunning_level"


def test_dunning_levels_take_the_most_severe_flag_reached() -> None:
    rules = CreditPolicy(dunning=DunningRule({1: Outcome.BLOCK, 4: Outcome.WARN}))
    assert run(dunning_level=4, policy=rules).outcome is Outcome.BLOCK


def test_manual_warning_and_blocking_messages() -> None:
    warned = run(customer=make_customer(warning_message="pays late"))
    assert warned.outcome is Outcome.WARN
    assert warned.codes() == ("credit.manual_warning", "credit.limit_ok")
    assert "pays late" in warned.reasons[0].message
    blocked = run(customer=make_customer(blocking_message="legal dispute", warning_message="x"))
    assert blocked.outcome is Outcome.BLOCK
    assert blocked.codes()[:2] == ("credit.manual_block", "credit.manual_warning")


def test_a_new_customer_prepays_a_first_order_above_the_threshold() -> None:
    new = make_customer(created_on=AS_OF - timedelta(days=10))
    assert run("500.00", customer=new).outcome is Outcome.ALLOW
    d = run("500.01", customer=new)
    assert d.outcome is Outcome.REQUIRE_PREPAYMENT
    assert d.codes()[0] == "credit.new_customer"
    old = make_customer(created_on=AS_OF - timedelta(days=90))
    assert run("500.01", customer=old).outcome is Outcome.ALLOW
    rules = CreditPolicy(new_customer=NewCustomerRule(days=365, max_order=Decimal("50")))
    assert run("60.00", customer=old, policy=rules).outcome is Outcome.REQUIRE_PREPAYMENT


@pytest.mark.parametrize("method", [PaymentMethod.PREPAID, PaymentMethod.CARD_AUTHORIZED])
def test_a_secured_payment_adds_no_exposure_and_is_never_refused(method: PaymentMethod) -> None:
    who = make_customer(limit=None, created_on=AS_OF, blocking_message="stop")
    d = run("99999.00", customer=who, method=method, items=(late("5000", 200),), dunning_level=9)
    assert d.outcome is Outcome.WARN
    assert d.codes() == ("credit.payment_secured", "credit.manual_block")
    assert d.exposure_after == d.exposure_before


def test_cash_on_delivery_counts_like_an_invoice() -> None:
    d = run("1000.01", method=PaymentMethod.CASH_ON_DELIVERY)
    assert d.outcome is Outcome.REQUIRE_PREPAYMENT
    assert d.exposure_after == eur("1000.01")


def test_a_tier_is_exempt_from_the_checks_it_names() -> None:
    rules = CreditPolicy(tiers={"gold": TierRule(frozenset({Check.OVERDUE, Check.LIMIT}))})
    gold = make_customer(tier="gold")
    d = run("5000.00", customer=gold, items=(late("100.00", 100),), policy=rules)
    assert d.outcome is Outcome.ALLOW
    assert d.codes() == ("credit.tier_exempt",)
    assert "limit, overdue" in d.reasons[0].message
    silver = run("5000.00", customer=make_customer(tier="silver"), policy=rules)
    assert silver.outcome is Outcome.REQUIRE_PREPAYMENT


def test_every_reason_is_kept_and_the_most_severe_wins() -> None:
    who = make_customer(warning_message="watch", created_on=AS_OF)
    d = run("1200.00", customer=who, items=(late("10.00", 5),), dunning_level=3)
    assert d.outcome is Outcome.BLOCK
    assert d.codes() == (
        "credit.manual_warning",
        "credit.new_customer",
        "credit.limit_exceeded",
        "credit.overdue_within_grace",
        "credit.dunning_level",
    )


def test_preorder_lines_of_the_order_count_later() -> None:
    o = Order(
        "SO-1",
        "C1",
        eur("1500.00"),
        lines=[
            OrderLine(eur("500.00")),
            OrderLine(eur("1000.00"), "PRE", True, AS_OF + timedelta(days=30)),
        ],
    )
    d = run(the_order=o)
    assert d.outcome is Outcome.ALLOW
    assert d.exposure_after == eur("500.00")
    assert d.codes() == ("credit.limit_ok", "credit.preorder_scheduled")


def test_an_order_in_another_currency_is_converted() -> None:
    rules = CreditPolicy(rates=FxRates({("USD", "EUR"): "0.5"}))
    d = run(the_order=make_order("1999.99", currency="USD"), policy=rules)
    assert d.exposure_after == eur("1000.00")  # 999.995 rounded half up
    assert d.outcome is Outcome.WARN


def test_an_override_turns_a_refusal_into_an_allow_and_is_recorded() -> None:
    ok = Override("dana", "CFO approval", AS_OF, order_id="SO-1")
    d = run("5000.00", dunning_level=3, overrides=[ok])
    assert d.outcome is Outcome.ALLOW
    assert d.override == ok
    assert d.codes()[-1] == "credit.override_applied"
    assert "block lifted by dana" in d.reasons[-1].message
    assert "credit.limit_exceeded" in d.codes()
    per_customer = Override("dana", "key account", AS_OF, customer_id="C1")
    assert run("5000.00", overrides=[per_customer]).outcome is Outcome.ALLOW


def test_an_expired_or_unrelated_override_is_not_used() -> None:
    old = Override("dana", "last year", AS_OF - timedelta(days=1), order_id="SO-1")
    other = Override("dana", "other order", AS_OF, order_id="SO-2")
    d = run("5000.00", overrides=[old, other])
    assert d.outcome is Outcome.REQUIRE_PREPAYMENT
    assert d.override is None
    assert d.codes() == ("credit.limit_exceeded", "credit.override_expired")


def test_an_override_is_not_spent_on_an_accepted_order() -> None:
    ok = Override("dana", "CFO approval", AS_OF, order_id="SO-1")
    d = run("10.00", overrides=[ok])
    assert d.override is None
    assert d.codes() == ("credit.limit_ok",)


def test_decide_refuses_mismatched_inputs() -> None:
    with pytest.raises(InvariantError, match="not C1"):
        run(the_order=make_order(customer_id="C9"))


def test_decision_json_has_the_documented_shape() -> None:
    doc = run("250.00").to_json()
    assert doc["outcome"] == "allow"
    assert doc["reasons"][0]["code"] == "credit.limit_ok"
    assert (doc["exposure_before"], doc["exposure_after"]) == ("0.00", "250.00")
    assert (doc["limit"], doc["headroom"]) == ("1000.00", "750.00")


def test_a_level_the_dunning_policy_flags_as_blocking_credit_blocks() -> None:
    d = run(dunning_level=1, dunning_blocks_credit=True)
    assert d.outcome is Outcome.BLOCK
    assert d.codes()[-1] == "credit.dunning_level"
    assert d.reasons[-1].data["blocks_credit"] is True


def test_the_new_customer_rule_weighs_the_whole_order_pre_orders_included() -> None:
    new = make_customer(created_on=AS_OF - timedelta(days=10))
    o = Order(
        "SO-1",
        "C1",
        eur("900.00"),
        lines=[
            OrderLine(eur("100.00")),
            OrderLine(eur("800.00"), "PRE", True, AS_OF + timedelta(days=60)),
        ],
    )
    d = run(customer=new, the_order=o)
    assert d.outcome is Outcome.REQUIRE_PREPAYMENT
    assert d.exposure_after == eur("100.00")
    assert "900.00 EUR" in d.reasons[0].message
