"""Review decisions in the workspace: recorded with who and when, undone, never twice.

The store under the review page (:class:`ecomrules.workspace.review.SqliteReviewStore`),
on workspaces made by ``ecomrules reconcile --commit``; the concurrency tests
run two connections (two tabs, two processes) on one file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ecomrules.errors import InputError, ReviewConflict
from ecomrules.money import Money
from ecomrules.reconcile.review import ReviewAction
from ecomrules.testing.race import race
from ecomrules.workspace import Workspace
from ecomrules.workspace.reconcile import SqliteMatchStore
from ecomrules.workspace.review import SqliteReviewStore

from .conftest import WAGNER_ITEMS, reconcile_commit

if TYPE_CHECKING:
    from conftest import Cli

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def store(path: Path) -> SqliteReviewStore:
    return SqliteReviewStore(Workspace(path))


def committed(path: Path) -> list[tuple[str, str, str]]:
    with Workspace(path, read_only=True) as space:
        return [
            (c.line_id, c.item_id, str(c.amount.amount))
            for c in SqliteMatchStore(space).commitments()
        ]


def test_reconcile_commit_queues_the_review_and_unmatched_lines(demo_workspace: Path) -> None:
    queue = store(demo_workspace)
    lines = [entry.line_id for entry, _ in queue.entries(limit=100)]
    assert "D006" in lines  # the demo's one proposal to review
    assert "D008" in lines  # and its unmatched lines
    assert not set(lines) & {c[0] for c in committed(demo_workspace)}  # no auto line is queued
    entry = queue.entry("D006")
    assert entry is not None
    assert entry.status == "review"
    (candidate,) = entry.candidates
    assert candidate["id"] == "INV-1008"
    assert [c["description"] for c in candidate["contributions"]] == [
        "no reference to compare",
        "amount equal to the residual",
        "booked near the due date",
        "payer name matches the partner",
    ]
    assert entry.proposal is not None
    assert entry.proposal["allocations"][0]["amount"] == "890.00"


def test_accepting_records_the_allocation_with_who_and_when(demo_workspace: Path) -> None:
    queue = store(demo_workspace)
    decision = queue.decide("D006", ReviewAction.ACCEPT, who="alice", at=NOW, seen=0)
    assert (decision.action, decision.item_ids, decision.decided_by) == (
        ReviewAction.ACCEPT,
        ("INV-1008",),
        "alice",
    )
    assert decision.decided_at == "2026-11-20T09:30:00+00:00"
    assert ("D006", "INV-1008", "890.00") in committed(demo_workspace)
    assert queue.count(pending=False) == 1


def test_undo_removes_the_allocation_and_keeps_the_history(demo_workspace: Path) -> None:
    queue = store(demo_workspace)
    first = queue.decide("D006", ReviewAction.ACCEPT, who="alice", at=NOW, seen=0)
    undone = queue.undo("D006", who="bob", at=NOW, seen=first.id)
    assert (undone.undone_by, undone.active) == ("bob", False)
    assert not any(c[0] == "D006" for c in committed(demo_workspace))
    again = queue.decide("D006", ReviewAction.UNMATCHED, who="bob", at=NOW, seen=first.id)
    assert [(d.action, d.active) for d in queue.history("D006")] == [
        (ReviewAction.ACCEPT, False),
        (ReviewAction.UNMATCHED, True),
    ]
    assert again.item_ids == ()
    assert not any(c[0] == "D006" for c in committed(demo_workspace))


def test_a_second_reconcile_run_honours_the_decisions(
    cli: Cli, tie_files: tuple[Path, Path], tie_workspace: Path
) -> None:
    queue = store(tie_workspace)
    queue.decide("L1", ReviewAction.PICK, item_id="A-2", who="alice", at=NOW, seen=0)
    queue.decide("L2", ReviewAction.UNMATCHED, who="alice", at=NOW, seen=0)
    done = cli(
        "reconcile",
        "--open-items",
        str(tie_files[0]),
        "--statement",
        str(tie_files[1]),
        "--workspace",
        str(tie_workspace),
        "--json",
    )
    import json

    document = json.loads(done.stdout)
    assert "L1" in document["previously_committed_lines"]  # the pick is a payment now
    # A-2 is paid: L4 pays A-1, the only item of that amount left, without a tie
    (l4,) = [m for m in document["matches"] if m["line_id"] == "L4"]
    assert l4["allocations"] == [{"item_id": "A-1", "amount": "100.00"}]
    reconcile_commit(cli, tie_workspace, *tie_files)  # queuing again keeps the decisions
    assert [d.action for d in queue.history("L2")] == [ReviewAction.UNMATCHED]
    assert queue.count(pending=True) == 0


def test_picking_a_partly_paid_item_leaves_the_rest_open_or_writes_it_off(
    tie_workspace: Path,
) -> None:
    queue = store(tie_workspace)
    with pytest.raises(InputError, match="neither a candidate nor an open item"):
        queue.decide("L2", ReviewAction.PICK, item_id="B-1", who="a", at=NOW, seen=0)
    with pytest.raises(InputError, match="no proposal to accept"):
        queue.decide("L2", ReviewAction.ACCEPT, who="a", at=NOW, seen=0)
    assert committed(tie_workspace) == [("L3", "A-3", "250.00")]  # nothing half-recorded


def test_two_tabs_deciding_one_line_one_wins_the_other_is_told(demo_workspace: Path) -> None:
    tab_a, tab_b = store(demo_workspace), store(demo_workspace)
    seen = tab_a.last_id("D006")
    assert seen == tab_b.last_id("D006") == 0
    tab_a.decide("D006", ReviewAction.ACCEPT, who="alice", at=NOW, seen=seen)
    with pytest.raises(ReviewConflict, match=r"decided meanwhile \(accept\) by alice"):
        tab_b.decide("D006", ReviewAction.UNMATCHED, who="bob", at=NOW, seen=seen)
    with pytest.raises(ReviewConflict, match="decided meanwhile"):
        tab_b.undo("D006", who="bob", at=NOW, seen=seen)
    assert len(tab_a.history("D006")) == 1
    assert [c for c in committed(demo_workspace) if c[0] == "D006"] == [
        ("D006", "INV-1008", "890.00")
    ]


def test_two_lines_picking_one_item_the_second_is_told(tie_workspace: Path) -> None:
    tab_a, tab_b = store(tie_workspace), store(tie_workspace)
    tab_a.decide("L1", ReviewAction.PICK, item_id="A-1", who="alice", at=NOW, seen=0)
    with pytest.raises(ReviewConflict, match="settled meanwhile by another line"):
        tab_b.decide("L4", ReviewAction.PICK, item_id="A-1", who="bob", at=NOW, seen=0)
    assert tab_b.history("L4") == []
    tab_b.decide("L4", ReviewAction.PICK, item_id="A-2", who="bob", at=NOW, seen=0)
    assert sorted(committed(tie_workspace)) == [
        ("L1", "A-1", "100.00"),
        ("L3", "A-3", "250.00"),
        ("L4", "A-2", "100.00"),
    ]


def test_decisions_racing_in_threads_record_once(demo_workspace: Path) -> None:
    """Eight connections decide D006 at the same moment: one decision, one allocation."""

    def tab(n: int) -> str:
        queue = store(demo_workspace)
        try:
            queue.decide("D006", ReviewAction.ACCEPT, who=f"tab{n}", at=NOW, seen=0)
            return "won"
        except ReviewConflict:
            return "told"
        finally:
            queue.workspace.close()

    outcomes = race(tab, 8)
    assert sorted(outcomes) == ["told"] * 7 + ["won"]
    assert len(store(demo_workspace).history("D006")) == 1
    assert [c for c in committed(demo_workspace) if c[0] == "D006"] == [
        ("D006", "INV-1008", "890.00")
    ]


def test_a_write_off_settles_the_item_in_full(cli: Cli, tmp_path: Path) -> None:
    items = tmp_path / "items.csv"
    items.write_text(WAGNER_ITEMS, encoding="utf-8")
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "id,booking_date,amount,currency,counterparty,label\n"
        "S1,2026-11-02,299.00,EUR,Wagner KG,UEBERWEISUNG\n",
        encoding="utf-8",
    )
    workspace = tmp_path / "w.db"
    reconcile_commit(cli, workspace, items, statement)
    queue = store(workspace)
    decision = queue.decide(
        "S1", ReviewAction.PICK, item_id="W-2", write_off=True, who="a", at=NOW, seen=0
    )
    assert decision.write_off == Money(Decimal("1.00"), "EUR")
    with Workspace(workspace, read_only=True) as space:
        (commitment,) = SqliteMatchStore(space).commitments()
    assert commitment.write_off == Money(Decimal("1.00"), "EUR")
    assert commitment.settled == Money(Decimal("300.00"), "EUR")


def test_a_split_pays_the_items_in_turn_by_due_date(split_workspace: Path) -> None:
    queue = store(split_workspace)
    entry = queue.entry("P1")
    assert entry is not None
    assert {c["id"] for c in entry.candidates} >= {"S-1", "S-2"}
    decision = queue.decide(
        "P1", ReviewAction.SPLIT, item_ids=["S-2", "S-1"], who="a", at=NOW, seen=0
    )
    assert decision.item_ids == ("S-1", "S-2")  # by due date, whatever the order named
    assert sorted(committed(split_workspace)) == [
        ("P1", "S-1", "100.00"),
        ("P1", "S-2", "86.00"),  # what the line had left; 4.00 of S-2 stays open
    ]


def test_a_split_writes_off_within_the_tolerance_only(split_workspace: Path) -> None:
    queue = store(split_workspace)
    decision = queue.decide(
        "P1", ReviewAction.SPLIT, item_ids=["S-1", "S-2"], write_off=True, who="a", at=NOW, seen=0
    )
    assert decision.write_off == Money(Decimal("4.00"), "EUR")  # within 5.00 and 5 %
    queue.undo("P1", who="a", at=NOW, seen=decision.id)
    with pytest.raises(InputError, match=r"writing off 214\.00 of item S-3 is beyond"):
        queue.decide(
            "P1",
            ReviewAction.SPLIT,
            item_ids=["S-1", "S-3"],
            write_off=True,
            who="a",
            at=NOW,
            seen=decision.id,
        )
    with pytest.raises(InputError, match="used up before item S-3"):
        queue.decide(
            "P1",
            ReviewAction.SPLIT,
            item_ids=["S-1", "S-2", "S-3"],
            who="a",
            at=NOW,
            seen=decision.id,
        )
    with pytest.raises(InputError, match="split names two items or more"):
        queue.decide("P1", ReviewAction.SPLIT, item_ids=["S-1"], who="a", at=NOW, seen=decision.id)
    assert committed(split_workspace) == []


def test_any_open_item_can_be_picked_when_the_caller_knows_it(split_workspace: Path) -> None:
    from ecomrules.reconcile.records import ItemRecord
    from ecomrules.reconcile.review import item_fields

    other = item_fields(ItemRecord("S-3", "FS-3", "P7", "Comptoir Est SARL", "EUR", 30000, 739_560))
    queue = store(split_workspace)
    with pytest.raises(InputError, match="neither a candidate nor an open item"):
        queue.decide("P2", ReviewAction.PICK, item_id="S-3", who="a", at=NOW, seen=0)
    queue.decide(
        "P2", ReviewAction.PICK, item_id="S-3", others={"S-3": other}, who="a", at=NOW, seen=0
    )
    assert committed(split_workspace) == [("P2", "S-3", "12.00")]
