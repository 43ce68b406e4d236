"""Wall time and peak memory of ``ecomrules reconcile --json --out FILE``, against a bare join
and against the matcher alone.

Usage: python benchmarks/reconcile/cli.py [SIZE ...] [--data DIR] [--seed 7] [--repeat N]
(default sizes: 300000 1000000; data from ``generate.py``, shared with ``run.py``).

Each run starts the command line as a child process, exactly as a user does
(``python -m ecomrules reconcile --open-items ... --statement ... --json --out
FILE``), and reports its wall time, its CPU time (user + system: on a shared
machine the wall time depends on the neighbours) and peak RSS (the child's
``ru_maxrss``), with the machine's load (one-minute average) at the end.
In the same run, in this process, a bare dict hash join on exact references
reads the same two files with ``csv.reader`` and joins them: the floor the
command is compared with (``ratio`` in wall time, ``cpu_ratio`` in CPU
time). The SHA-256 of the written JSON document is printed too: two versions
of the code that print the same digest made the same decisions and wrote the
same bytes.

Then, in a child process of its own, the matcher alone: the same files read
into its records (not timed), then ``Matcher().match_records`` timed, the
collector paused as the command pauses it. ``engine_ratio`` is the matcher
over the bare join (the command cannot be nearer the bare join than its own
matcher is), ``cli_engine_ratio`` the command over the matcher: what reading,
writing and starting up add (wall; ``cli_engine_cpu_ratio`` in CPU time).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import _bare_join, data_folder


def run_cli(folder: Path, out: Path) -> tuple[float, float, float, str]:
    """Run the command once; return its wall time, CPU time, peak RSS (MB) and output digest."""
    command = [
        sys.executable,
        "-m",
        "ecomrules",
        "reconcile",
        "--open-items",
        str(folder / "open-items.csv"),
        "--statement",
        str(folder / "statement.csv"),
        "--json",
        "--out",
        str(out),
    ]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, usage = _wait(child)
    wall = time.perf_counter() - start
    if child.returncode not in (0, 1):
        raise SystemExit(f"reconcile failed ({child.returncode}): {child.stderr!r}")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, digest


def _wait(child: subprocess.Popen[bytes]) -> tuple[int, resource.struct_rusage]:
    """Wait for ``child`` and return its status and its own resource usage."""
    if child.stderr is not None:
        child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return status, usage


def engine_alone(folder: Path) -> None:
    """Print the matcher's own wall and CPU time over the files of ``folder`` (a child's job)."""
    from ecomrules.gcpause import paused_collector
    from ecomrules.reconcile import Matcher
    from ecomrules.reconcile.bulk import read_item_records, read_line_records

    with paused_collector():
        items = read_item_records(folder / "open-items.csv")
        lines = read_line_records(folder / "statement.csv")
        cpu = time.process_time()
        start = time.perf_counter()
        Matcher().match_records(lines, items)
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu
    print(json.dumps({"wall": wall, "cpu": cpu}))


def run_engine(folder: Path) -> tuple[float, float]:
    """The matcher's wall and CPU time, run alone in a child process."""
    command = [sys.executable, __file__, "--engine-alone", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout)
    return figures["wall"], figures["cpu"]


def main() -> None:
    if sys.argv[1:2] == ["--engine-alone"]:
        engine_alone(Path(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description="reconcile command-line benchmark")
    parser.add_argument("sizes", nargs="*", type=int, default=[300_000, 1_000_000])
    parser.add_argument("--data", type=Path, default=Path("/tmp/ecomrules-reconcile-bench"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    for _ in range(args.repeat):
        for size in args.sizes:
            folder = data_folder(args.data, size, args.seed)
            with tempfile.TemporaryDirectory() as tmp:
                wall, cpu, peak, digest = run_cli(folder, Path(tmp) / "result.json")
            bare, _, bare_cpu, _ = _bare_join(folder / "open-items.csv", folder / "statement.csv")
            engine, engine_cpu = run_engine(folder)
            print(
                json.dumps(
                    {
                        "lines": size,
                        "load": round(os.getloadavg()[0], 1),
                        "cli_wall_s": round(wall, 2),
                        "cli_cpu_s": round(cpu, 2),
                        "cli_peak_mb": round(peak),
                        "bare_join_s": round(bare, 2),
                        "bare_join_cpu_s": round(bare_cpu, 2),
                        "engine_s": round(engine, 2),
                        "engine_cpu_s": round(engine_cpu, 2),
                        "ratio": round(wall / bare, 2),
                        "cpu_ratio": round(cpu / bare_cpu, 2),
                        "engine_ratio": round(engine / bare, 2),
                        "engine_cpu_ratio": round(engine_cpu / bare_cpu, 2),
                        "cli_engine_ratio": round(wall / engine, 2),
                        "cli_engine_cpu_ratio": round(cpu / engine_cpu, 2),
                        "output_sha256": digest,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
