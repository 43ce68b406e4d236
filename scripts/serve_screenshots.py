"""Draw the docs' screenshots of ``ecomrules serve``: the demo shop in headless Chromium.

Run: ``python scripts/serve_screenshots.py`` (needs the ``web`` extra, playwright and
the system's Chromium); writes ``docs/images/serve-*.png``. The workspace is the
demo's after ``ecomrules reconcile --commit`` of its three statements and
``ecomrules credit check --reserve`` of its first three credit orders; the
automatic match of D004 is reverted on the recorded list.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from ecomrules import demo

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
STATEMENTS = ("bank-statement.csv", "reconcile-statement.csv", "stripe-payout.csv")


def shoot(page: Any, name: str) -> None:
    page.screenshot(path=str(IMAGES / name))
    print(f"wrote {IMAGES / name}")


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder) / "demo.db"
        command = [sys.executable, "-m", "ecomrules"]
        reconcile = [*command, "reconcile", "--open-items", str(demo.path("open-items.csv"))]
        for name in STATEMENTS:
            reconcile += ["--statement", str(demo.path(name))]
        subprocess.run(
            [*reconcile, "--commit", "--workspace", str(workspace), "--json"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        credit = [*command, "credit", "check", "--as-of", "2026-11-20", "--reserve"]
        credit += ["--customers", str(demo.path("customers.csv"))]
        credit += ["--open-items", str(demo.path("open-items.csv"))]
        credit += ["--orders", str(demo.path("orders.csv"))]
        credit += ["--policy", str(demo.path("credit-policy.toml"))]
        orders = demo.path("credit-orders.jsonl").read_text(encoding="utf-8").splitlines()
        for number, order in enumerate(orders[:3]):
            file = Path(folder) / f"order-{number}.json"
            file.write_text(order, encoding="utf-8")
            subprocess.run(
                [*credit, "--order", str(file), "--workspace", str(workspace), "--json"],
                check=False,  # a block exits 1
                stdout=subprocess.DEVNULL,
            )
        inputs = ["--data", str(demo.path("customers.csv").parent), "--policy", "fr-b2b"]
        inputs += ["--as-of", "2026-11-20", "--user", "anna"]
        serve = [*command, "serve", "--port", "0", "--workspace", str(workspace), *inputs]
        server = subprocess.Popen(
            serve,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "300"},
        )
        try:
            assert server.stdout is not None
            found = re.search(r"http://\S+", server.stdout.readline())
            assert found is not None
            url = found.group(0)
            origin = url.split("/?")[0]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                page = browser.new_page(viewport={"width": 1100, "height": 760})
                page.goto(url)
                for name, path in (
                    ("serve-queue.png", "/review"),
                    ("serve-line.png", "/review/D006"),
                    ("serve-dunning.png", "/dunning"),
                    ("serve-preorders.png", "/preorders"),
                    ("serve-items.png", "/items"),
                    ("serve-credit.png", "/credit"),
                ):
                    page.goto(origin + path)
                    page.screenshot(path=str(IMAGES / name))
                    print(f"wrote {IMAGES / name}")
                page.locator("#today").scroll_into_view_if_needed()
                shoot(page, "serve-credit-today.png")
                page.goto(origin + "/matches")
                shoot(page, "serve-matches.png")
                page.click("text=Revert D004")
                page.wait_for_selector("#reverted")
                shoot(page, "serve-reverted.png")
                browser.close()
        finally:
            server.terminate()
            server.communicate(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
