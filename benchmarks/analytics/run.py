"""Analytics at a shop's scale: 10 million GA4 events and 10 million order lines on DuckDB.

What it measures (one process, a fresh store file in benchmarks/out/):

1. ``load``: ``AnalyticsStore.load_events`` of a GA4 export of N events as
   BigQuery writes it to Parquet (``event_params`` as repeated key/value
   records), through the one-statement SQL mapping, then the default funnel by
   day and source/medium. Target: both under 15 s for 10M events. Then the
   next day's export (a ninetieth as many events) into that store, and again.
2. ``cube``: the sales cube by month and category over M order lines (the
   lines are generated into the store by SQL, then its customer types and day
   tables are computed as a load of them would, timed apart: the query is what
   is timed, "once loaded"), from the day tables and from the lines. Target:
   under 2 s for 10M lines.
3. Peak memory of the process (``ru_maxrss``). Target: under 2 GB.

The export is generated once by DuckDB itself into benchmarks/data/ (not
timed). Run: ``python benchmarks/analytics/run.py [--events 10000000]
[--lines 10000000] [--skip-lines] [--memory-limit none]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb

from ecomrules.analytics import AnalyticsStore, funnel, sales
from ecomrules.analytics.readers.common import Batch
from ecomrules.analytics.store import DEFAULT_MEMORY_LIMIT

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
OUT = HERE.parent / "out"

_SOURCES = "['google', 'google', '(direct)', 'newsletter', 'facebook', 'partner.example']"
_MEDIUMS = "['organic', 'cpc', '(none)', 'email', 'social', 'referral']"
_DEVICES = "['desktop', 'mobile', 'tablet']"
_COUNTRIES = "['France', 'Germany', 'Belgium', 'Spain', 'Switzerland', 'Italy']"


def _param(key: str, string: str = "NULL", integer: str = "NULL", double: str = "NULL") -> str:
    return (
        f"{{'key': '{key}', 'value': {{'string_value': {string}::VARCHAR, "
        f"'int_value': {integer}::BIGINT, 'float_value': NULL::DOUBLE, "
        f"'double_value': {double}::DOUBLE}}}}"
    )


def generate_ga4(
    path: Path, events: int, seed: int, *, start: str = "2026-07-01", days: int = 90, first: int = 0
) -> None:
    """N GA4 export rows: sessions of 1 to 6 events down the funnel over ``days`` from ``start``.

    ``first`` numbers the first event (sessions and bundles follow from it), so that
    another export from a later ``first`` brings other sessions.
    """
    con = duckdb.connect()
    con.execute(f"SELECT setseed({seed / 1000})")
    con.execute(
        f"""
        COPY (
          WITH base AS (
            SELECT i, i // 5 AS session, i % 5 AS position,
                   hash(i // 5, {seed}) AS h
            FROM range({first}, {first + events}) t(i)
          ), shaped AS (
            SELECT *,
              CASE position
                WHEN 0 THEN 'session_start'
                WHEN 1 THEN CASE WHEN h % 100 < 62 THEN 'view_item' ELSE 'page_view' END
                WHEN 2 THEN CASE WHEN h % 100 < 22 THEN 'add_to_cart' ELSE 'page_view' END
                WHEN 3 THEN CASE WHEN h % 100 < 14 THEN 'begin_checkout' ELSE 'scroll' END
                ELSE CASE WHEN h % 100 < 6 THEN 'purchase'
                          WHEN h % 100 < 11 THEN 'add_payment_info' ELSE 'user_engagement' END
              END AS name,
              TIMESTAMP '{start}' + to_seconds(
                CAST((h >> 8) % ({days} * 86400) AS BIGINT) + position * 30) AS ts,
              CAST((h >> 20) % 6 AS BIGINT) AS src, CAST((h >> 24) % 3 AS BIGINT) AS dev,
              CAST((h >> 28) % 6 AS BIGINT) AS ctry,
              CAST(10 + (h >> 32) % 9000 AS DECIMAL(18, 2)) / 100 AS value
            FROM base
          )
          SELECT
            strftime(ts, '%Y%m%d') AS event_date,
            epoch_us(ts) AS event_timestamp,
            name AS event_name,
            CASE WHEN name IN ('add_to_cart', 'begin_checkout', 'add_payment_info', 'purchase')
              THEN [{_param("ga_session_id", integer="session")},
                    {_param("page_location", string="'https://shop.example/p'")},
                    {_param("currency", string="'EUR'")},
                    {_param("value", double="value")}]
              ELSE [{_param("ga_session_id", integer="session")},
                    {_param("page_location", string="'https://shop.example/'")}]
            END AS event_params,
            i AS event_bundle_sequence_id,
            'u' || (session // 3) AS user_pseudo_id,
            {{'category': {_DEVICES}[dev + 1]}} AS device,
            {{'country': {_COUNTRIES}[ctry + 1]}} AS geo,
            {{'source': {_SOURCES}[src + 1], 'medium': {_MEDIUMS}[src + 1],
              'name': NULL::VARCHAR}} AS traffic_source,
            CASE WHEN name = 'purchase'
              THEN {{'purchase_revenue': CAST(value AS DOUBLE), 'transaction_id': 'T' || session}}
            END AS ecommerce
          FROM shaped
        ) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 122880)
        """
    )
    con.close()


def generate_lines(store: AnalyticsStore, lines: int, seed: int) -> None:
    """M order lines (three an order) and their orders, written into the store by SQL."""
    orders = lines // 3
    store.con.execute(
        f"""
        INSERT INTO orders
        SELECT 'bench', 'O' || o, 'O' || o,
               TIMESTAMP '2025-01-01' + to_seconds(CAST(hash(o, {seed}) % (700 * 86400) AS BIGINT)),
               CASE WHEN hash(o, {seed}) % 20 = 0 THEN 'CHF' ELSE 'EUR' END,
               'C' || (hash(o, {seed} + 1) % {max(orders // 3, 1)}), 'web', 'FR', 'card',
               'completed', 0, 0, 0, 0, 0, hash(o, {seed} + 2) % 50 = 0, NULL
        FROM range({orders}) t(o)
        """
    )
    store.con.execute(
        f"""
        INSERT INTO order_lines
        SELECT 'bench', 'O' || (l // 3), l % 3 + 1, 'SKU' || (hash(l) % 500),
               'Product ' || (hash(l) % 500),
               ['Board games', 'Video games', 'Books', 'Accessories']
                 [CAST(hash(l) % 4 AS BIGINT) + 1],
               1 + hash(l, 1) % 3,
               CAST(500 + hash(l, 2) % 9000 AS DECIMAL(18, 3)) / 100,
               CASE WHEN hash(l, 3) % 10 = 0 THEN 1.5 ELSE 0 END,
               CASE WHEN hash(l, 4) % 40 = 0 THEN 5 ELSE 0 END
        FROM range({orders * 3}) t(l)
        """
    )
    store.con.execute(
        "UPDATE orders SET gross = s.g, discount = s.d, refunded = s.r FROM ("
        "SELECT order_id, sum(gross) g, sum(discount) d, sum(refunded) r FROM order_lines "
        "GROUP BY order_id) s WHERE orders.order_id = s.order_id"
    )


def day_of_orders(lines: int, seed: int) -> Batch:
    """One day's export: a thousandth of the orders, three lines each, half by known customers."""
    rng = random.Random(seed)
    orders = max(lines // 3000, 1)
    batch = Batch("bench")
    for number in range(orders):
        order_id = f"D{number}"
        batch.orders.append(
            {
                "source": "bench", "order_id": order_id, "transaction_id": order_id,
                "placed_at": dt.datetime(2026, 12, 1, 8) + dt.timedelta(seconds=number),
                "currency": "EUR",
                "customer_id": f"C{rng.randrange(lines // 9 or 1)}" if number % 2 else f"N{number}",
                "channel": "web", "country": "FR", "payment_method": "card",
                "status": "completed", "gross": Decimal(0), "discount": Decimal(0),
                "shipping": Decimal(0), "tax": Decimal(0), "refunded": Decimal(0),
                "cancelled": False,
            }
        )  # fmt: skip
        for line_no in (1, 2, 3):
            gross = Decimal(rng.randrange(500, 9500)) / 100
            batch.lines.append(
                {
                    "source": "bench", "order_id": order_id, "line_no": line_no,
                    "sku": f"SKU{line_no}", "product": f"Product {line_no}",
                    "category": ("Board games", "Books", "Accessories")[line_no - 1],
                    "quantity": 1, "gross": gross, "discount": Decimal(0),
                    "refunded": Decimal(0),
                }
            )  # fmt: skip
            batch.orders[-1]["gross"] += gross
    return batch


def _cpu() -> float:
    """CPU seconds of this process, all threads (less sensitive to a busy machine than wall)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--skip-events", action="store_true", help="Only the sales cube.")
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--skip-lines", action="store_true", help="Only the events.")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--memory-limit",
        default=DEFAULT_MEMORY_LIMIT,
        help="DuckDB memory_limit (the store's default: %(default)s); 'none' for DuckDB's own",
    )
    args = parser.parse_args(argv)
    DATA.mkdir(exist_ok=True)
    OUT.mkdir(exist_ok=True)
    export = DATA / f"ga4-{args.events}-{args.seed}.parquet"
    if not export.exists() and not args.skip_events:
        started = time.perf_counter()
        generate_ga4(export, args.events, args.seed)
        print(f"generated {export.name}: {export.stat().st_size / 1e6:.0f} MB "
              f"in {time.perf_counter() - started:.1f} s (not timed)")  # fmt: skip
    # The next day's export (a ninetieth of the events, other sessions), loaded into the store.
    day_export = DATA / f"ga4-{args.events}-{args.seed}-next-day.parquet"
    if not day_export.exists() and not args.skip_events:
        generate_ga4(
            day_export, max(args.events // 90, 1), args.seed,
            start="2026-09-29", days=1, first=args.events,
        )  # fmt: skip
    store_path = OUT / "analytics-bench.duckdb"
    store_path.unlink(missing_ok=True)
    limit = None if args.memory_limit.lower() == "none" else args.memory_limit
    with AnalyticsStore(store_path, memory_limit=limit) as store:
        if not args.skip_events:
            started, cpu = time.perf_counter(), _cpu()
            loaded = store.load_events(export)
            load_s, load_cpu = time.perf_counter() - started, _cpu() - cpu
            started, cpu = time.perf_counter(), _cpu()
            result = funnel(store.con, by=("day", "source_medium"))
            funnel_s, funnel_cpu = time.perf_counter() - started, _cpu() - cpu
            sessions = sum(r.sessions for r in result.rows)
            print(f"load {loaded.events_new:,} GA4 events: {load_s:.2f} s; "
                  f"funnel by day and source/medium ({len(result.rows):,} rows, "
                  f"{sessions:,} sessions): {funnel_s:.2f} s; "
                  f"together {load_s + funnel_s:.2f} s (target 15 s); "
                  f"CPU {load_cpu:.1f} s and {funnel_cpu:.1f} s; "
                  f"peak RSS so far {_rss_mb():,.0f} MB")  # fmt: skip
            started, cpu = time.perf_counter(), _cpu()
            day = store.load_events(day_export)
            print(f"the next day's export into it, {day.events_new:,} GA4 events: "
                  f"{time.perf_counter() - started:.2f} s, CPU {_cpu() - cpu:.2f} s; "
                  f"loaded again: {store.load_events(day_export).events_new} new")  # fmt: skip
        if args.skip_lines:
            print(f"peak RSS {_rss_mb():,.0f} MB; load average {os.getloadavg()[0]:.1f}")
            return 0
        started = time.perf_counter()
        generate_lines(store, args.lines, args.seed)
        print(f"generated {store.count('order_lines'):,} order lines in the store "
              f"in {time.perf_counter() - started:.1f} s (not timed)")  # fmt: skip
        started, cpu = time.perf_counter(), _cpu()
        store.refresh_customer_types()
        print(f"customer types and day tables of all the orders (what a load of them pays): "
              f"{time.perf_counter() - started:.2f} s, CPU {_cpu() - cpu:.2f} s")  # fmt: skip
        cubes = []
        for label, pre_aggregated in (("day tables", True), ("lines", False)):
            timings = []
            for _ in range(3):
                started, cpu = time.perf_counter(), _cpu()
                cube = sales(store.con, by=("month", "category"), pre_aggregated=pre_aggregated)
                timings.append((time.perf_counter() - started, _cpu() - cpu))
            cubes.append(cube)
            print(f"sales cube by month and category from the {label} ({len(cube.rows)} rows): "
                  f"{', '.join(f'{t:.2f}' for t, _ in timings)} s (target 2 s); "
                  f"CPU {', '.join(f'{c:.2f}' for _, c in timings)} s")  # fmt: skip
        batch = day_of_orders(args.lines, args.seed)
        started, cpu = time.perf_counter(), _cpu()
        store.add_orders(batch, source="bench", kind="bench")
        print(f"a day's load of {len(batch.orders):,} orders, {len(batch.lines):,} lines into it "
              f"(day tables and customer types kept): {time.perf_counter() - started:.2f} s, "
              f"CPU {_cpu() - cpu:.2f} s")  # fmt: skip
        for pre_aggregated in (True, False):
            cubes.append(sales(store.con, by=("month", "category"), pre_aggregated=pre_aggregated))
        print(f"day tables equal to the lines: before the day's load {cubes[0] == cubes[1]}, "
              f"after {cubes[2] == cubes[3]}")  # fmt: skip
    print(f"peak RSS {_rss_mb():,.0f} MB (target 2,048 MB), memory_limit {limit}; "
          f"python {sys.version.split()[0]}, duckdb {duckdb.__version__}; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
