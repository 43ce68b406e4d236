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
- Each order load also recomputes the sales cube's day tables for the days it
  touched (:mod:`ecomrules.analytics.daily`), in the same transaction; rows
  written by SQL need :meth:`AnalyticsStore.refresh_customer_types`.

Why DuckDB: columnar, SQL that another engine can run, reads CSV, JSON and
Parquet itself, embedded (no server), exact ``DECIMAL`` sums (ADR 0080).
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import duckdb
import pyarrow as pa
from attrs import frozen

from ecomrules.analytics import daily
from ecomrules.analytics._sql import scalar
from ecomrules.analytics.model import EVENTS, ORDER_LINES, ORDERS, TABLES, StoreTable
from ecomrules.analytics.readers.common import Batch, Problems, amount
from ecomrules.analytics.readers.shops import (
    read_ecomrules_orders,
    read_ecomrules_sales,
    read_prestashop,
    read_prestashop_lines,
    read_shopify_csv,
    read_shopify_fivetran,
    read_shopify_fivetran_lines,
    read_shopify_json,
    read_shopify_refund,
    read_thelook_order_items,
    read_unicommerce,
    read_woocommerce_json,
)
from ecomrules.analytics.readers.web import (
    read_ga4,
    read_matomo_live,
    read_shopify_checkouts,
    read_snowplow,
    read_thelook_events,
    read_ua_sessions,
)
from ecomrules.errors import EcomrulesError

if TYPE_CHECKING:
    from ecomrules.adapters import SalesSource

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "EVENT_KINDS",
    "ORDER_KINDS",
    "AnalyticsStore",
    "LoadResult",
    "StoreError",
    "default_store_path",
    "detect_kind",
]

ENV_VAR: Final = "ECOMRULES_ANALYTICS"
DEFAULT_MEMORY_LIMIT: Final = "1GB"
"""DuckDB's working memory in a store unless told otherwise (the process peaks near 1.3 GB)."""


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
    "prestashop-lines": _dated(read_prestashop_lines),
    "shopify-fivetran": _dated(read_shopify_fivetran),
    "shopify-fivetran-lines": _dated(read_shopify_fivetran_lines),
    "shopify-refund": _dated(read_shopify_refund),
    "unicommerce": _dated(read_unicommerce),
    "thelook": _dated(read_thelook_order_items),
}
"""Readers of order exports by kind (``ecomrules analytics load orders --kind``)."""

EVENT_KINDS: Final[Mapping[str, Callable[[bytes, str, dt.datetime | None], Batch]]] = {
    "ga4": _dated(read_ga4),
    "ua": _dated(read_ua_sessions),
    "matomo": _undated(read_matomo_live),
    "snowplow": _dated(read_snowplow),
    "shopify-checkouts": _dated(read_shopify_checkouts),
    "thelook-events": _dated(read_thelook_events),
}
"""Readers of web-analytics exports by kind (``ecomrules analytics load events --kind``)."""


