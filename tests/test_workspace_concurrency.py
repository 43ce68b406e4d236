"""Two clerks committing at once on one workspace: nothing settled twice, nothing sent twice.

Each test starts two real processes that run the ``ecomrules`` command line
in a loop: every round the test sends both the same kind of command on a
fresh workspace file, at the same moment, and checks the file and what each
run printed. A process imports ecomrules once, so a round costs a few
hundredths of a second and many rounds fit in CI.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ecomrules import demo
from ecomrules.testing.reconcile import paid_twice

if TYPE_CHECKING:
    from conftest import Clerk

ROUNDS = 20


@pytest.fixture
def clerks(clerk: Callable[..., Clerk]) -> list[Clerk]:
    return [clerk(), clerk()]


def at_once(clerks: list[Clerk], *commands: list[str]) -> list[dict[str, Any]]:
    """Send each clerk its command, then wait for both answers."""
    for clerk, command in zip(clerks, commands, strict=True):
        clerk.send(*command)
    return [clerk.answer() for clerk in clerks]


INVOICES = 200
# Planning is quicker than matching: on 2 loaded cores two dunning runs of 200
# invoices overlapped in 4 rounds of 60, of 800 in 29 of 60.
OVERDUE = 800


def test_two_reconcile_commits_never_settle_one_invoice_twice(
    tmp_path: Path, clerks: list[Clerk]
) -> None:
    open_items, statements = paid_twice(tmp_path, INVOICES)
    overlapped = 0
    for round_ in range(ROUNDS):
        ws = str(tmp_path / f"ws{round_}.db")
        commands = [
            [
                *("reconcile", "--open-items", str(open_items), "--statement", str(statement)),
                *("--commit", "--json", "--workspace", ws),
            ]
            for statement in statements
        ]
        answers = at_once(clerks, *commands)
        assert [a["code"] for a in answers] == [0, 0], [a["stderr"] for a in answers]
        with sqlite3.connect(ws) as db:
            rows = db.execute("SELECT line_id, item_id, amount, residual FROM reconcile_commitment")
            recorded = {line: (item, amount, residual) for line, item, amount, residual in rows}
        settled = [item for item, amount, residual in recorded.values() if amount == residual]
        # every invoice settled once, by one statement or the other
        assert sorted(settled) == [f"INV-{n:05d}" for n in range(INVOICES)]
        assert len(recorded) == INVOICES
        printed_auto, sent_to_review = set(), set()
        for answer in answers:
            document = json.loads(answer["stdout"])
            for match in document["matches"]:
                if match["status"] == "auto":
                    printed_auto.add(match["line_id"])
                elif "reconcile.committed_elsewhere.item" in match["reasons"]:
                    sent_to_review.add(match["line_id"])
        # what the runs print as auto is exactly what the workspace holds
        assert printed_auto == set(recorded)
        overlapped += bool(sent_to_review)
    # the runs did overlap: one settled what the other had decided but not yet recorded
    print(f"overlapped in {overlapped} of {ROUNDS} rounds")
    assert overlapped > 0


def plan_args(open_items: Path, ws: str) -> list[str]:
    return [
        "dunning",
        "commit",
        "--open-items",
        str(open_items),
        "--customers",
        str(demo.path("customers.csv")),
        "--policy",
        "fr-b2b",
        "--as-of",
        "2026-11-20",
        "--json",
        "--workspace",
        ws,
    ]


def test_two_dunning_commits_print_as_sent_only_what_each_recorded(
    tmp_path: Path, clerks: list[Clerk]
) -> None:
    # 800 overdue invoices: each run plans long enough that the two often overlap
    open_items, _ = paid_twice(tmp_path, OVERDUE)
    for round_ in range(ROUNDS):
        ws = str(tmp_path / f"ws{round_}.db")
        answers = at_once(clerks, plan_args(open_items, ws), plan_args(open_items, ws))
        assert [a["code"] for a in answers] == [0, 0], [a["stderr"] for a in answers]
        with sqlite3.connect(ws) as db:
            stored = {row[0] for row in db.execute("SELECT key FROM dunning_events")}
        assert stored
        printed: list[str] = []
        recorded = []
        for answer in answers:
            document = json.loads(answer["stdout"])
            keys = [item["idempotency_key"] for n in document["notices"] for item in n["items"]]
            assert len(keys) == document["recorded"]
            printed.extend(keys)
            recorded.append(document["recorded"])
        # one run planned and recorded under the lock, the other then found nothing due
        assert sorted(recorded) == [0, len(stored)]
        assert sorted(printed) == sorted(stored)
