"""Fixtures of the analytics tests: the example shop's files, written once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomrules.analytics.sample import generate, write_ga4_ndjson, write_sales_csv


@pytest.fixture(scope="session")
def shop_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sales.csv, ga4.ndjson) of the example shop, seed 7, three weeks."""
    folder = tmp_path_factory.mktemp("shop")
    shop = generate(seed=7, days=21, sessions_per_day=60)
    sales, events = folder / "sales.csv", folder / "ga4.ndjson"
    write_sales_csv(sales, shop.sales)
    write_ga4_ndjson(events, shop.events)
    return sales, events
