"""The HTML report in a real headless Chromium: it loads without error and shows its charts.

Chromium comes from the system packages (``.ci/run`` installs it). Outside CI
the test skips with a message when it is absent; in CI a missing browser fails.
"""

from __future__ import annotations

from pathlib import Path

from ecomrules.analytics import AnalyticsStore
from ecomrules.analytics.report import store_report


def test_the_report_loads_without_error_and_shows_four_charts(
    browser: object, shop_files: tuple[Path, Path], tmp_path: Path
) -> None:
    with AnalyticsStore() as store:
        store.load_orders(shop_files[0])
        store.load_events(shop_files[1])
        document = store_report(store.con)
    path = tmp_path / "report.html"
    path.write_text(document, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1000, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    assert errors == []
    assert requests == [path.as_uri()]  # self-contained: nothing else is fetched
    charts = page.locator("figure.chart svg")
    assert charts.count() == 4
    for index in range(4):
        box = charts.nth(index).bounding_box()
        assert box is not None
        assert box["width"] > 500
        assert box["height"] > 150
    assert page.locator("h2").all_text_contents() == ["Sales", "Funnel", "Web against books"]
    picture = tmp_path / "report.png"
    page.screenshot(path=str(picture))
    assert picture.stat().st_size > 20_000  # a rendered page, not a blank one
    page.close()
