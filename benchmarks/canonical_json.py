"""Benchmark: the CLI's canonical JSON writer against ``json.dumps`` on a reconcile-shaped result.

Builds (seeded) a document of N matches in the shape of ``ecomrules reconcile
--json``, writes it with ``json.dumps(indent=2, sort_keys=True,
ensure_ascii=False)`` (the reference text) and with the CLI's writer
(:func:`ecomrules.cli.canonical_json.write_canonical`, orjson, streamed), checks
the bytes are equal and prints the CPU seconds of each, best of ``--repeat``.

    python benchmarks/canonical_json.py [--matches 100000] [--repeat 3] [--seed 5]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import time
from typing import Any

from ecomrules.cli.canonical_json import write_canonical

CODES = ("reconcile.reference.exact", "reconcile.amount.exact", "reconcile.date.near")


def document(matches: int, seed: int) -> dict[str, Any]:
    """A reconcile-shaped result: matches with allocations, reasons and weighted contributions."""
    rng = random.Random(seed)
    rows = []
    for k in range(matches):
        allocations = [
            {
                "item_id": f"I{rng.randrange(10**7):07d}",
                "amount": f"{rng.randrange(10**6) / 100:.2f}",
            }
            for _ in range(rng.choice((1, 1, 1, 2, 3)))
        ]
        rows.append(
            {
                "line_id": f"L{k:07d}",
                "status": rng.choice(("auto", "auto", "review")),
                "score": round(rng.random(), 6),
                "allocations": allocations,
                "write_off": None,
                "unallocated": None,
                "fee": None,
                "currency": "EUR",
                "reasons": list(CODES[: rng.randrange(1, 4)]),
                "contributions": [{"code": c, "weight": round(rng.random(), 3)} for c in CODES],
            }
        )
    return {
        "matches": rows,
        "unmatched_lines": [f"X{k}" for k in range(matches // 20)],
        "unmatched_items": [],
        "payouts": [],
        "pairs_compared": matches * 3,
    }


def _best(function: Any, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = function()
        best = min(best, time.process_time() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matches", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    doc = document(args.matches, args.seed)

    def reference() -> bytes:
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False).encode()

    def ours() -> bytes:
        stream = io.BytesIO()
        write_canonical(doc, stream)
        return stream.getvalue()

    def compact() -> bytes:
        return json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()

    json_cpu, expected = _best(reference, args.repeat)
    ours_cpu, written = _best(ours, args.repeat)
    compact_cpu, _ = _best(compact, args.repeat)
    digest = hashlib.sha256(written).hexdigest()[:16]
    print(f"{args.matches:,} matches, {len(written) / 1e6:,.1f} MB, digest {digest}")
    print(f"  byte-equal to json.dumps: {written == expected}")
    print(f"  json.dumps(indent=2, sort_keys)     {json_cpu:6.2f} s CPU")
    print(f"  json.dumps compact (C encoder)      {compact_cpu:6.2f} s CPU")
    print(f"  write_canonical (orjson, streamed)  {ours_cpu:6.2f} s CPU  "
          f"{json_cpu / ours_cpu:.1f}x faster than json.dumps")  # fmt: skip


if __name__ == "__main__":
    main()
