"""The Starlette application of ``ecomrules serve``: pages over the workspace.

Server-rendered (Jinja2, autoescaped), a little plain JavaScript shipped in
the package (keyboard shortcuts), nothing fetched from elsewhere. Every
request opens its own connection to the workspace, so two tabs deciding at
once are two writers the workspace's ``BEGIN IMMEDIATE`` serialises: the
decisions themselves are :class:`~ecomrules.workspace.review.SqliteReviewStore`'s,
the matching and dunning the engines'; this module only shows and posts.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from attrs import frozen
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ecomrules.errors import EcomrulesError, InputError, ReviewConflict
from ecomrules.reconcile.review import ReviewAction, write_off_offer
from ecomrules.web.reasons import describe
from ecomrules.web.security import AccessGuard, Forbidden, csrf_token, posted_form
from ecomrules.workspace.review import SqliteReviewStore
from ecomrules.workspace.store import Workspace

__all__ = ["PAGE_SIZE", "ServeSettings", "create_app"]

PAGE_SIZE = 50
"""Lines per page of the review queue."""

LOOPBACK = ("127.0.0.1", "localhost", "::1")

ITEM_FILTERS: dict[str, Callable[[int], bool]] = {
    "all": lambda days: True,
    "overdue": lambda days: days > 0,
    "not_due": lambda days: days <= 0,
}
"""The due-date filters of the open items page, by the item's days overdue."""


@frozen
class ServeSettings:
    """What the application serves: the workspace, who decides, and the inputs of its pages.

    ``open_items``, ``customers`` and ``policy`` feed the dunning page
    (as ``ecomrules dunning plan`` takes them); ``products``, ``preorders``,
    ``supply`` and ``carriers`` the pre-order board (``ecomrules preorder
    board``); ``customers``, ``open_items``, ``orders`` and ``credit_policy``
    the credit list (``ecomrules credit report``). A page whose inputs are
    not given says which option is missing. A statement uploaded on the
    review page is matched against ``open_items`` with ``reconcile_config``
    (at most ``upload_limit`` bytes). ``clock`` gives the time decisions are
    stamped with (UTC).
    """

    workspace: Path
    token: str
    user: str
    host: str = "127.0.0.1"
    open_items: Path | None = None
    customers: Path | None = None
    policy: str | None = None
    statements: tuple[Path, ...] = ()
    sender: Path | None = None
    as_of: date | None = None
    reconcile_config: Path | None = None
    upload_limit: int = 200 * 1024 * 1024
    products: Path | None = None
    preorders: Path | None = None
    supply: Path | None = None
    carriers: Path | None = None
    orders: Path | None = None
    credit_policy: Path | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def missing(self, *names: str) -> list[str]:
        """The options (``--open-items``...) of these settings that were not given."""
        return ["--" + name.replace("_", "-") for name in names if getattr(self, name) is None]

    def paths(self, *names: str) -> list[Path]:
        """These input files; :class:`~ecomrules.errors.InputError` naming the missing options."""
        missing = self.missing(*names)
        if missing:
            raise InputError("ecomrules serve", [f"this page needs {', '.join(missing)}"])
        return [getattr(self, name) for name in names]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ecomrules.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["describe"] = describe
    env.filters["pct"] = lambda score: "-" if score is None else f"{100 * float(score):.1f} %"
    env.filters["q"] = lambda text: quote(str(text), safe="")
    return env


