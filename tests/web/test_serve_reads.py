"""Pages read the workspace without waiting for a writer (SQLite WAL readers).

A large ``reconcile --commit`` holds the workspace's write lock for as long as
it records; the pages that only show open the file read-only and answer from
the last committed state meanwhile. Posting still waits its turn.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from ecomrules import demo

from .test_serve_app import client, form, settings


def test_pages_answer_while_another_process_holds_the_write_lock(demo_workspace: Path) -> None:
    browser = client(
        settings(
            demo_workspace,
            customers=demo.path("customers.csv"),
            open_items=demo.path("open-items.csv"),
        )
    )
    fields = form(browser.get("/review/D006").text, "/review/D006/decide", "accept")
    writer = sqlite3.connect(demo_workspace, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # as a run recording its matches does
    writer.execute("DELETE FROM review_entry WHERE line_id = 'D008'")  # not committed yet
    try:
        for path in ("/", "/review", "/review/D006", "/review/D008", "/matches", "/credit"):
            started = time.monotonic()
            answer = browser.get(path)
            took = time.monotonic() - started
            assert answer.status_code == 200, (path, answer.text)
            assert took < 5, (path, took)  # the lock's wait is 30 s
        # a decision is a write: it waits for the lock (here, briefly, then refused)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert browser.post("/review/D006/decide", data=fields).status_code == 303
