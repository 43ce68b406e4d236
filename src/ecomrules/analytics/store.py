"""The analytics store: a DuckDB file of orders, order lines and web events.

Contract:

- ``AnalyticsStore(path)`` opens (or creates) the file; ``":memory:"`` keeps it
  in memory. The default file sits next to the workspace
  (:func:`default_store_path`).
- ``load_orders`` and ``load_events`` read one export file, detect its kind
  (or take ``kind``), and append its rows. Loading is incremental and
  idempotent: an order already in the store is replaced by its newer export
  (its status and refunds change), its lines with it; an event already in the
  store is kept as it was. A second load of the same file adds nothing.
- Every query of :mod:`ecomrules.analytics.queries` answers on what is loaded.

Why DuckDB: columnar, SQL that another engine can run, reads CSV, JSON and
Parquet itself, embedded (no server), exact ``DECIMAL`` sums (ADR 0080).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

import duckdb
import pyarrow as pa
from attrs import frozen

from ecomrules.analytics._sql import scalar
from ecomrules.analytics.model import EVENTS, ORDER_LINES, ORDERS, TABLES, Table
from ecomrules.analytics.names import EVENT_KIND_NAMES, ORDER_KIND_NAMES
from ecomrules.analytics.readers.common import Batch
from ecomrules.analytics.readers.shops import (
    read_ecomrules_orders,
    read_ecomrules_sales,
    read_prestashop,
    read_shopify_csv,
    read_shopify_json,
    read_woocommerce_json,
)
from ecomrules.analytics.readers.web import (
    read_ga4,
    read_matomo_live,
    read_snowplow,
    read_ua_sessions,
)
from ecomrules.errors import EcomrulesError

__all__ = [
    "EVENT_KINDS",
    "ORDER_KINDS",
    "AnalyticsStore",
    "LoadResult",
    "StoreError",
    "default_store_path",
    "detect_kind",
]

ENV_VAR: Final = "ECOMRULES_ANALYTICS"


class StoreError(EcomrulesError):
    """The analytics store cannot be opened or a file cannot be loaded into it."""


def default_store_path(
    workspace: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """``$ECOMRULES_ANALYTICS``, else the workspace's name with ``.analytics.duckdb``.

    >>> default_store_path("shop/ecomrules.db", environ={})
    PosixPath('shop/ecomrules.analytics.duckdb')
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR])
    from ecomrules.workspace import resolve_path

    base = resolve_path(workspace, env)
    return base.with_name(base.stem + ".analytics.duckdb")


Reader = Callable[[bytes, str], Batch]


def _undated(reader: Callable[..., Batch]) -> Callable[[bytes, str, dt.datetime | None], Batch]:
    return lambda data, source, undated: reader(data, source, undated)


def _dated(reader: Reader) -> Callable[[bytes, str, dt.datetime | None], Batch]:
    return lambda data, source, _undated: reader(data, source)


ORDER_KINDS: Final[Mapping[str, Callable[[bytes, str, dt.datetime | None], Batch]]] = {
    "sales-csv": _dated(read_ecomrules_sales),
    "orders-csv": _dated(read_ecomrules_orders),
    "shopify": _dated(read_shopify_json),
    "shopify-csv": _dated(read_shopify_csv),
    "woocommerce": _dated(read_woocommerce_json),
    "prestashop": _undated(read_prestashop),
}
"""Readers of order exports by kind (``ecomrules analytics load orders --kind``)."""

EVENT_KINDS: Final[Mapping[str, Callable[[bytes, str, dt.datetime | None], Batch]]] = {
    "ga4": _dated(read_ga4),
    "ua": _dated(read_ua_sessions),
    "matomo": _undated(read_matomo_live),
    "snowplow": _dated(read_snowplow),
}
"""Readers of web-analytics exports by kind (``ecomrules analytics load events --kind``)."""

assert tuple(ORDER_KINDS) == ORDER_KIND_NAMES
assert tuple(EVENT_KINDS) == EVENT_KIND_NAMES


