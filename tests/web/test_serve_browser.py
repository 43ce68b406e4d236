"""The review page in a real headless Chromium, against a real ``ecomrules serve`` process.

Chromium comes from the system packages (``.ci/run`` installs it). Outside CI
the test skips with a message when it is absent; in CI a missing browser fails.
The walks: the demo's queue (open the printed URL, see the candidate and its
contributions in words, accept D006 by the keyboard, leave D008 unmatched,
undo and accept again; a second ``reconcile`` honours the decisions); a split
with a write-off; two tabs deciding one line, the second told; an ``auto``
match reverted and the line decided by keys only (j, k, a, z); every page of
the demo shop served with ``--data``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecomrules import demo
from ecomrules.workspace import Workspace
from ecomrules.workspace.reconcile import SqliteMatchStore
from ecomrules.workspace.review import SqliteReviewStore

from .conftest import DEMO_STATEMENTS, reconcile_commit, serving

if TYPE_CHECKING:
    from conftest import Cli

URL = re.compile(r"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]+")


def watched(context: Any) -> tuple[Any, list[str]]:
    """A new page whose script errors and failed requests are collected."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page, errors


def test_review_the_demo_queue_in_the_browser(browser: Any, cli: Cli, demo_workspace: Path) -> None:
    """Accept D006 by the keyboard, reject D008, undo and accept again; a second run agrees."""
    with serving("--workspace", str(demo_workspace), "--user", "alice") as (first, _):
        found = URL.search(first)
        assert found is not None, first
        origin = found.group(0).split("/?")[0]
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
        assert page.url.startswith(f"{origin}/review/D008")  # on to the next line
        page.keyboard.press("u")  # leave D008 unmatched
        page.wait_for_selector(".said")
        assert "D008: unmatched" in page.inner_text(".said")
        page.goto(f"{origin}/review/D006")
        assert "accept (INV-1008) by alice" in page.inner_text("#decision")
        page.click("text=Undo")
        page.wait_for_selector("#accept")
        assert "decision undone" in page.inner_text(".said")
        page.click("#accept")
        page.wait_for_selector(".said")
        assert all(url.startswith(origin) for url in requests)  # nothing fetched elsewhere
        assert errors == []
        context.close()
    with Workspace(demo_workspace) as space:
        assert "D006" in {c.line_id for c in SqliteMatchStore(space).commitments()}
        queue = SqliteReviewStore(space)
        history = queue.history("D006")
        assert [(d.action.value, d.decided_by, d.active) for d in history] == [
            ("accept", "alice", False),
            ("accept", "alice", True),
        ]
        assert [d.action.value for d in queue.history("D008")] == ["unmatched"]
    statements = [demo.path(name) for name in DEMO_STATEMENTS]
    again = ["reconcile", "--open-items", str(demo.path("open-items.csv"))]
    for statement in statements:
        again += ["--statement", str(statement)]
    done = cli(*again, "--workspace", str(demo_workspace), "--json")
    document = json.loads(done.stdout)
    assert "D006" in document["previously_committed_lines"]  # the accepted payment counts
    assert "INV-1008" not in json.dumps(document["matches"])  # and its invoice is paid
    reconcile_commit(cli, demo_workspace, demo.path("open-items.csv"), *statements)
    with Workspace(demo_workspace) as space:  # queued again: the decisions stand
        assert [d.action.value for d in SqliteReviewStore(space).history("D008")] == ["unmatched"]


def test_split_a_line_in_the_browser(browser: Any, cli: Cli, split_workspace: Path) -> None:
    with serving("--workspace", str(split_workspace)) as (first, _):
        found = URL.search(first)
        assert found is not None, first
        origin = found.group(0).split("/?")[0]
        context = browser.new_context()
        page, errors = watched(context)
        page.goto(found.group(0))
        page.goto(f"{origin}/review/P1")
        split = page.locator("#split")
        split.locator("input[value='S-2']").check()
        split.locator("input[value='S-1']").check()
        split.locator("input[name='write_off']").check()
        split.locator("button").click()
        page.wait_for_selector(".said")
        page.goto(f"{origin}/review/P1")
        assert "split (S-1, S-2), writing off 4.00 EUR" in page.inner_text("#decision")
        assert errors == []
        context.close()
    with Workspace(split_workspace) as space:
        paid = sorted(
            (c.item_id, str(c.settled.amount)) for c in SqliteMatchStore(space).commitments()
        )
    assert paid == [("S-1", "100.00"), ("S-2", "90.00")]  # S-2 settled with its write-off


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