def detect_kind(data: bytes, name: str) -> str:
    """Guess an export's kind from its first bytes and name; raises ``StoreError``."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = head.lower()
    first_line = head.split(b"\n", 1)[0]
    if head.startswith(b"<"):
        if b"<entity_order_detail" in lower or b"<order_detail " in lower:
            return "prestashop-lines"
        if b"<entity_orders" in lower or b"<orders " in lower:
            return "prestashop"
        if b"<idvisit>" in data[:65536].lower():
            return "matomo"
    elif head.startswith((b"{", b"[", b"const ", b"let ", b"var ", b"module")):
        sample = data[:65536]
        if b'"refund"' in sample and b"refund_line_items" in sample:
            return "shopify-refund"
        if b"saleOrderDTO" in sample:
            return "unicommerce"
        if b"abandoned_checkout_url" in sample or b'"checkouts"' in sample:
            return "shopify-checkouts"
        if b"ORDER_ITEMS" in sample or (b"inventory_item_id" in sample and b"sale_price" in sample):
            return "thelook"
        if (b"THELOOK" in sample.upper() and b"EVENTS" in sample) or b'"event_type"' in sample:
            return "thelook-events"
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
        columns = {c.strip().strip('"') for c in first_line.decode("utf-8", "replace").split(",")}
        if (
            "original_total_set_shop_amount" in columns
            or {"order_id", "fulfillable_quantity"} <= columns
        ):
            return "shopify-fivetran-lines"
        if "_fivetran_synced" in columns and columns & {"total_line_items_price", "currency_code"}:
            return "shopify-fivetran"
        if {"id", "customer_id", "amount"} <= columns:
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
    lines_without_order: int = 0
    """Lines kept whose order is not in the store (yet): no figure counts them until it is."""
    events_read: int = 0
    events_new: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "kind": self.kind,
            "orders_read": self.orders_read,
            "orders_new": self.orders_new,
            "lines_read": self.lines_read,
            "lines_without_order": self.lines_without_order,
            "events_read": self.events_read,
            "events_new": self.events_new,
        }


def _arrow(table: StoreTable, rows: list[dict[str, Any]]) -> pa.Table:
    schema = table.arrow_schema
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)


_CUSTOMER_TYPES: Final = """
CREATE OR REPLACE TEMP TABLE ecr_types AS
SELECT t.source, t.order_id, t.kind FROM (
  SELECT source, order_id,
    CASE WHEN customer_id IS NULL THEN 'unknown'
         WHEN row_number() OVER (
           PARTITION BY source, customer_id ORDER BY placed_at, order_id) = 1
         THEN 'new' ELSE 'returning' END AS kind
  FROM orders
  WHERE {scope}
) t JOIN orders o ON o.source = t.source AND o.order_id = t.order_id
WHERE o.customer_type IS DISTINCT FROM t.kind
"""
"""Whether each order is its customer's first: recomputed for the customers a load touched,
the orders whose type changes kept apart (their days are recomputed in the day tables)."""


def _set_customer_types(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    con.execute(_CUSTOMER_TYPES.format(scope=scope))
    con.execute(
        "UPDATE orders SET customer_type = t.kind FROM ecr_types t "
        "WHERE orders.source = t.source AND orders.order_id = t.order_id"
    )
    daily.touch_orders(con, "ecr_types")
    con.execute("DROP TABLE ecr_types")


_SOURCE_CATEGORIES: Final = frozenset(
    {
        "SOURCE_CATEGORY_SEARCH",
        "SOURCE_CATEGORY_SOCIAL",
        "SOURCE_CATEGORY_SHOPPING",
        "SOURCE_CATEGORY_VIDEO",
    }
)


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _as_utf8(path: Path, data: bytes, encoding: str) -> bytes:
    """``data`` as UTF-8, read in ``encoding``; an unknown name or a bad byte is a StoreError."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise StoreError(f"--encoding: unknown encoding {encoding!r}") from None
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = "; try --encoding cp1252 or latin-1" if name == "utf-8" else ""
        raise StoreError(
            f"{path}:{line}: not {encoding} (byte {data[exc.start]:#04x}){hint}"
        ) from None
    return data if name == "utf-8" else text.encode("utf-8")


