"""Reconciliation on Spark (local mode) beside the embedded engine, on generated data.

Usage: python benchmarks/reconcile_spark.py [SIZE ...] [--data DIR] [--seed 7]
[--master local[2]] [--partitions 8] [--driver-memory 6g] [--skip-embedded]
[--no-digest] [--progress FILE]

The data is ``benchmarks/reconcile/generate.py``'s, with the seed of
``benchmarks/reconcile/run.py`` (7) unless told. For each size (default:
1000000), each engine in its own process, one after the other:

- the embedded engine: wall time, CPU seconds (user + system), peak RSS,
  decision digest;
- the Spark engine on a local session: wall time of the run (the decisions,
  the contested claims and every table written as Parquet, as ``ecomrules
  reconcile --engine spark`` does), the lines decided by the exact-reference
  stage in Spark SQL, and CPU seconds and peak memory of the whole process
  tree, read with psutil every 0.5 s: the driver's Python, the JVM (driver
  and executors in local mode) and the Python workers; then, unless
  ``--no-digest``, the decision digest of the collected result (collecting a
  million rows to the driver is not part of the timed run).

With ``--progress FILE`` the Spark child appends a JSON line to FILE at
the end of each stage of the run (its name, when it started and how long
it took, the tree's CPU seconds and peak memory so far, the load) and
every minute one with the Spark stages running and their tasks done: a
long run stopped before its end still tells how far it got and at what
cost.

The two digests must be equal. The load average is printed before and
after each engine: the machine is shared, so wall time says little and CPU
seconds are the figure to compare. The estimate at the end: the marginal
CPU cost per line, from this run and the fixed cost measured on a tiny
run (2,000 lines, ``--fixed``), gives the executor cores a cluster needs
for 100M lines in 10 minutes (before network and driver costs: see ADR 0100).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

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
    return {
        "wall_s": round(wall, 1),
        "cpu_s": round(time.process_time(), 1),
        "peak_mb": round(peak),
        "digest": decision_digest(result),
    }


class _Sampler(threading.Thread):
    """Peak RSS of the JVM and of the Python workers, and the CPU seconds of the tree.

    The JVM is this process's ``java`` child; the Python workers are its
    descendants. CPU: each process's own user + system time, its largest
    reading kept, summed over every process seen. A worker's time never
    reaches its parent (PySpark's daemon ignores SIGCHLD, so exited
    workers are not accounted to it): what a worker spends after the last
    sample before it exits (0.5 s apart) is missed.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.jvm_mb = 0.0
        self.workers_mb = 0.0
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()
        self.progress: _Progress | None = None

    @property
    def tree_cpu_s(self) -> float:
        return sum(self.cpu.values())

    def sample(self) -> None:
        jvm = workers = 0
        for child in psutil.Process().children(recursive=True):
            try:
                with child.oneshot():
                    rss = child.memory_info().rss
                    times = child.cpu_times()
                    is_jvm = "java" in child.name()
            except psutil.Error:
                continue
            self.cpu[child.pid] = max(self.cpu.get(child.pid, 0.0), times.user + times.system)
            if is_jvm:
                jvm += rss
            else:
                workers += rss
        self.jvm_mb = max(self.jvm_mb, jvm / 2**20)
        self.workers_mb = max(self.workers_mb, workers / 2**20)

    def run(self) -> None:
        beat = time.perf_counter()
        while not self.stop.wait(0.5):
            self.sample()
            if self.progress is not None and time.perf_counter() - beat >= 60:
                beat = time.perf_counter()
                self.progress.heartbeat()


class _Progress:
    """JSON lines appended to a file: each stage of the run as it ends, and a heartbeat."""

    def __init__(self, path: Path, sampler: _Sampler, start: float) -> None:
        self.path = path
        self.sampler = sampler
        self.start = start
        self.spark: Any = None

    def write(self, **fields: object) -> None:
        self.sampler.sample()
        figures = {
            "at_s": round(time.perf_counter() - self.start, 1),
            **fields,
            "cpu_s": round(time.process_time() + self.sampler.tree_cpu_s, 1),
            "jvm_peak_mb": round(self.sampler.jvm_mb),
            "python_workers_peak_mb": round(self.sampler.workers_mb),
            "load": round(os.getloadavg()[0], 1),
        }
        with self.path.open("a") as handle:
            handle.write(json.dumps(figures) + "\n")

    def watch_stages(self) -> None:
        """Wrap the run's stage runner (``_run``) so each stage's end is written down."""
        import ecomrules.reconcile.spark as module

        original = module._run

        def run(action: Any, stage: str) -> Any:
            began = time.perf_counter()
            try:
                return original(action, stage)
            finally:
                self.write(stage=stage, took_s=round(time.perf_counter() - began, 1))

        module._run = run

    def heartbeat(self) -> None:
        if self.spark is None:
            return
        tracker = self.spark.sparkContext.statusTracker()
        running = []
        for stage_id in tracker.getActiveStageIds():
            info = tracker.getStageInfo(stage_id)
            if info is not None:
                running.append(
                    f"{stage_id} {info.name}: {info.numCompletedTasks}/{info.numTasks} tasks"
                )
        self.write(running=running)


