"""The review page in a real headless Chromium, against a real ``ecomrules serve`` process.

Chromium comes from the system packages (``.ci/run`` installs it). Outside CI
the test skips with a message when it is absent; in CI a missing browser fails.
The walk: open the printed URL, go to the queue, open the demo's line to
review, see its candidate with its contributions in words, accept it with the
keyboard, undo it with the button; then a line of the shop of ties picked in
one tab and decided again in a second, which is told.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecomrules.workspace import Workspace
from ecomrules.workspace.reconcile import SqliteMatchStore
from ecomrules.workspace.review import SqliteReviewStore

from .conftest import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
URL = re.compile(r"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]+")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs the 'chromium' system package")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def watched(context: Any) -> tuple[Any, list[str]]:
    """A new page whose script errors and failed requests are collected."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page, errors


def test_review_a_line_in_the_browser(browser: Any, demo_workspace: Path) -> None:
    with serving("--workspace", str(demo_workspace), "--user", "alice") as (first, _):
        found = URL.search(first)
        assert found is not None, first
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page, errors = watched(context)
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(found.group(0))
        assert "token=" not in page.url  # the token went into a cookie
        page.click("text=Review queue")
        page.click("#queue >> text=D006")
        card = page.locator(".card.candidate")
        assert card.count() == 1
        assert "INV-1008" in card.inner_text()
        assert "amount equal to the residual" in card.inner_text()
        page.keyboard.press("a")  # accept, by the keyboard shortcut
        page.wait_for_selector(".said")
        assert "D006: accept" in page.inner_text(".said")
        page.goto(page.url.split("/review")[0] + "/review/D006")
        assert "accept (INV-1008) by alice" in page.inner_text("#decision")
        with Workspace(demo_workspace) as space:
            assert "D006" in {c.line_id for c in SqliteMatchStore(space).commitments()}
        page.click("text=Undo")
        page.wait_for_selector("#accept")
        assert "decision undone" in page.inner_text(".said")
        origin = found.group(0).split("/?")[0]
        assert all(url.startswith(origin) for url in requests)  # nothing fetched elsewhere
        assert errors == []
        context.close()
    with Workspace(demo_workspace) as space:
        assert "D006" not in {c.line_id for c in SqliteMatchStore(space).commitments()}
        history = SqliteReviewStore(space).history("D006")
    assert [(d.action.value, d.decided_by, d.undone_by) for d in history] == [
        ("accept", "alice", "alice")
    ]


def test_two_tabs_in_the_browser_the_second_is_told(browser: Any, tie_workspace: Path) -> None:
    with serving("--workspace", str(tie_workspace)) as (first, _):
        found = URL.search(first)
        assert found is not None, first
        context = browser.new_context()
        tab_a, errors_a = watched(context)
        tab_b, errors_b = watched(context)
        tab_a.goto(found.group(0))
        origin = found.group(0).split("/?")[0]
        tab_a.goto(f"{origin}/review/L1")
        tab_b.goto(f"{origin}/review/L1")  # the same line, in a second tab of the same browser
        tab_a.keyboard.press("1")  # pick the first candidate
        tab_a.wait_for_selector(".said")
        tab_b.click("#unmatched")
        alert = tab_b.wait_for_selector(".error")
        assert "decided meanwhile (pick)" in alert.inner_text()
        assert "pick (A-1)" in tab_b.inner_text("#decision")
        assert errors_a == []
        assert [e for e in errors_b if "status of 409 (Conflict)" not in e] == []  # as answered
        context.close()
    with Workspace(tie_workspace) as space:
        assert len(SqliteReviewStore(space).history("L1")) == 1
