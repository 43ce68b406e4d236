"""Reverting an ``auto`` match in the workspace: queued again, undoable, honoured by later runs.

The store under the review page's revert (:meth:`SqliteReviewStore.revert`),
on the small shop of ties after ``ecomrules reconcile --commit``: L3 pays
A-3 (250.00, its reference named) and is recorded ``auto``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ecomrules.errors import InputError, ReviewConflict
from ecomrules.reconcile.review import DECIDED, REVERTED, ReviewAction
from ecomrules.testing.race import race

from .conftest import reconcile_commit
from .test_review_decisions import committed, store

if TYPE_CHECKING:
    from conftest import Cli

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 20, 9, 45, tzinfo=UTC)


def dry_run(cli: Cli, files: tuple[Path, Path], workspace: Path) -> dict:
    items, statement = files
    done = cli(
        "reconcile",
        "--open-items",
        str(items),
        "--statement",
        str(statement),
        "--workspace",
        str(workspace),
        "--json",
    )
    assert done.returncode == 0, done.stderr
    document: dict = json.loads(done.stdout)
    return document


def test_a_revert_removes_the_allocation_and_queues_the_line(tie_workspace: Path) -> None:
    queue = store(tie_workspace)
    assert committed(tie_workspace) == [("L3", "A-3", "250.00")]
    assert queue.entry("L3") is None  # auto: not in the queue
    revert = queue.revert("L3", who="alice", at=NOW)
    assert (revert.line_id, revert.item_ids, revert.reverted_by, revert.active) == (
        "L3",
        ("A-3",),
        "alice",
        True,
    )
    assert revert.reverted_at == "2026-11-20T09:30:00+00:00"
    assert committed(tie_workspace) == []  # A-3 is open again for its 250.00
    entry = queue.entry("L3")
    assert entry is not None
    assert entry.status == "review"
    assert entry.document["reasons"] == [REVERTED]
    assert entry.proposal is not None
    assert [(a["item_id"], a["amount"]) for a in entry.proposal["allocations"]] == [
        ("A-3", "250.00")
    ]
    (candidate,) = entry.candidates
    assert (candidate["id"], candidate["open"], candidate["residual"]) == (
        "A-3",
        "250.00",
        "250.00",
    )
    assert "L3" in [e.line_id for e, _ in queue.entries(pending=True)]
    assert queue.reverts("L3") == [revert]


def test_a_reverted_line_accepted_again_records_the_same_allocation(tie_workspace: Path) -> None:
    queue = store(tie_workspace)
    queue.revert("L3", who="alice", at=NOW)
    decision = queue.decide("L3", ReviewAction.ACCEPT, who="bob", at=LATER, seen=0)
    assert decision.item_ids == ("A-3",)
    assert committed(tie_workspace) == [("L3", "A-3", "250.00")]


def test_later_runs_honour_the_revert(
    cli: Cli, tie_files: tuple[Path, Path], tie_workspace: Path
) -> None:
    queue = store(tie_workspace)
    queue.revert("L3", who="alice", at=NOW)
    document = dry_run(cli, tie_files, tie_workspace)
    assert "L3" not in document["previously_committed_lines"]
    (l3,) = [m for m in document["matches"] if m["line_id"] == "L3"]
    assert l3["status"] == "review"  # the matcher would record it: the revert holds it
    assert REVERTED in l3["reasons"]
    reconcile_commit(cli, tie_workspace, *tie_files)
    assert committed(tie_workspace) == []  # not recorded again
    entry = queue.entry("L3")
    assert entry is not None  # refreshed with the statement line and its scored candidates
    assert entry.document["line"]["booked_on"] == "2026-11-04"
    assert entry.candidates[0]["score"] is not None
    assert REVERTED in entry.document["reasons"]
    queue.decide("L3", ReviewAction.UNMATCHED, who="bob", at=LATER, seen=0)
    reconcile_commit(cli, tie_workspace, *tie_files)  # left unmatched: still not recorded
    assert committed(tie_workspace) == []
    assert [d.action for d in queue.history("L3")] == [ReviewAction.UNMATCHED]


def test_undoing_a_revert_records_the_match_again(
    cli: Cli, tie_files: tuple[Path, Path], tie_workspace: Path
) -> None:
    queue = store(tie_workspace)
    revert = queue.revert("L3", who="alice", at=NOW)
    undone = queue.undo_revert("L3", who="bob", at=LATER, seen=revert.id)
    assert (undone.undone_by, undone.undone_at, undone.active) == (
        "bob",
        "2026-11-20T09:45:00+00:00",
        False,
    )
    assert committed(tie_workspace) == [("L3", "A-3", "250.00")]
    assert queue.entry("L3") is None  # out of the queue, as an auto match is
    assert "L3" in dry_run(cli, tie_files, tie_workspace)["previously_committed_lines"]
    again = queue.revert("L3", who="carol", at=LATER)  # and it can be reverted again
    assert [r.active for r in queue.reverts("L3")] == [False, True]
    assert again.reverted_by == "carol"


def test_revert_refuses_what_is_not_an_auto_match(tie_workspace: Path) -> None:
    queue = store(tie_workspace)
    with pytest.raises(InputError, match="holds no match of it"):
        queue.revert("L2", who="alice", at=NOW)  # unmatched: nothing recorded
    with pytest.raises(InputError, match="holds no match of it"):
        queue.revert("NOPE", who="alice", at=NOW)
    queue.decide("L1", ReviewAction.PICK, item_id="A-1", who="alice", at=NOW, seen=0)
    with pytest.raises(ReviewConflict, match=r"decided \(pick\) by alice.*undo it"):
        queue.revert("L1", who="bob", at=NOW)  # a person's decision is undone, not reverted
    with pytest.raises(InputError, match="no revert to undo"):
        queue.undo_revert("L3", who="alice", at=NOW, seen=0)


def test_two_tabs_reverting_one_line_the_second_is_told(tie_workspace: Path) -> None:
    tab_a, tab_b = store(tie_workspace), store(tie_workspace)
    tab_a.revert("L3", who="alice", at=NOW)
    with pytest.raises(ReviewConflict, match="reverted meanwhile by alice"):
        tab_b.revert("L3", who="bob", at=LATER)
    assert len(tab_a.reverts("L3")) == 1


def test_deciding_while_another_tab_undoes_the_revert_one_wins(tie_workspace: Path) -> None:
    tab_a, tab_b = store(tie_workspace), store(tie_workspace)
    revert = tab_a.revert("L3", who="alice", at=NOW)
    # tab B decides first: the undo of tab A is refused
    tab_b.decide("L3", ReviewAction.UNMATCHED, who="bob", at=LATER, seen=0)
    with pytest.raises(ReviewConflict, match=r"decided \(unmatched\) by bob.*undo that decision"):
        tab_a.undo_revert("L3", who="alice", at=LATER, seen=revert.id)
    assert committed(tie_workspace) == []
    # the other way round: tab A undoes the revert first, tab B's decision is refused
    tab_b.undo("L3", who="bob", at=LATER, seen=tab_b.last_id("L3"))
    tab_a.undo_revert("L3", who="alice", at=LATER, seen=revert.id)
    with pytest.raises(ReviewConflict, match="revert of its automatic match was undone by alice"):
        tab_b.decide("L3", ReviewAction.ACCEPT, who="bob", at=LATER, seen=tab_b.last_id("L3"))
    assert committed(tie_workspace) == [("L3", "A-3", "250.00")]  # once
    with pytest.raises(ReviewConflict, match="undone by alice"):
        tab_b.undo_revert("L3", who="bob", at=LATER, seen=revert.id)


def test_undoing_a_revert_after_its_item_was_paid_otherwise_is_refused(tie_workspace: Path) -> None:
    queue = store(tie_workspace)
    revert = queue.revert("L3", who="alice", at=NOW)
    # L1 (100.00) is paid against A-3 meanwhile, leaving 150.00 of it open
    queue.decide(
        "L1",
        ReviewAction.PICK,
        item_id="A-3",
        who="bob",
        at=NOW,
        seen=0,
        others={"A-3": queue.entry("L3").candidates[0]},  # type: ignore[union-attr]
    )
    with pytest.raises(ReviewConflict, match="settled meanwhile by another line"):
        queue.undo_revert("L3", who="alice", at=LATER, seen=revert.id)
    assert committed(tie_workspace) == [("L1", "A-3", "100.00")]
    assert queue.reverts("L3")[-1].active  # nothing changed


def test_a_line_left_unmatched_is_not_recorded_by_a_later_run(
    cli: Cli, tie_files: tuple[Path, Path], tie_workspace: Path, tmp_path: Path
) -> None:
    """L2 left unmatched; an invoice of its payer and amount appears: the run proposes, no more."""
    items, statement = tie_files
    richer = tmp_path / "richer-items.csv"
    richer.write_text(
        items.read_text(encoding="utf-8")
        + "C-1,FC-1,P3,Inconnu,EUR,40.00,40.00,2026-10-03,2026-11-02,\n",
        encoding="utf-8",
    )
    fresh = tmp_path / "fresh.db"  # without the decision, the matcher records L2 -> C-1
    reconcile_commit(cli, fresh, richer, statement)
    assert ("L2", "C-1", "40.00") in committed(fresh)
    store(tie_workspace).decide("L2", ReviewAction.UNMATCHED, who="alice", at=NOW, seen=0)
    (l2,) = [
        m
        for m in dry_run(cli, (richer, statement), tie_workspace)["matches"]
        if m["line_id"] == "L2"
    ]
    assert (l2["status"], l2["reasons"][-1]) == ("review", DECIDED)
    reconcile_commit(cli, tie_workspace, richer, statement)
    assert not any(c[0] == "L2" for c in committed(tie_workspace))


def test_reverts_and_undos_racing_in_threads_record_once(tie_workspace: Path) -> None:
    """Eight connections at once on L3, reverted: four undo the revert, four decide the line.

    The first to take the lock wins; each other is told; the line ends either
    decided (the revert standing) or restored (its auto match recorded), once.
    """
    revert = store(tie_workspace).revert("L3", who="alice", at=NOW)

    def tab(n: int) -> str:
        queue = store(tie_workspace)
        try:
            if n % 2:
                queue.undo_revert("L3", who=f"tab{n}", at=LATER, seen=revert.id)
                return "restored"
            queue.decide("L3", ReviewAction.ACCEPT, who=f"tab{n}", at=LATER, seen=0)
            return "decided"
        except ReviewConflict:
            return "told"
        finally:
            queue.workspace.close()

    outcomes = race(tab, 8)
    assert sorted(outcomes).count("told") == 7
    assert committed(tie_workspace) == [("L3", "A-3", "250.00")]  # once, either way
    queue = store(tie_workspace)
    if "decided" in outcomes:
        assert [d.active for d in queue.history("L3")] == [True]
        assert queue.reverts("L3")[-1].active
    else:
        assert queue.history("L3") == []
        assert not queue.reverts("L3")[-1].active
        assert queue.entry("L3") is None
