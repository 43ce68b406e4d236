"""The open items page of ``ecomrules serve``: what no payment settled yet, with filters."""

from __future__ import annotations

import re
from pathlib import Path

from .test_serve_app import client, form, settings, shop_settings


def test_the_open_items_page_lists_what_no_payment_settled(demo_workspace: Path) -> None:
    """The demo after its commit: four items left, two of them partly paid; a revert adds one."""
    browser = client(shop_settings(demo_workspace))
    page = browser.get("/items").text
    shown = re.findall(r"<tr><td>([A-Z]+-\d+)</td>", page)
    assert shown == ["INV-1003", "INV-1008", "INV-1004", "INV-1009"]  # by due date
    assert "4 open item(s)" in page
    assert "ledger: 3200.00 EUR" in page  # INV-1003, paid in part by an auto match
    comics = browser.get("/items?q=comics").text
    assert re.findall(r"<tr><td>([A-Z]+-\d+)</td>", comics) == ["INV-1008", "INV-1009"]
    assert "0 open item(s)" in browser.get("/items?due=not_due").text
    listed = browser.get("/matches").text
    browser.post("/matches/D004/revert", data=form(listed, "/matches/D004/revert"))
    later = browser.get("/items?due=not_due").text  # INV-1005 is open again, in full
    assert re.findall(r"<tr><td>([A-Z]+-\d+)</td>", later) == ["INV-1005"]
    assert '<td class="num">740.00 EUR</td>' in later
    assert browser.get("/items?due=soon").status_code == 400
    assert browser.get("/items?page=x").status_code == 400
    assert "needs --open-items" in client(settings(demo_workspace)).get("/items").text
