"""Draw the docs' screenshot of the analytics report: the example shop in headless Chromium.

Run: ``python scripts/analytics_screenshot.py`` (needs the ``charts`` extra, playwright
and the system's Chromium); writes ``docs/images/analytics-report.png``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from ecomrules.analytics import AnalyticsStore
from ecomrules.analytics.report import store_report
from ecomrules.analytics.sample import generate, write_ga4_ndjson, write_sales_csv

OUT = Path(__file__).resolve().parents[1] / "docs" / "images" / "analytics-report.png"


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shop = generate()
        write_sales_csv(root / "sales.csv", shop.sales)
        write_ga4_ndjson(root / "ga4.ndjson", shop.events)
        with AnalyticsStore() as store:
            store.load_orders(root / "sales.csv")
            store.load_events(root / "ga4.ndjson")
            html = store_report(store.con, title="Example shop: sales and conversion")
        page_path = root / "report.html"
        page_path.write_text(html, encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            page.goto(page_path.as_uri())
            OUT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT))
            browser.close()
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
