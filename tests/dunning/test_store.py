"""The workspace's dunning history: round trip, idempotent recording, payments."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ecomrules.dunning import (
    ChargeKind,
    DunningHistory,
    DunningPlan,
    commit_plan,
    load_policy,
    plan,
)
from ecomrules.errors import WorkspaceError
from ecomrules.money import Money
from ecomrules.testing.dunning import customer, open_item
from ecomrules.workspace import Workspace
from ecomrules.workspace.dunning import SqliteDunningStore

POLICY = load_policy("fr-b2b")
DUE = date(2026, 1, 10)


def test_recording_is_idempotent_and_the_next_plan_escalates(tmp_path: Path) -> None:
    items = [open_item("A", DUE, "500.00")]
    with Workspace(tmp_path / "ws.db") as ws:
        store = SqliteDunningStore(ws)
        for as_of, expected in [
            (date(2026, 1, 17), "reminder_1"),
            (date(2026, 1, 31), "reminder_2"),
            (date(2026, 2, 24), "formal_notice"),
        ]:
            result = plan(items, [customer()], store.load(), POLICY, as_of, render=False)
            assert [n.level for n in result.notices] == [expected]
            assert store.record(result, as_of) == 1
            assert store.record(result, as_of) == 0
        history = store.load()
    assert [e.level for e in history.item_levels("A")] == [
        "reminder_1",
        "reminder_2",
        "formal_notice",
    ]
    kinds = sorted(c.kind.value for c in history.charges)
    assert kinds == ["indemnity", "interest"]
    interest = next(c for c in history.charges if c.kind is ChargeKind.INTEREST)
    assert interest.period_end == date(2026, 2, 24)


def test_charges_stay_claims_until_paid(tmp_path: Path) -> None:
    items = [open_item("A", DUE, "500.00")]
    with Workspace(tmp_path / "ws.db") as ws:
        store = SqliteDunningStore(ws)
        history = DunningHistory()
        for as_of in (date(2026, 1, 17), date(2026, 1, 31), date(2026, 2, 24)):
            store.record(plan(items, [customer()], history, POLICY, as_of, render=False), as_of)
            history = store.load()
        after = plan([], [customer()], history, POLICY, date(2026, 3, 10), render=False)
        assert {c.kind for c in after.claims} == {ChargeKind.INDEMNITY, ChargeKind.INTEREST}
        store.record_payment("dunning:A:indemnity", Money("40.00", "EUR"))
        with pytest.raises(WorkspaceError):
            store.record_payment("dunning:A:indemnity", Money("0.01", "EUR"))
        after = plan([], [customer()], store.load(), POLICY, date(2026, 3, 10), render=False)
        assert {c.kind for c in after.claims} == {ChargeKind.INTEREST}


def test_blocks_and_pauses(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws.db") as ws:
        store = SqliteDunningStore(ws)
        store.block_item("A", date(2026, 2, 1), "called the customer")
        store.block_item("A", date(2026, 2, 5), "called again")
        store.pause_customer("C2", None)
        history = store.load()
    assert [(b.item_id, b.until, b.note) for b in history.blocks] == [
        ("A", date(2026, 2, 5), "called again")
    ]
    assert [(p.customer_id, p.until) for p in history.pauses] == [("C2", None)]


def test_loaded_events_equal_the_recorded_ones_and_share_their_days(tmp_path: Path) -> None:
    items = [open_item(name, DUE, "500.00") for name in ("A", "B", "C")]
    as_of = date(2026, 1, 17)
    result = plan(items, [customer()], DunningHistory(), POLICY, as_of, render=False)
    with Workspace(tmp_path / "ws.db") as ws:
        store = SqliteDunningStore(ws)
        store.record(result, as_of)
        events = store.load().events
    assert events == tuple(sorted(result.events(as_of), key=lambda e: e.key))
    assert len(events) == 3
    assert all(e.sent_on is events[0].sent_on for e in events)
    assert all(e.level is events[0].level for e in events)


def test_a_commit_plans_again_when_another_run_recorded_while_it_planned(tmp_path: Path) -> None:
    items = [open_item("A", DUE, "500.00")]
    as_of = date(2026, 1, 17)
    calls: list[int] = []
    with Workspace(tmp_path / "ws.db") as mine, Workspace(tmp_path / "ws.db") as theirs:
        store, other = SqliteDunningStore(mine), SqliteDunningStore(theirs)

        def make_plan(history: DunningHistory) -> DunningPlan:
            calls.append(len(history.events))
            planned = plan(items, [customer()], history, POLICY, as_of, render=False)
            if len(calls) == 1:  # the other run commits the same notice meanwhile
                other.record(planned, as_of)
            return planned

        planned, added = commit_plan(store, make_plan)
        assert calls == [0, 1]  # planned again, on the history with the other's notice
        assert planned.notices == ()
        assert added == 0
        calls.clear()
        commit_plan(store, make_plan)  # nothing recorded meanwhile: planned once
        assert calls == [1]
