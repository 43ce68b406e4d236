"""Benchmark: ``ecomrules parse FILE --json`` against the parse API, in the same run.

Generates a CAMT.053 statement (the generator of ``benchmarks/bank_xml_csv.py``)
and times in turns, each in its own process (CPU seconds of the child, the
figure that compares on a shared machine):

- ``library``: ``parse_file(path)`` (the file into a ``ParseResult``);
- ``cli --json``: ``ecomrules parse FILE --json`` (stdout to a file);
- ``cli --json --out``: the same written to ``--out`` (stdout: the counts).

    python benchmarks/parse_cli.py [--entries 200000] [--repeat 3] [--data DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

_LIBRARY = """
import sys
from ecomrules.parsing.registry import parse_file
(result,) = parse_file(sys.argv[1])
print(sum(len(s.lines) for s in result.statements))
"""


def _timed(command: list[str], stdout: Path) -> tuple[float, float, float]:
    """Wall, CPU (user + system) and peak RSS (MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with stdout.open("w") as sink:
        subprocess.run(command, check=True, stdout=sink)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    from bank_xml_csv import generate_camt

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path("/tmp/ecomrules-parse-cli"))
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    camt = args.data / f"camt053-{args.entries}.xml"
    if not camt.exists():
        generate_camt(camt, args.entries)
    out = args.data / "parse.json"
    runs: dict[str, list[tuple[float, float, float]]] = {}
    cli = [sys.executable, "-m", "ecomrules", "parse", str(camt), "--json"]
    for _ in range(args.repeat):  # in turns, so that the machine's load is shared alike
        runs.setdefault("library parse_file", []).append(
            _timed([sys.executable, "-c", _LIBRARY, str(camt)], args.data / "count.txt")
        )
        runs.setdefault("cli --json", []).append(_timed(cli, out))
        runs.setdefault("cli --json --out", []).append(
            _timed([*cli, "--out", str(args.data / "parse-out.json")], args.data / "summary.json")
        )
    lines = (args.data / "count.txt").read_text().strip()
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    print(f"CAMT.053, {args.entries:,} entries, {lines} lines; JSON digest {digest}")
    library = statistics.median(r[1] for r in runs["library parse_file"])
    for name, figures in runs.items():
        wall = statistics.median(r[0] for r in figures)
        cpu = statistics.median(r[1] for r in figures)
        rss = max(r[2] for r in figures)
        print(
            f"  {name:<20} {wall:6.1f} s wall, {cpu:6.1f} s CPU, peak {rss:,.0f} MB"
            f"  {cpu / library:.2f}x library CPU"
        )


if __name__ == "__main__":
    main()