class _Pages:
    """The route handlers, sharing the settings and the template environment."""

    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        self.env = _environment()
        self.csrf = csrf_token(settings.token)

    @contextmanager
    def _store(self, *, read_only: bool = False) -> Iterator[SqliteReviewStore]:
        """The review store on a connection of its own; read-only for a page that only shows."""
        with self._open(read_only) as space:
            yield SqliteReviewStore(space)

    def _reading(self) -> Workspace:
        """The workspace opened read-only: a WAL reader, not held up by a run that records."""
        return self._open(True)

    def _open(self, read_only: bool) -> Workspace:
        """The workspace; read-only once the file exists (``serve`` creates it at start)."""
        path = self.settings.workspace
        return Workspace(path, read_only=read_only and path.exists())

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        """The page of template ``name`` (``templates/<name>.html``), timed in Server-Timing."""
        started = time.perf_counter()
        page = self.env.get_template(f"{name}.html").render(
            csrf=self.csrf, settings=self.settings, user=self.settings.user, **values
        )
        response = HTMLResponse(page, status_code=status)
        response.headers["Server-Timing"] = (
            f"render;dur={1000 * (time.perf_counter() - started):.1f}"
        )
        return response

    def problem(self, status: int, message: str) -> HTMLResponse:
        return self.render("problem", status=status, message=message)

    # -- home ---------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        def counts() -> dict[str, int]:
            with self._store(read_only=True) as store:
                return {
                    "pending": store.count(pending=True),
                    "decided": store.count(pending=False),
                }

        return self.render("home", counts=await run_in_threadpool(counts))

    # -- review queue -------------------------------------------------------

    async def queue(self, request: Request) -> Response:
        show = request.query_params.get("show", "pending")
        status = request.query_params.get("status") or None
        if show not in ("pending", "decided", "all"):
            return self.problem(400, f"show={show!r}: one of pending, decided, all")
        if status not in (None, "review", "unmatched"):
            return self.problem(400, f"status={status!r}: one of review, unmatched")
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            return self.problem(400, "page: a whole number from 1")
        pending = {"pending": True, "decided": False, "all": None}[show]

        def load() -> tuple[int, list[Any]]:
            with self._store(read_only=True) as store:
                total = store.count(pending=pending, status=status)
                rows = store.entries(
                    pending=pending,
                    status=status,
                    offset=(page - 1) * PAGE_SIZE,
                    limit=PAGE_SIZE,
                )
            return total, rows

        total, rows = await run_in_threadpool(load)
        pages = max(1, -(-total // PAGE_SIZE))

        def link(**change: Any) -> str:
            query = {"show": show, "status": status or "", "page": page, **change}
            return "/review?" + urlencode({k: v for k, v in query.items() if v})

        return self.render(
            "queue",
            said=request.query_params.get("said"),
            can_upload=self.settings.open_items is not None,
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            show=show,
            kind=status,
            link=link,
        )

    async def line(self, request: Request) -> Response:
        line_id = request.path_params["line_id"]
        return await self._line_page(line_id, request.query_params.get("said"))

    async def _line_page(
        self, line_id: str, said: str | None = None, *, status: int = 200, error: str = ""
    ) -> Response:
        def load() -> tuple[Any, ...]:
            with self._store(read_only=True) as store:
                entry = store.entry(line_id)
                history = store.history(line_id)
                reverts = store.reverts(line_id)
                before, after = store.neighbours(line_id)
            return entry, history, reverts, before, after

        entry, history, reverts, before, after = await run_in_threadpool(load)
        if entry is None:
            if status == 409:  # the line left the queue meanwhile (a revert undone): say why
                return self.problem(status, error)
            return self.problem(404, f"line {line_id} is not in the review queue")
        active = next((d for d in history if d.active), None)
        offers = {c["id"]: write_off_offer(entry, c) for c in entry.candidates}
        return self.render(
            "line",
            offers=offers,
            any_item=self.settings.open_items is not None,
            status=status,
            entry=entry,
            doc=entry.document,
            history=history,
            active=active,
            reverted=next((r for r in reverts if r.active), None),
            reverts=reverts,
            seen=history[-1].id if history else 0,
            before=before,
            after=after,
            said=said,
            error=error,
        )

    async def decide(self, request: Request) -> Response:
        line_id = request.path_params["line_id"]
        form = await posted_form(request, self.settings.token)
        seen = _seen(form)
        try:
            action = ReviewAction(str(form.get("action", "")))
        except ValueError:
            seen = None
        if seen is None:
            return await self._line_page(
                line_id, status=400, error="the form names no valid action or seen decision"
            )
        names = [str(v).strip() for v in form.getlist("item_id") if str(v).strip()]
        write_off = form.get("write_off") == "1"

        def record() -> tuple[str | None, str | None]:
            with self._store() as store:
                store.decide(
                    line_id,
                    action,
                    who=self.settings.user,
                    at=self.settings.clock(),
                    seen=seen,
                    item_ids=names,
                    write_off=write_off,
                    others=self._open_items(store.workspace, line_id, names),
                )
                return store.neighbours(line_id)

        try:
            _, after = await run_in_threadpool(record)
        except ReviewConflict as exc:
            return await self._line_page(line_id, status=409, error=str(exc))
        except InputError as exc:
            return await self._line_page(line_id, status=400, error=str(exc))
        said = f"{line_id}: {action.value}"
        target = after or line_id
        return RedirectResponse(
            f"/review/{quote(target, safe='')}?{urlencode({'said': said, 'last': line_id})}",
            status_code=303,
        )

    def _open_items(
        self, space: Workspace, line_id: str, names: list[str]
    ) -> dict[str, dict[str, Any]]:
        """The named items of ``--open-items`` that are not the line's candidates, as open now
        (less what the workspace recorded as paid)."""
        path = self.settings.open_items
        entry = SqliteReviewStore(space).entry(line_id)
        names = [n for n in names if entry is None or entry.candidate(n) is None]
        if path is None or not names:
            return {}
        from ecomrules.inputs import read_open_items
        from ecomrules.reconcile import item_record
        from ecomrules.reconcile.review import item_fields
        from ecomrules.reconcile.store import without_committed
        from ecomrules.workspace.reconcile import SqliteMatchStore

        wanted = set(names)
        ledger = [item for item in read_open_items(path) if item.id in wanted]
        left, _ = without_committed(ledger, SqliteMatchStore(space).commitments())
        books = {item.id: item_record(item) for item in ledger}
        return {item.id: item_fields(item_record(item), books[item.id]) for item in left}

    async def undo(self, request: Request) -> Response:
        """A decision undone: its allocations removed, the line pending again."""
        line_id = request.path_params["line_id"]
        seen = _seen(await posted_form(request, self.settings.token))
        if seen is None:
            return await self._line_page(line_id, status=400, error="the form names no decision")
        return await self._write(
            line_id,
            lambda store, who, at: store.undo(line_id, who=who, at=at, seen=seen),
            f"/review/{quote(line_id, safe='')}?"
            + urlencode({"said": f"{line_id}: decision undone"}),
        )

    async def revert(self, request: Request) -> Response:
        """An ``auto`` match reverted from the recorded list: the line goes to the queue."""
        line_id = request.path_params["line_id"]
        await posted_form(request, self.settings.token)
        return await self._write(
            line_id,
            lambda store, who, at: store.revert(line_id, who=who, at=at),
            f"/review/{quote(line_id, safe='')}?"
            + urlencode({"said": f"{line_id}: automatic match reverted"}),
            shown=self._matches_page,
        )

    async def restore(self, request: Request) -> Response:
        """A revert undone: the ``auto`` match is recorded again, the line leaves the queue."""
        line_id = request.path_params["line_id"]
        seen = _seen(await posted_form(request, self.settings.token))
        if seen is None:
            return await self._line_page(line_id, status=400, error="the form names no revert")
        said = f"{line_id}: revert undone, the automatic match is recorded again"
        return await self._write(
            line_id,
            lambda store, who, at: store.undo_revert(line_id, who=who, at=at, seen=seen),
            "/matches?" + urlencode({"q": line_id, "said": said}),
        )

    async def _write(
        self,
        line_id: str,
        write: Callable[[SqliteReviewStore, str, datetime], object],
        done: str,
        *,
        shown: Callable[..., Awaitable[Response]] | None = None,
    ) -> Response:
        """Run ``write(store, who, at)`` on a connection of its own and go to ``done``.

        A conflict (409) or bad input (400) is told on ``shown`` (the line's
        page by default), nothing recorded.
        """

        def record() -> None:
            with self._store() as store:
                write(store, self.settings.user, self.settings.clock())

        page = shown or self._line_page
        try:
            await run_in_threadpool(record)
        except ReviewConflict as exc:
            return await page(line_id, status=409, error=str(exc))
        except InputError as exc:
            return await page(line_id, status=400, error=str(exc))
        return RedirectResponse(done, status_code=303)

    async def upload(self, request: Request) -> Response:
        """A statement uploaded: matched, its ``auto`` matches recorded, the rest queued."""
        form = await posted_form(request, self.settings.token)
        try:
            return await self._upload(form)
        finally:
            await form.close()  # the spooled upload

    async def _upload(self, form: FormData) -> Response:
        missing = self.settings.missing("open_items")
        if missing:
            return self.problem(400, "uploading a statement needs --open-items")
        upload = form.get("statement")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return self.problem(400, "choose a statement file to upload")
        name = _safe_name(upload.filename)
        with tempfile.TemporaryDirectory(prefix="ecomrules-upload-") as folder:
            path = Path(folder) / name
            size = 0
            with path.open("wb") as handle:
                while chunk := await upload.read(1 << 20):
                    size += len(chunk)
                    if size > self.settings.upload_limit:
                        return self.problem(
                            413,
                            f"{name}: more than {self.settings.upload_limit} bytes; run "
                            "ecomrules reconcile --commit on it instead",
                        )
                    handle.write(chunk)

            def record() -> tuple[Any, list[str], int, int]:
                from ecomrules.cli.reconcile import commit_and_queue

                (open_items,) = self.settings.paths("open_items")
                with Workspace(self.settings.workspace) as space:
                    return commit_and_queue(
                        space, open_items, [path], self.settings.reconcile_config
                    )

            try:
                result, left_out, new, queued = await run_in_threadpool(record)
            except EcomrulesError as exc:
                return self.problem(400, f"{name}: {exc}")
        said = (
            f"{name}: {len(result.matches) + len(result.unmatched_lines)} line(s) read, "
            f"{new} allocation(s) recorded, {queued} line(s) queued"
            + (f", {len(left_out)} committed before" if left_out else "")
        )
        return RedirectResponse(f"/review?{urlencode({'said': said})}", status_code=303)

    async def matches(self, request: Request) -> Response:
        """The allocations recorded in the workspace, ``auto`` and decided, to browse."""
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            return self.problem(400, "page: a whole number from 1")
        return await self._matches_page(
            request.query_params.get("q", "").strip(), page, said=request.query_params.get("said")
        )

    async def _matches_page(
        self,
        search: str,
        page: int = 1,
        *,
        said: str | None = None,
        status: int = 200,
        error: str = "",
    ) -> Response:

        def load() -> tuple[int, list[dict[str, Any]]]:
            with self._store(read_only=True) as store:
                return store.recorded(search=search, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)

        total, rows = await run_in_threadpool(load)
        pages = max(1, -(-total // PAGE_SIZE))

        def link(**change: Any) -> str:
            query = {"q": search, "page": page, **change}
            return "/matches?" + urlencode({k: v for k, v in query.items() if v})

        return self.render(
            "matches",
            status=status,
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            search=search,
            link=link,
            said=said,
            error=error,
        )

    async def items(self, request: Request) -> Response:
        """The open items no payment settled yet (``--open-items`` less the workspace), filtered."""
        if self.settings.open_items is None:
            return self.render("items", missing=["--open-items"])
        search = request.query_params.get("q", "").strip()
        due = request.query_params.get("due", "all")
        if due not in ITEM_FILTERS:
            return self.problem(400, f"due={due!r}: one of {', '.join(ITEM_FILTERS)}")
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            return self.problem(400, "page: a whole number from 1")
        as_of = self.settings.as_of or self.settings.clock().date()

        def load() -> tuple[list[Any], dict[str, Any]]:
            from ecomrules.inputs import read_open_items
            from ecomrules.reconcile.store import without_committed
            from ecomrules.workspace.reconcile import SqliteMatchStore

            (path,) = self.settings.paths("open_items")
            ledger = read_open_items(path)
            with self._reading() as space:
                left, _ = without_committed(ledger, SqliteMatchStore(space).commitments())
            return left, {item.id: item.residual for item in ledger}

        try:
            left, books = await run_in_threadpool(load)
        except EcomrulesError as exc:
            return self.problem(400, str(exc))
        wanted = search.casefold()
        shown = [
            item
            for item in left
            if ITEM_FILTERS[due](item.days_overdue(as_of))
            and (
                not wanted
                or any(
                    wanted in text.casefold()
                    for text in (item.id, item.number, item.partner_id, item.partner_name)
                )
            )
        ]
        shown.sort(key=lambda item: (item.due_date, item.id))
        total, pages = len(shown), max(1, -(-len(shown) // PAGE_SIZE))

        def link(**change: Any) -> str:
            query = {"q": search, "due": due, "page": page, **change}
            return "/items?" + urlencode({k: v for k, v in query.items() if v and v != "all"})

        return self.render(
            "items",
            missing=[],
            rows=shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
            books=books,
            as_of=as_of,
            total=total,
            page=page,
            pages=pages,
            search=search,
            due=due,
            link=link,
        )

    # -- dunning ------------------------------------------------------------

    def _dunning_missing(self) -> list[str]:
        return self.settings.missing("open_items", "customers", "policy")

    def _inputs(self, space: Workspace | None) -> Any:
        """The dunning command's inputs (its planning step on a history, customers, policy)."""
        from ecomrules.cli.dunning import _planner

        s = self.settings
        if s.open_items is None or s.customers is None or s.policy is None:
            raise InputError(
                "dunning", [f"the dunning page needs {', '.join(self._dunning_missing())}"]
            )
        return _planner(
            s.open_items,
            s.customers,
            s.policy,
            list(s.statements),
            None if s.as_of is None else s.as_of.isoformat(),
            space,
        )

    def _with_letters(self, plan: Any, inputs: Any) -> Any:
        """The plan with each notice's letter rendered, signed by ``--sender``."""
        import attrs

        from ecomrules.cli.dunning import _sender
        from ecomrules.dunning import LetterRenderer

        renderer = LetterRenderer()
        sender = _sender(self.settings.sender)
        notices = tuple(
            renderer.attach(n, inputs.customers[n.customer_id], inputs.policy, plan.as_of, sender)
            for n in plan.notices
        )
        return attrs.evolve(plan, notices=notices)

    async def dunning(self, request: Request) -> Response:
        missing = self._dunning_missing()
        if missing:
            return self.render("dunning", missing=missing, plan=None)

        def load() -> Any:
            from ecomrules.cli.workspace import history

            with self._reading() as space:
                inputs = self._inputs(space)
                return self._with_letters(inputs.make_plan(history(space)), inputs)

        try:
            plan = await run_in_threadpool(load)
        except EcomrulesError as exc:
            return self.problem(400, str(exc))
        said = request.query_params.get("said")
        return self.render("dunning", missing=[], plan=plan, said=said)

    async def dunning_commit(self, request: Request) -> Response:
        await posted_form(request, self.settings.token)
        missing = self._dunning_missing()
        if missing:
            return self.problem(400, f"the dunning page needs {', '.join(missing)}")

        def record() -> tuple[Any, int]:
            from ecomrules.dunning import commit_plan
            from ecomrules.workspace.dunning import SqliteDunningStore

            with Workspace(self.settings.workspace) as space:
                return commit_plan(SqliteDunningStore(space), self._inputs(space).make_plan)

        try:
            plan, added = await run_in_threadpool(record)
        except EcomrulesError as exc:
            return self.problem(400, str(exc))
        said = (
            f"recorded {added} item level(s) in {len(plan.notices)} notice(s) as sent on "
            f"{plan.as_of}"
            if added
            else "nothing new to record: these notices were recorded already"
        )
        return RedirectResponse(f"/dunning?{urlencode({'said': said})}", status_code=303)

    # -- pre-orders and credit -----------------------------------------------

    async def preorders(self, request: Request) -> Response:
        missing = self.settings.missing("products", "preorders", "supply", "carriers")
        if missing:
            return self.render("preorders", missing=missing)

        def load() -> Any:
            from ecomrules.cli.preorder import _plan
            from ecomrules.inputs.preorders import read_preorder_inputs
            from ecomrules.preorder import PlanPolicy, board

            s = self.settings
            products, lines, supply, carriers = s.paths(
                "products", "preorders", "supply", "carriers"
            )
            inputs = read_preorder_inputs(
                products=products, orders=lines, supply=supply, carriers=carriers
            )
            as_of = None if s.as_of is None else s.as_of.isoformat()
            result = _plan(inputs, as_of, PlanPolicy())
            return result, board(result)

        try:
            result, rows = await run_in_threadpool(load)
        except EcomrulesError as exc:
            return self.problem(400, str(exc))
        rank = {"error": 0, "warning": 1}
        alerts = sorted(result.alerts, key=lambda a: (rank.get(a.severity.value, 2), a.sku))
        return self.render("preorders", missing=[], result=result, rows=rows, alerts=alerts)

    async def credit(self, request: Request) -> Response:
        missing = self.settings.missing("customers", "open_items")
        if missing:
            as_of = self.settings.as_of or self.settings.clock().date()

            def logged() -> Any:
                from ecomrules.workspace.credit import SqliteCreditLog

                with self._reading() as space:
                    return SqliteCreditLog(space).of_day(as_of)

            today = await run_in_threadpool(logged)
            return self.render("credit", missing=missing, as_of=as_of, today=today)

        def load() -> Any:
            from decimal import Decimal

            from ecomrules.cli.credit import (
                build_book,
                dunning_standing,
                standard_decisions,
                with_reservations,
            )
            from ecomrules.cli.workspace import unpaid
            from ecomrules.credit import CreditPolicy, load_policy
            from ecomrules.inputs import read_customers, read_open_items
            from ecomrules.workspace.credit import SqliteCreditLog

            s = self.settings
            rules = CreditPolicy() if s.credit_policy is None else load_policy(s.credit_policy)
            as_of = s.as_of or s.clock().date()
            customers, open_items = s.paths("customers", "open_items")
            with self._reading() as space:
                items = unpaid(read_open_items(open_items), space)
                book = build_book(read_customers(customers), rules, as_of, items, s.orders)
                with_reservations(book, space)
                levels = dunning_standing(None, space, items)
                today = SqliteCreditLog(space).of_day(as_of)
            return as_of, standard_decisions(book, levels, Decimal(100)), today

        try:
            as_of, decisions, today = await run_in_threadpool(load)
        except EcomrulesError as exc:
            return self.problem(400, str(exc))
        return self.render("credit", missing=[], as_of=as_of, decisions=decisions, today=today)


async def _forbidden(request: Request, exc: Exception) -> Response:
    return HTMLResponse(
        f"<!doctype html><title>ecomrules: refused</title><p>{_escape(str(exc))}</p>",
        status_code=403,
    )


async def _failed(request: Request, exc: Exception) -> Response:
    """A library error no page handled (the workspace locked too long, a damaged file)."""
    return HTMLResponse(
        f"<!doctype html><title>ecomrules: failed</title><p>{_escape(str(exc))}</p>",
        status_code=503,
    )


def _seen(form: FormData) -> int | None:
    """The id of the decision or revert a form says its page saw; None when it names none."""
    try:
        return int(str(form.get("seen", "")))
    except ValueError:
        return None


def _safe_name(name: str) -> str:
    """The uploaded file's own name, without folders or odd characters (its suffix kept)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".") or "statement"


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def create_app(settings: ServeSettings) -> Starlette:
    """The application over ``settings.workspace``; every request needs ``settings.token``."""
    pages = _Pages(settings)
    static = Path(__file__).parent / "static"
    routes = [
        Route("/", pages.home),
        Route("/review", pages.queue),
        Route("/review/upload", pages.upload, methods=["POST"]),
        Route("/review/{line_id:path}/decide", pages.decide, methods=["POST"]),
        Route("/review/{line_id:path}/undo", pages.undo, methods=["POST"]),
        Route("/review/{line_id:path}/restore", pages.restore, methods=["POST"]),
        Route("/review/{line_id:path}", pages.line),
        Route("/matches", pages.matches),
        Route("/matches/{line_id:path}/revert", pages.revert, methods=["POST"]),
        Route("/items", pages.items),
        Route("/dunning", pages.dunning),
        Route("/dunning/commit", pages.dunning_commit, methods=["POST"]),
        Route("/preorders", pages.preorders),
        Route("/credit", pages.credit),
        Mount("/static", app=StaticFiles(directory=static), name="static"),
    ]
    middleware = [Middleware(AccessGuard, token=settings.token)]
    if settings.host in LOOPBACK:  # a page of another site resolving to 127.0.0.1 is refused
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK)))
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={Forbidden: _forbidden, EcomrulesError: _failed},
    )
