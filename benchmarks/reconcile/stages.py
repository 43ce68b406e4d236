"""Where the matcher's CPU time goes, stage by stage, on one generated data set.

Usage: python benchmarks/reconcile/stages.py FOLDER [FOLDER ...]

``FOLDER`` holds ``open-items.csv`` and ``statement.csv`` (from
``generate.py`` or a ``run.py`` data folder). Each folder runs in its own
process: the files are read, then the steps of ``Matcher.match_records``
run one by one as the matcher runs them (collector paused), each timed in
process CPU seconds: the item index, the IBAN checks, the lines an exact
reference settles (``reconcile.exact``: by reference before the blockers,
in the text after the text blocker), each blocker over the other lines,
deciding those, sharing out and building the result. Reading every
match of the result (each built when first read) is timed apart, as
``matches read``, and not counted in the engine's total. The
digest of the result is ``run.py``'s, so a run here decides what a run
there decides. Printed: one line per stage, and the total.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def stages(folder: Path) -> dict[str, object]:
    """The CPU seconds of each stage of one run over ``folder``, and the run's digest."""
    from decimal import ROUND_HALF_EVEN

    from run import _digest

    from ecomrules.fx import FxRates
    from ecomrules.gcpause import paused_collector
    from ecomrules.reconcile import Matcher
    from ecomrules.reconcile import engine as eng
    from ecomrules.reconcile.blocking import (
        BlockingContext,
        ReferenceBlocker,
        TextReferenceBlocker,
    )
    from ecomrules.reconcile.bulk import read_item_records, read_line_records
    from ecomrules.reconcile.comparison import ComparisonContext
    from ecomrules.reconcile.decision import bits, decide
    from ecomrules.reconcile.exact import ExactRule
    from ecomrules.reconcile.index import ItemIndex

    times: dict[str, float] = {}
    clock = [time.process_time()]

    def lap(name: str) -> None:
        now = time.process_time()
        times[name] = times.get(name, 0.0) + now - clock[0]
        clock[0] = now

    matcher = Matcher()
    settings = matcher.settings
    with paused_collector():
        items = read_item_records(folder / "open-items.csv")
        lines = read_line_records(folder / "statement.csv")
        lap("read")
        work = list(lines)
        index = ItemIndex(
            items, partner_ibans=settings.partner_ibans, partner_groups=settings.partner_groups
        )
        lap("index")
        issues, invalid_lines = eng._iban_issues(work, index)
        lap("iban checks")
        rule = ExactRule(settings)
        skip = set(invalid_lines)
        exact = rule.by_references(work, index, skip)
        rest = [i for i in range(len(work)) if i not in exact] if exact else list(range(len(work)))
        rest_lines = [work[i] for i in rest] if exact else work
        lap("exact references")
        blocking = BlockingContext(rest_lines, index)
        early = 0
        if rule.by_text:
            early = sum(
                isinstance(b, ReferenceBlocker | TextReferenceBlocker) for b in settings.blockers
            )
        exact_text = {}
        for n, blocker in enumerate(settings.blockers):
            if n == early and rule.by_text:
                exact_text = rule.by_tokens(blocking, {k for k, i in enumerate(rest) if i in skip})
                lap("exact in text")
            blocker.block(blocking)
            lap(f"block {blocker.name}")
        ctx = ComparisonContext(index, blocking.missed_keys, settings.comparisons)
        ctx.auto_bits = bits(settings.auto_threshold)
        ctx.rates = FxRates(settings.rates, ROUND_HALF_EVEN, derive_inverse=True)
        ctx.review_bits = bits(settings.review_threshold)
        candidates = blocking.candidates
        pairs = len(exact) + sum(map(len, filter(None, candidates)))
        decisions: list[Any] = [None] * len(work)
        for i, proposal in exact.items():
            decisions[i] = proposal
        for k, proposal in exact_text.items():
            proposal.line = rest[k]
            decisions[rest[k]] = proposal
        for k in range(len(rest_lines)):
            if k not in exact_text:
                decision = decide(k, rest_lines[k], candidates[k], index, settings, ctx)
                decision.line = rest[k]
                decisions[rest[k]] = decision
        lap("decide")
        del candidates, blocking, ctx
        eng._share_out(decisions, work, items)
        for i in invalid_lines:
            decisions[i].reasons = (*decisions[i].reasons, eng._IBAN_INVALID)
        lap("share out")
        result = eng._result(decisions, work, items, {}, (), pairs)
        if issues:
            import attrs

            result = attrs.evolve(result, issues=issues)
        lap("result")
        for _ in result.matches:  # each match built as read (not the engine's: a reader's)
            pass
        lap("matches read")
    engine = sum(v for k, v in times.items() if k not in ("read", "matches read"))
    return {
        "lines": len(lines),
        "items": len(items),
        "times": times,
        "engine": engine,
        "digest": _digest(result),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(stages(Path(sys.argv[2]))))
        return
    for folder in sys.argv[1:]:
        out = subprocess.run(
            [sys.executable, __file__, "--one", folder], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        parts = "  ".join(f"{k} {v:.2f}" for k, v in r["times"].items())
        print(
            f"{folder}: {r['lines']:,} x {r['items']:,}  engine cpu {r['engine']:.2f} s"
            f"  digest {r['digest']}\n  {parts}"
        )


if __name__ == "__main__":
    main()
