"""Benchmark: the Spark dunning engine on 1,000,000 open items (local mode), the embedded beside.

Generates the seeded book of ``benchmarks/dunning.py`` (1M items over 100k
customers, its history and payments in transit), writes the items, customers
and history as Parquet once, then runs, each in its own process so that peak
memory is its own, in turns:

- ``embedded``: ``plan(render=False)`` on the book in memory (generation not timed);
- ``spark``: ``plan_frames`` on the Parquet inputs (``local[2]``), the plan
  written as Parquet (``SparkDunningPlan.write``), then collected to check it.

Prints wall and CPU seconds, peak memory (the embedded process; for Spark
the driver, the JVM and the Python workers, sampled from ``/proc`` every 0.2 s,
summed at each sample), the plans' digests (equal: same decisions) and the load
average before and after each run (the machine is shared).

    python benchmarks/dunning_spark.py [--items 1000000] [--buckets 8] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

AS_OF = "2026-11-20"

_EMBEDDED = """
import json, resource, sys, time
from ecomrules.dunning import load_policy, plan
from ecomrules.gcpause import paused_collector
from ecomrules.testing.dunning_book import AS_OF, generate, plan_digest
n = int(sys.argv[1])
items, people, history, lines = generate(n, max(1, n // 10), 7)
start = time.perf_counter(); cpu = time.process_time()
with paused_collector():
    result = plan(items, people, history, load_policy("fr-b2b"), AS_OF, in_transit=lines,
                  bank_data_as_of=AS_OF, render=False)
wall = time.perf_counter() - start; cpu = time.process_time() - cpu
print(json.dumps({"wall": wall, "cpu": cpu, "notices": len(result.notices),
                  "holds": len(result.holds), "digest": plan_digest(result.to_json()),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_SPARK = """
import json, pickle, shutil, sys, time
from pathlib import Path
from ecomrules.dunning import load_policy
from ecomrules.dunning.spark import SparkHistory, plan_frames
from ecomrules.sparkrun import local_session
from ecomrules.testing.dunning_book import AS_OF, plan_digest
data, n, buckets = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
lines = pickle.loads((data / "lines.pickle").read_bytes())  # payments in transit, closed over
spark = local_session("local[2]", shuffle_partitions=buckets,
                      config={"spark.driver.memory": "4g"})
print("ready", flush=True)
sys.stdin.readline()
start = time.perf_counter(); cpu = time.process_time()
result = plan_frames(spark, data / "items.parquet", data / "customers.parquet",
                     load_policy("fr-b2b"), AS_OF,
                     history=SparkHistory(events=data / "events.parquet",
                                          blocks=data / "blocks.parquet",
                                          pauses=data / "pauses.parquet"),
                     in_transit=lines, bank_data_as_of=AS_OF, buckets=buckets)
planned = time.perf_counter() - start
out = data / "plan"
shutil.rmtree(out, ignore_errors=True)
counts = result.write(out)
wall = time.perf_counter() - start; cpu = time.process_time() - cpu
digest = plan_digest(result.to_json())
print(json.dumps({"wall": wall, "planned": planned, "driver_cpu": cpu, **counts,
                  "digest": digest}), flush=True)
spark.stop()
"""


def _tree(root: int) -> list[int]:
    """The process ``root`` and its descendants, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(stat[1]), []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(parents.get(pid, ()))
    return found


def _usage(pids: list[int]) -> tuple[float, float]:
    """Resident MB and CPU seconds (user + system) of the processes, summed."""
    tick = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    rss = cpu = 0.0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu += (int(stat[11]) + int(stat[12])) / tick
        rss += int(stat[21]) * page / 2**20
    return rss, cpu


def write_book(directory: Path, n_items: int) -> Path:
    """The generated book as Parquet: items, customers and history (once per size)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark import cloudpickle

    from ecomrules.testing.dunning_book import customer_columns, generate, item_columns

    data = directory / f"book-{n_items}"
    if (data / "pauses.parquet").exists():
        return data
    data.mkdir(parents=True, exist_ok=True)
    items, people, history, lines = generate(n_items, max(1, n_items // 10), 7)
    (data / "lines.pickle").write_bytes(cloudpickle.dumps(lines))  # (a mappingproxy field)
    pq.write_table(pa.table(item_columns(items)), data / "items.parquet")
    pq.write_table(pa.table(customer_columns(people)), data / "customers.parquet")
    events = history.events
    pq.write_table(
        pa.table(
            {
                "item_id": [e.item_id for e in events],
                "customer_id": [e.customer_id for e in events],
                "level": [e.level for e in events],
                "rank": pa.array([e.rank for e in events], pa.int32()),
                "sent_on": [e.sent_on for e in events],
                "key": [e.key for e in events],
            }
        ),
        data / "events.parquet",
    )
    blocks = history.blocks
    pq.write_table(
        pa.table({"item_id": [b.item_id for b in blocks], "until": [b.until for b in blocks]}),
        data / "blocks.parquet",
    )
    pauses = history.pauses
    pq.write_table(
        pa.table(
            {
                "customer_id": [p.customer_id for p in pauses],
                "until": pa.array([p.until for p in pauses], pa.date32()),
            }
        ),
        data / "pauses.parquet",
    )
    return data


def run_embedded(n_items: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _EMBEDDED, str(n_items)], check=True, capture_output=True, text=True
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def run_spark(data: Path, n_items: int, buckets: int) -> dict[str, float]:
    child = subprocess.Popen(
        [sys.executable, "-c", _SPARK, str(data), str(n_items), str(buckets)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdin is not None
    assert child.stdout is not None
    if child.stdout.readline().strip() != "ready":
        raise SystemExit("the Spark child did not start")
    peak = [0.0]
    _, cpu_before = _usage(_tree(child.pid))
    cpu_last = [cpu_before]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            rss, cpu = _usage(_tree(child.pid))
            peak[0] = max(peak[0], rss)
            cpu_last[0] = max(cpu_last[0], cpu)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    child.stdin.write("go\n")
    child.stdin.flush()
    line = child.stdout.readline()
    stop.set()
    sampler.join()
    child.wait()
    figures: dict[str, float] = json.loads(line)
    figures["peak_mb"] = peak[0]
    figures["cpu"] = cpu_last[0] - cpu_before
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--buckets", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--data", type=Path, default=Path("/tmp/ecomrules-dunning-spark"))
    args = parser.parse_args()
    data = write_book(args.data, args.items)
    print(f"{args.items:,} items, {args.items // 10:,} customers (seed 7), Parquet in {data}")
    for _ in range(args.repeat):  # in turns, the same few minutes
        load = os.getloadavg()[0]
        embedded = run_embedded(args.items)
        print(
            f"  embedded  plan {embedded['wall']:7.1f} s wall, {embedded['cpu']:6.1f} s CPU, "
            f"peak {embedded['rss']:,.0f} MB; {embedded['notices']:,} notices, "
            f"{embedded['holds']:,} holds; digest {embedded['digest']} "
            f"(load {load:.1f} -> {os.getloadavg()[0]:.1f})"
        )
        load = os.getloadavg()[0]
        spark = run_spark(data, args.items, args.buckets)
        same = "same" if spark["digest"] == embedded["digest"] else "DIFFERENT"
        print(
            f"  spark     plan+write {spark['wall']:7.1f} s wall (plan {spark['planned']:.1f} s), "
            f"{spark['cpu']:6.1f} s CPU (driver, JVM, workers), peak {spark['peak_mb']:,.0f} MB "
            f"(driver + JVM + workers); {spark['notices']:,} notices, {spark['holds']:,} holds; "
            f"digest {spark['digest']} ({same}) (load {load:.1f} -> {os.getloadavg()[0]:.1f})"
        )


if __name__ == "__main__":
    main()
