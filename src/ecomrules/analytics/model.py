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
    "Column",
    "Table",
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
class Column:
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
class Table:
    """A canonical table: its columns and the columns that identify a row."""

    name: str
    columns: tuple[Column, ...]
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


ORDERS: Final = Table(
    "orders",
    (
        Column(
            "source", "text", "where the order comes from (`shopify`, `woocommerce`, ...)", True
        ),
        Column("order_id", "text", "the shop's order id", True),
        Column("transaction_id", "text", "the id the web analytics records for the purchase"),
        Column("placed_at", "timestamp", "when the order was placed, UTC", True),
        Column("currency", "text", "ISO 4217 code", True),
        Column(
            "customer_id", "text", "the buyer (id or hashed e-mail); new vs returning comes from it"
        ),
        Column("channel", "text", "sales channel (web, pos, marketplace, ...)"),
        Column("country", "text", "billing or shipping country"),
        Column("payment_method", "text", "payment method or gateway"),
        Column("status", "text", "the shop's order status"),
        Column("gross", "money", "merchandise before discounts, tax excluded", True),
        Column("discount", "money", "discounts granted on the order", True),
        Column("shipping", "money", "shipping charged", True),
        Column("tax", "money", "tax charged (kept apart from revenue)", True),
        Column("refunded", "money", "merchandise refunded since", True),
        Column("cancelled", "bool", "cancelled: counted apart, no revenue", True),
        Column(
            "customer_type",
            "text",
            "`new` (the customer's first order of the source), `returning` or `unknown`; "
            "set by the store at each load",
        ),
    ),
    ("source", "order_id"),
)

ORDER_LINES: Final = Table(
    "order_lines",
    (
        Column("source", "text", "as the order", True),
        Column("order_id", "text", "the order", True),
        Column("line_no", "int", "position in the order, from 1", True),
        Column("sku", "text", "the product's sku or id"),
        Column("product", "text", "product name"),
        Column("category", "text", "product category"),
        Column("quantity", "int", "units ordered", True),
        Column("gross", "money", "line total before discounts, tax excluded", True),
        Column("discount", "money", "discount on the line", True),
        Column("refunded", "money", "refunded on the line", True),
    ),
    ("source", "order_id", "line_no"),
)

EVENTS: Final = Table(
    "events",
    (
        Column("source", "text", "`ga4`, `ua`, `matomo` or `snowplow`", True),
        Column(
            "event_key",
            "text",
            "identity of the event in its source (loads dedupe on it)",
            True,
            # GA4's keys are md5 digests: compressing them halves their size and
            # costs an eighth of a load's time (ADR 0080).
            compressed=False,
        ),
        Column("session_key", "text", "the visit", True),
        Column("user_key", "text", "the visitor (pseudonymous id)"),
        Column("ts", "timestamp", "when the event happened, UTC", True),
        Column("event_name", "text", "the source's own event name", True),
        Column("step", "text", "canonical funnel step (see below), or empty"),
        Column("traffic_source", "text", "source of the visit (`google`, `(direct)`, ...)"),
        Column("medium", "text", "medium of the visit (`cpc`, `organic`, ...)"),
        Column("campaign", "text", "campaign name"),
        Column("gclid", "bool", "the landing carried a paid-click id (gclid, dclid, ...)", True),
        Column("device", "text", "device category (desktop, mobile, tablet)"),
        Column("country", "text", "country of the visit"),
        Column("transaction_id", "text", "order id of a purchase event"),
        Column(
            "revenue", "money", "revenue of a purchase event, or cart value of an abandoned cart"
        ),
        Column("currency", "text", "currency of `revenue`"),
    ),
    ("source", "event_key"),
)

TABLES: Final = (ORDERS, ORDER_LINES, EVENTS)