def detect_kind(data: bytes, name: str) -> str:
    """Guess an export's kind from its first bytes and name; raises ``StoreError``."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = head.lower()
    first_line = head.split(b"\n", 1)[0]
    if head.startswith(b"<"):
        if b"<entity_orders" in lower or b"<orders " in lower:
            return "prestashop"
        if b"<idvisit>" in data[:65536].lower():
            return "matomo"
    elif head.startswith((b"{", b"[", b"const ", b"let ", b"var ", b"module")):
        sample = data[:65536]
        if b"fullVisitorId" in sample:
            return "ua"
        if b"idVisit" in sample:
            return "matomo"
        if b"event_name" in sample.lower() and b"event_timestamp" in sample.lower():
            return "ga4"
        if b"date_created_gmt" in sample or (
            b"line_items" in sample and b"discount_total" in sample
        ):
            return "woocommerce"
        if b"total_line_items_price" in sample or b"financial_status" in sample:
            return "shopify"
    else:
        if b"domain_sessionid" in first_line and b"event_id" in first_line:
            return "snowplow"
        if b"Lineitem quantity" in first_line:
            return "shopify-csv"
        if b"unit_price" in first_line and b"placed_at" in first_line:
            return "sales-csv"
        if b"customer_id" in first_line and b"amount" in first_line:
            return "orders-csv"
    raise StoreError(f"{name}: not an export this store reads (give --kind)")


@frozen
class LoadResult:
    """What one load did: rows read from the file and rows new to the store."""

    source: str
    kind: str
    orders_read: int = 0
    orders_new: int = 0
    lines_read: int = 0
    events_read: int = 0
    events_new: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "kind": self.kind,
            "orders_read": self.orders_read,
            "orders_new": self.orders_new,
            "lines_read": self.lines_read,
            "events_read": self.events_read,
            "events_new": self.events_new,
        }


def _arrow(table: Table, rows: list[dict[str, Any]]) -> pa.Table:
    schema = table.arrow_schema
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)


_CUSTOMER_TYPES: Final = """
UPDATE orders SET customer_type = t.kind FROM (
  SELECT source, order_id,
    CASE WHEN customer_id IS NULL THEN 'unknown'
         WHEN row_number() OVER (
           PARTITION BY source, customer_id ORDER BY placed_at, order_id) = 1
         THEN 'new' ELSE 'returning' END AS kind
  FROM orders
  WHERE {scope}
) t
WHERE orders.source = t.source AND orders.order_id = t.order_id
  AND orders.customer_type IS DISTINCT FROM t.kind
"""
"""Whether each order is its customer's first: recomputed for the customers a load touched."""


