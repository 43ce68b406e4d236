"""Benchmark: two clerks committing at once on one workspace, many rounds.

Each round gives two real processes (each runs the ``ecomrules`` command
line, imported once) the same kind of command on a fresh SQLite workspace,
at the same moment, then reads the file and what each run printed:

- ``reconcile``: two statements that each pay the same ``--invoices``
  invoices in full, both ``reconcile --commit``. Counted: rounds in which an
  invoice is settled twice, rounds in which a run printed as ``auto`` what
  the file does not hold (or the reverse), rounds in which the runs overlapped
  (one sent to review a match the other recorded meanwhile).
- ``dunning``: the demo book, both ``dunning commit``. Counted: rounds in
  which a notice is printed as sent by both runs, rounds in which a run
  printed other notices than it recorded, rounds in which the runs overlapped
  (a run found at its lock that the other had recorded since it read, and
  planned again).

``--unsafe`` runs the same rounds with the check under the lock taken out
(the behaviour before it: the matches and the plan recorded as decided from
what was read before the lock), to show that the rounds do race. Prints the
counts, failed runs (an exit code other than 0) and the time per round.

    python benchmarks/workspace_concurrency.py [--rounds 200] [--invoices 200] [--unsafe]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ecomrules import demo
from ecomrules.testing.reconcile import paid_twice

# A clerk: reads one command line (JSON) per line of input, runs it, answers
# with its exit code, its output and how often it loaded the dunning history.
DRIVER = r"""
import contextlib, io, json, sys
from ecomrules.cli.app import main
from ecomrules.workspace.dunning import SqliteDunningStore

loads = 0
load = SqliteDunningStore.load

def counted(self):
    global loads
    loads += 1
    return load(self)

SqliteDunningStore.load = counted
if sys.argv[1] == "unsafe":
    import ecomrules.cli.dunning
    import ecomrules.reconcile.store as store

    def recheck(result, wanted, residuals, committed):
        return result, [c for want in wanted if want for c in want[0]]

    def commit_plan(history_store, make_plan):
        planned = make_plan(history_store.load())
        with history_store.locked():
            return planned, history_store.record(planned, planned.as_of)

    store._recheck = recheck
    ecomrules.cli.dunning.commit_plan = commit_plan

print("ready", flush=True)
for line in sys.stdin:
    sys.argv = ["ecomrules", *json.loads(line)]
    out, err, code, loads = io.StringIO(), io.StringIO(), 0, 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exc:
            code = exc.code or 0
    answer = {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(), "loads": loads}
    print(json.dumps(answer), flush=True)
"""


class Clerk:
    def __init__(self, mode: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", DRIVER, mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdin is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        assert self.stdout.readline().strip() == "ready"

    def send(self, args: list[str]) -> None:
        self.stdin.write(json.dumps(args) + "\n")
        self.stdin.flush()

    def answer(self) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(self.stdout.readline())
        return answer

    def close(self) -> None:
        self.stdin.close()
        self.process.wait(timeout=30)
        self.stdout.close()


def at_once(clerks: list[Clerk], commands: list[list[str]]) -> list[dict[str, Any]]:
    for clerk, command in zip(clerks, commands, strict=True):
        clerk.send(command)
    return [clerk.answer() for clerk in clerks]


def reconcile_round(
    clerks: list[Clerk], ws: Path, open_items: Path, statements: list[Path]
) -> Counter[str]:
    commands = [
        [
            *("reconcile", "--open-items", str(open_items), "--statement", str(statement)),
            *("--commit", "--json", "--workspace", str(ws)),
        ]
        for statement in statements
    ]
    answers = at_once(clerks, commands)
    seen = Counter(failed=int(any(a["code"] != 0 for a in answers)))
    if seen["failed"]:
        return seen
    with sqlite3.connect(ws) as db:
        rows = list(db.execute("SELECT line_id, item_id FROM reconcile_commitment"))
    per_item = Counter(item for _, item in rows)
    printed_auto, review = set(), 0
    for answer in answers:
        for match in json.loads(answer["stdout"])["matches"]:
            if match["status"] == "auto":
                printed_auto.add(match["line_id"])
            elif "reconcile.committed_elsewhere.item" in match["reasons"]:
                review += 1
    seen["settled twice"] += any(n > 1 for n in per_item.values())
    seen["printed auto != recorded"] += printed_auto != {line for line, _ in rows}
    seen["overlapped"] += review > 0
    return seen


def dunning_round(clerks: list[Clerk], ws: Path, open_items: Path) -> Counter[str]:
    command = [
        *("dunning", "commit", "--open-items", str(open_items)),
        *("--customers", str(demo.path("customers.csv")), "--policy", "fr-b2b"),
        *("--as-of", "2026-11-20", "--json", "--workspace", str(ws)),
    ]
    answers = at_once(clerks, [command, command])
    seen = Counter(failed=int(any(a["code"] != 0 for a in answers)))
    if seen["failed"]:
        return seen
    printed: list[set[str]] = []
    for answer in answers:
        document = json.loads(answer["stdout"])
        keys = {i["idempotency_key"] for n in document["notices"] for i in n["items"]}
        printed.append(keys)
        seen["printed != recorded"] += len(keys) != document["recorded"]
    seen["sent twice"] += bool(printed[0] & printed[1])
    seen["overlapped"] += any(a["loads"] > 1 for a in answers)
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--unsafe", action="store_true", help="without the check under the lock")
    args = parser.parse_args()
    mode = "unsafe" if args.unsafe else "safe"
    clerks = [Clerk(mode), Clerk(mode)]
    try:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            open_items, statements = paid_twice(folder, args.invoices)
            for scenario in ("reconcile", "dunning"):
                seen: Counter[str] = Counter()
                start = time.perf_counter()
                for round_ in range(args.rounds):
                    ws = folder / f"{scenario}-{round_}.db"
                    if scenario == "reconcile":
                        seen.update(reconcile_round(clerks, ws, open_items, statements))
                    else:
                        seen.update(dunning_round(clerks, ws, open_items))
                    ws.unlink()
                per_round = (time.perf_counter() - start) / args.rounds
                counts = ", ".join(f"{key} {value}" for key, value in sorted(seen.items()))
                print(
                    f"{scenario} ({mode}): {args.rounds} rounds, {per_round:.2f} s a round; "
                    f"{counts}"
                )
    finally:
        for clerk in clerks:
            clerk.close()


if __name__ == "__main__":
    main()
