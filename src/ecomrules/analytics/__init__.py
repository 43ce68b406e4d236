"""Sales analytics and the conversion funnel, on an embedded DuckDB store.

Load a shop's orders (the project's ``sales.csv``, Shopify, WooCommerce,
PrestaShop) and its web analytics (GA4, Universal Analytics 360, Matomo,
Snowplow) into one store, then ask the three questions a back office asks:
what sold (:func:`sales`), where buyers drop out (:func:`funnel`), and whether
the web and the books agree (:func:`gaps`). ``ecomrules analytics`` is the
command line over the same API; :mod:`ecomrules.analytics.report` draws the charts.

The names below load on first use, so that ``import ecomrules.analytics.names``
(the command line's help) costs no DuckDB import.

>>> from ecomrules.analytics import AnalyticsStore, sales
>>> with AnalyticsStore() as store:
...     sales(store.con, by=("month",)).rows
()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ecomrules.analytics.names import FUNNEL_DIMENSIONS, SALES_DIMENSIONS, STEPS

if TYPE_CHECKING:
    from ecomrules.analytics.model import EVENTS, ORDER_LINES, ORDERS
    from ecomrules.analytics.queries import (
        FunnelResult,
        FunnelRow,
        GapsResult,
        SalesResult,
        SalesRow,
        funnel,
        gaps,
        sales,
    )
    from ecomrules.analytics.store import (
        EVENT_KINDS,
        ORDER_KINDS,
        AnalyticsStore,
        LoadResult,
        StoreError,
        default_store_path,
    )

_LAZY = {
    "EVENTS": "model",
    "ORDERS": "model",
    "ORDER_LINES": "model",
    "FunnelResult": "queries",
    "FunnelRow": "queries",
    "GapsResult": "queries",
    "SalesResult": "queries",
    "SalesRow": "queries",
    "funnel": "queries",
    "gaps": "queries",
    "sales": "queries",
    "EVENT_KINDS": "store",
    "ORDER_KINDS": "store",
    "AnalyticsStore": "store",
    "LoadResult": "store",
    "StoreError": "store",
    "default_store_path": "store",
}

__all__ = [
    "EVENTS",
    "EVENT_KINDS",
    "FUNNEL_DIMENSIONS",
    "ORDERS",
    "ORDER_KINDS",
    "ORDER_LINES",
    "SALES_DIMENSIONS",
    "STEPS",
    "AnalyticsStore",
    "FunnelResult",
    "FunnelRow",
    "GapsResult",
    "LoadResult",
    "SalesResult",
    "SalesRow",
    "StoreError",
    "default_store_path",
    "funnel",
    "gaps",
    "sales",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ecomrules.analytics' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ecomrules.analytics.{module}"), name)
