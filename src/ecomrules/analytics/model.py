"""The analytics store's canonical tables: one definition per table.

Every reader, whatever the shop or web-analytics tool it reads, produces rows of
these three tables; the DuckDB schema, the pyarrow schema the rows are loaded
through and the documentation table all come from the definitions below.

Money columns are ``DECIMAL(18, 3)``: exact, summed exactly by the engine, and
wide enough for every ISO 4217 currency's minor units (at most three). Readers
quantize to the currency's minor units with an explicit rounding rule before a
row is built (:func:`ecomrules.analytics.readers.common.amount`).
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa
from attrs import frozen

from ecomrules.analytics.names import STEPS

__all__ = [
    "EVENTS",
    "ORDERS",
    "ORDER_LINES",
    "STEPS",
    "StoreColumn",
    "StoreTable",
]

MONEY_SQL: Final = "DECIMAL(18, 3)"
_MONEY_ARROW: Final = pa.decimal128(18, 3)

_TYPES: Final[dict[str, tuple[str, pa.DataType]]] = {
    "text": ("VARCHAR", pa.string()),
    "money": (MONEY_SQL, _MONEY_ARROW),
    "int": ("BIGINT", pa.int64()),
    "bool": ("BOOLEAN", pa.bool_()),
    "timestamp": ("TIMESTAMP", pa.timestamp("us")),
}


@frozen
class StoreColumn:
    """One column of a canonical table: name, kind and meaning (for the docs)."""

    name: str
    kind: str
    meaning: str
    required: bool = False
    compressed: bool = True
    """``False`` stores the column as it is: for values no compression shrinks much."""

    @property
    def sql_type(self) -> str:
        return _TYPES[self.kind][0]

    @property
    def arrow_type(self) -> pa.DataType:
        return _TYPES[self.kind][1]


@frozen
class StoreTable:
    """A canonical table: its columns and the columns that identify a row."""

    name: str
    columns: tuple[StoreColumn, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.arrow_type, nullable=not c.required) for c in self.columns]
        )

    def create_sql(self) -> str:
        cols = ",\n  ".join(
            f"{c.name} {c.sql_type}{' NOT NULL' if c.required else ''}"
            f"{'' if c.compressed else ' USING COMPRESSION uncompressed'}"
            for c in self.columns
        )
        # No PRIMARY KEY: loads keep ``key`` unique themselves (an anti-join), which
        # costs no index memory on ten million events.
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  {cols}\n)"


ORDERS: Final = StoreTable(
    "orders",
    (
        StoreColumn(
            "source", "text", "where the order comes from (`shopify`, `woocommerce`, ...)", True
        ),
        StoreColumn("order_id", "text", "the shop's order id", True),
        StoreColumn("transaction_id", "text", "the id the web analytics records for the purchase"),
        StoreColumn("placed_at", "timestamp", "when the order was placed, UTC", True),
        StoreColumn("currency", "text", "ISO 4217 code", True),
        StoreColumn(
            "customer_id", "text", "the buyer (id or hashed e-mail); new vs returning comes from it"
        ),
        StoreColumn("channel", "text", "sales channel (web, pos, marketplace, ...)"),
        StoreColumn("country", "text", "billing or shipping country"),
        StoreColumn("payment_method", "text", "payment method or gateway"),
        StoreColumn("status", "text", "the shop's order status"),
        StoreColumn("gross", "money", "merchandise before discounts, tax excluded", True),
        StoreColumn("discount", "money", "discounts granted on the order", True),
        StoreColumn("shipping", "money", "shipping charged", True),
        StoreColumn("tax", "money", "tax charged (kept apart from revenue)", True),
        StoreColumn("refunded", "money", "merchandise refunded since", True),
        StoreColumn("cancelled", "bool", "cancelled: counted apart, no revenue", True),
        StoreColumn(
            "customer_type",
            "text",
            "`new` (the customer's first order of the source), `returning` or `unknown`; "
            "set by the store at each load",
        ),
    ),
    ("source", "order_id"),
)

ORDER_LINES: Final = StoreTable(
    "order_lines",
    (
        StoreColumn("source", "text", "as the order", True),
        StoreColumn("order_id", "text", "the order", True),
        StoreColumn("line_no", "int", "position in the order, from 1", True),
        StoreColumn("sku", "text", "the product's sku or id"),
        StoreColumn("product", "text", "product name"),
        StoreColumn("category", "text", "product category"),
        StoreColumn("quantity", "int", "units ordered", True),
        StoreColumn("gross", "money", "line total before discounts, tax excluded", True),
        StoreColumn("discount", "money", "discount on the line", True),
        StoreColumn("refunded", "money", "refunded on the line", True),
    ),
    ("source", "order_id", "line_no"),
)

EVENTS: Final = StoreTable(
    "events",
    (
        StoreColumn("source", "text", "`ga4`, `ua`, `matomo` or `snowplow`", True),
        StoreColumn(
            "event_key",
            "text",
            "identity of the event in its source (loads dedupe on it)",
            True,
            # GA4's keys are md5 digests: compressing them halves their size and
            # costs an eighth of a load's time (ADR 0080).
            compressed=False,
        ),
        StoreColumn("session_key", "text", "the visit", True),
        StoreColumn("user_key", "text", "the visitor (pseudonymous id)"),
        StoreColumn("ts", "timestamp", "when the event happened, UTC", True),
        StoreColumn("event_name", "text", "the source's own event name", True),
        StoreColumn("step", "text", "canonical funnel step (see below), or empty"),
        StoreColumn("traffic_source", "text", "source of the visit (`google`, `(direct)`, ...)"),
        StoreColumn("medium", "text", "medium of the visit (`cpc`, `organic`, ...)"),
        StoreColumn("campaign", "text", "campaign name"),
        StoreColumn(
            "gclid", "bool", "the landing carried a paid-click id (gclid, dclid, ...)", True
        ),
        StoreColumn("device", "text", "device category (desktop, mobile, tablet)"),
        StoreColumn("country", "text", "country of the visit"),
        StoreColumn("transaction_id", "text", "order id of a purchase event"),
        StoreColumn(
            "revenue", "money", "revenue of a purchase event, or cart value of an abandoned cart"
        ),
        StoreColumn("currency", "text", "currency of `revenue`"),
    ),
    ("source", "event_key"),
)

TABLES: Final = (ORDERS, ORDER_LINES, EVENTS)
