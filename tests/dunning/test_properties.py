"""Properties of the dunning engine that hold for any items and history."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.dunning import DunningHistory, DunningPlan, load_policy, plan
from ecomrules.ledger import ItemStatus, OpenItem
from ecomrules.testing.dunning import BASE, customer, dunning_events, open_items

POLICY = load_policy("fr-b2b")
LADDER = [level.key for level in POLICY.levels]
CUSTOMERS = [customer(f"C{i}") for i in range(3)]
RANK = {key: rank for rank, key in enumerate(LADDER, start=1)}

as_of_days = st.integers(0, 200).map(lambda n: BASE + timedelta(days=n))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[OpenItem], DunningHistory]:
    items = draw(open_items())
    events = draw(dunning_events(items, LADDER))
    return items, DunningHistory(events)


def run(items: list[OpenItem], history: DunningHistory, as_of: date) -> DunningPlan:
    return plan(items, CUSTOMERS, history, POLICY, as_of, render=False)


def ladder_levels(
    items: list[OpenItem], history: DunningHistory, result: DunningPlan
) -> dict[str, int]:
    """Each item's ladder rank after the plan: proposed, else reached before."""
    reached = {item.id: 0 for item in items}
    for event in history.events:
        reached[event.item_id] = max(reached[event.item_id], event.rank)
    for notice in result.notices:
        for item in notice.items:
            reached[item.item_id] = max(reached[item.item_id], item.rank)
    return reached


@settings(max_examples=60, deadline=None)
@given(scenarios(), as_of_days, st.integers(0, 60))
def test_a_later_as_of_never_gives_a_lower_level(scenario, as_of: date, later: int) -> None:
    items, history = scenario
    early = ladder_levels(items, history, run(items, history, as_of))
    late = ladder_levels(items, history, run(items, history, as_of + timedelta(days=later)))
    assert all(late[item_id] >= rank for item_id, rank in early.items())


@settings(max_examples=60, deadline=None)
@given(scenarios(), as_of_days)
def test_a_held_item_never_escalates(scenario, as_of: date) -> None:
    items, history = scenario
    result = run(items, history, as_of)
    disputed = {item.id for item in items if item.status is ItemStatus.DISPUTED}
    noticed = {item.item_id for notice in result.notices for item in notice.items}
    assert not noticed & disputed
    assert {hold.item_id for hold in result.holds}.isdisjoint(noticed)


@settings(max_examples=60, deadline=None)
@given(scenarios(), as_of_days)
def test_replaying_a_recorded_plan_adds_nothing(scenario, as_of: date) -> None:
    items, history = scenario
    first = run(items, history, as_of)
    recorded = DunningHistory(
        [*history.events, *first.events(as_of)],
        [*history.charges, *first.new_charges(as_of)],
    )
    assert run(items, recorded, as_of).notices == ()
    assert run(items, history, as_of) == first


@settings(max_examples=60, deadline=None)
@given(scenarios(), as_of_days, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_input_order(scenario, as_of: date, rng) -> None:
    items, history = scenario
    expected = run(items, history, as_of)
    shuffled_items = list(items)
    rng.shuffle(shuffled_items)
    events = list(history.events)
    rng.shuffle(events)
    customers = list(CUSTOMERS)
    rng.shuffle(customers)
    result = plan(shuffled_items, customers, DunningHistory(events), POLICY, as_of, render=False)
    assert result == expected
