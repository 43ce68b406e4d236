"""Reverting an ``auto`` match from the recorded list of ``ecomrules serve``, with the test client.

The routes ``POST /matches/{line}/revert`` and ``POST /review/{line}/restore``
(the revert undone): token, CSRF, bad input, and two tabs at once.
"""

from __future__ import annotations

from pathlib import Path

from ecomrules.workspace import Workspace
from ecomrules.workspace.reconcile import SqliteMatchStore
from ecomrules.workspace.review import SqliteReviewStore

from .test_serve_app import TOKEN, client, form, settings


def committed(path: Path) -> list[tuple[str, str]]:
    with Workspace(path, read_only=True) as space:
        return [(c.line_id, c.item_id) for c in SqliteMatchStore(space).commitments()]


def test_revert_from_the_recorded_list_queues_the_line(tie_workspace: Path) -> None:
    browser = client(settings(tie_workspace))
    listed = browser.get("/matches").text
    assert "Revert L3" in listed
    answer = browser.post("/matches/L3/revert", data=form(listed, "/matches/L3/revert"))
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/review/L3?")
    page = " ".join(browser.get(answer.headers["location"]).text.split())
    assert "automatic match reverted" in page
    assert "was reverted by alice at 2026-11-20T09:30:00+00:00" in page
    assert "Accept the proposal" in page  # the former match, proposed again
    assert "a person reverted this line&#39;s automatic match" in page  # the reason in words
    assert committed(tie_workspace) == []
    assert "L3" in browser.get("/review").text  # in the queue, to decide
    assert "Revert L3" not in browser.get("/matches").text


def test_undo_a_revert_from_the_line_page(tie_workspace: Path) -> None:
    browser = client(settings(tie_workspace))
    listed = browser.get("/matches").text
    browser.post("/matches/L3/revert", data=form(listed, "/matches/L3/revert"))
    page = browser.get("/review/L3").text
    answer = browser.post("/review/L3/restore", data=form(page, "/review/L3/restore"))
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/matches?q=L3")
    assert "revert undone" in browser.get(answer.headers["location"]).text
    assert committed(tie_workspace) == [("L3", "A-3")]
    assert browser.get("/review/L3").status_code == 404  # out of the queue again
    with Workspace(tie_workspace) as space:
        (revert,) = SqliteReviewStore(space).reverts("L3")
    assert (revert.reverted_by, revert.undone_by) == ("alice", "alice")


def test_revert_needs_the_token_and_the_csrf_field(tie_workspace: Path) -> None:
    browser = client(settings(tie_workspace))
    fields = form(browser.get("/matches").text, "/matches/L3/revert")
    stranger = client(settings(tie_workspace), logged_in=False)
    assert stranger.post("/matches/L3/revert", data=fields).status_code == 403
    assert stranger.post(f"/matches/L3/revert?token={TOKEN[:-1]}", data=fields).status_code == 403
    for bad in ({}, {"csrf": "0" * 64}):
        assert browser.post("/matches/L3/revert", data=bad).status_code == 403
        assert browser.post("/review/L3/restore", data={**bad, "seen": "1"}).status_code == 403
    other = browser.post("/matches/L3/revert", data=fields, headers={"origin": "http://x.example"})
    assert other.status_code == 403
    assert browser.get("/matches/L3/revert").status_code == 405  # nothing writes on GET
    assert committed(tie_workspace) == [("L3", "A-3")]


def test_bad_reverts_are_told_on_the_page(tie_workspace: Path) -> None:
    browser = client(settings(tie_workspace))
    fields = form(browser.get("/matches").text, "/matches/L3/revert")
    nothing = browser.post("/matches/L2/revert", data=fields)
    assert nothing.status_code == 400
    assert "line L2: the workspace holds no match of it" in nothing.text
    page = browser.get("/review/L1").text
    browser.post("/review/L1/decide", data=form(page, "/review/L1/decide", "pick"))
    decided = browser.post("/matches/L1/revert", data=fields)
    assert decided.status_code == 409
    assert "undo it on the line&#39;s page instead" in decided.text
    browser.post("/matches/L3/revert", data=fields)
    page = browser.get("/review/L3").text
    restore = form(page, "/review/L3/restore")
    for seen in ("x", ""):
        answer = browser.post("/review/L3/restore", data={**restore, "seen": seen})
        assert answer.status_code == 400
        assert "names no revert" in answer.text
    none = browser.post("/review/L2/restore", data={**restore, "seen": "0"})
    assert none.status_code == 400
    assert "no revert to undo" in none.text


def test_two_tabs_reverting_and_deciding_one_wins_the_other_is_told(tie_workspace: Path) -> None:
    tab_a, tab_b = client(settings(tie_workspace)), client(settings(tie_workspace))
    listed_a, listed_b = tab_a.get("/matches").text, tab_b.get("/matches").text
    tab_a.post("/matches/L3/revert", data=form(listed_a, "/matches/L3/revert"))
    told = tab_b.post("/matches/L3/revert", data=form(listed_b, "/matches/L3/revert"))
    assert told.status_code == 409
    assert "reverted meanwhile by alice" in told.text
    # tab A decides the reverted line while tab B, on the same page, undoes the revert
    page_a, page_b = tab_a.get("/review/L3").text, tab_b.get("/review/L3").text
    accepted = tab_a.post("/review/L3/decide", data=form(page_a, "/review/L3/decide", "accept"))
    assert accepted.status_code == 303
    refused = tab_b.post("/review/L3/restore", data=form(page_b, "/review/L3/restore"))
    assert refused.status_code == 409
    assert "was decided (accept) by alice" in refused.text
    assert committed(tie_workspace) == [("L3", "A-3")]  # once, by the decision
    # and the other way round: the revert undone first, the decision of the stale tab refused
    undo = tab_a.post("/review/L3/undo", data=form(tab_a.get("/review/L3").text, "/review/L3/undo"))
    assert undo.status_code == 303
    page_a, page_b = tab_a.get("/review/L3").text, tab_b.get("/review/L3").text
    restored = tab_b.post("/review/L3/restore", data=form(page_b, "/review/L3/restore"))
    assert restored.status_code == 303
    late = tab_a.post("/review/L3/decide", data=form(page_a, "/review/L3/decide", "unmatched"))
    assert late.status_code == 409
    assert "revert of its automatic match was undone by alice" in late.text
    assert committed(tie_workspace) == [("L3", "A-3")]