def _spark(
    folder: Path, master: str, partitions: int, memory: str, digest: bool, progress: Path | None
) -> dict[str, object]:
    from ecomrules.reconcile.spark import reconcile_spark
    from ecomrules.sparkrun import local_session
    from ecomrules.testing.reconcile import decision_digest

    sampler = _Sampler()
    start = time.perf_counter()
    if progress is not None:
        sampler.progress = _Progress(progress, sampler, start)
        sampler.progress.watch_stages()
    sampler.start()
    spark = local_session(
        master, shuffle_partitions=partitions, config={"spark.driver.memory": memory}
    )
    if sampler.progress is not None:
        sampler.progress.spark = spark
    started = time.perf_counter() - start
    run = reconcile_spark(
        spark,
        str(folder / "statement.csv"),
        str(folder / "open-items.csv"),
        partitions=partitions,
    )
    decided = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="reconcile-spark-") as tmp:
        summary = run.write(Path(tmp) / "out")
    wall = time.perf_counter() - start
    sampler.sample()
    figures: dict[str, object] = {
        "wall_s": round(wall, 1),
        "session_start_s": round(started, 1),
        "decided_s": round(decided, 1),
        "cpu_s": round(time.process_time() + sampler.tree_cpu_s, 1),
        "driver_python_cpu_s": round(time.process_time(), 1),
        "driver_python_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "jvm_peak_mb": round(sampler.jvm_mb),
        "python_workers_peak_mb": round(sampler.workers_mb),
        **{key: summary[key] for key in ("exact", "contested", "auto", "review")},
    }
    if digest:
        collected = time.perf_counter()
        figures["digest"] = decision_digest(run.to_match_result())
        figures["collect_and_digest_s"] = round(time.perf_counter() - collected, 1)
    run.unpersist()
    spark.stop()
    sampler.stop.set()
    sampler.join()
    return figures


def _child(engine: str, size: int, args: argparse.Namespace) -> dict[str, object]:
    """One engine on one size in its own process: its figures, with the load around it."""
    command = [sys.executable, __file__, str(size), "--data", str(args.data)]
    command += ["--seed", str(args.seed), "--master", args.master]
    command += ["--partitions", str(args.partitions), "--one", engine]
    command += ["--driver-memory", args.driver_memory]
    if args.progress is not None:
        command += ["--progress", str(args.progress)]
    if args.no_digest:
        command.append("--no-digest")
    before = os.getloadavg()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{engine} at {size} failed:\n{done.stderr[-3000:]}")
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load_before"] = [round(x, 1) for x in before]
    figures["load_after"] = [round(x, 1) for x in os.getloadavg()]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000_000])
    parser.add_argument("--data", type=Path, default=Path("/tmp/ecomrules-bench"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument(
        "--driver-memory", default="6g", help="the local JVM's heap (driver and executors)"
    )
    parser.add_argument("--progress", type=Path, help="append each Spark stage's figures here")
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument("--no-digest", action="store_true")
    parser.add_argument(
        "--fixed", type=int, default=2000, help="lines of the fixed-cost run (0: none)"
    )
    parser.add_argument("--one", choices=("embedded", "spark"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child process: one engine, one size, JSON on stdout
        folder = _folder(args.sizes[0], args.data, args.seed)
        if args.one == "embedded":
            figures = _embedded(folder)
        else:
            figures = _spark(
                folder,
                args.master,
                args.partitions,
                args.driver_memory,
                not args.no_digest,
                args.progress,
            )
        print(json.dumps(figures))
        return
    fixed: dict[str, object] | None = None
    if args.fixed:
        _folder(args.fixed, args.data, args.seed)
        fixed = _child("spark", args.fixed, args)
        print(json.dumps({"lines": args.fixed, "spark": fixed}), flush=True)
    for size in args.sizes:
        _folder(size, args.data, args.seed)
        row: dict[str, object] = {"lines": size}
        for engine in ("embedded", "spark"):
            if engine == "embedded" and args.skip_embedded:
                continue
            row[engine] = figures = _child(engine, size, args)
            print(json.dumps({"lines": size, engine: figures}), flush=True)
        spark = row["spark"]
        assert isinstance(spark, dict)
        embedded = row.get("embedded")
        if isinstance(embedded, dict) and "digest" in spark:
            row["same_digest"] = embedded["digest"] == spark["digest"]
        # CPU seconds, not wall x cores: the machine is shared
        cpu = float(spark["cpu_s"])
        if fixed is not None and size > args.fixed:
            marginal = (cpu - float(str(fixed["cpu_s"]))) / (size - args.fixed)
        else:
            marginal = cpu / size
        row["marginal_cpu_ms_per_line"] = round(marginal * 1e3, 3)
        row["cores_for_100M_in_10_min"] = round(marginal * 100e6 / 600)
        print(json.dumps(row, indent=2), flush=True)


if __name__ == "__main__":
    main()
