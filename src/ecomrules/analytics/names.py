"""The names the analytics API and CLI accept, importable without DuckDB or pyarrow.

The command line builds its help from these at start-up; the heavy modules
load only when a command runs.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "EVENT_KIND_NAMES",
    "FUNNEL_DIMENSIONS",
    "ORDER_KIND_NAMES",
    "PERIODS",
    "SALES_DIMENSIONS",
    "STEPS",
]

STEPS: Final = (
    "session_start",
    "view_item",
    "add_to_cart",
    "begin_checkout",
    "add_payment_info",
    "purchase",
)
"""The canonical funnel steps every event source is mapped to (``step`` column)."""

PERIODS: Final = ("day", "week", "month", "quarter", "year")

SALES_DIMENSIONS: Final = (
    *PERIODS,
    "product",
    "sku",
    "category",
    "channel",
    "country",
    "payment_method",
    "customer_type",
    "source",
    "status",
)
"""What ``sales`` groups and filters by (``currency`` is always a key)."""

FUNNEL_DIMENSIONS: Final = (
    *PERIODS,
    "source",
    "medium",
    "source_medium",
    "campaign",
    "channel",
    "device",
    "country",
    "tool",
)
"""What ``funnel`` groups and filters by (``tool`` is the analytics source: ga4, matomo, ...)."""

ORDER_KIND_NAMES: Final = (
    "sales-csv",
    "orders-csv",
    "shopify",
    "shopify-csv",
    "woocommerce",
    "prestashop",
    "prestashop-lines",
    "shopify-fivetran",
    "shopify-fivetran-lines",
    "shopify-refund",
    "unicommerce",
    "thelook",
)
"""Kinds of order export (``ecomrules analytics load orders --kind``)."""

EVENT_KIND_NAMES: Final = ("ga4", "ua", "matomo", "snowplow", "shopify-checkouts", "thelook-events")
"""Kinds of web-analytics export (``ecomrules analytics load events --kind``)."""