class AnalyticsStore:
    """A DuckDB file holding the canonical tables; see the module docstring."""

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        read_only: bool = False,
        memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
    ) -> None:
        """Open (or create) the store; ``memory_limit`` caps DuckDB's memory (``"1GB"``).

        DuckDB spills what does not fit to a temporary folder next to the
        file. ``None`` leaves DuckDB's own cap, 80% of the machine's memory:
        at ten million events that doubled the process's peak memory for no
        measurable gain in time (ADR 0080).
        """
        self.path = str(path)
        config: dict[str, str | bool | int | float | list[str]] = {}
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        try:
            self.con = duckdb.connect(self.path, read_only=read_only, config=config)
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot open the analytics store: {exc}") from None
        try:
            self._schema(read_only)
        except duckdb.Error as exc:
            self.con.close()
            raise StoreError(f"{self.path}: not an analytics store: {exc}") from None

    def _schema(self, read_only: bool) -> None:
        """Create the tables, or add the columns a store made by an earlier version lacks."""
        missing: list[str] = []
        for table in TABLES:
            present = {
                row[0]
                for row in self.con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                    [table.name],
                ).fetchall()
            }
            if not present:
                missing.append(table.name)
                if not read_only:
                    self.con.execute(table.create_sql())
                continue
            for column in table.columns:
                if column.name not in present:
                    missing.append(f"{table.name}.{column.name}")
                    if not read_only:
                        self.con.execute(
                            f"ALTER TABLE {table.name} ADD COLUMN {column.name} {column.sql_type}"
                        )
                        if column.name == "customer_type":
                            self.refresh_customer_types()
        if (
            read_only
            and not self.con.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_name = 'source_categories'"
            ).fetchall()
        ):
            missing.append("source_categories")
        if read_only and missing:
            raise StoreError(
                f"{self.path}: made by an earlier version (no {', '.join(missing)}): "
                "load into it once to bring it up to date"
            )
        if not read_only:
            if daily.create(self.con):
                self.con.execute("BEGIN")
                daily.refresh(self.con, everything=True)
                self.con.execute("COMMIT")
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS applied_refunds "
                "(source VARCHAR, order_id VARCHAR, refund_key VARCHAR)"
            )
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS source_categories (source VARCHAR, category VARCHAR)"
            )

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
        """Recompute every order's ``customer_type`` and the day tables (after SQL writes).

        A load keeps both up to date; rows written to ``orders`` or
        ``order_lines`` by SQL need this call before the sales cube reads them.
        """
        con = self.con
        con.execute("BEGIN")
        try:
            daily.start_touched(con)
            _set_customer_types(con, "TRUE")
            if daily.present(con):
                daily.refresh(con, everything=True)
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(f"{self.path}: cannot refresh: {exc}") from None

    # --- loading -----------------------------------------------------------------------

    def _read(
        self,
        path: Path,
        kinds: Mapping[str, Callable[[bytes, str, dt.datetime | None], Batch]],
        kind: str | None,
        undated: dt.datetime | None,
        encoding: str = "utf-8",
    ) -> tuple[str, Batch]:
        data = _as_utf8(path, path.read_bytes(), encoding)
        if not data.strip():
            raise StoreError(f"{path}: empty file")
        chosen = kind or detect_kind(data, str(path))
        if chosen not in kinds:
            raise StoreError(f"{path}: {chosen!r} is not one of {', '.join(sorted(kinds))}")
        return chosen, kinds[chosen](data, str(path), undated)

    def load_sales(
        self,
        erp: SalesSource,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        name: str = "tryton",
    ) -> LoadResult:
        """Load the sales an ERP adapter gives (``TrytonAdapter.sales``) as orders of ``name``.

        Confirmed, processing and done sales with their product lines, amounts
        before tax; a sale loaded again is replaced, as an order file's is.
        """
        from ecomrules.analytics.readers.erp import read_erp_sales

        where = f"{name} sales"
        batch = read_erp_sales(erp.sales(since, until), source=name, where=where)
        return self.add_orders(batch, source=where, kind=name)

    def load_orders(
        self,
        path: str | Path,
        *,
        kind: str | None = None,
        undated: dt.datetime | None = None,
        encoding: str = "utf-8",
    ) -> LoadResult:
        """Load an order export; returns what was read and what was new.

        ``encoding`` is the file's text encoding (a shop's CSV export may be
        ``cp1252``); the file is read in it, a byte it cannot decode refused
        with its line.
        """
        file = Path(path)
        chosen, batch = self._read(file, ORDER_KINDS, kind, undated, encoding)
        return self.add_orders(batch, source=str(file), kind=chosen)

    def add_orders(self, batch: Batch, *, source: str, kind: str) -> LoadResult:
        """Append the orders and lines of ``batch`` (an order seen again is replaced).

        Lines that come without their orders (Fivetran's ``order_line``,
        PrestaShop's ``order_detail``) are checked against the currency of
        their order in the store; refunds are applied once to their order.
        """
        if not batch.orders and (batch.refunds or any("_gross" in line for line in batch.lines)):
            return self._add_to_loaded_orders(batch, source=source, kind=kind)
        orders = _arrow(ORDERS, batch.orders)
        lines = _arrow(ORDER_LINES, batch.lines)
        con = self.con
        con.execute("BEGIN")
        try:
            con.register("staged_orders", orders)
            con.register("staged_lines", lines)
            daily.start_touched(con)
            daily.touch_orders(con, "staged_orders")
            daily.touch_orders(con, "staged_lines")
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
            _set_customer_types(
                con,
                "(source, customer_id) IN "
                "(SELECT (source, customer_id) FROM staged_orders) OR customer_id IS NULL",
            )
            daily.touch_orders(con, "staged_orders")
            daily.touch_orders(con, "staged_lines")
            daily.refresh(con)
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

    def _currencies(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
        self.con.register(
            "ecr_wanted",
            pa.table({"source": [k[0] for k in keys], "order_id": [k[1] for k in keys]}),
        )
        try:
            rows = self.con.execute(
                "SELECT o.source, o.order_id, o.currency FROM orders o "
                "SEMI JOIN ecr_wanted w ON w.source = o.source AND w.order_id = o.order_id"
            ).fetchall()
        finally:
            self.con.unregister("ecr_wanted")
        return {(s, o): c for s, o, c in rows}

    def _add_to_loaded_orders(self, batch: Batch, *, source: str, kind: str) -> LoadResult:
        problems = Problems(source)
        keys = {(r["source"], r["order_id"]) for r in (*batch.lines, *batch.refunds)}
        currencies = self._currencies(keys)

        def exact(value: object, currency: str, where: str, name: str) -> Decimal:
            if value is None or value == "":
                return Decimal(0)
            try:
                return amount(value, currency, exact=True)
            except EcomrulesError as exc:
                problems.items.append(f"{where}: {name}: {exc}")
                return Decimal(0)

        lines = []
        orphans = 0
        for line in batch.lines:
            currency = currencies.get((line["source"], line["order_id"]))
            if currency is None and line.get("_currency"):
                currency = str(line["_currency"]).upper()  # kept, reported: its order is missing
                orphans += 1
            if currency is None:
                problems.items.append(
                    f"{line['_where']}: order {line['order_id']!r} is not in the store: "
                    "load the orders first"
                )
                continue
            raw = line["_gross"]
            if isinstance(raw, tuple):  # (unit price, quantity)
                gross = exact(raw[0], currency, line["_where"], "price") * raw[1]
            else:
                gross = exact(raw, currency, line["_where"], "total")
            clean = {k: v for k, v in line.items() if not k.startswith("_")}
            clean["gross"] = gross
            clean["discount"] = exact(line["_discount"], currency, line["_where"], "discount")
            clean["refunded"] = Decimal(0)
            lines.append(clean)
        refunds = []
        for refund in batch.refunds:
            currency = currencies.get((refund["source"], refund["order_id"]))
            if currency is None:
                problems.items.append(
                    f"{refund['where']}: order {refund['order_id']!r} is not in the store: "
                    "load the orders first"
                )
                continue
            raw = refund["amount"]
            if isinstance(raw, tuple):  # (line price, quantity refunded)
                value = exact(raw[0], currency, refund["where"], "price") * raw[1]
            else:
                value = exact(raw, currency, refund["where"], "subtotal")
            key = f"{refund['order_id']}/{refund['line_item_id']}/{value}"
            refunds.append((refund["source"], refund["order_id"], key, value))
        problems.raise_if_any()
        con = self.con
        con.execute("BEGIN")
        try:
            daily.start_touched(con)
            if lines:
                con.register("staged_lines", _arrow(ORDER_LINES, lines))
                daily.touch_orders(con, "staged_lines")
                con.execute(
                    "DELETE FROM order_lines WHERE (source, order_id) IN "
                    "(SELECT (source, order_id) FROM staged_lines)"
                )
                con.execute("INSERT INTO order_lines SELECT * FROM staged_lines")
                con.unregister("staged_lines")
            for source_name, order_id, key, value in refunds:
                fresh = con.execute(
                    "INSERT INTO applied_refunds SELECT ?, ?, ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM applied_refunds WHERE source = ? AND refund_key = ?) "
                    "RETURNING refund_key",
                    [source_name, order_id, key, source_name, key],
                ).fetchall()
                if fresh:
                    con.execute(
                        "UPDATE orders SET refunded = refunded + ? "
                        "WHERE source = ? AND order_id = ?",
                        [value, source_name, order_id],
                    )
                    con.execute(
                        f"INSERT INTO {daily.TOUCHED} SELECT source, CAST(placed_at AS DATE) "
                        "FROM orders WHERE source = ? AND order_id = ?",
                        [source_name, order_id],
                    )
            daily.refresh(con)
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(f"{source}: cannot load: {exc}") from None
        return LoadResult(source, kind, lines_read=len(lines), lines_without_order=orphans)

    def load_source_categories(self, path: str | Path) -> int:
        """Replace the source categories of the channel grouping (``source,source_category``).

        The file is GA4's list of sites by category, as published in its
        default channel group documentation (``SOURCE_CATEGORY_SEARCH``,
        ``_SOCIAL``, ``_SHOPPING``, ``_VIDEO``); returns the number of sources.
        """
        file = Path(path)
        problems = Problems(str(file))
        rows: dict[str, str] = {}
        try:
            text = file.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise StoreError(f"{file}: not UTF-8 at byte {exc.start}") from None
        lines = text.splitlines()
        if not lines or [c.strip() for c in lines[0].split(",")] != ["source", "source_category"]:
            raise StoreError(f"{file}:1: the header must be 'source,source_category'")
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            source, _, category = line.partition(",")
            category = category.strip()
            if category not in _SOURCE_CATEGORIES:
                problems.add(
                    f"{number}",
                    f"column 'source_category': {category!r} is not one of "
                    f"{', '.join(sorted(_SOURCE_CATEGORIES))}",
                )
                continue
            rows[source.strip().lower()] = category
        problems.raise_if_any()
        self.con.execute("BEGIN")
        self.con.execute("DELETE FROM source_categories")
        if rows:
            self.con.executemany("INSERT INTO source_categories VALUES (?, ?)", list(rows.items()))
        self.con.execute("COMMIT")
        return len(rows)

    def load_events(
        self,
        path: str | Path,
        *,
        kind: str | None = None,
        undated: dt.datetime | None = None,
        encoding: str = "utf-8",
    ) -> LoadResult:
        """Load a web-analytics export; events already in the store are not added again.

        GA4 Parquet and UTF-8 NDJSON go through the SQL mapping; a text file
        in another ``encoding`` is read through the Python reader.
        """
        file = Path(path)
        from ecomrules.analytics.ga4_sql import bulk_kind, load_ga4_bulk

        bulk = bulk_kind(file)
        if kind in (None, "ga4") and (
            bulk == "parquet" or (bulk == "ndjson" and _is_utf8(encoding))
        ):
            read, new = load_ga4_bulk(self.con, file)
            return LoadResult(str(file), "ga4", events_read=read, events_new=new)
        chosen, batch = self._read(file, EVENT_KINDS, kind, undated, encoding)
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
