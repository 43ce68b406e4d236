"""Speed and quality of the reconciliation matcher on labelled generated data.

Usage: python benchmarks/reconcile/run.py [SIZE ...] [--data DIR] [--seed 7]
[--unseen FRACTION] [--repeat N] (default sizes: 10000 100000 1000000). Each
size runs in its own process so its peak memory (max RSS) is its own. Reading
and matching run with the cyclic garbage collector paused, as the command
line runs them (the library leaves the collector alone). Figures printed per size:

- precision, recall and F1 of the auto matches, and of auto plus review
  (a line counts as right when the set of items it settles is the labelled set);
- review rate, pairs compared, wall time of each stage and in total (reading
  the CSV files included), peak memory;
- the floors timed in the same process: the same CSV read, a bare dict hash
  join on exact references over the same data, one regex pass over the labels,
  and ``total / bare join`` (reading included on both sides), in wall and in
  CPU time: on a shared machine the CPU ratio is the one that compares;
- the same figures for each noise kind of the generator; with ``--unseen``,
  the new kinds together against their targets, and whether the IBANs the
  generator made invalid are exactly those the matcher reports;
- a digest of every decision (status, score, allocations, reasons of each
  match; reasons and candidates of each unmatched line; unmatched items):
  a speed change that keeps the digest changed no decision.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


NEW_KINDS = ("name_multi", "name_single", "iban_invalid")
"""The kinds ``generate.py --unseen`` adds (targets: auto P >= 99.9 %, R >= 95 %, +review 99 %)."""


def _truth(path: Path) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """Each line's labelled items, and its noise kind."""
    with path.open(newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        truth: dict[str, frozenset[str]] = {}
        kinds: dict[str, str] = {}
        for row in rows:
            truth[row[0]] = frozenset(filter(None, row[1].split(";")))
            kinds[row[0]] = row[2]
        return truth, kinds


def _by_kind(
    result: Any, truth: dict[str, frozenset[str]], kinds: dict[str, str]
) -> dict[str, dict[str, int]]:
    """Per noise kind: lines, lines to match, auto right / made, review right / made."""
    from ecomrules.reconcile import MatchStatus

    counts: dict[str, dict[str, int]] = {}
    for line_id, kind in kinds.items():
        row = counts.setdefault(
            kind,
            dict.fromkeys(("lines", "expected", "auto", "auto_right", "review", "review_right"), 0),
        )
        row["lines"] += 1
        row["expected"] += bool(truth[line_id])
    for match in result.matches:
        row = counts[kinds[match.line_id]]
        right = frozenset(a.item_id for a in match.allocations) == truth[match.line_id]
        status = "auto" if match.status is MatchStatus.AUTO else "review"
        row[status] += 1
        row[f"{status}_right"] += right
    return counts


def _planted(path: Path) -> set[tuple[str, str]]:
    """(record kind, id) of every IBAN the generator made invalid."""
    if not path.exists():
        return set()
    with path.open(newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        return {(row[0], row[1]) for row in rows}


def _bare_join(items_path: Path, lines_path: Path) -> tuple[float, float, float, int]:
    """Read both files with csv.reader and join exact references in a dict.

    Returns wall time with reading, wall time of the join alone, CPU time with
    reading, and the number of lines joined.
    """
    cpu = time.process_time()
    start = time.perf_counter()
    gc.disable()
    with items_path.open(newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        c_id, c_num, c_ref = header.index("id"), header.index("number"), header.index("reference")
        items = [(r[c_id], r[c_num], r[c_ref]) for r in rows]
    with lines_path.open(newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        l_id, l_ref = header.index("id"), header.index("reference")
        lines = [(r[l_id], r[l_ref]) for r in rows]
    gc.enable()
    read = time.perf_counter()
    table: dict[str, str] = {}
    for item_id, number, reference in items:
        table[number] = item_id
        if reference:
            table[reference] = item_id
    get = table.get
    hits = sum(1 for _, ref in lines if ref and get(ref) is not None)
    end = time.perf_counter()
    return end - start, end - read, time.process_time() - cpu, hits


def _digest(result: Any) -> str:
    """A hash of every decision of a MatchResult, independent of object identity."""
    from ecomrules.testing.reconcile import decision_digest

    return decision_digest(result)


def data_folder(data: Path, size: int, seed: int, unseen: float = 0.0) -> Path:
    """The folder of one size's files, written by ``generate.py`` when missing.

    ``g2``: IBANs have valid check digits since the ``--unseen`` kinds; an
    older folder (every IBAN invalid, a million input issues) is not reused.
    """
    from generate import generate

    folder = data / (f"n{size}-s{seed}-g2" + (f"-u{unseen:g}" if unseen else ""))
    if not (folder / "truth.csv").exists():
        generate(size, folder, seed, unseen)
    return folder


def run_one(size: int, data: Path, seed: int, unseen: float = 0.0) -> dict[str, object]:
    from ecomrules.gcpause import paused_collector
    from ecomrules.reconcile import Matcher, MatchStatus
    from ecomrules.reconcile.bulk import read_item_records, read_line_records

    folder = data_folder(data, size, seed, unseen)
    items_path, lines_path = folder / "open-items.csv", folder / "statement.csv"
    c0 = time.process_time()
    t0 = time.perf_counter()
    with paused_collector():
        items = read_item_records(items_path)
        lines = read_line_records(lines_path)
        t1 = time.perf_counter()
        c1 = time.process_time()
        result = Matcher().match_records(lines, items)
        t2 = time.perf_counter()
    cpu = time.process_time() - c0
    match_cpu = time.process_time() - c1
    truth, kinds = _truth(folder / "truth.csv")
    expected = sum(1 for v in truth.values() if v)
    auto_right = auto_n = review_right = review_n = 0
    for match in result.matches:
        got = frozenset(a.item_id for a in match.allocations)
        right = got == truth.get(match.line_id)
        if match.status is MatchStatus.AUTO:
            auto_n += 1
            auto_right += right
        else:
            review_n += 1
            review_right += right
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    bare_total, bare_join, bare_cpu, bare_hits = _bare_join(items_path, lines_path)
    labels = "\n".join(line.label for line in lines).upper()
    t3 = time.perf_counter()
    regex_hits = sum(1 for _ in re.finditer(r"INV[ \-/.]{0,3}\d+", labels))
    regex_time = time.perf_counter() - t3

    def prf(right: int, proposed: int) -> tuple[float, float, float]:
        p = right / proposed if proposed else 1.0
        r = right / expected if expected else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    ap, ar, af = prf(auto_right, auto_n)
    bp, br, bf = prf(auto_right + review_right, auto_n + review_n)
    total = t2 - t0
    return {
        "lines": len(lines),
        "items": len(items),
        "auto": {"precision": ap, "recall": ar, "f1": af, "count": auto_n},
        "auto_review": {"precision": bp, "recall": br, "f1": bf, "count": auto_n + review_n},
        "review_rate": review_n / len(lines),
        "unmatched_lines": len(result.unmatched_lines),
        "pairs_compared": result.pairs_compared,
        "read_s": t1 - t0,
        "match_s": t2 - t1,
        "total_s": total,
        "cpu_s": cpu,
        "match_cpu_s": match_cpu,
        "peak_mb": peak_mb,
        "bare_join_total_s": bare_total,
        "bare_join_only_s": bare_join,
        "bare_join_cpu_s": bare_cpu,
        "bare_join_hits": bare_hits,
        "ratio_cpu_total_to_bare": cpu / bare_cpu,
        "regex_pass_s": regex_time,
        "regex_hits": regex_hits,
        "ratio_total_to_bare": total / bare_total,
        "ratio_match_to_bare_join": (t2 - t1) / bare_join,
        "digest": _digest(result),
        "kinds": _by_kind(result, truth, kinds),
        "iban_issues": {
            "reported": len(found := getattr(result, "issues", ())),  # none before IBAN checks
            "planted": len(planted := _planted(folder / "invalid-ibans.csv")),
            "same": {(i.record, i.id) for i in found} == planted,
        }
        if unseen
        else {},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="reconciliation benchmark")
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--data", type=Path, default=Path("/tmp/ecomrules-reconcile-bench"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every size this many times, in rounds, and report the medians",
    )
    parser.add_argument(
        "--unseen",
        type=float,
        default=0.0,
        help="add this fraction of lines of the new kinds (generate.py --unseen)",
    )
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.sizes[0], args.data, args.seed, args.unseen)))
        return
    runs: dict[int, list[dict[str, Any]]] = {size: [] for size in args.sizes}
    for _ in range(args.repeat):  # in rounds: a drift of the machine reaches every size alike
        for size in args.sizes:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    str(size),
                    "--data",
                    str(args.data),
                    "--seed",
                    str(args.seed),
                    "--one",
                    "--unseen",
                    str(args.unseen),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            runs[size].append(json.loads(out.stdout.strip().splitlines()[-1]))
            _print(size, runs[size][-1])
    if args.repeat > 1:
        for size, done in runs.items():
            totals = sorted(r["total_s"] for r in done)
            ratios = sorted(r["ratio_total_to_bare"] for r in done)
            print(
                f"median of {len(done)} at {size:,}: total {statistics.median(totals):.2f} s"
                f" ({totals[0]:.2f}-{totals[-1]:.2f}), vs bare join"
                f" {statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f})"
            )
    if 100_000 in runs and 1_000_000 in runs:
        big, small = runs[1_000_000], runs[100_000]
        wall = statistics.median(r["total_s"] for r in big) / statistics.median(
            r["total_s"] for r in small
        )
        cpu = statistics.median(r["cpu_s"] for r in big) / statistics.median(
            r["cpu_s"] for r in small
        )
        medians = " (medians)" if args.repeat > 1 else ""
        engine = statistics.median(r["match_cpu_s"] for r in big) / statistics.median(
            r["match_cpu_s"] for r in small
        )
        print(
            f"growth 1M / 100k{medians}: wall {wall:.2f}x, cpu {cpu:.2f}x,"
            f" engine (match) cpu {engine:.2f}x (target <= 12x)"
        )


