"""Wall time and peak memory of ``ecomrules reconcile --json --out FILE``, against a bare join.

Usage: python benchmarks/reconcile/cli.py [SIZE ...] [--data DIR] [--seed 7] [--repeat N]
(default sizes: 300000 1000000; data from ``generate.py``, shared with ``run.py``).

Each run starts the command line as a child process, exactly as a user does
(``python -m ecomrules reconcile --open-items ... --statement ... --json --out
FILE``), and reports its wall time, its CPU time (user + system: on a shared
machine the wall time depends on the neighbours) and peak RSS (the child's
``ru_maxrss``).
In the same run, in this process, a bare dict hash join on exact references
reads the same two files with ``csv.reader`` and joins them: the floor the
command is compared with (``ratio`` in wall time, ``cpu_ratio`` in CPU
time). The SHA-256 of the written JSON document is printed too: two versions
of the code that print the same digest made the same decisions and wrote the
same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
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
    import os

    if child.stderr is not None:
        child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return status, usage


def main() -> None:
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
            print(
                json.dumps(
                    {
                        "lines": size,
                        "cli_wall_s": round(wall, 2),
                        "cli_cpu_s": round(cpu, 2),
                        "cli_peak_mb": round(peak),
                        "bare_join_s": round(bare, 2),
                        "bare_join_cpu_s": round(bare_cpu, 2),
                        "ratio": round(wall / bare, 2),
                        "cpu_ratio": round(cpu / bare_cpu, 2),
                        "output_sha256": digest,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
