"""Properties of decide(): monotone in overdue items, prepaid never refused, order-free."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.credit import (
    Bucket,
    BucketLimit,
    CreditDecision,
    CreditPolicy,
    ExposureBook,
    FxRates,
    OpenOrder,
    Order,
    Outcome,
    PaymentMethod,
    decide,
)
from ecomrules.ledger import Customer, OpenItem
from ecomrules.money import Currency, Money
from ecomrules.testing.credit import (
    make_customer,
    make_item,
    make_order,
    open_items,
    payment_methods,
)

AS_OF = date(2026, 11, 20)
POLICIES = st.sampled_from(
    [
        CreditPolicy(),
        CreditPolicy(bucket_limits=(BucketLimit(Bucket.OVERDUE, max_amount=Decimal("500")),)),
    ]
)
CUSTOMERS = st.builds(
    make_customer,
    limit=st.sampled_from([None, "0.00", "1000.00", "5000.00"]),
    tier=st.none(),
    warning_message=st.sampled_from([None, "watch"]),
    blocking_message=st.sampled_from([None, None, "stop"]),
    created_on=st.sampled_from([None, AS_OF - timedelta(days=5), date(2020, 1, 1)]),
)
AMOUNTS = st.decimals(min_value=Decimal("0"), max_value=Decimal("4000"), places=2)


def decide_on(
    items: list[OpenItem],
    customer: Customer,
    order: Order,
    policy: CreditPolicy,
    level: int | None = None,
) -> CreditDecision:
    book = ExposureBook.build([customer], policy, AS_OF, open_items=items)
    return decide(order, customer, book.exposure(customer.id), policy, AS_OF, dunning_level=level)


@settings(max_examples=150, deadline=None)
@given(
    open_items(AS_OF),
    CUSTOMERS,
    AMOUNTS,
    payment_methods(),
    POLICIES,
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("3000"), places=2),
    st.integers(min_value=1, max_value=400),
    st.sampled_from([None, 1, 2, 3]),
)
def test_adding_an_overdue_item_never_makes_a_decision_more_permissive(
    items: list[OpenItem],
    customer: Customer,
    amount: Decimal,
    method: PaymentMethod,
    policy: CreditPolicy,
    overdue: Decimal,
    days: int,
    level: int | None,
) -> None:
    order = make_order(str(amount), method=method)
    before = decide_on(items, customer, order, policy, level)
    extra = make_item("extra", str(overdue), as_of=AS_OF, days_overdue=days)
    after = decide_on([*items, extra], customer, order, policy, level)
    assert after.outcome.severity >= before.outcome.severity


@settings(max_examples=150, deadline=None)
@given(
    open_items(AS_OF),
    CUSTOMERS,
    AMOUNTS,
    st.sampled_from([PaymentMethod.PREPAID, PaymentMethod.CARD_AUTHORIZED]),
    POLICIES,
    st.sampled_from([None, 1, 2, 3, 7]),
)
def test_a_prepaid_order_is_never_blocked_for_credit(
    items: list[OpenItem],
    customer: Customer,
    amount: Decimal,
    method: PaymentMethod,
    policy: CreditPolicy,
    level: int | None,
) -> None:
    d = decide_on(items, customer, make_order(str(amount), method=method), policy, level)
    assert d.outcome in (Outcome.ALLOW, Outcome.WARN)
    assert d.exposure_after == d.exposure_before


@settings(max_examples=100, deadline=None)
@given(open_items(AS_OF), CUSTOMERS, AMOUNTS, POLICIES, st.randoms(use_true_random=False))
def test_the_decision_does_not_depend_on_the_order_of_the_items(
    items: list[OpenItem],
    customer: Customer,
    amount: Decimal,
    policy: CreditPolicy,
    random: Random,
) -> None:
    order = make_order(str(amount))
    shuffled = list(items)
    random.shuffle(shuffled)
    assert decide_on(items, customer, order, policy) == decide_on(shuffled, customer, order, policy)


RATES = FxRates({("USD", "EUR"): Decimal("0.9235"), ("JPY", "EUR"): Decimal("0.00615")})
FOREIGN = st.lists(
    st.tuples(
        st.sampled_from(["EUR", "USD", "JPY"]),
        st.integers(min_value=-5_000, max_value=500_000),
        st.integers(min_value=-30, max_value=120),
        st.sampled_from(["C1", "C2", "C3"]),
    ),
    max_size=12,
)
ACCEPTED = st.lists(
    st.tuples(st.sampled_from(["EUR", "USD"]), st.integers(min_value=0, max_value=90_000)),
    max_size=6,
)


def _items(rows: list[tuple[str, int, int, str]]) -> list[OpenItem]:
    return [
        make_item(
            f"I{n}",
            str(Decimal(units).scaleb(-Currency.of(cur).exponent)),
            as_of=AS_OF,
            days_overdue=days,
            partner=who,
            currency=cur,
        )
        for n, (cur, units, days, who) in enumerate(rows)
    ]


@settings(max_examples=60, deadline=None)
@given(FOREIGN, ACCEPTED, st.randoms(use_true_random=False))
def test_the_book_kept_up_to_date_equals_a_full_recomputation(
    rows: list[tuple[str, int, int, str]],
    accepted: list[tuple[str, int]],
    random: Random,
) -> None:
    people = [
        make_customer("C1", group_id="G"),
        make_customer("C2", group_id="G"),
        make_customer("C3"),
    ]
    policy = CreditPolicy(rates=RATES)
    items = _items(rows)
    orders = [
        Order(f"O{n}", "C1" if n % 2 else "C2", Money(Decimal(cents).scaleb(-2), cur))
        for n, (cur, cents) in enumerate(accepted)
    ]
    book = ExposureBook.build(people, policy, AS_OF, open_items=items)
    for order in random.sample(orders, len(orders)):
        book.exposure(order.customer_id)  # a read between updates must not go stale
        book.add_order(order)
    shuffled = random.sample(items, len(items))
    full = ExposureBook.build(
        people,
        policy,
        AS_OF,
        open_items=shuffled,
        open_orders=[OpenOrder(o.id, o.customer_id, o.amount) for o in orders],
    )
    for who in people:
        assert book.exposure(who.id) == full.exposure(who.id)
    group, members = book.group(people[0]), [book.exposure("C1"), book.exposure("C2")]
    assert group is not None
    assert group.exposure.total == members[0].total + members[1].total
    assert group == full.group(people[0])
