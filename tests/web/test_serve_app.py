"""The web application of ``ecomrules serve``, route by route, with Starlette's test client.

Every route needs the token; every POST its CSRF field; no GET writes; two
tabs deciding one line: one wins, the other is told (409) and nothing is
recorded twice.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.testclient import TestClient

from ecomrules import demo
from ecomrules.web import ServeSettings, create_app
from ecomrules.web.security import COOKIE, csrf_token
from ecomrules.workspace import Workspace
from ecomrules.workspace.dunning import SqliteDunningStore
from ecomrules.workspace.reconcile import SqliteMatchStore
from ecomrules.workspace.review import SqliteReviewStore

if TYPE_CHECKING:
    from conftest import Cli

TOKEN = "test-token-1234"
BASE = "http://127.0.0.1:8765"
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def settings(workspace: Path, **extra: object) -> ServeSettings:
    return ServeSettings(workspace=workspace, token=TOKEN, user="alice", clock=lambda: NOW, **extra)  # type: ignore[arg-type]


def client(app_settings: ServeSettings, *, logged_in: bool = True) -> TestClient:
    browser = TestClient(create_app(app_settings), base_url=BASE, follow_redirects=False)
    if logged_in:
        answer = browser.get(f"/?token={TOKEN}")
        assert answer.status_code == 303
    return browser


def form(answer_text: str, action: str, what: str | None = None) -> dict[str, str]:
    """The hidden fields of the page's form posting to ``action`` (as a browser sends them).

    ``what``: the form whose ``action`` field says so (accept, pick, unmatched); the first
    form posting there when None.
    """
    pattern = rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>'
    for body in re.findall(pattern, answer_text, re.S):
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', body))
        if what is None or fields.get("action") == what:
            return fields
    raise AssertionError(f"no form posting to {action} ({what})")


def test_the_token_is_required_on_every_route(demo_workspace: Path) -> None:
    anonymous = client(settings(demo_workspace), logged_in=False)
    pages = ("/", "/review", "/review/D006", "/matches", "/dunning", "/preorders", "/credit")
    for path in (*pages, "/static/app.js"):
        answer = anonymous.get(path)
        assert answer.status_code == 403, path
        assert "access token" in answer.text
    assert anonymous.get("/?token=wrong").status_code == 403
    assert anonymous.post("/review/D006/decide", data={"action": "accept"}).status_code == 403
    anonymous.cookies.set(COOKIE, "wrong")
    assert anonymous.get("/").status_code == 403


def test_the_token_in_the_url_becomes_a_cookie_and_leaves_the_url(demo_workspace: Path) -> None:
    browser = client(settings(demo_workspace), logged_in=False)
    answer = browser.get(f"/review?show=all&token={TOKEN}")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/review?show=all"
    cookie = answer.headers["set-cookie"]
    assert f"{COOKIE}={TOKEN}" in cookie
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    assert browser.get("/review?show=all").status_code == 200


def test_another_host_name_is_refused(demo_workspace: Path) -> None:
    """A page of another site whose name resolves to 127.0.0.1 (DNS rebinding) gets nothing."""
    browser = client(settings(demo_workspace))
    answer = browser.get("/", headers={"host": "evil.example:8765"})
    assert answer.status_code == 400


def test_the_home_page_counts_the_queue(demo_workspace: Path) -> None:
    answer = client(settings(demo_workspace)).get("/")
    assert answer.status_code == 200
    assert "8 line(s) to decide" in answer.text
    assert 'src="/static/app.js"' in answer.text


def test_the_static_files_are_shipped(demo_workspace: Path) -> None:
    browser = client(settings(demo_workspace))
    assert "keydown" in browser.get("/static/app.js").text
    assert browser.get("/static/app.css").status_code == 200


def test_the_queue_lists_filters_and_pages(demo_workspace: Path) -> None:
    browser = client(settings(demo_workspace))
    answer = browser.get("/review")
    assert answer.status_code == 200
    assert answer.text.count('href="/review/') == 8
    assert "8 line(s); page 1 of 1" in answer.text
    only = browser.get("/review?status=review")
    assert only.text.count('href="/review/') == 1
    assert "no open item shares a reference" in browser.get("/review?status=unmatched").text
    assert browser.get("/review?show=decided").text.count('href="/review/') == 0
    for bad in ("/review?show=some", "/review?status=x", "/review?page=two"):
        assert browser.get(bad).status_code == 400, bad


def test_the_line_page_shows_the_candidates_and_their_contributions(
    demo_workspace: Path,
) -> None:
    answer = client(settings(demo_workspace)).get("/review/D006")
    assert answer.status_code == 200
    text = answer.text
    assert "890.00 EUR" in text
    assert "Comics Corner Ltd (C005)" in text
    assert "94.1 %" in text
    for words in ("no reference to compare", "amount equal to the residual"):
        assert words in text
    assert "below the threshold to record it alone" in text
    assert 'data-key="a"' in text  # accept, by keyboard too
    assert client(settings(demo_workspace)).get("/review/NOPE").status_code == 404


def test_accept_then_undo_from_the_page(demo_workspace: Path) -> None:
    browser = client(settings(demo_workspace))
    page = browser.get("/review/D006").text
    answer = browser.post("/review/D006/decide", data=form(page, "/review/D006/decide", "accept"))
    assert answer.status_code == 303
    assert "said=D006" in answer.headers["location"]
    decided = browser.get("/review/D006").text
    assert "accept (INV-1008)" in decided
    assert "by alice at 2026-11-20T09:30:00+00:00" in decided
    with Workspace(demo_workspace) as space:
        assert [c.line_id for c in SqliteMatchStore(space).commitments()].count("D006") == 1
    undo = browser.post("/review/D006/undo", data=form(decided, "/review/D006/undo"))
    assert undo.status_code == 303
    with Workspace(demo_workspace) as space:
        assert "D006" not in [c.line_id for c in SqliteMatchStore(space).commitments()]
        assert not SqliteReviewStore(space).history("D006")[0].active


def test_pick_and_leave_unmatched_from_the_page(tie_workspace: Path) -> None:
    browser = client(settings(tie_workspace))
    page = browser.get("/review/L1").text
    assert "Pick A-1" in page
    assert "Pick A-2" in page
    fields = form(page, "/review/L1/decide", "pick")  # the first candidate's
    assert fields["item_id"] == "A-1"
    assert browser.post("/review/L1/decide", data=fields).status_code == 303
    page = browser.get("/review/L2").text
    fields = form(page, "/review/L2/decide", "unmatched")
    assert browser.post("/review/L2/decide", data=fields).status_code == 303
    with Workspace(tie_workspace) as space:
        history = SqliteReviewStore(space)
        assert history.history("L1")[0].item_ids == ("A-1",)
        assert history.history("L2")[0].action.value == "unmatched"


def test_two_tabs_deciding_one_line_the_second_is_told(tie_workspace: Path) -> None:
    tab_a, tab_b = client(settings(tie_workspace)), client(settings(tie_workspace))
    page_a, page_b = tab_a.get("/review/L1").text, tab_b.get("/review/L1").text
    assert tab_a.post("/review/L1/decide", data=form(page_a, "/review/L1/decide")).status_code == (
        303
    )
    told = tab_b.post("/review/L1/decide", data=form(page_b, "/review/L1/decide", "unmatched"))
    assert told.status_code == 409
    assert "decided meanwhile (pick) by alice" in told.text
    assert "pick (A-1)" in told.text  # the page shows the decision that won
    with Workspace(tie_workspace) as space:
        assert len(SqliteReviewStore(space).history("L1")) == 1


def test_an_item_settled_by_another_line_is_refused(tie_workspace: Path) -> None:
    browser = client(settings(tie_workspace))
    l4 = browser.get("/review/L4").text  # shown before L1 takes A-1
    l1 = browser.get("/review/L1").text
    assert browser.post("/review/L1/decide", data=form(l1, "/review/L1/decide")).status_code == 303
    told = browser.post("/review/L4/decide", data=form(l4, "/review/L4/decide"))
    assert told.status_code == 409
    assert "settled meanwhile by another line" in told.text


@pytest.mark.parametrize(
    "change",
    [
        {"csrf": ""},
        {"csrf": "0" * 64},
    ],
)
def test_a_post_without_its_csrf_field_is_refused(demo_workspace: Path, change: dict) -> None:
    browser = client(settings(demo_workspace))
    fields = {**form(browser.get("/review/D006").text, "/review/D006/decide"), **change}
    answer = browser.post("/review/D006/decide", data=fields)
    assert answer.status_code == 403
    assert "CSRF" in answer.text
    for path in ("/review/D006/undo", "/dunning/commit"):
        assert browser.post(path, data={"seen": "0"}).status_code == 403
    with Workspace(demo_workspace) as space:
        assert SqliteReviewStore(space).history("D006") == []


def test_a_post_from_another_origin_is_refused(demo_workspace: Path) -> None:
    browser = client(settings(demo_workspace))
    fields = form(browser.get("/review/D006").text, "/review/D006/decide", "accept")
    for origin in ("http://evil.example", "null"):
        answer = browser.post("/review/D006/decide", data=fields, headers={"origin": origin})
        assert answer.status_code == 403
    same = browser.post("/review/D006/decide", data=fields, headers={"origin": BASE})
    assert same.status_code == 303
    assert fields["csrf"] == csrf_token(TOKEN)


def test_bad_forms_are_told_on_the_page(demo_workspace: Path) -> None:
    browser = client(settings(demo_workspace))
    fields = form(browser.get("/review/D006").text, "/review/D006/decide")
    for change in ({"action": "merge"}, {"seen": "x"}):
        answer = browser.post("/review/D006/decide", data={**fields, **change})
        assert answer.status_code == 400
        assert "no valid action" in answer.text
    pick = browser.post("/review/D006/decide", data={**fields, "action": "pick", "item_id": "X"})
    assert pick.status_code == 400
    assert "&#39;X&#39; is neither a candidate nor an open item" in pick.text
    assert browser.get("/review/D006/decide").status_code == 404  # nothing writes on GET
    assert browser.post("/review/NOPE/decide", data=fields).status_code == 404
    with Workspace(demo_workspace) as space:
        assert SqliteReviewStore(space).history("D006") == []


def test_the_dunning_page_says_which_inputs_it_needs(demo_workspace: Path) -> None:
    answer = client(settings(demo_workspace)).get("/dunning")
    assert answer.status_code == 200
    assert "needs --open-items, --customers, --policy" in answer.text


def dunning_settings(workspace: Path) -> ServeSettings:
    return settings(
        workspace,
        open_items=demo.path("open-items.csv"),
        customers=demo.path("customers.csv"),
        policy="fr-b2b",
        sender=demo.path("sender.toml"),
        as_of=date(2026, 11, 20),
    )


def test_the_dunning_plan_shows_each_letter_and_commits_from_the_page(
    demo_workspace: Path,
) -> None:
    browser = client(dunning_settings(demo_workspace))
    page = browser.get("/dunning")
    assert page.status_code == 200
    assert "Zahlungserinnerung" in page.text  # the German letter of Games &amp; Co
    assert 'iframe class="letter" sandbox' in page.text
    notices = page.text.count('class="card notice"')
    assert notices >= 1
    with Workspace(demo_workspace) as space:
        assert SqliteDunningStore(space).load().events == ()  # showing records nothing
    answer = browser.post("/dunning/commit", data=form(page.text, "/dunning/commit"))
    assert answer.status_code == 303
    assert "recorded" in answer.headers["location"]
    with Workspace(demo_workspace) as space:
        events = SqliteDunningStore(space).load().events
    assert len({e.notice_key for e in events}) == notices
    again = browser.post("/dunning/commit", data=form(page.text, "/dunning/commit"))
    assert "nothing+new+to+record" in again.headers["location"]  # the second tab records nothing


def test_the_dunning_page_reports_bad_inputs(demo_workspace: Path, tmp_path: Path) -> None:
    broken = tmp_path / "customers.csv"
    broken.write_text("id,name\nC1\n", encoding="utf-8")
    app_settings = settings(
        demo_workspace,
        open_items=demo.path("open-items.csv"),
        customers=broken,
        policy="fr-b2b",
    )
    answer = client(app_settings).get("/dunning")
    assert answer.status_code == 400
    assert "customers.csv" in answer.text


def shop_settings(workspace: Path) -> ServeSettings:
    return settings(
        workspace,
        open_items=demo.path("open-items.csv"),
        customers=demo.path("customers.csv"),
        products=demo.path("products.csv"),
        preorders=demo.path("preorders.csv"),
        supply=demo.path("supply.csv"),
        carriers=demo.path("carriers.csv"),
        orders=demo.path("orders.csv"),
        credit_policy=demo.path("credit-policy.toml"),
        as_of=date(2026, 11, 20),
    )


def test_the_preorder_board_shows_alerts_first(demo_workspace: Path) -> None:
    answer = client(shop_settings(demo_workspace)).get("/preorders")
    assert answer.status_code == 200
    text = answer.text
    assert text.index('id="alerts"') < text.index('id="board"')
    from ecomrules.cli.preorder import _plan
    from ecomrules.inputs.preorders import read_preorder_inputs
    from ecomrules.preorder import PlanPolicy, board

    inputs = read_preorder_inputs(
        products=demo.path("products.csv"),
        orders=demo.path("preorders.csv"),
        supply=demo.path("supply.csv"),
        carriers=demo.path("carriers.csv"),
    )
    result = _plan(inputs, "2026-11-20", PlanPolicy())
    for row in board(result):  # the engine's board, every product on the page
        assert f"<td>{row.sku}<br>" in text
    assert text.count("<tr class=") == len(result.alerts)
    missing = client(settings(demo_workspace)).get("/preorders")
    assert "needs --products, --preorders, --supply, --carriers" in missing.text


def test_the_credit_list_shows_exposure_and_headroom(demo_workspace: Path) -> None:
    answer = client(shop_settings(demo_workspace)).get("/credit")
    assert answer.status_code == 200
    rows = re.findall(r"<tr><td>(C\d+)</td>", answer.text)
    assert rows == sorted(rows)
    assert len(rows) == len(re.findall(r"^C\d+,", demo.path("customers.csv").read_text(), re.M))
    assert "5000.00" in answer.text  # C001's limit
    missing = client(settings(demo_workspace)).get("/credit")
    assert "needs --customers, --open-items" in missing.text


def test_the_credit_list_sees_the_payments_decided_on_the_page(demo_workspace: Path) -> None:
    """INV-1008 (C005, 890.00) paid by accepting D006: its exposure drops by as much."""
    browser = client(shop_settings(demo_workspace))

    def c005_total() -> str:
        text = browser.get("/credit").text
        row = re.search(r"<tr><td>C005</td>(.*?)</tr>", text, re.S)
        assert row is not None
        return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))[6]

    before = c005_total()
    page = browser.get("/review/D006").text
    browser.post("/review/D006/decide", data=form(page, "/review/D006/decide", "accept"))
    after = c005_total()
    from decimal import Decimal

    assert Decimal(before.split()[0]) - Decimal(after.split()[0]) == Decimal("890.00")


def test_split_and_write_off_from_the_page(split_workspace: Path) -> None:
    browser = client(settings(split_workspace))
    page = browser.get("/review/P1").text
    assert 'id="split"' in page
    fields = form(page, "/review/P1/decide", "split")
    fields.pop("item_id", None)  # the checkboxes: the browser sends those ticked
    answer = browser.post(
        "/review/P1/decide",
        data={**fields, "item_id": ["S-1", "S-2"], "write_off": "1"},
    )
    assert answer.status_code == 303
    decided = browser.get("/review/P1").text
    assert "split (S-1, S-2), writing off 4.00 EUR by alice" in decided
    too_much = browser.post(
        "/review/P2/decide",
        data={**form(browser.get("/review/P2").text, "/review/P2/decide", "unmatched")},
    )
    assert too_much.status_code == 303


def test_a_write_off_is_offered_within_the_tolerance_only(cli: Cli, tmp_path: Path) -> None:
    from .conftest import WAGNER_ITEMS, reconcile_commit

    items = tmp_path / "items.csv"
    items.write_text(WAGNER_ITEMS, encoding="utf-8")
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "id,booking_date,amount,currency,counterparty,label\n"
        "S1,2026-11-02,299.00,EUR,Wagner KG,UEBERWEISUNG\n"
        "S2,2026-11-02,250.00,EUR,Wagner KG,UEBERWEISUNG\n",
        encoding="utf-8",
    )
    workspace = tmp_path / "w.db"
    reconcile_commit(cli, workspace, items, statement)
    browser = client(settings(workspace))
    assert "Pick and write off 1.00" in browser.get("/review/S1").text
    assert "Pick and write off" not in browser.get("/review/S2").text  # 50.00 is beyond


def test_any_open_item_from_the_page_with_open_items(split_workspace: Path, tmp_path: Path) -> None:
    from .conftest import SPLIT_ITEMS

    items = tmp_path / "items.csv"  # the fixture's own file
    assert items.read_text(encoding="utf-8") == SPLIT_ITEMS
    without = client(settings(split_workspace)).get("/review/P2").text
    assert 'id="other"' not in without
    browser = client(settings(split_workspace, open_items=items))
    page = browser.get("/review/P2").text
    fields = form(page, "/review/P2/decide", "pick")
    assert fields.pop("write_off") == "1"  # a checkbox, left unticked
    for name, status in (("NOPE", 400), ("S-3", 303)):
        answer = browser.post("/review/P2/decide", data={**fields, "item_id": name})
        assert answer.status_code == status, name
    with Workspace(split_workspace) as space:
        assert [(c.line_id, c.item_id) for c in SqliteMatchStore(space).commitments()] == [
            ("P2", "S-3")
        ]


def test_upload_a_statement_matches_records_and_queues(tmp_path: Path, tie_files: tuple) -> None:
    """The tie shop's statement uploaded on an empty workspace: as ``reconcile --commit``."""
    items, statement = tie_files
    workspace = tmp_path / "upload.db"
    Workspace(workspace).close()
    browser = client(settings(workspace, open_items=items))
    page = browser.get("/review").text
    fields = form(page, "/review/upload")
    with statement.open("rb") as handle:
        answer = browser.post(
            "/review/upload", data=fields, files={"statement": ("bank.csv", handle, "text/csv")}
        )
    assert answer.status_code == 303
    said = browser.get(answer.headers["location"]).text
    assert "bank.csv: 4 line(s) read, 1 allocation(s) recorded, 3 line(s) queued" in said
    with Workspace(workspace) as space:
        assert [c.line_id for c in SqliteMatchStore(space).commitments()] == ["L3"]
        assert SqliteReviewStore(space).count(pending=True) == 3
    with statement.open("rb") as handle:  # the same file again: nothing twice
        again = browser.post(
            "/review/upload", data=fields, files={"statement": ("bank.csv", handle, "text/csv")}
        )
    assert "0 allocation(s) recorded" in browser.get(again.headers["location"]).text


