"""The sales cube, the funnel and web against books, on rows whose answers are known."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ecomrules.analytics import AnalyticsStore, funnel, gaps, sales
from ecomrules.analytics.readers.common import Batch
from ecomrules.errors import ConfigError

HEADER = (
    "order_id,placed_at,currency,sku,category,quantity,unit_price,discount,tax,shipping,"
    "refunded,status,customer_id\n"
)
SALES = (
    HEADER
    + "A1,2026-03-02T10:00:00,EUR,G1,Games,2,30.00,6.00,10.80,0,0,paid,C1\n"
    + "A1,2026-03-02T10:00:00,EUR,B1,Books,1,20.00,0,4.00,0,20.00,paid,C1\n"
    + "A2,2026-03-15T10:00:00,EUR,G1,Games,1,30.00,0,6.00,4.90,0,paid,C2\n"
    + "A3,2026-03-20T10:00:00,EUR,G1,Games,1,30.00,0,6.00,0,0,cancelled,C3\n"
    + "A4,2026-04-03T10:00:00,EUR,B1,Books,3,20.00,0,12.00,0,0,paid,C1\n"
    + "A5,2026-04-04T10:00:00,CHF,B1,Books,1,22.00,0,0,0,0,paid,C9\n"
    + "A6,2025-03-10T10:00:00,EUR,G1,Games,1,30.00,0,6.00,0,0,paid,C7\n"
)


@pytest.fixture
def store(tmp_path: Path) -> AnalyticsStore:
    path = tmp_path / "sales.csv"
    path.write_text(SALES)
    opened = AnalyticsStore()
    opened.load_orders(path)
    return opened


def _row(result: Any, **group: str) -> Any:
    (row,) = [r for r in result.rows if dict(r.group) == group and r.currency == "EUR"]
    return row


def test_sales_by_month(store: AnalyticsStore) -> None:
    result = sales(store.con, by=("month",))
    march = _row(result, month="2026-03-01")
    # A1: 60 + 20 gross, 6 discount, 20 refunded; A2: 30; A3 cancelled
    assert (march.orders, march.cancelled, march.units) == (2, 1, 4)
    assert (march.gross, march.discount, march.refunded) == (
        Decimal("110.00"),
        Decimal("6.00"),
        Decimal("20.00"),
    )
    assert march.net == Decimal("84.00")
    assert march.tax == Decimal("20.80")
    assert march.shipping == Decimal("4.90")
    assert march.average_order == Decimal("42.00")
    assert (march.new_customers, march.returning_customers) == (2, 0)
    april = _row(result, month="2026-04-01")
    assert (april.net, april.returning_customers) == (Decimal("60.00"), 1)
    chf = [r for r in result.rows if r.currency == "CHF"]
    assert [r.net for r in chf] == [Decimal("22.00")]  # currencies stay apart


def test_sales_by_category_uses_the_lines(store: AnalyticsStore) -> None:
    result = sales(store.con, by=("category",))
    games, books = _row(result, category="Games"), _row(result, category="Books")
    assert games.net == Decimal("114.00")  # 54 + 30 + 30 (last year); the cancelled left out
    assert books.net == Decimal("60.00")  # 20 - 20 refunded + 60
    assert books.tax is None  # tax is not split per product


def test_filters_and_the_comparison(store: AnalyticsStore) -> None:
    result = sales(
        store.con,
        by=("month",),
        filters={"category": ["Games"]},
        date_from=dt.date(2026, 3, 1),
        date_to=dt.date(2026, 3, 31),
    )
    assert [r.net for r in result.rows] == [Decimal("84.00")]
    (eur,) = [c for c in result.comparison if c.currency == "EUR"]
    assert (eur.net, eur.previous_net, eur.last_year_net) == (
        Decimal("84.00"),
        Decimal("0.00"),
        Decimal("30.00"),
    )
    assert eur.change_vs_last_year == Decimal("1.8000")


def test_unknown_dimensions_are_config_errors(store: AnalyticsStore) -> None:
    with pytest.raises(ConfigError, match=r"\$\.by"):
        sales(store.con, by=("colour",))
    with pytest.raises(ConfigError, match="funnel order"):
        funnel(store.con, steps=("purchase", "view_item"))


def _event(session: str, step: str | None, minute: int, **extra: Any) -> dict[str, Any]:
    row = {
        "source": "ga4",
        "event_key": f"{session}-{minute}",
        "session_key": session,
        "user_key": session,
        "ts": dt.datetime(2026, 3, 2, 10, minute),
        "event_name": step or "page_view",
        "step": step,
        "traffic_source": None,
        "medium": None,
        "campaign": None,
        "gclid": False,
        "device": "mobile",
        "country": "France",
        "transaction_id": None,
        "revenue": None,
        "currency": None,
    }
    row.update(extra)
    return row


def _funnel_store() -> AnalyticsStore:
    store = AnalyticsStore()
    events = [
        _event("s1", "session_start", 0, traffic_source="google", medium="organic"),
        _event("s1", "view_item", 1),
        _event("s1", "add_to_cart", 2, revenue=Decimal("40.00"), currency="EUR"),
        # s2 buys without sending begin_checkout or add_payment_info
        _event("s2", "session_start", 0, traffic_source="google", medium="organic", gclid=True),
        _event("s2", "view_item", 1),
        _event("s2", "purchase", 3, transaction_id="A1", revenue=Decimal("50.00"), currency="EUR"),
        _event("s3", None, 0, traffic_source="(direct)"),
        _event("s4", "view_item", 0, traffic_source="newsletter", medium="email"),
    ]
    store.add_events(Batch("test", events=events), source="t", kind="ga4")
    return store


def test_funnel_counts_implied_steps_unless_strict() -> None:
    store = _funnel_store()
    (row,) = funnel(store.con).rows
    assert row.reached == (4, 3, 2, 1, 1, 1)
    assert row.step_conversion == (
        Decimal("0.7500"),
        Decimal("0.6667"),
        Decimal("0.5000"),
        Decimal("1.0000"),
        Decimal("1.0000"),
    )
    assert row.overall_conversion == Decimal("0.2500")
    assert (row.abandoned_carts, row.abandoned_value) == (1, (("EUR", Decimal("40.00")),))
    (strict,) = funnel(store.con, strict=True).rows
    assert strict.reached == (4, 3, 1, 0, 0, 1)


def test_channel_grouping_reclassifies_paid_clicks() -> None:
    store = _funnel_store()
    result = funnel(store.con, by=("channel",), steps=("purchase",))
    assert {dict(r.group)["channel"]: r.reached for r in result.rows} == {
        "Direct": (1, 0),
        "Email": (1, 0),
        "Organic Search": (1, 0),
        "Paid Search": (1, 1),  # tagged google / organic, but the landing had a gclid
    }


def test_web_against_books(store: AnalyticsStore) -> None:
    events = [
        _event("s2", "purchase", 3, transaction_id="A1", revenue=Decimal("98.80"), currency="EUR"),
        _event("s2", "purchase", 4, transaction_id="A1", revenue=Decimal("98.80"), currency="EUR"),
        _event(
            "s5", "purchase", 5, transaction_id="TEST-1", revenue=Decimal("1.00"), currency="EUR"
        ),
    ]
    store.add_events(Batch("test", events=events), source="t", kind="ga4")
    result = gaps(store.con)
    assert result.matched == 1
    assert result.duplicates == (("A1", 2),)
    assert [w[0] for w in result.web_only] == ["TEST-1"]
    assert [b[0] for b in result.books_only] == ["A2", "A4", "A5", "A6"]
    march_2 = [d for d in result.days if d.day == dt.date(2026, 3, 2) and d.currency == "EUR"]
    # A1 total: 80 gross - 6 discount + 14.80 tax = 88.80 in the books, 98.80 + 1.00 on the web
    assert [(d.books, d.web) for d in march_2] == [(Decimal("88.80"), Decimal("99.80"))]
    share = dict(result.share_seen)
    assert share["EUR"] == Decimal("0.3736")  # 88.80 of 237.70 booked
    assert share["CHF"] == Decimal("0.0000")


def test_rates_convert_each_order_before_summing(store: AnalyticsStore) -> None:
    result = sales(
        store.con,
        by=("month",),
        rates={"CHF": Decimal("1.0537")},
        reporting_currency="EUR",
    )
    april = _row(result, month="2026-04-01")
    assert april.currency == "EUR"
    assert april.net == Decimal("60.00") + Decimal("23.18")  # 22.00 CHF x 1.0537 = 23.1814
    assert april.orders == 2
    with pytest.raises(ConfigError, match="no rate from CHF to EUR"):
        sales(store.con, rates={}, reporting_currency="EUR")
    only_chf = sales(
        store.con,
        by=(),
        filters={"currency": ["CHF"]},
        rates={"CHF": Decimal("1.0537")},
        reporting_currency="EUR",
    )
    assert [r.net for r in only_chf.rows] == [Decimal("23.18")]
