"""Benchmark: plan 1,000,000 open items over 100,000 customers under fr-b2b.

Seeded generator, Decimal amounts. Prints the time to generate, the time of
``plan(render=False)`` (the decision), the time to render the letters of a
sample of notices without and with the demo's sender profile, alternating (and
the extrapolation to all), and the peak memory.

    python benchmarks/dunning.py [--items 1000000] [--customers 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from collections import Counter

from ecomrules import demo
from ecomrules.dunning import DunningHistory, LetterRenderer, load_policy, load_sender, plan
from ecomrules.ledger import OpenItem
from ecomrules.testing.dunning_book import AS_OF, generate


def _peak_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / 1024 / 1024


def _floors(items: list[OpenItem], history: DunningHistory) -> float:
    """CPU time of the least any plan must do: read each item and fold each event once."""
    start = time.process_time()
    seen = set()
    for item in items:
        seen.add(item.id)
        _ = item.residual.amount, item.due_date, item.partner_id
    highest: dict[str, int] = {}
    for event in history.events:
        if event.rank > highest.get(event.item_id, -1):
            highest[event.item_id] = event.rank
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--render-sample", type=int, default=2_000)
    parser.add_argument(
        "--render-all", action="store_true", help="Also time plan(render=True) on everything."
    )
    args = parser.parse_args()
    policy = load_policy("fr-b2b")

    start = time.perf_counter()
    items, customers, history, lines = generate(args.items, args.customers, args.seed)
    generated = time.perf_counter() - start
    print(
        f"generated {len(items):,} items, {len(customers):,} customers, "
        f"{len(history.events):,} history events, {len(lines):,} incoming lines "
        f"in {generated:.1f} s (peak RSS {_peak_mb():,.0f} MB)"
    )

    gc.collect()
    floor = _floors(items, history)
    before = _peak_mb()
    start = time.perf_counter()
    cpu = time.process_time()
    result = plan(
        items,
        customers,
        history,
        policy,
        AS_OF,
        in_transit=lines,
        bank_data_as_of=AS_OF,
        render=False,
    )
    planned = time.perf_counter() - start
    planned_cpu = time.process_time() - cpu
    items_noticed = sum(len(n.items) for n in result.notices)
    print(
        f"plan(render=False): {planned:.2f} s wall, {planned_cpu:.2f} s CPU "
        f"for {len(items):,} items -> "
        f"{len(result.notices):,} notices ({items_noticed:,} items), "
        f"{len(result.holds):,} holds; {len(items) / planned:,.0f} items/s"
    )
    print(
        f"floors (one pass over the items, one over the history): {floor:.2f} s CPU; "
        f"plan / floors = {planned_cpu / floor:.1f}"
    )
    reasons = Counter(hold.reason.code for hold in result.holds)
    print("holds: " + ", ".join(f"{code} {count:,}" for code, count in sorted(reasons.items())))
    levels = Counter(notice.level for notice in result.notices)
    print("notices by level: " + ", ".join(f"{k} {v:,}" for k, v in sorted(levels.items())))
    print(f"peak RSS {max(before, _peak_mb()):,.0f} MB (before plan {before:,.0f} MB)")

    sample = result.notices[: args.render_sample]
    by_id = {customer.id: customer for customer in customers}
    renderer = LetterRenderer()
    sender = load_sender(demo.path("sender.toml"))
    # Rounds alternate between letters without and with the sender profile (its
    # block, payment block and signature), so that the two compare on a busy machine.
    times: dict[str, list[float]] = {"without sender": [], "with sender": []}
    for _ in range(3):
        for label, signer in (("without sender", None), ("with sender", sender)):
            start = time.perf_counter()
            for notice in sample:
                renderer.render(notice, by_id[notice.customer_id], policy, AS_OF, signer)
            times[label].append(time.perf_counter() - start)
    for label, rounds in times.items():
        if not sample:
            break
        rendered = sorted(rounds)[1]
        per = rendered / len(sample)
        print(
            f"letters {label}: {len(sample):,} notices rendered (text + HTML) in "
            f"{rendered:.2f} s (median of 3), {per * 1000:.2f} ms each; "
            f"all {len(result.notices):,} would take {per * len(result.notices):.1f} s"
        )

    if args.render_all:
        start = time.perf_counter()
        cpu = time.process_time()
        rendered_plan = plan(
            items,
            customers,
            history,
            policy,
            AS_OF,
            in_transit=lines,
            bank_data_as_of=AS_OF,
            render=True,
        )
        print(
            f"plan(render=True): {time.perf_counter() - start:.2f} s wall, "
            f"{time.process_time() - cpu:.2f} s CPU, {len(rendered_plan.notices):,} letters"
        )


if __name__ == "__main__":
    from ecomrules.gcpause import paused_collector

    with paused_collector():  # as the command line runs (the library leaves gc alone)
        main()