def test_upload_refuses_what_it_cannot_read(tmp_path: Path, tie_files: tuple) -> None:
    items, _ = tie_files
    workspace = tmp_path / "upload.db"
    browser = client(settings(workspace, open_items=items))
    fields = form(browser.get("/review").text, "/review/upload")
    answer = browser.post(
        "/review/upload",
        data=fields,
        files={"statement": ("../../notes.txt", b"hello\n", "text/plain")},
    )
    assert answer.status_code == 400
    assert "notes.txt" in answer.text
    small = client(settings(workspace, open_items=items, upload_limit=10))
    too_big = small.post(
        "/review/upload",
        data=fields,
        files={"statement": ("bank.csv", b"x" * 100, "text/csv")},
    )
    assert too_big.status_code == 413
    no_csrf = browser.post("/review/upload", files={"statement": ("bank.csv", b"x", "text/csv")})
    assert no_csrf.status_code == 403
    without_items = client(settings(workspace))
    assert 'id="upload"' not in without_items.get("/review").text
    assert without_items.post("/review/upload", data=fields).status_code == 400


def test_the_recorded_matches_list_auto_and_decided_allocations(demo_workspace: Path) -> None:
    browser = client(settings(demo_workspace))
    with Workspace(demo_workspace) as space:
        auto = len(SqliteMatchStore(space).commitments())
    answer = browser.get("/matches")
    assert f"{auto} allocation(s)" in answer.text
    assert answer.text.count("reconcile --commit (auto)") == auto
    page = browser.get("/review/D006").text
    browser.post("/review/D006/decide", data=form(page, "/review/D006/decide", "accept"))
    found = browser.get("/matches?q=INV-1008").text
    assert "1 allocation(s)" in found
    assert '<a href="/review/D006">D006</a>' in found
    assert "<td>alice</td>" in found
    assert browser.get("/matches?page=x").status_code == 400


def test_a_damaged_workspace_is_a_page_naming_the_file(tmp_path: Path) -> None:
    workspace = tmp_path / "damaged.db"
    workspace.write_bytes(b"not a database at all" * 100)
    answer = client(settings(workspace)).get("/review")
    assert answer.status_code == 503
    assert "not a readable ecomrules workspace" in answer.text
