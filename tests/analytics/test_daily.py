"""The sales cube's day tables: the answer they give is the lines' answer, exactly.

A small store is loaded by a random sequence of exports (orders seen again
with another day, status or customer, the same export twice, refunds and lines
of orders already loaded), then random cube queries are asked twice: from the
day tables and from the lines (``pre_aggregated=False``). Both must be equal,
``Decimal`` for ``Decimal``; and the day tables kept load by load must equal
the ones rebuilt from scratch.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomrules.analytics import AnalyticsStore, daily, sales
from ecomrules.analytics.names import PERIODS, SALES_DIMENSIONS
from ecomrules.analytics.readers.common import Batch

DAYS = (
    dt.datetime(2025, 2, 27, 23, 30),
    dt.datetime(2026, 1, 31, 8, 0),
    dt.datetime(2026, 2, 1, 0, 0),
    dt.datetime(2026, 2, 27, 12, 0),
    dt.datetime(2026, 3, 2, 18, 45),
    dt.datetime(2026, 4, 1, 9, 0),
)
CATEGORIES = ("Games", "Books", "Toys", None)
ORDER_IDS = tuple(f"O{i}" for i in range(12))

_money = st.integers(min_value=0, max_value=50_000).map(lambda c: Decimal(c).scaleb(-2))
_small = st.integers(min_value=0, max_value=2_000).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def orders(draw: st.DrawFn, order_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    source = draw(st.sampled_from(("shop", "pos")))
    currency = draw(st.sampled_from(("EUR", "EUR", "CHF")))
    cancelled = draw(st.booleans())
    lines = []
    for number in range(1, draw(st.integers(min_value=0, max_value=4)) + 1):
        lines.append(
            {
                "source": source,
                "order_id": order_id,
                "line_no": number,
                "sku": draw(st.sampled_from(("G1", "B1", "T1"))),
                "product": None,
                "category": draw(st.sampled_from(CATEGORIES)),
                "quantity": draw(st.integers(min_value=1, max_value=5)),
                "gross": draw(_money),
                "discount": draw(_small),
                "refunded": draw(st.sampled_from((Decimal(0), Decimal("5.00")))),
            }
        )
    order = {
        "source": source,
        "order_id": order_id,
        "transaction_id": None,
        "placed_at": draw(st.sampled_from(DAYS)),
        "currency": currency,
        "customer_id": draw(st.sampled_from(("C1", "C2", "C3", None))),
        "channel": draw(st.sampled_from(("web", "pos", None))),
        "country": draw(st.sampled_from(("FR", "DE", None))),
        "payment_method": draw(st.sampled_from(("card", "paypal"))),
        "status": "cancelled" if cancelled else draw(st.sampled_from(("paid", "refunded"))),
        "gross": sum((line["gross"] for line in lines), Decimal(0)),
        "discount": draw(_small),
        "shipping": draw(_small),
        "tax": draw(_small),
        "refunded": draw(st.sampled_from((Decimal(0), Decimal("5.00")))),
        "cancelled": cancelled,
        "customer_type": None,
    }
    return order, lines


@st.composite
def exports(draw: st.DrawFn) -> Batch:
    """One order export: some orders (maybe seen before, maybe changed) with their lines."""
    chosen = draw(st.lists(st.sampled_from(ORDER_IDS), min_size=1, max_size=6, unique=True))
    batch = Batch("test")
    for order_id in chosen:
        order, lines = draw(orders(order_id))
        batch.orders.append(order)
        batch.lines.extend(lines)
    return batch


@st.composite
def later_changes(draw: st.DrawFn, loaded: list[dict[str, Any]]) -> Batch:
    """Refunds of loaded orders, or their lines sent again apart (Fivetran's order_line)."""
    picked = draw(st.lists(st.sampled_from(loaded), min_size=1, max_size=3))
    batch = Batch("test")
    if draw(st.booleans()):
        for order in picked:
            batch.refunds.append(
                {
                    "source": order["source"],
                    "order_id": order["order_id"],
                    "line_item_id": draw(st.sampled_from(("1", "2"))),
                    "amount": str(draw(_small)),
                    "where": "test:refund",
                }
            )
    else:
        for order in {(o["source"], o["order_id"]): o for o in picked}.values():
            for number in range(1, draw(st.integers(min_value=1, max_value=3)) + 1):
                batch.lines.append(
                    {
                        "source": order["source"],
                        "order_id": order["order_id"],
                        "line_no": number,
                        "sku": "X1",
                        "product": None,
                        "category": draw(st.sampled_from(CATEGORIES)),
                        "quantity": draw(st.integers(min_value=1, max_value=3)),
                        "_where": "test:line",
                        "_currency": order["currency"],
                        "_gross": str(draw(_money)),
                        "_discount": "0",
                    }
                )
    return batch


_DIMENSIONS = tuple(d for d in SALES_DIMENSIONS if d not in (*PERIODS, "product", "sku"))
"""What the day tables keep besides the day: the order dimensions and the category."""
_VALUES = {
    "channel": ("web", "pos", "none"),
    "country": ("FR", "DE"),
    "payment_method": ("card", "paypal"),
    "customer_type": ("new", "returning", "unknown"),
    "source": ("shop", "pos"),
    "status": ("paid", "refunded", "cancelled"),
    "category": ("Games", "Books", "Toys"),
    "currency": ("EUR", "CHF"),
    "month": ("2026-02-01", "2025-02-01"),
    "day": ("2026-02-27", "2026-03-02"),
}


@st.composite
def queries(draw: st.DrawFn) -> dict[str, Any]:
    period = draw(st.sampled_from(("", "day", "week", "month", "quarter", "year")))
    dims = draw(st.lists(st.sampled_from(_DIMENSIONS), max_size=2, unique=True))
    names = draw(st.lists(st.sampled_from(sorted(_VALUES)), max_size=2, unique=True))
    filters = {
        name: draw(st.lists(st.sampled_from(_VALUES[name]), min_size=1, max_size=2))
        for name in names
    }
    window = draw(
        st.sampled_from(
            (
                (None, None),
                (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
                (dt.date(2026, 1, 31), None),
            )
        )
    )
    return {
        "by": tuple(([period] if period else []) + dims),
        "filters": filters,
        "date_from": window[0],
        "date_to": window[1],
    }


def _day_rows(store: AnalyticsStore) -> list[list[tuple[Any, ...]]]:
    return [
        store.con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in (daily.ORDER_TABLE, daily.CATEGORY_TABLE)
    ]


def _rebuilt(store: AnalyticsStore) -> list[list[tuple[Any, ...]]]:
    store.con.execute("BEGIN")
    daily.refresh(store.con, everything=True)
    rows = _day_rows(store)
    store.con.execute("ROLLBACK")
    return rows


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_the_day_tables_answer_exactly_as_the_lines(data: st.DataObject) -> None:
    with AnalyticsStore() as store:
        loaded: list[dict[str, Any]] = []
        for _ in range(data.draw(st.integers(min_value=1, max_value=4), label="loads")):
            if loaded and data.draw(st.booleans(), label="change loaded orders"):
                batch = data.draw(later_changes(loaded))
            else:
                batch = data.draw(exports())
                loaded.extend(batch.orders)
            store.add_orders(batch, source="test", kind="test")
            if data.draw(st.booleans(), label="load it again"):
                before = _day_rows(store)
                store.add_orders(batch, source="test", kind="test")
                if batch.orders:
                    assert _day_rows(store) == before
            assert _day_rows(store) == _rebuilt(store)
        for _ in range(4):
            query = data.draw(queries())
            kept = daily.table_for(store.con, query["by"], query["filters"], False)
            several = len(set(query["filters"].get("category", ()))) > 1
            assert (kept is None) == (several and "category" not in query["by"])
            assert sales(store.con, **query) == sales(store.con, **query, pre_aggregated=False)


def _store() -> AnalyticsStore:
    store = AnalyticsStore()
    batch = Batch("test")
    batch.orders.append(
        {
            "source": "shop",
            "order_id": "A1",
            "placed_at": dt.datetime(2026, 2, 3, 10, 0),
            "currency": "EUR",
            "customer_id": "C1",
            "status": "paid",
            "gross": Decimal("50.00"),
            "discount": Decimal(0),
            "shipping": Decimal(0),
            "tax": Decimal("10.00"),
            "refunded": Decimal(0),
            "cancelled": False,
        }
    )
    for number, (category, gross) in enumerate((("Games", "30.00"), ("Books", "20.00")), 1):
        batch.lines.append(
            {
                "source": "shop",
                "order_id": "A1",
                "line_no": number,
                "category": category,
                "quantity": 1,
                "gross": Decimal(gross),
                "discount": Decimal(0),
                "refunded": Decimal(0),
            }
        )
    store.add_orders(batch, source="test", kind="test")
    return store


def test_the_cube_reads_the_day_tables_when_they_cover_the_query() -> None:
    with _store() as store:
        store.con.execute(f"UPDATE {daily.ORDER_TABLE} SET gross = gross + 1")
        store.con.execute(f"UPDATE {daily.CATEGORY_TABLE} SET gross = gross + 1")
        by_month = sales(store.con, by=("month",))
        assert by_month.rows[0].gross == Decimal("51.00")
        assert sales(store.con, by=("month",), pre_aggregated=False).rows[0].gross == Decimal(
            "50.00"
        )
        assert [r.gross for r in sales(store.con, by=("category",)).rows] == [
            Decimal("21.00"),
            Decimal("31.00"),
        ]
        # Two categories pooled in one group, or a product, are read from the lines.
        pooled = sales(store.con, by=("month",), filters={"category": ["Games", "Books"]})
        assert (pooled.rows[0].orders, pooled.rows[0].gross) == (1, Decimal("50.00"))
        assert sales(store.con, by=("sku",)).rows[0].gross == Decimal("50.00")


def test_an_order_in_two_categories_counts_once_in_each() -> None:
    with _store() as store:
        rows = sales(store.con, by=("category",)).rows
        assert [(dict(r.group)["category"], r.orders, r.average_order) for r in rows] == [
            ("Books", 1, Decimal("20.00")),
            ("Games", 1, Decimal("30.00")),
        ]
        (total,) = sales(store.con, by=("month",)).rows
        assert (total.orders, total.average_order, total.tax) == (
            1,
            Decimal("50.00"),
            Decimal("10.00"),
        )


def test_a_store_without_day_tables_gets_them_when_opened_for_writing(tmp_path: Any) -> None:
    path = tmp_path / "old.duckdb"
    with _store() as store:
        store.con.execute(f"ATTACH '{path}' AS old")
        store.con.execute("COPY FROM DATABASE memory TO old")
        store.con.execute(f"DROP TABLE old.{daily.ORDER_TABLE}")
        store.con.execute(f"DROP TABLE old.{daily.CATEGORY_TABLE}")
        store.con.execute("DETACH old")
    with AnalyticsStore(path, read_only=True) as old:
        assert daily.table_for(old.con, ("month",), {}, False) is None
        assert sales(old.con, by=("category",)).rows[0].orders == 1
    with AnalyticsStore(path) as opened:
        assert daily.table_for(opened.con, ("month",), {}, False) == daily.ORDER_TABLE
        assert opened.con.execute(f"SELECT count(*) FROM {daily.CATEGORY_TABLE}").fetchall() == [
            (2,)
        ]


@pytest.mark.parametrize("converted", [True, False])
def test_rates_read_the_lines(converted: bool) -> None:
    with _store() as store:
        table = daily.table_for(store.con, ("month",), {}, converted)
        assert (table is None) == converted
