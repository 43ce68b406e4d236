"""The samples of ``../shared/corpus/analytics``: every export loads, reported figures tie out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ecomrules.analytics import AnalyticsStore, funnel
from ecomrules.analytics.reports import compare_goals, read_matomo_report, reported_number

ORDERS = {
    "shop_orders/shopifypy_orders.json": ("shopify", 1),
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
