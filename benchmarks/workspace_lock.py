"""Benchmark: how long a dunning commit and a reconcile commit hold the workspace's write lock.

Every other writer of the workspace (an order reserved at order entry, a
block by hand, a reconcile commit) waits for that lock. ``commit_plan`` plans
outside the lock and, inside it, only checks that nothing was recorded
meanwhile and records; planning inside the lock would hold it for the load,
the plan and the record. The script builds the seeded book of
``benchmarks/dunning.py`` (items, customers, a history), records the history
in a fresh workspace, then times one ``commit_plan``: each step, and the time
the lock was held. It also times a commit during which another connection
records (the plan is then made again inside the lock).

``reconcile --commit`` matches outside the lock (a million lines take about
21 s to match); ``commit_matches`` then, inside it, reads the commitments of
the items and lines its result touches, checks every allocation again and
records: the script times it for ``--items`` one-item auto matches (in two
halves), into an empty workspace and into one holding the first half.

    python benchmarks/workspace_lock.py [--items 200000] [--customers 20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dunning import AS_OF, generate  # the sibling benchmark's seeded book
from ecomrules.dunning import DunningHistory, DunningPlan, commit_plan, load_policy, plan
from ecomrules.ledger import OpenItem
from ecomrules.reconcile import MatchResult, MatchStatus
from ecomrules.reconcile.result import Allocation, Match
from ecomrules.reconcile.store import commit_matches
from ecomrules.workspace import Workspace
from ecomrules.workspace.dunning import SqliteDunningStore
from ecomrules.workspace.reconcile import SqliteMatchStore


class TimedLock(Protocol):
    held: float


@contextmanager
def timed(lock: AbstractContextManager[None], store: TimedLock) -> Iterator[None]:
    """Hold ``lock``, adding how long it was held to ``store.held``."""
    start = time.perf_counter()
    with lock:
        yield
    store.held += time.perf_counter() - start


class TimedStore(SqliteDunningStore):
    """The SQLite store, timing how long its lock is held and what loading costs."""

    held = 0.0
    loading = 0.0

    @contextmanager
    def locked(self) -> Iterator[None]:
        with timed(super().locked(), self):
            yield

    def load(self) -> DunningHistory:
        start = time.perf_counter()
        history = super().load()
        self.loading += time.perf_counter() - start
        return history


class TimedMatchStore(SqliteMatchStore):
    """The SQLite match store, timing how long its lock is held."""

    held = 0.0

    @contextmanager
    def locked(self) -> Iterator[None]:
        with timed(super().locked(), self):
            yield


def reconcile_commits(items: list[OpenItem]) -> None:
    """Commit one auto match per item, in two halves; print the lock held by each."""
    matches = [
        Match(f"L{n:07d}", MatchStatus.AUTO, 0.99, (Allocation(item.id, 100, "EUR"),), "EUR")
        for n, item in enumerate(items)
    ]
    half = len(matches) // 2
    with tempfile.TemporaryDirectory() as folder, Workspace(Path(folder) / "ws.db") as space:
        store = TimedMatchStore(space)
        for name, part in (("empty", matches[:half]), ("holding the first", matches[half:])):
            store.held = 0.0
            start = time.perf_counter()
            commit_matches(store, MatchResult(tuple(part), (), ()), items)
            total = time.perf_counter() - start
            print(
                f"commit_matches of {len(part):,} matches into a workspace {name}: "
                f"{total:.2f} s, lock held {store.held:.2f} s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    items, customers, history, _ = generate(args.items, args.customers, args.seed)
    policy = load_policy("fr-b2b")
    planning = [0.0]

    def make_plan(seen: DunningHistory) -> DunningPlan:
        start = time.perf_counter()
        result = plan(items, customers, seen, policy, AS_OF, render=False)
        planning[0] += time.perf_counter() - start
        return result

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ws.db"
        with Workspace(path) as space:
            store = TimedStore(space)
            with space.transaction() as db:
                db.executemany(
                    "INSERT INTO dunning_events (key, item_id, customer_id, level, rank, "
                    "sent_on, notice_key, block_credit, handover) "
                    "VALUES (?, ?, ?, ?, ?, ?, '', 0, NULL)",
                    [
                        (e.key, e.item_id, e.customer_id, e.level, e.rank, e.sent_on.isoformat())
                        for e in history.events
                    ],
                )
            start = time.perf_counter()
            result, added = commit_plan(store, make_plan)
            total = time.perf_counter() - start
            alone = (store.held, store.loading, planning[0])
            store.held = store.loading = planning[0] = 0.0
            with Workspace(path) as other:

                def meanwhile(seen: DunningHistory) -> DunningPlan:
                    if not planning[0]:  # another writer records while this run plans
                        SqliteDunningStore(other).block_item("I0000000", None)
                    return make_plan(seen)

                start = time.perf_counter()
                commit_plan(store, meanwhile)
                contended = time.perf_counter() - start
    held, loading, planned = alone
    print(f"{args.items:,} items, {args.customers:,} customers, {len(history.events):,} events")
    print(f"commit_plan: {total:.2f} s, {len(result.notices):,} notices, {added:,} levels added")
    print(f"  history load {loading:.2f} s, plan {planned:.2f} s")
    inside = held + loading + planned
    print(f"  lock held {held:.2f} s (planning inside it would hold about {inside:.2f} s)")
    print(
        f"commit after another writer recorded meanwhile: {contended:.2f} s, "
        f"lock held {store.held:.2f} s (planned again inside it)"
    )
    reconcile_commits(items)


if __name__ == "__main__":
    main()
