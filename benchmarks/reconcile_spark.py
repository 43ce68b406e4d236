"""Reconciliation on Spark (local mode) beside the embedded engine, on generated data.

Usage: python benchmarks/reconcile_spark.py [SIZE ...] [--data DIR] [--seed 7]
[--master local[2]] [--partitions 8] [--skip-embedded]

For each size (default: 1000000), in this order: the embedded engine in its
own process (wall time, peak memory, decision digest), then the Spark engine
on a local session (wall time of the run up to the collected result, peak
memory of the driver's Python process, of the JVM (driver and executors in
local mode) and of all Python workers together, sampled every 0.2 s from
/proc, and its digest). The two digests must be equal. Printed with the load
average before and after, because the machine is shared.

The estimate at the end: the run's CPU seconds (driver, JVM and Python
workers, read from /proc: on a shared machine wall time times cores says
little) over S lines; a cluster doing 100M lines in 10 minutes needs about
``cpu_seconds_per_line * 100e6 / 600`` cores, read with the caveats in
docs/guides/spark.md (this machine's load, the driver-side share of the
contested claims, the shuffle's network cost absent in local mode).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "reconcile"))


def _folder(size: int, data: Path, seed: int) -> Path:
    from generate import generate

    folder = data / f"n{size}-s{seed}-g2"
    if not (folder / "truth.csv").exists():
        generate(size, folder, seed)
    return folder


def _embedded(folder: Path) -> dict[str, object]:
    from ecomrules.gcpause import paused_collector
    from ecomrules.reconcile import Matcher
    from ecomrules.reconcile.bulk import read_item_records, read_line_records
    from ecomrules.testing.reconcile import decision_digest

    start = time.perf_counter()
    with paused_collector():
        items = read_item_records(folder / "open-items.csv")
        lines = read_line_records(folder / "statement.csv")
        result = Matcher().match_records(lines, items)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"wall_s": round(wall, 1), "peak_mb": round(peak), "digest": decision_digest(result)}


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """User plus system CPU seconds of a process so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return found


class _Sampler(threading.Thread):
    """Peak RSS of the JVM and of the Python workers (the JVM's descendants) together,
    and the CPU seconds of every process of the tree (each one's last reading)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.jvm_mb = 0.0
        self.workers_mb = 0.0
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.wait(0.2):
            jvm = 0
            workers = 0
            for child in _children(me):
                jvm += _rss_kb(child)
                self.cpu[child] = max(self.cpu.get(child, 0.0), _cpu_s(child))
                todo = _children(child)
                while todo:
                    pid = todo.pop()
                    workers += _rss_kb(pid)
                    self.cpu[pid] = max(self.cpu.get(pid, 0.0), _cpu_s(pid))
                    todo.extend(_children(pid))
            self.jvm_mb = max(self.jvm_mb, jvm / 1024)
            self.workers_mb = max(self.workers_mb, workers / 1024)


def _spark(folder: Path, master: str, partitions: int) -> dict[str, object]:
    from ecomrules.reconcile.spark import reconcile_spark
    from ecomrules.sparkrun import local_session
    from ecomrules.testing.reconcile import decision_digest

    sampler = _Sampler()
    sampler.start()
    cpu0 = time.process_time()
    spark = local_session(
        master, shuffle_partitions=partitions, config={"spark.driver.memory": "6g"}
    )
    start = time.perf_counter()
    run = reconcile_spark(
        spark,
        str(folder / "statement.csv"),
        str(folder / "open-items.csv"),
        partitions=partitions,
    )
    planned = time.perf_counter() - start
    result = run.to_match_result()
    wall = time.perf_counter() - start
    driver_cpu = time.process_time() - cpu0
    spark.stop()
    sampler.stop.set()
    sampler.join()
    cores = os.cpu_count() or 1
    if master.startswith("local[") and master[6:-1].isdigit():
        cores = int(master[6:-1])
    return {
        "wall_s": round(wall, 1),
        "proposals_and_contested_s": round(planned, 1),
        "driver_python_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "jvm_peak_mb": round(sampler.jvm_mb),
        "python_workers_peak_mb": round(sampler.workers_mb),
        "cpu_s": round(driver_cpu + sum(sampler.cpu.values()), 1),
        "contested_proposals": run.contested,
        "cores": cores,
        "digest": decision_digest(result),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000_000])
    parser.add_argument("--data", type=Path, default=Path("/tmp/ecomrules-bench"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument("--one", choices=("embedded", "spark"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child process: one engine, one size, JSON on stdout
        folder = _folder(args.sizes[0], args.data, args.seed)
        if args.one == "embedded":
            figures = _embedded(folder)
        else:
            figures = _spark(folder, args.master, args.partitions)
        print(json.dumps(figures))
        return
    for size in args.sizes:
        _folder(size, args.data, args.seed)
        row: dict[str, object] = {"lines": size, "load_before": os.getloadavg()}
        for engine in ("embedded", "spark"):
            if engine == "embedded" and args.skip_embedded:
                continue
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    str(size),
                    "--data",
                    str(args.data),
                    "--seed",
                    str(args.seed),
                    "--master",
                    args.master,
                    "--partitions",
                    str(args.partitions),
                    "--one",
                    engine,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            row[engine] = json.loads(done.stdout.strip().splitlines()[-1])
        row["load_after"] = os.getloadavg()
        spark = row["spark"]
        assert isinstance(spark, dict)
        if "embedded" in row:
            embedded = row["embedded"]
            assert isinstance(embedded, dict)
            row["same_digest"] = embedded["digest"] == spark["digest"]
        # CPU seconds, not wall x cores: the machine is shared (JVM start included)
        core_s_per_line = float(spark["cpu_s"]) / size
        row["core_seconds_per_million_lines"] = round(core_s_per_line * 1e6)
        row["cores_for_100M_in_10_min"] = round(core_s_per_line * 100e6 / 600)
        print(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
