"""Properties of the plan over drawn scenarios."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.preorder import (
    AllocationPolicy,
    LineMode,
    PlanPolicy,
    Priority,
    ReleasePlan,
    Scheduler,
    SupplyEvent,
    plan_release,
)
from ecomrules.testing.preorder import Scenario, scenarios

POLICIES = st.builds(
    AllocationPolicy,
    priority=st.sampled_from(Priority),
    tiers=st.just(("gold", "silver")),
    cap_per_customer=st.none() | st.integers(1, 8),
    count_expected=st.booleans(),
) | st.builds(
    AllocationPolicy,
    priority=st.sampled_from([Priority.FIFO, Priority.PAID_FIRST, Priority.TIER]),
    mode=st.just(LineMode.ALL_OR_NOTHING),
)


def run(s: Scenario, policy: AllocationPolicy | None = None, **changes: object) -> ReleasePlan:
    values: dict[str, object] = {
        "products": s.products,
        "lines": s.lines,
        "supply": s.supply,
        "warehouse": s.warehouse,
        "carriers": s.carriers,
        "as_of": s.as_of,
        "policy": PlanPolicy(allocation=policy or AllocationPolicy()),
    }
    values.update(changes)
    return plan_release(**values)  # type: ignore[arg-type]


@settings(max_examples=60)
@given(scenarios())
def test_a_strict_street_date_is_never_delivered_before_release(s: Scenario) -> None:
    scheduler = Scheduler(s.warehouse, s.carriers)
    products = {p.sku: p for p in s.products}
    sources = {line.key: line for line in s.lines}
    for planned in run(s).lines:
        product = products.get(planned.sku)
        if product is None or not product.strict or planned.expected_delivery is None:
            continue
        source = sources[(planned.order_id, planned.sku)]
        route = scheduler.route(source.carrier_service, source.country)
        assert route is not None
        arrives = datetime.combine(planned.expected_delivery, time(0, 0), route.delivery_zone)
        assert arrives >= product.release_at
        assert planned.expected_delivery >= planned.release_day


@settings(max_examples=60)
@given(scenarios(), POLICIES)
def test_allocation_never_exceeds_supply_nor_the_quantity_ordered(
    s: Scenario, policy: AllocationPolicy
) -> None:
    supply: dict[str, int] = defaultdict(int)
    for event in s.supply:
        if policy.count_expected or event.status.value == "received":
            supply[event.sku] += event.quantity
    allocated: dict[str, int] = defaultdict(int)
    for planned in run(s, policy).lines:
        assert 0 <= planned.allocated <= planned.accepted <= planned.quantity
        if planned.status.value != "in_stock":
            allocated[planned.sku] += planned.allocated
    for sku, total in allocated.items():
        assert total <= supply[sku]


@settings(max_examples=60)
@given(scenarios(), st.integers(1, 20), st.integers(0, 60))
def test_adding_supply_never_lowers_an_allocation_under_fifo(
    s: Scenario, quantity: int, day: int
) -> None:
    sku = s.products[0].sku
    extra = SupplyEvent(sku, quantity, date.fromordinal(date(2026, 10, 1).toordinal() + day))
    before = {(p.order_id, p.sku): p.allocated for p in run(s).lines}
    after = {(p.order_id, p.sku): p.allocated for p in run(s, supply=(*s.supply, extra)).lines}
    assert all(after[key] >= before[key] for key in before)


@settings(max_examples=40)
@given(scenarios(), POLICIES, st.randoms(use_true_random=False))
def test_the_plan_does_not_depend_on_input_order(
    s: Scenario, policy: AllocationPolicy, random: object
) -> None:
    shuffle = random.shuffle  # type: ignore[attr-defined]
    lines, supply, products, carriers = (
        list(s.lines),
        list(s.supply),
        list(s.products),
        list(s.carriers),
    )
    for items in (lines, supply, products, carriers):
        shuffle(items)
    expected = run(s, policy).to_json()
    shuffled = run(s, policy, lines=lines, supply=supply, products=products, carriers=carriers)
    assert shuffled.to_json() == expected


@settings(max_examples=60)
@given(scenarios(), st.sampled_from([Priority.FIFO, Priority.PRO_RATA, Priority.PAID_FIRST]))
def test_partial_allocation_hands_out_every_unit_it_can(s: Scenario, priority: Priority) -> None:
    supply: dict[str, int] = defaultdict(int)
    for event in s.supply:
        supply[event.sku] += event.quantity
    accepted: dict[str, int] = defaultdict(int)
    allocated: dict[str, int] = defaultdict(int)
    for planned in run(s, AllocationPolicy(priority=priority)).lines:
        if planned.status.value not in ("in_stock", "unknown_product"):
            accepted[planned.sku] += planned.accepted
            allocated[planned.sku] += planned.allocated
    for sku, demand in accepted.items():
        assert allocated[sku] == min(demand, supply[sku])