def test_revert_an_auto_match_and_decide_by_the_keyboard(browser: Any, tie_workspace: Path) -> None:
    """Revert L3 from the recorded list, find it in the queue, walk and decide by keys only."""
    with serving("--workspace", str(tie_workspace), "--user", "bob") as (first, _):
        found = URL.search(first)
        assert found is not None, first
        origin = found.group(0).split("/?")[0]
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page, errors = watched(context)
        page.goto(found.group(0))
        page.click("text=Recorded")
        page.click("text=Revert L3")
        page.wait_for_selector("#reverted")
        assert "was reverted by bob" in page.inner_text("#reverted")
        assert "automatic match reverted" in page.inner_text(".said")
        page.goto(f"{origin}/review")
        assert "L3" in page.inner_text("#queue")  # back in the queue
        assert "j" in page.inner_text("#keys")  # the keys are shown on the page
        page.keyboard.press("j")  # the first line: L1
        page.wait_for_url(f"{origin}/review/L1")
        page.keyboard.press("j")  # next to decide
        page.wait_for_url(f"{origin}/review/L2")
        page.keyboard.press("k")  # previous
        page.wait_for_url(f"{origin}/review/L1")
        page.keyboard.press("a")  # L1 has no proposal: a picks the best candidate
        page.wait_for_selector(".said")
        assert "L1: pick" in page.inner_text(".said")
        page.goto(f"{origin}/review/L3")
        page.keyboard.press("a")  # accept the reverted match again
        page.wait_for_selector(".said")
        page.goto(f"{origin}/review/L3")
        assert "accept (A-3) by bob" in page.inner_text("#decision")
        page.keyboard.press("z")  # undo it: L3 waits again, its revert still standing
        page.wait_for_selector("#restore")
        page.click("#restore")  # and undo the revert: the auto match is back
        page.wait_for_selector(".said")
        assert "revert undone" in page.inner_text(".said")
        assert "reconcile --commit (auto)" in page.inner_text("#matches")
        assert errors == []
        context.close()
    with Workspace(tie_workspace) as space:
        queue = SqliteReviewStore(space)
        assert [(r.reverted_by, r.undone_by) for r in queue.reverts("L3")] == [("bob", "bob")]
        assert [(d.action.value, d.active) for d in queue.history("L3")] == [("accept", False)]
        assert [d.item_ids for d in queue.history("L1")] == [("A-1",)]
        paid = sorted((c.line_id, c.item_id) for c in SqliteMatchStore(space).commitments())
    assert paid == [("L1", "A-1"), ("L3", "A-3")]


def test_every_page_of_the_demo_shop_in_the_browser(browser: Any, demo_workspace: Path) -> None:
    """``serve --data`` on the demo: each page opens, shows its content, fetches nothing else."""
    shop = demo.path("customers.csv").parent
    inputs = ["--data", str(shop), "--policy", "fr-b2b", "--as-of", "2026-11-20"]
    with serving("--workspace", str(demo_workspace), *inputs) as (first, _):
        found = URL.search(first)
        assert found is not None, first
        origin = found.group(0).split("/?")[0]
        context = browser.new_context()
        page, errors = watched(context)
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(found.group(0))
        for path, title, shown in (
            ("/review", "Review queue", "#queue"),
            ("/matches", "Recorded matches", "#matches"),
            ("/items", "Open items", "#items"),
            ("/dunning", "Dunning", "iframe.letter"),
            ("/preorders", "Pre-orders", "#board"),
            ("/credit", "Credit", "#customers"),
        ):
            page.goto(origin + path)
            assert page.inner_text("h1") == title, path
            assert page.locator(shown).count() >= 1, path
            assert page.locator("p.error").count() == 0, (path, page.inner_text("main"))
        assert all(url.startswith(origin) for url in requests)
        assert errors == []
        context.close()