class AnalyticsStore:
    """A DuckDB file holding the canonical tables; see the module docstring."""

    def __init__(self, path: str | Path = ":memory:", *, read_only: bool = False) -> None:
        self.path = str(path)
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot open the analytics store: {exc}") from None
        if not read_only:
            for table in TABLES:
                self.con.execute(table.create_sql())

    def __enter__(self) -> AnalyticsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def count(self, table: str) -> int:
        if table not in {t.name for t in TABLES}:
            raise StoreError(f"no table {table!r}")
        return int(scalar(self.con, f"SELECT count(*) FROM {table}"))

    def refresh_customer_types(self) -> None:
        """Recompute every order's ``customer_type`` (after rows were written by SQL)."""
        self.con.execute(_CUSTOMER_TYPES.format(scope="TRUE"))

    # --- loading -----------------------------------------------------------------------

    def _read(
        self,
        path: Path,
        kinds: Mapping[str, Callable[[bytes, str, dt.datetime | None], Batch]],
        kind: str | None,
        undated: dt.datetime | None,
    ) -> tuple[str, Batch]:
        data = path.read_bytes()
        if not data.strip():
            raise StoreError(f"{path}: empty file")
        chosen = kind or detect_kind(data, str(path))
        if chosen not in kinds:
            raise StoreError(f"{path}: {chosen!r} is not one of {', '.join(sorted(kinds))}")
        return chosen, kinds[chosen](data, str(path), undated)

    def load_orders(
        self, path: str | Path, *, kind: str | None = None, undated: dt.datetime | None = None
    ) -> LoadResult:
        """Load an order export; returns what was read and what was new."""
        file = Path(path)
        chosen, batch = self._read(file, ORDER_KINDS, kind, undated)
        return self.add_orders(batch, source=str(file), kind=chosen)

    def add_orders(self, batch: Batch, *, source: str, kind: str) -> LoadResult:
        """Append the orders and lines of ``batch`` (an order seen again is replaced)."""
        orders = _arrow(ORDERS, batch.orders)
        lines = _arrow(ORDER_LINES, batch.lines)
        con = self.con
        con.execute("BEGIN")
        try:
            con.register("staged_orders", orders)
            con.register("staged_lines", lines)
            new = scalar(
                con,
                "SELECT count(DISTINCT (s.source, s.order_id)) FROM staged_orders s "
                "ANTI JOIN orders o ON o.source = s.source AND o.order_id = s.order_id",
            )
            con.execute(
                "DELETE FROM order_lines WHERE (source, order_id) IN "
                "(SELECT (source, order_id) FROM staged_orders)"
            )
            con.execute(
                "DELETE FROM orders WHERE (source, order_id) IN "
                "(SELECT (source, order_id) FROM staged_orders)"
            )
            con.execute(
                "INSERT INTO orders SELECT * FROM staged_orders "
                "QUALIFY row_number() OVER (PARTITION BY source, order_id) = 1"
            )
            con.execute(
                "INSERT INTO order_lines SELECT * FROM staged_lines "
                "QUALIFY row_number() OVER (PARTITION BY source, order_id, line_no) = 1"
            )
            con.execute(
                _CUSTOMER_TYPES.format(
                    scope="(source, customer_id) IN "
                    "(SELECT (source, customer_id) FROM staged_orders) OR customer_id IS NULL"
                )
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(f"{source}: cannot load: {exc}") from None
        finally:
            con.unregister("staged_orders")
            con.unregister("staged_lines")
        return LoadResult(
            source,
            kind,
            orders_read=len(batch.orders),
            orders_new=int(new),
            lines_read=len(batch.lines),
        )

    def load_events(
        self, path: str | Path, *, kind: str | None = None, undated: dt.datetime | None = None
    ) -> LoadResult:
        """Load a web-analytics export; events already in the store are not added again."""
        file = Path(path)
        from ecomrules.analytics.ga4_sql import bulk_kind, load_ga4_bulk

        if kind in (None, "ga4") and bulk_kind(file) is not None:
            read, new = load_ga4_bulk(self.con, file)
            return LoadResult(str(file), "ga4", events_read=read, events_new=new)
        chosen, batch = self._read(file, EVENT_KINDS, kind, undated)
        return self.add_events(batch, source=str(file), kind=chosen)

    def add_events(self, batch: Batch, *, source: str, kind: str) -> LoadResult:
        """Append the events of ``batch`` not already in the store."""
        staged = _arrow(EVENTS, batch.events)
        self.con.register("staged_events", staged)
        try:
            new = self.insert_new_events("staged_events")
        finally:
            self.con.unregister("staged_events")
        return LoadResult(source, kind, events_read=len(batch.events), events_new=new)

    def insert_new_events(self, relation: str) -> int:
        """Insert the rows of ``relation`` (events columns) whose key is new; returns the count."""
        before = self.count("events")
        try:
            self.con.execute(
                f"INSERT INTO events SELECT * FROM {relation} s "
                "WHERE NOT EXISTS (SELECT 1 FROM events e "
                "WHERE e.source = s.source AND e.event_key = s.event_key) "
                "QUALIFY row_number() OVER (PARTITION BY s.source, s.event_key) = 1"
            )
        except duckdb.Error as exc:
            raise StoreError(f"cannot load events: {exc}") from None
        return self.count("events") - before
