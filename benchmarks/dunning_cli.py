"""Benchmark: ``ecomrules dunning plan`` through the CLI against the library, in the same run.

Writes ``open-items.csv`` and ``customers.csv`` of each size (seeded, ten
items per customer, the generator of ``benchmarks/dunning.py``), then times in
turns, each in its own process so that peak memory is its own (set ``PYTHONPATH`` to
time another checkout of ``src``):

- ``library``: ``read_open_items`` + ``read_customers`` + ``plan(render=False)``;
- ``cli --json``: ``ecomrules dunning plan --json`` (stdout to a file);
- ``cli text``: ``ecomrules dunning plan`` (the summary, stdout to a file).

Prints wall and CPU seconds, peak RSS and ``cli / library`` per size, the
growth from the smallest to the largest size next to ``n log n``, and a
digest of the JSON document (a speed change that keeps it changed nothing).

    python benchmarks/dunning_cli.py [SIZE ...] [--data DIR] [--seed 7] [--repeat 1]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

AS_OF = "2026-11-20"


def write_inputs(directory: Path, n_items: int, seed: int) -> tuple[Path, Path]:
    """Write the generated items and customers as the CLI's CSV inputs (once per size)."""
    from dunning import generate

    items_path = directory / f"open-items-{n_items}-{seed}.csv"
    customers_path = directory / f"customers-{n_items}-{seed}.csv"
    if items_path.exists() and customers_path.exists():
        return items_path, customers_path
    items, customers, _, _ = generate(n_items, max(1, n_items // 10), seed)
    with customers_path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name", "currency", "email", "language"])
        for c in customers:
            out.writerow([c.id, c.name, c.currency.code, c.email or "", c.language])
    with items_path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["id", "number", "partner_id", "partner_name", "currency", "amount", "residual",
             "issue_date", "due_date", "status", "promise_until"]
        )  # fmt: skip
        for i in items:
            out.writerow(
                [i.id, i.number, i.partner_id, i.partner_name, i.amount.currency.code,
                 i.amount.amount, i.residual.amount, i.issue_date, i.due_date, i.status.value,
                 i.promise_until or ""]
            )  # fmt: skip
    return items_path, customers_path


_LIBRARY = """
import gc, resource, sys, time
from datetime import date
gc.disable()  # as the CLI does at its entry point
start = time.perf_counter(); cpu = time.process_time()
from ecomrules.dunning import DunningHistory, load_policy, plan
from ecomrules.inputs import read_customers, read_open_items
items = read_open_items(sys.argv[1])
people = read_customers(sys.argv[2])
read = time.perf_counter() - start
result = plan(items, people, DunningHistory(), load_policy("fr-b2b"), date(2026, 11, 20),
              render=False)
print(time.perf_counter() - start, time.process_time() - cpu, read,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(result.notices))
"""


def _timed(command: list[str], stdout: Path | None = None) -> tuple[float, float, float]:
    """Wall, CPU (user + system of the child) and peak RSS (MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with (stdout or Path("/dev/null")).open("w") as sink:
        subprocess.run(command, check=True, stdout=sink)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--data", type=Path, default=Path("/tmp/ecomrules-dunning-cli"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="Rounds; medians are printed.")
    parser.add_argument("--no-text", action="store_true", help="Skip the text-mode CLI run.")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, "-m", "ecomrules", "dunning", "plan", "--policy", "fr-b2b"]
    walls: dict[int, float] = {}  # CPU seconds of the CLI: the machine is shared
    for size in args.sizes:
        items, customers = write_inputs(args.data, size, args.seed)
        inputs = ["--open-items", str(items), "--customers", str(customers), "--as-of", AS_OF]
        out = args.data / f"plan-{size}.json"
        runs: dict[str, list[tuple[float, float, float]]] = {}
        notices = "?"
        for _ in range(args.repeat):  # in turns: library, then the CLI, same few minutes
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                [sys.executable, "-c", _LIBRARY, str(items), str(customers)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall, _, read, rss, notices = done.stdout.split()
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            runs.setdefault("library (read + plan)", []).append((float(wall), cpu, float(rss)))
            runs.setdefault("  of which reading", []).append((float(read), 0.0, 0.0))
            runs.setdefault("cli --json", []).append(_timed([*cli, *inputs, "--json"], out))
            if not args.no_text:
                runs.setdefault("cli text (summary)", []).append(
                    _timed([*cli, *inputs], args.data / f"plan-{size}.txt")
                )
        library = statistics.median(r[0] for r in runs["library (read + plan)"])
        library_cpu = statistics.median(r[1] for r in runs["library (read + plan)"])
        print(f"{size:,} items, {notices} notices, JSON digest {_digest(out)}")
        for name, figures in runs.items():
            wall = statistics.median(r[0] for r in figures)
            cpu = statistics.median(r[1] for r in figures)
            rss = max(r[2] for r in figures)
            ratio = ""
            if name.startswith("cli"):
                ratio = f"  {wall / library:.2f}x library wall, {cpu / library_cpu:.2f}x CPU"
            extra = f", {cpu:6.1f} s CPU, peak {rss:,.0f} MB" if rss else ""
            print(f"  {name:<22} {wall:7.1f} s wall{extra}{ratio}")
        walls[size] = statistics.median(r[1] for r in runs["cli --json"])
    if len(walls) > 1:
        small, large = min(walls), max(walls)
        nlogn = large * math.log(large) / (small * math.log(small))
        print(
            f"growth {small:,} -> {large:,} (cli --json, CPU): {walls[large] / walls[small]:.1f}x "
            f"(n log n: {nlogn:.1f}x, n: {large / small:.1f}x)"
        )


if __name__ == "__main__":
    main()
