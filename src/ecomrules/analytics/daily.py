"""The sales cube's day tables: sums by day and order dimensions, kept at each load.

Contract:

- Two tables sit beside the canonical ones. ``sales_days`` holds, per source,
  day and order dimensions (currency, channel, country, payment method,
  customer type, status, cancelled), the count of orders and the sums of their
  amounts and units. ``sales_category_days`` holds the same per product
  category, where ``orders`` counts (order, category) pairs: an order with
  lines in two categories counts once in each, as the line-level cube counts it.
- Every order lies in one day and one set of order dimensions, so each order
  (or each order and category) adds to exactly one row: the rows add up to the
  line-level query's figures exactly (``Decimal``), for any grouping by period
  and order dimensions, filtered by them, by date, and by at most one category
  unless the categories are a key of the grouping.
- The store recomputes the rows of every (source, day) a load touched: the
  days of the orders it wrote, of the orders they replaced, of the orders whose
  lines or refunds it changed and of the orders whose customer type changed.
  A second load of the same file rewrites the same rows; refunds and
  cancellations net out as in the orders themselves.
- :func:`table_for` says whether a cube query can be answered from them; the
  others (by product or sku, several categories pooled, rates) read the lines.

Why: the cube by month and category over ten million lines sums 7.7 million
(order, category) groups and joins them to their orders, 2.3 to 3 s; the day
table of the same shop has tens of thousands of rows (ADR 0080).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import duckdb

__all__ = [
    "CATEGORY_TABLE",
    "ORDER_TABLE",
    "TOUCHED",
    "create",
    "present",
    "refresh",
    "start_touched",
    "table_for",
    "touch_orders",
]

ORDER_TABLE: Final = "sales_days"
CATEGORY_TABLE: Final = "sales_category_days"
TOUCHED: Final = "ecr_touched_days"
"""Temporary table of the (source, day) pairs a load touched."""

DIMENSIONS: Final = (
    "currency",
    "channel",
    "country",
    "payment_method",
    "customer_type",
    "status",
    "cancelled",
)
"""The order attributes the day tables keep (with ``source`` and ``day``)."""

_LINE_ONLY: Final = frozenset({"product", "sku"})

_KEYS_SQL: Final = (
    "source VARCHAR NOT NULL, day DATE NOT NULL, currency VARCHAR, channel VARCHAR, "
    "country VARCHAR, payment_method VARCHAR, customer_type VARCHAR, status VARCHAR, "
    "cancelled BOOLEAN"
)
_SUMS_SQL: Final = (
    "orders BIGINT, units HUGEINT, gross DECIMAL(38, 3), discount DECIMAL(38, 3), "
    "refunded DECIMAL(38, 3)"
)


def create(con: duckdb.DuckDBPyConnection) -> bool:
    """Create the day tables if absent; ``True`` when they were (they must then be filled)."""
    had = present(con)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {ORDER_TABLE} ({_KEYS_SQL}, {_SUMS_SQL}, "
        "tax DECIMAL(38, 3), shipping DECIMAL(38, 3))"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CATEGORY_TABLE} ({_KEYS_SQL}, category VARCHAR, {_SUMS_SQL})"
    )
    return not had


def present(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store has both day tables (a store made by an earlier version has none)."""
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name IN (?, ?)",
        [ORDER_TABLE, CATEGORY_TABLE],
    ).fetchall()
    return int(rows[0][0]) == 2


def start_touched(con: duckdb.DuckDBPyConnection) -> None:
    """An empty list of touched days for the load about to run."""
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {TOUCHED} (source VARCHAR, day DATE)")
    con.execute(f"DELETE FROM {TOUCHED}")


def touch_orders(con: duckdb.DuckDBPyConnection, keys: str) -> None:
    """Add the days of the stored orders whose (source, order_id) is in relation ``keys``."""
    con.execute(
        f"INSERT INTO {TOUCHED} SELECT o.source, CAST(o.placed_at AS DATE) FROM orders o "
        f"SEMI JOIN {keys} k ON k.source = o.source AND k.order_id = o.order_id"
    )


def refresh(con: duckdb.DuckDBPyConnection, *, everything: bool = False) -> None:
    """Recompute the rows of the touched days (of every day with ``everything``).

    Runs inside the caller's transaction, so a load and its day rows commit together.
    """
    keys = ", ".join(("o.source", "CAST(o.placed_at AS DATE)", *(f"o.{d}" for d in DIMENSIONS)))
    if everything:
        con.execute(f"DELETE FROM {ORDER_TABLE}")
        con.execute(f"DELETE FROM {CATEGORY_TABLE}")
        scoped = "SELECT * FROM orders"
    else:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE ecr_days AS SELECT DISTINCT source, day FROM {TOUCHED}"
        )
        for table in (ORDER_TABLE, CATEGORY_TABLE):
            con.execute(
                f"DELETE FROM {table} t USING ecr_days d "
                "WHERE t.source = d.source AND t.day = d.day"
            )
        scoped = (
            "SELECT o.* FROM orders o SEMI JOIN ecr_days d "
            "ON d.source = o.source AND d.day = CAST(o.placed_at AS DATE)"
        )
    lines = (
        "SELECT l.* FROM order_lines l"
        if everything
        else "SELECT l.* FROM order_lines l SEMI JOIN scoped s "
        "ON s.source = l.source AND s.order_id = l.order_id"
    )
    con.execute(
        f"""
        INSERT INTO {ORDER_TABLE}
        WITH scoped AS ({scoped}), lines AS ({lines})
        SELECT {keys}, count(*), sum(q.qty), sum(o.gross), sum(o.discount), sum(o.refunded),
               sum(o.tax), sum(o.shipping)
        FROM scoped o LEFT JOIN (
          SELECT source, order_id, sum(quantity) AS qty FROM lines GROUP BY source, order_id
        ) q ON q.source = o.source AND q.order_id = o.order_id
        GROUP BY ALL
        """
    )
    con.execute(
        f"""
        INSERT INTO {CATEGORY_TABLE}
        WITH scoped AS ({scoped}), lines AS ({lines})
        SELECT {keys}, l.category, count(*), sum(l.qty), sum(l.g), sum(l.d), sum(l.r)
        FROM scoped o JOIN (
          SELECT source, order_id, category, sum(quantity) AS qty, sum(gross) AS g,
                 sum(discount) AS d, sum(refunded) AS r
          FROM lines GROUP BY source, order_id, category
        ) l ON l.source = o.source AND l.order_id = o.order_id
        GROUP BY ALL
        """
    )
    if not everything:
        con.execute("DROP TABLE ecr_days")


def table_for(
    con: duckdb.DuckDBPyConnection,
    by: Sequence[str],
    filters: Mapping[str, Sequence[str]],
    converted: bool,
) -> str | None:
    """The day table that answers this cube query exactly, or ``None`` (read the lines).

    Not covered: a grouping or filter by product or sku (not kept), several
    categories pooled in one group (an order in two of them would count
    twice), amounts converted with rates (each order is rounded on its own), a
    store without the day tables (read-only, made by an earlier version).
    """
    if converted or _LINE_ONLY & {*by, *filters}:
        return None
    categories = filters.get("category")
    if categories is not None and "category" not in by and len(set(categories)) > 1:
        return None
    if not present(con):
        return None
    return CATEGORY_TABLE if "category" in by or "category" in filters else ORDER_TABLE
