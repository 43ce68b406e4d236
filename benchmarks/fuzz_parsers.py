"""The long form of the parsers' fuzzing pass: runs and distinct failures per parser.

Mutants of the shared corpus (``../shared/corpus``, when present) and of the
test cases are read as ``parse_file`` would, each parser in turn, for
``--seconds`` each (:mod:`ecomrules.testing.fuzz`). A failure is an exception
other than ``ParseError``, or an input taking more than a second per KiB;
failures are counted once per parser, kind and place. The test suite uses
random seed 0; the default here is 1000, a seed the tests never see.

    python benchmarks/fuzz_parsers.py                       # 60 s per parser
    python benchmarks/fuzz_parsers.py --seconds 10 --only bank.ofx --save /tmp/fails
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ecomrules.parsing.registry import all_parsers
from ecomrules.testing.fuzz import fuzz_parser, seed_files

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [
    ROOT.parent / "shared" / "corpus",
    ROOT / "tests" / "bank" / "cases",
    ROOT / "tests" / "psp" / "cases",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per parser")
    parser.add_argument("--rng-seed", type=int, default=1000)
    parser.add_argument("--only", action="append", help="a parser name (repeatable)")
    parser.add_argument("--save", type=Path, help="write each failing input into this folder")
    args = parser.parse_args()
    corpus = FOLDERS[0].is_dir()
    print(f"corpus: {'present' if corpus else 'absent'}; {args.seconds:g} s per parser")
    print(f"{'parser':<32} {'seeds':>5} {'runs':>8} {'runs/s':>7} {'failures':>8}")
    total_runs = 0
    failures = []
    started = time.perf_counter()
    for target in all_parsers():
        if args.only and target.name not in args.only:
            continue
        seeds = seed_files(FOLDERS, target)
        report = fuzz_parser(target, seeds, seconds=args.seconds, rng_seed=args.rng_seed)
        total_runs += report.runs
        failures.extend(report.failures)
        rate = report.runs / report.seconds if report.seconds else 0.0
        print(
            f"{target.name:<32} {len(seeds):>5} {report.runs:>8} {rate:>7.0f} "
            f"{len(report.failures):>8}",
            flush=True,
        )
        for failure in report.failures:
            print(f"    {failure.kind}: {failure.where}: {failure.detail[:160]}")
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                name = f"{failure.parser}-{abs(hash(failure.key)):x}.bin"
                (args.save / name).write_bytes(failure.data)
    elapsed = time.perf_counter() - started
    print(f"total: {total_runs} runs in {elapsed:.0f} s, {len(failures)} distinct failure(s)")


if __name__ == "__main__":
    main()