def _print(size: int, r: dict) -> None:
    out = [f"== {size:,} lines x {r['items']:,} open items"]
    for name, key in (("auto", "auto"), ("auto+review", "auto_review")):
        q = r[key]
        out.append(
            f"  {name:<11} precision {q['precision']:.4%}  recall {q['recall']:.4%}"
            f"  F1 {q['f1']:.4%}  ({q['count']:,})"
        )
    out.append(
        f"  review rate {r['review_rate']:.2%}  unmatched lines {r['unmatched_lines']:,}"
        f"  pairs compared {r['pairs_compared']:,}"
    )
    out.append(
        f"  wall: read {r['read_s']:.2f} s  match {r['match_s']:.2f} s"
        f"  total {r['total_s']:.2f} s  (cpu {r['cpu_s']:.2f} s, match {r['match_cpu_s']:.2f} s)"
        f"  peak RSS {r['peak_mb']:.0f} MB"
    )
    out.append(
        f"  floors: bare dict join {r['bare_join_total_s']:.2f} s with reading"
        f" ({r['bare_join_only_s']:.2f} s join only), regex pass {r['regex_pass_s']:.2f} s"
    )
    out.append(f"  decisions digest {r['digest']}")
    if r["kinds"]:
        out.extend(_kind_lines(r["kinds"], r["iban_issues"]))
    out.append(
        f"  total / bare join (both reading): wall {r['ratio_total_to_bare']:.2f}x,"
        f" cpu {r['ratio_cpu_total_to_bare']:.2f}x (target <= 5x);"
        f" match / join only (wall): {r['ratio_match_to_bare_join']:.1f}x"
    )
    print("\n".join(out))


