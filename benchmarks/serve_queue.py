"""Benchmark: the review page of ``ecomrules serve`` over a queue of 1,000 and 10,000 lines.

Seeded generator: each partner has two invoices open for the same amount and
pays one without a reference, so every line is a tie the matcher leaves to a
person, with two candidates. Prints the time to build and store the queue
(matching, candidates, workspace), then the median and worst time of the
pages through Starlette's test client (no network): the queue's first and
last page (50 lines a page), one line's page, and a decision with its undo;
the queue's first page while another connection holds the workspace's write
lock (as a long ``reconcile --commit`` does); an ``auto`` match reverted
from the recorded list and the revert undone.

    python benchmarks/serve_queue.py [--lines 1000 10000] [--rounds 20] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from starlette.testclient import TestClient

from ecomrules.ledger import OpenItem
from ecomrules.money import Money
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine
from ecomrules.reconcile import Matcher, item_record, line_record
from ecomrules.reconcile.review import review_entries
from ecomrules.reconcile.store import Commitment
from ecomrules.web import ServeSettings, create_app
from ecomrules.workspace import Workspace
from ecomrules.workspace.reconcile import SqliteMatchStore
from ecomrules.workspace.review import SqliteReviewStore

DAY = date(2026, 11, 2)
TOKEN = "bench"


def shop(n: int, seed: int) -> tuple[list[OpenItem], list[StatementLine]]:
    rng = random.Random(seed)
    items, lines = [], []
    for k in range(n):
        name = f"Partner {k:06d} SARL"
        amount = Money(Decimal(rng.randrange(1_000, 500_000)) / 100, "EUR")
        for j in (1, 2):
            items.append(
                OpenItem(
                    id=f"I{k:06d}-{j}",
                    number=f"F{k:06d}-{j}",
                    partner_id=f"P{k:06d}",
                    partner_name=name,
                    amount=amount,
                    residual=amount,
                    issue_date=DAY - timedelta(days=40),
                    due_date=DAY - timedelta(days=10),
                )
            )
        lines.append(
            StatementLine(
                id=f"L{k:06d}",
                kind=LineKind.TRANSFER,
                booked_on=DAY,
                amount=amount,
                label="VIREMENT",
                counterparty=Counterparty(name=name),
            )
        )
    return items, lines


def timed(call: object, rounds: int) -> tuple[float, float]:
    spent = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        spent.append(time.perf_counter() - started)
    return statistics.median(spent) * 1000, max(spent) * 1000


def run(n: int, rounds: int, seed: int, folder: Path) -> None:
    items, lines = shop(n, seed)
    workspace = folder / f"queue-{n}.db"
    started = time.perf_counter()
    records = [item_record(item) for item in items]
    line_records = [line_record(line) for line in lines]
    matcher = Matcher()
    result = matcher.match_records(line_records, records)
    candidates = matcher.candidates(line_records, records)
    entries = review_entries(result, line_records, records, candidates)
    with Workspace(workspace) as space:
        queued = SqliteReviewStore(space).queue(entries, datetime.now(UTC))
    built = time.perf_counter() - started
    print(f"{n:>6} lines: {queued} queued in {built:.2f} s (match, candidates, store)")
    app = create_app(ServeSettings(workspace=workspace, token=TOKEN, user="bench"))
    browser = TestClient(app, base_url="http://127.0.0.1")
    browser.get(f"/?token={TOKEN}")
    last = -(-queued // 50)
    for label, path in (
        ("queue, first page", "/review"),
        ("queue, last page", f"/review?page={last}"),
        ("one line", f"/review/L{n // 2:06d}"),
    ):
        assert browser.get(path).status_code == 200
        median, worst = timed(lambda path=path: browser.get(path), rounds)
        print(f"        {label:<18} median {median:6.1f} ms, worst {worst:6.1f} ms")
    page = browser.get(f"/review/L{n // 3:06d}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None

    def decide_and_undo() -> None:
        line = f"/review/L{n // 3:06d}"
        seen = re.search(r'name="seen" value="(\d+)"', browser.get(line).text)
        assert seen is not None
        fields = {"csrf": csrf.group(1), "seen": seen.group(1)}
        done = browser.post(f"{line}/decide", data={**fields, "action": "pick", "item_id": ""})
        assert done.status_code == 400  # no item named: refused, nothing written
        done = browser.post(f"{line}/decide", data={**fields, "action": "unmatched"})
        assert done.status_code == 200  # followed to the next line
        seen = re.search(r'name="seen" value="(\d+)"', browser.get(line).text)
        assert seen is not None
        browser.post(f"{line}/undo", data={"csrf": csrf.group(1), "seen": seen.group(1)})

    median, worst = timed(decide_and_undo, rounds)
    print(
        f"        {'decide + undo':<18} median {median:6.1f} ms, worst {worst:6.1f} ms (6 requests)"
    )
    writer = sqlite3.connect(workspace, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a run recording, holding the lock
    try:
        assert browser.get("/review").status_code == 200
        median, worst = timed(lambda: browser.get("/review"), rounds)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    print(f"        {'queue, lock held':<18} median {median:6.1f} ms, worst {worst:6.1f} ms")
    item = items[0]
    with Workspace(workspace) as space:  # an auto match of a line of another statement
        SqliteMatchStore(space).record(
            [Commitment("AUTO-1", item.id, item.residual, item.residual)]
        )

    def revert_and_undo() -> None:
        done = browser.post("/matches/AUTO-1/revert", data={"csrf": csrf.group(1)})
        assert done.status_code == 200, done.text  # followed to the line's page
        seen = re.search(
            r'restore">\s*<input[^>]*>\s*<input type="hidden" name="seen" value="(\d+)"', done.text
        )
        assert seen is not None
        back = browser.post(
            "/review/AUTO-1/restore", data={"csrf": csrf.group(1), "seen": seen.group(1)}
        )
        assert back.status_code == 200, back.text

    median, worst = timed(revert_and_undo, rounds)
    print(
        f"        {'revert + undo':<18} median {median:6.1f} ms, worst {worst:6.1f} ms (4 requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for n in args.lines:
            run(n, args.rounds, args.seed, Path(folder))


if __name__ == "__main__":
    main()
