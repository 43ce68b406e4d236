"""Benchmark: plan a million pre-order lines over ten thousand products.

Run ``python benchmarks/preorder.py [--lines N] [--products N] [--seed N]``.
The dataset is generated (seeded) in memory; the script prints the time to
generate it, the time of :func:`ecomrules.preorder.plan` alone, lines per
second, and the peak resident memory of the process. Calibration: it also
times a floor, sorting the lines by ``(order_id, sku)``, so figures compare
across machines.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock

from ecomrules.preorder import (
    CarrierService,
    PreorderLine,
    PreorderProduct,
    SupplyEvent,
    SupplyStatus,
    Warehouse,
    plan_release,
)
from ecomrules.time import BusinessCalendar, zone

PARIS = zone("Europe/Paris")
ZONES = [zone(name) for name in ("Europe/Paris", "Europe/Berlin", "Asia/Tokyo", "America/New_York")]
COUNTRIES = ["FR", "DE", "BE", "IT", "ES", "NL", "AT"]
SERVICES = ["colissimo", "chronopost", "dhl", "ups"]


def carriers() -> list[CarrierService]:
    """Every service to each country with its own calendar, plus a ``*`` fallback."""
    out = []
    for number, service in enumerate(SERVICES):
        for country in COUNTRIES:
            out.append(
                CarrierService(
                    service=service,
                    zone=country,
                    transit_days=1 + (number + len(country)) % 3,
                    calendar=BusinessCalendar(country=country),
                    delivers_saturday=number % 2 == 1,
                )
            )
        out.append(CarrierService(service, "*", 4, BusinessCalendar(country="FR")))
    return out


def generate(
    lines: int, products: int, seed: int
) -> tuple[list[PreorderProduct], list[PreorderLine], list[SupplyEvent]]:
    """A seeded catalogue: releases over 2027, demand skewed to a few hits, scarce supply."""
    rng = random.Random(seed)
    catalogue = []
    for number in range(products):
        release = datetime.combine(
            date(2027, 1, 4) + timedelta(days=rng.randrange(300)),
            clock(0, 0),
            tzinfo=rng.choice(ZONES),
        )
        catalogue.append(
            PreorderProduct(
                sku=f"SKU{number:05d}",
                name=f"Product {number}",
                release_at=release,
                strict=rng.random() < 0.7,
                supplier_cutoff=release.date() - timedelta(days=rng.randrange(10, 60)),
                cap=None if rng.random() < 0.5 else rng.randrange(50, 400),
            )
        )
    weights = [1.0 / (rank + 1) for rank in range(products)]
    skus = rng.choices(range(products), weights=weights, k=lines)
    start = datetime(2026, 6, 1, tzinfo=PARIS)
    order_lines = []
    for number, product in enumerate(skus):
        order_lines.append(
            PreorderLine(
                order_id=f"O{number:07d}",
                customer_id=f"C{rng.randrange(200_000):06d}",
                sku=catalogue[product].sku,
                quantity=rng.randrange(1, 4),
                ordered_at=start + timedelta(seconds=rng.randrange(180 * 86_400)),
                country=rng.choice(COUNTRIES),
                carrier_service=rng.choice(SERVICES),
                paid=rng.random() < 0.6,
                authorized_at=None if rng.random() < 0.7 else start + timedelta(days=150),
                tier=rng.choice((None, "gold", "silver")),
            )
        )
    demand = Counter(line.sku for line in order_lines)
    supply = []
    for product in catalogue:
        total = int(demand[product.sku] * 2 * rng.uniform(0.5, 1.1))
        first = total // 2
        arrival = product.release_at.date() - timedelta(days=rng.randrange(-3, 20))
        supply.append(SupplyEvent(product.sku, first, arrival, SupplyStatus.RECEIVED))
        supply.append(SupplyEvent(product.sku, total - first, arrival + timedelta(days=5)))
    return catalogue, order_lines, supply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    catalogue, lines, supply = generate(args.lines, args.products, args.seed)
    generated = time.perf_counter() - started
    warehouse = Warehouse(BusinessCalendar(country="FR"), PARIS)
    services = carriers()
    gc.collect()  # plan_release() pauses the cyclic collector itself while it runs
    floor_start = time.perf_counter()
    sorted(lines, key=lambda line: (line.order_id, line.sku))
    floor = time.perf_counter() - floor_start
    started = time.perf_counter()
    cpu = time.process_time()
    result = plan_release(
        products=catalogue,
        lines=lines,
        supply=supply,
        warehouse=warehouse,
        carriers=services,
        as_of=datetime(2026, 11, 20, 9, 0, tzinfo=PARIS),
    )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    statuses = Counter(line.status.value for line in result.lines)
    print(f"python {sys.version.split()[0]}, {args.lines:,} lines, {args.products:,} products")
    print(f"generate: {generated:.2f} s")
    print(f"floor (sort lines by key): {floor:.2f} s")
    print(
        f"plan: {elapsed:.2f} s wall, {cpu:.2f} s CPU "
        f"({args.lines / elapsed:,.0f} lines/s, {elapsed / floor:.1f}x floor)"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"peak memory (max RSS): {peak:,.0f} MiB")
    print(f"alerts: {len(result.alerts):,}, shipments: {len(result.shipments):,}")
    print("statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())))


if __name__ == "__main__":
    from ecomrules.gcpause import paused_collector

    with paused_collector():  # as the command line runs (the library leaves gc alone)
        main()
