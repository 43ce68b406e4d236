"""The samples of ``../shared/corpus/analytics``: every export loads, reported figures tie out."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.analytics import AnalyticsStore, funnel
from ecomrules.analytics.reports import (
    compare_goals,
    read_matomo_report,
    read_shop_report,
    reported_number,
)
from ecomrules.errors import InputError

ORDERS = {
    "shop_orders/shopifypy_orders.json": ("shopify", 1),
    "shop_orders/fivetran_shopify_order_data.csv": ("shopify-fivetran", 8),
    "shop_orders/fivetran_shopify_gql_order_data.csv": ("shopify-fivetran", 9),
    "shop_orders/unicommerce_order-SO5841.json": ("unicommerce", 1),
    "shop_orders/spider2snow_thelook_ORDER_ITEMS.json": ("thelook", 5),
    "shop_orders/wcios_orders-load-all.json": ("woocommerce", 4),
    "shop_orders/wcios_order-details-partially-refunded.json": ("woocommerce", 1),
    "shop_orders/wcios_order-with-special-character-currency.json": ("woocommerce", 1),
    "shop_orders/prestashop_orders.xml": ("prestashop", 5),
}
EVENTS = {
    "ga4/korneev_form_events_input.js": ("ga4", 4),
    "ga4/korneev_purchase_input.js": ("ga4", 1),
    "ga4/korneev_source_medium_input.js": ("ga4", 3),
    "ga4/spider2_ga4_events_20201122.json": ("ga4", 5),
    "ga4/spider2_ga4_events_20210131.json": ("ga4", 5),
    "ga4/spider2snow_ga4_EVENTS_20201126.json": ("ga4", 5),
    "ga4/spider2snow_ga4_EVENTS_20201203.json": ("ga4", 5),
    "ua/spider2_d2i_all_sessions.json": ("ua", 5),
    "ua/spider2_d2i_web_analytics.json": ("ua", 30),
    "ua/spider2_ga360_ga_sessions_20161108.json": ("ua", 61),
    "ua/spider2_ga360_ga_sessions_20170102.json": ("ua", 84),
    "matomo/matomo_UserId_VisitorId__Live.getLastVisitsDetails_month.xml": ("matomo", 22),
    "matomo/matomo_ecommerceOrderWithItems__Live.getLastVisitsDetails_day.xml": ("matomo", 21),
    "matomo/matomo_ecommerceOrderWithItems_LiveEcommerceStatusOrdered__Live."
    "getLastVisitsDetails_day.xml": ("matomo", 8),
    "snowplow_ecommerce/snowplow_ecommerce_events.csv": ("snowplow", 600),
    "shop_orders/shopifypy_checkouts.json": ("shopify-checkouts", 2),
    "shop_orders/spider2snow_thelook_EVENTS.json": ("thelook-events", 5),
}
# Files that complete orders already loaded: (the orders file, the file, kind, lines).
COMPLETING = {
    "shop_orders/prestashop_order_detail.xml": (
        "shop_orders/prestashop_orders.xml",
        "prestashop-lines",
        7,
    ),
    "shop_orders/fivetran_shopify_order_line_data.csv": (
        "shop_orders/fivetran_shopify_order_data.csv",
        "shopify-fivetran-lines",
        3,
    ),
    "shop_orders/fivetran_shopify_gql_order_line_data.csv": (
        "shop_orders/fivetran_shopify_gql_order_data.csv",
        "shopify-fivetran-lines",
        10,
    ),
    "shop_orders/shopifypy_refund.json": ("shop_orders/shopifypy_orders.json", "shopify-refund", 0),
}
UNDATED = dt.datetime(2011, 4, 5)  # Matomo's test outputs and PrestaShop's fixtures carry no dates


@pytest.fixture
def analytics(corpus: Path) -> Path:
    folder = corpus / "analytics"
    if not folder.is_dir():
        pytest.skip(f"the analytics samples ({folder}) are absent")
    return folder


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_order_samples_load(analytics: Path, name: str) -> None:
    kind, count = ORDERS[name]
    with AnalyticsStore() as store:
        result = store.load_orders(analytics / name, undated=UNDATED)
        assert (result.kind, result.orders_read) == (kind, count)


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_event_samples_load(analytics: Path, name: str) -> None:
    kind, count = EVENTS[name]
    with AnalyticsStore() as store:
        result = store.load_events(analytics / name, undated=UNDATED)
        assert (result.kind, result.events_read) == (kind, count)
        assert store.load_events(analytics / name, undated=UNDATED).events_new == 0


def test_matomo_goals_reports_equal_the_figures_of_its_visits(analytics: Path) -> None:
    folder = analytics / "matomo"
    with AnalyticsStore() as store:
        store.load_events(
            folder / "matomo_ecommerceOrderWithItems__Live.getLastVisitsDetails_day.xml",
            undated=UNDATED,
        )
        for report, goal in (
            ("matomo_ecommerceOrderWithItems__Goals.get_day.xml", "all"),
            ("matomo_ecommerceOrderWithItems_GoalOrder__Goals.get_day.xml", "ecommerceOrder"),
            (
                "matomo_ecommerceOrderWithItems_Metadata_Goals.Get_Order__API."
                "getProcessedReport_day.xml",
                "ecommerceOrder",
            ),
        ):
            path = folder / report
            result = compare_goals(
                store.con, read_matomo_report(path.read_bytes(), report), goal=goal
            )
            assert len(result) == 4
            assert [c.metric for c in result if not c.agrees] == [], report
        visits = read_matomo_report(
            (folder / "matomo_ecommerceOrderWithItems__VisitsSummary.get_day.xml").read_bytes(), "v"
        )
        (row,) = funnel(store.con, by=("tool",)).rows
        assert row.sessions == int(visits[0].rows[0]["nb_visits"])


def test_the_scheduled_report_reads_every_section_and_display_amount(analytics: Path) -> None:
    name = (
        "matomo_ecommerceOrderWithItems_schedrep_in_csv__"
        "ScheduledReports.generateReport_week.original.csv"
    )
    sections = read_matomo_report((analytics / "matomo" / name).read_bytes(), name)
    titles = [s.title for s in sections]
    assert titles[:3] == ["All Websites dashboard", "Visits Summary", "Country"]
    dashboard = sections[0].rows[0]
    assert reported_number(dashboard["ecommerce_revenue"]) == reported_number("$13,351.11")
    country = {r["label"]: reported_number(r["revenue"]) for r in sections[2].rows}
    assert sum(country.values()) == reported_number(dashboard["revenue"])


@pytest.mark.parametrize("name", sorted(COMPLETING))
def test_lines_and_refunds_complete_their_orders(analytics: Path, name: str) -> None:
    orders, kind, lines = COMPLETING[name]
    with AnalyticsStore() as store:
        with (
            pytest.raises(InputError, match="load the orders first")
            if lines != 10
            else nullcontext()
        ):
            store.load_orders(analytics / name)
        store.load_orders(analytics / orders, undated=UNDATED)
        result = store.load_orders(analytics / name)
        assert (result.kind, result.lines_read) == (kind, lines)


def test_a_refund_applies_once(analytics: Path) -> None:
    with AnalyticsStore() as store:
        store.load_orders(analytics / "shop_orders/shopifypy_orders.json")
        for _ in range(2):
            store.load_orders(analytics / "shop_orders/shopifypy_refund.json")
        (refunded,) = store.con.execute("SELECT refunded FROM orders").fetchall()[0]
        assert refunded == Decimal("398.00")  # two lines of 199.00 refunded, counted once


def test_the_fivetran_graphql_lines_of_missing_orders_are_kept_and_reported(
    analytics: Path,
) -> None:
    with AnalyticsStore() as store:
        result = store.load_orders(
            analytics / "shop_orders/fivetran_shopify_gql_order_line_data.csv"
        )
        # the seed's lines name orders 5001-5010, its orders table holds 4001-4009
        assert result.lines_without_order == 10


def test_source_categories_sort_the_channels(analytics: Path) -> None:
    with AnalyticsStore() as store:
        assert (
            store.load_source_categories(analytics / "ga4/velir_ga4_source_categories.csv") == 819
        )
        store.load_events(analytics / "ua/spider2_ga360_ga_sessions_20170102.json")
        channels = {dict(r.group)["channel"] for r in funnel(store.con, by=("channel",)).rows}
        assert channels <= {
            "Affiliates", "Direct", "Organic Search", "Organic Social", "Organic Video",
            "Paid Search", "Referral", "Unassigned", "Display", "Email",
        }  # fmt: skip


def test_the_ga4_purchase_matches_its_flattened_reference(analytics: Path) -> None:
    from ecomrules.analytics.readers.web import json_rows

    (expected,) = json_rows((analytics / "ga4/korneev_purchase_result.js").read_bytes(), "result")
    with AnalyticsStore() as store:
        store.load_events(analytics / "ga4/korneev_purchase_input.js")
        ((ts, user, transaction, revenue, currency),) = store.con.execute(
            "SELECT ts, user_key, transaction_id, revenue, currency FROM events"
        ).fetchall()
    assert ts.strftime("%Y-%m-%d %H:%M:%S.%f UTC") == expected["event_timestamp"]
    assert user == expected["user_pseudo_id"]
    assert transaction == expected["transaction_id"]
    assert (revenue, currency) == (Decimal(str(expected["value"])).quantize(Decimal("0.01")), "EUR")


@pytest.mark.parametrize(
    ("name", "section", "rows"),
    [
        ("wcios_order-stats-v4-hour.json", "intervals", 24),
        ("wcios_order-stats-v4-month.json", "totals", 1),
        ("wcios_reports-products.json", "rows", 2),
        ("wcios_site-visits-day.json", "day", 12),
    ],
)
def test_shop_reports_are_read(analytics: Path, name: str, section: str, rows: int) -> None:
    sections = read_shop_report((analytics / "shop_reports" / name).read_bytes(), name)
    assert len(next(s for s in sections if s.title == section).rows) == rows


READ_ELSEWHERE = {
    "ga4/korneev_purchase_result.js",  # the reference of the GA4 purchase test
    "ga4/velir_ga4_source_categories.csv",  # the channel grouping's source categories
    "snowplow_ecommerce/snowplow_ecommerce_cart_1.csv",  # entities, inside the events file
    "snowplow_ecommerce/snowplow_ecommerce_transaction_1.csv",
    "snowplow_ecommerce/snowplow_ecommerce_checkout_interactions_expected.csv",
    "snowplow_ecommerce/snowplow_ecommerce_sessions_expected.csv",
}


def test_every_sample_is_read_by_a_test(analytics: Path) -> None:
    files = {
        str(p.relative_to(analytics))
        for p in analytics.rglob("*")
        if p.is_file() and p.name not in ("MANIFEST.md", "index.json")
    }
    covered = set(ORDERS) | set(EVENTS) | set(COMPLETING) | READ_ELSEWHERE
    covered |= {f"matomo/{p.name}" for p in (analytics / "matomo").iterdir()}
    covered |= {f"shop_reports/{p.name}" for p in (analytics / "shop_reports").iterdir()}
    assert sorted(files - covered) == []


def test_snowplow_sessions_equal_the_expected_session_table(analytics: Path) -> None:
    """Each session of the (truncated) events file reaches the steps, and books the revenue,
    that Snowplow's expected session table says; the sessions cut off by the truncation are
    not in the file."""
    import csv

    folder = analytics / "snowplow_ecommerce"
    with AnalyticsStore() as store:
        store.load_events(folder / "snowplow_ecommerce_events.csv")
        computed = {
            row[0]: row[1:]
            for row in store.con.execute(
                """
                SELECT session_key,
                  coalesce(bool_or(step = 'view_item'), false),
                  coalesce(bool_or(step = 'add_to_cart'), false),
                  coalesce(bool_or(step = 'begin_checkout'), false),
                  coalesce(bool_or(step = 'purchase'), false),
                  (SELECT coalesce(sum(r), 0) FROM (SELECT DISTINCT transaction_id, revenue AS r
                     FROM events p WHERE p.session_key = e.session_key AND p.step = 'purchase'))
                FROM events e GROUP BY session_key
                """
            ).fetchall()
        }
    with (folder / "snowplow_ecommerce_sessions_expected.csv").open() as handle:
        expected = list(csv.DictReader(handle))
    compared = 0
    for session in expected:
        if session["domain_sessionid"] not in computed:
            continue

        def some(column: str, session: dict[str, str] = session) -> bool:
            return int(session[column] or 0) > 0

        want = (
            some("number_product_views"),
            some("number_add_to_carts"),
            some("number_checkout_steps_visited"),
            some("total_number_transactions"),
            Decimal(session["total_transaction_revenue"] or 0),
        )
        assert computed[session["domain_sessionid"]] == want, session["domain_sessionid"]
        compared += 1
    assert compared == 41  # of 63: the others are in the part of the file cut off
