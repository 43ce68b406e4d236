"""Properties of the dunning engine that hold for any items and history."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.dunning import (
    CustomerPause,
    DunningHistory,
    DunningPlan,
    ItemBlock,
    load_policy,
    plan,
)
from ecomrules.ledger import ItemStatus, OpenItem
from ecomrules.parsing.model import LineKind, StatementLine
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
    ids = [item.id for item in items]
    until = st.none() | as_of_days
    blocks = draw(st.lists(st.builds(ItemBlock, st.sampled_from(ids), until), max_size=2))
    pauses = draw(
        st.lists(st.builds(CustomerPause, st.sampled_from(["C0", "C1", "C2"]), until), max_size=1)
    )
    return items, DunningHistory(events, (), blocks, pauses)


@st.composite
def incoming(draw: st.DrawFn, items: list[OpenItem]) -> list[StatementLine]:
    """Incoming lines paying some of the items (by number in the label)."""
    chosen = draw(st.lists(st.sampled_from(items), max_size=3, unique_by=lambda i: i.id))
    return [
        StatementLine(
            id=f"L{index}",
            kind=LineKind.TRANSFER,
            booked_on=BASE,
            amount=item.residual,
            label=f"PAYMENT {item.number}",
        )
        for index, item in enumerate(chosen)
    ]


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
    held = {item.id for item in items if item.status is ItemStatus.DISPUTED}
    held |= {block.item_id for block in history.blocks if block.active(as_of)}
    paused = {pause.customer_id for pause in history.pauses if pause.active(as_of)}
    held |= {item.id for item in items if item.partner_id in paused}
    noticed = {item.item_id for notice in result.notices for item in notice.items}
    assert not noticed & held
    assert {hold.item_id for hold in result.holds}.isdisjoint(noticed)


@settings(max_examples=60, deadline=None)
@given(scenarios(), as_of_days)
def test_replaying_a_recorded_plan_adds_nothing(scenario, as_of: date) -> None:
    items, history = scenario
    first = run(items, history, as_of)
    recorded = DunningHistory(
        [*history.events, *first.events(as_of)],
        [*history.charges, *first.new_charges(as_of)],
        history.blocks,
        history.pauses,
    )
    assert run(items, recorded, as_of).notices == ()
    assert run(items, history, as_of) == first


@settings(max_examples=60, deadline=None)
@given(scenarios(), as_of_days, st.randoms(use_true_random=False), st.data())
def test_the_result_does_not_depend_on_input_order(scenario, as_of: date, rng, data) -> None:
    items, history = scenario
    lines = data.draw(incoming(items))
    expected = plan(
        items,
        CUSTOMERS,
        history,
        POLICY,
        as_of,
        in_transit=lines,
        bank_data_as_of=as_of,
        render=False,
    )
    shuffled = [list(items), list(history.events), list(CUSTOMERS), list(lines)]
    for group in shuffled:
        rng.shuffle(group)
    result = plan(
        shuffled[0],
        shuffled[2],
        DunningHistory(shuffled[1], (), history.blocks, history.pauses),
        POLICY,
        as_of,
        in_transit=shuffled[3],
        bank_data_as_of=as_of,
        render=False,
    )
    assert result == expected
