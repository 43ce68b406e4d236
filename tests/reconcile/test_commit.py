"""Committing matches: re-checked against what other runs recorded, inside the store's lock."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path

from ecomrules.ledger import OpenItem
from ecomrules.money import Money
from ecomrules.reconcile import MatchResult, MatchStatus
from ecomrules.reconcile.result import Allocation, Match
from ecomrules.reconcile.store import (
    COMMITTED_ELSEWHERE_ITEM,
    COMMITTED_ELSEWHERE_LINE,
    Commitment,
    commit_matches,
    without_committed,
)
from ecomrules.workspace import Workspace
from ecomrules.workspace.reconcile import _MIGRATIONS, SqliteMatchStore


def item(item_id: str, residual: str) -> OpenItem:
    return OpenItem(
        item_id,
        item_id,
        "C1",
        "Partner",
        Money(residual, "EUR"),
        Money(residual, "EUR"),
        date(2026, 10, 1),
        date(2026, 10, 31),
    )


def auto(line_id: str, *allocations: tuple[str, int]) -> Match:
    return Match(
        line_id,
        MatchStatus.AUTO,
        0.99,
        tuple(Allocation(item_id, units, "EUR") for item_id, units in allocations),
        "EUR",
    )


ITEMS = [item("INV-1", "1000.00"), item("INV-2", "300.00"), item("CN-1", "-50.00")]


def recorded_elsewhere(store: SqliteMatchStore, *commitments: Commitment) -> None:
    """What another run recorded after this one read the workspace."""
    store.record(commitments)


def test_what_another_run_recorded_meanwhile_goes_to_review(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws.db") as ws:
        store = SqliteMatchStore(ws)
        result = MatchResult(
            matches=(
                auto("L-1", ("INV-1", 100000)),  # INV-1 settled meanwhile by L-9
                auto("L-2", ("INV-2", 30000), ("CN-1", -5000)),
                auto("L-3", ("INV-2", 1000)),  # the line itself recorded meanwhile
            ),
            unmatched_lines=(),
            unmatched_items=(),
        )
        eur = Money("1000.00", "EUR")
        recorded_elsewhere(
            store,
            Commitment("L-9", "INV-1", eur, eur),
            Commitment("L-3", "INV-2", Money("10.00", "EUR"), Money("300.00", "EUR")),
        )
        checked, new = commit_matches(store, result, ITEMS)
        held = store.commitments()
    by_line = {m.line_id: m for m in checked.matches}
    assert by_line["L-1"].status is MatchStatus.REVIEW
    assert by_line["L-1"].reasons[-1] == COMMITTED_ELSEWHERE_ITEM
    assert by_line["L-3"].status is MatchStatus.REVIEW
    assert by_line["L-3"].reasons[-1] == COMMITTED_ELSEWHERE_LINE
    # L-2 wants all of INV-2, but L-3 took 10.00 of it meanwhile: review too
    assert by_line["L-2"].reasons[-1] == COMMITTED_ELSEWHERE_ITEM
    assert new == 0
    assert len(held) == 2


def test_a_partial_payment_meanwhile_leaves_room_for_the_rest(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws.db") as ws:
        store = SqliteMatchStore(ws)
        residual = Money("1000.00", "EUR")
        recorded_elsewhere(store, Commitment("L-9", "INV-1", Money("600.00", "EUR"), residual))
        result = MatchResult((auto("L-1", ("INV-1", 40000)),), (), ())
        checked, new = commit_matches(store, result, ITEMS)
        assert checked == result
        assert new == 1
        items, _ = without_committed(ITEMS, store.commitments())
    assert "INV-1" not in {i.id for i in items}  # 600.00 + 400.00: settled


def test_a_credit_note_fits_on_its_own_side(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws.db") as ws:
        store = SqliteMatchStore(ws)
        result = MatchResult((auto("L-2", ("INV-2", 30000), ("CN-1", -5000)),), (), ())
        checked, new = commit_matches(store, result, ITEMS)
    assert checked.matches[0].status is MatchStatus.AUTO
    assert new == 2


def test_a_write_off_settles_the_item_in_full(tmp_path: Path) -> None:
    underpaid = Match(
        "L-4",
        MatchStatus.AUTO,
        0.95,
        (Allocation("INV-2", 29750, "EUR"),),
        "EUR",
        write_off=250,
    )
    with Workspace(tmp_path / "ws.db") as ws:
        store = SqliteMatchStore(ws)
        _, new = commit_matches(store, MatchResult((underpaid,), (), ()), ITEMS)
        (held,) = store.commitments()
    assert new == 1
    assert held.amount == Money("297.50", "EUR")
    assert held.write_off == Money("2.50", "EUR")
    items, _ = without_committed(ITEMS, [held])
    assert "INV-2" not in {i.id for i in items}


def test_a_workspace_of_the_first_schema_is_read_as_it_is_and_upgraded_to_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ws.db"
    with Workspace(path) as ws:
        ws.ensure_schema("reconcile", _MIGRATIONS[:1])
        ws.connection.execute(
            "INSERT INTO reconcile_commitment VALUES ('L-1', 'INV-1', '400.00', 'EUR', '1000.00')"
        )
    with Workspace(path, read_only=True) as ws:
        (old,) = SqliteMatchStore(ws).commitments()
        assert ws.schema_version("reconcile") == 1
    assert old.write_off is None
    assert old.settled == Money("400.00", "EUR")
    with Workspace(path) as ws:
        store = SqliteMatchStore(ws)
        assert ws.schema_version("reconcile") == len(_MIGRATIONS)
        assert store.commitments() == [old]


class CountingStore(SqliteMatchStore):
    """The SQLite store, keeping how many commitments each read returned."""

    read: list[int]

    def commitments(
        self, items: Collection[str] | None = None, lines: Collection[str] | None = None
    ) -> list[Commitment]:
        found = super().commitments(items, lines)
        self.read.append(len(found))
        return found


def test_the_check_under_the_lock_reads_only_what_the_result_touches(tmp_path: Path) -> None:
    eur = Money("1.00", "EUR")
    with Workspace(tmp_path / "ws.db") as ws:
        store = CountingStore(ws)
        store.read = []
        store.record([Commitment(f"OLD-{n}", f"OLD-INV-{n}", eur, eur) for n in range(500)])
        recorded_elsewhere(  # one on an item of the result, one with a line of the result
            store,
            Commitment("L-9", "INV-1", Money("1000.00", "EUR"), Money("1000.00", "EUR")),
            Commitment("L-3", "OLD-INV-7", eur, eur),
        )
        result = MatchResult(
            (
                auto("L-1", ("INV-1", 100000)),
                auto("L-2", ("INV-2", 30000)),
                auto("L-3", ("INV-2", 1000)),
            ),
            (),
            (),
        )
        checked, new = commit_matches(store, result, ITEMS)
        assert store.read == [2]  # not the 500 others
        assert len(store.commitments()) == 503
        assert store.commitments(items=["INV-1"], lines=["L-3"]) == store.commitments(
            lines=["L-9", "L-3"]
        )
        assert store.commitments(items=[], lines=[]) == []
    assert [m.status for m in checked.matches] == [
        MatchStatus.REVIEW,
        MatchStatus.AUTO,
        MatchStatus.REVIEW,
    ]
    assert new == 1