def _kind_lines(kinds: dict[str, dict[str, int]], issues: dict[str, Any]) -> list[str]:
    """Per kind: auto precision / recall, auto+review recall; the new kinds together."""
    out = ["  by kind:      lines   auto P      auto R      auto+review R"]

    def row(name: str, c: dict[str, int]) -> str:
        precision = c["auto_right"] / c["auto"] if c["auto"] else 1.0
        recall = c["auto_right"] / c["expected"] if c["expected"] else 1.0
        both = (c["auto_right"] + c["review_right"]) / c["expected"] if c["expected"] else 1.0
        return f"  {name:<13}{c['lines']:>6,}  {precision:>9.4%}  {recall:>9.4%}  {both:>9.4%}"

    for name in sorted(kinds, key=lambda k: (k in NEW_KINDS, k)):
        out.append(row(name, kinds[name]))
    new = [kinds[k] for k in NEW_KINDS if k in kinds]
    if new:
        summed = {key: sum(c[key] for c in new) for key in new[0]}
        out.append(row("new kinds", summed) + "  (targets 99.9 % / 95 % / 99 %)")
    if issues:
        out.append(
            f"  IBAN issues reported {issues['reported']:,}, planted {issues['planted']:,},"
            f" same records: {issues['same']}"
        )
    return out


if __name__ == "__main__":
    main()
