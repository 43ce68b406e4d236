"""The review queue and its decisions in the SQLite workspace.

``reconcile --commit`` queues the lines a person must decide
(:meth:`SqliteReviewStore.queue`); ``ecomrules serve`` shows them and
records each decision (:meth:`SqliteReviewStore.decide`) with who and
when: an accepted or picked match records its allocations exactly as an
``auto`` match does (:func:`ecomrules.reconcile.store.commit_against`, so
every engine sees the payment), in the same write transaction as the
decision. A decision is undone (:meth:`SqliteReviewStore.undo`) by removing
those allocations and marking it undone; history is kept.

Two tabs deciding one line: each form carries the id of the last decision
it saw (``seen``). Inside the workspace's write transaction (``BEGIN
IMMEDIATE``: one writer at a time) the store checks it is still the last;
the second gets a :class:`~ecomrules.errors.ReviewConflict` saying who
decided and when, and nothing is recorded twice (a unique index on the
line's active decision guards it too).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from attrs import frozen

from ecomrules.errors import InputError, ReviewConflict
from ecomrules.money import Currency, Money
from ecomrules.reconcile.result import Allocation, Match, MatchResult, MatchStatus
from ecomrules.reconcile.review import (
    DECIDED,
    REVERTED,
    ReviewAction,
    ReviewEntry,
    decided_match,
    reverted_entry,
)
from ecomrules.reconcile.store import COMMITTED_ELSEWHERE_LINE, Commitment, commit_against
from ecomrules.workspace.reconcile import SqliteMatchStore
from ecomrules.workspace.store import Workspace

__all__ = ["Decision", "Revert", "SqliteReviewStore"]

_AREA = "review"
_MIGRATIONS = [
    """
    CREATE TABLE review_entry (
        line_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        document TEXT NOT NULL
    );
    CREATE TABLE review_decision (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        line_id TEXT NOT NULL,
        action TEXT NOT NULL,
        item_ids TEXT NOT NULL,
        write_off TEXT,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        undone_by TEXT,
        undone_at TEXT
    );
    CREATE INDEX review_decision_line ON review_decision (line_id);
    CREATE UNIQUE INDEX review_decision_active ON review_decision (line_id)
        WHERE undone_at IS NULL
    """,
    """
    CREATE TABLE review_revert (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        line_id TEXT NOT NULL,
        commitments TEXT NOT NULL,
        reverted_by TEXT NOT NULL,
        reverted_at TEXT NOT NULL,
        undone_by TEXT,
        undone_at TEXT
    );
    CREATE INDEX review_revert_line ON review_revert (line_id);
    CREATE UNIQUE INDEX review_revert_active ON review_revert (line_id)
        WHERE undone_at IS NULL
    """,
]


@frozen
class Decision:
    """One decision on a line: what, on which items, by whom and when; undone or not."""

    id: int
    line_id: str
    action: ReviewAction
    item_ids: tuple[str, ...]
    write_off: Money | None
    decided_by: str
    decided_at: str
    undone_by: str | None = None
    undone_at: str | None = None

    @property
    def active(self) -> bool:
        """True while the decision is not undone."""
        return self.undone_at is None


@frozen
class Revert:
    """An ``auto`` match reverted: its allocations (removed), by whom and when; undone or not."""

    id: int
    line_id: str
    commitments: tuple[Commitment, ...]
    reverted_by: str
    reverted_at: str
    undone_by: str | None = None
    undone_at: str | None = None

    @property
    def active(self) -> bool:
        """True while the revert is not undone: the line waits for a person."""
        return self.undone_at is None

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The items the reverted match had settled."""
        return tuple(c.item_id for c in self.commitments)


_REVERT = (
    "SELECT id, line_id, commitments, reverted_by, reverted_at, undone_by, undone_at "
    "FROM review_revert"
)


def _stored(c: Commitment) -> dict[str, str | None]:
    return {
        "item_id": c.item_id,
        "amount": str(c.amount.amount),
        "currency": c.amount.currency.code,
        "residual": str(c.residual.amount),
        "write_off": None if c.write_off is None else str(c.write_off.amount),
    }


def _revert(row: Sequence[Any]) -> Revert:
    line_id = row[1]
    commitments = tuple(
        Commitment(
            line_id,
            c["item_id"],
            Money(Decimal(c["amount"]), c["currency"]),
            Money(Decimal(c["residual"]), c["currency"]),
            None if c["write_off"] is None else Money(Decimal(c["write_off"]), c["currency"]),
        )
        for c in json.loads(row[2])
    )
    return Revert(int(row[0]), line_id, commitments, row[3], row[4], row[5], row[6])


_DECISION = (
    "SELECT id, line_id, action, item_ids, write_off, decided_by, decided_at, undone_by, "
    "undone_at FROM review_decision"
)


def _decision(row: Sequence[Any]) -> Decision:
    off = None
    if row[4] is not None:
        amount, currency = row[4].split(" ")
        off = Money(Decimal(amount), Currency.of(currency))
    return Decision(
        int(row[0]),
        row[1],
        ReviewAction(row[2]),
        tuple(json.loads(row[3])),
        off,
        row[5],
        row[6],
        row[7],
        row[8],
    )


class SqliteReviewStore:
    """The queue of lines to review and the decisions taken, in a workspace file."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._version = workspace.ensure_schema(_AREA, _MIGRATIONS)
        self._tables = self._version > 0
        self.matches = SqliteMatchStore(workspace)

    def queue(self, entries: Sequence[ReviewEntry], queued_at: datetime) -> int:
        """Queue (or refresh) the entries of a run; return how many were queued.

        A line already decided keeps its decision and is not queued again;
        a queued, undecided line whose payment another run committed
        meanwhile leaves the queue.
        """
        when = queued_at.isoformat(timespec="seconds")
        with self.workspace.transaction() as db:
            decided = {
                row[0]
                for row in db.execute("SELECT line_id FROM review_decision WHERE undone_at IS NULL")
            }
            rows = [
                (e.line_id, e.status, when, json.dumps(e.document, sort_keys=True))
                for e in entries
                if e.line_id not in decided
            ]
            db.executemany(
                "INSERT INTO review_entry (line_id, status, queued_at, document) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(line_id) DO UPDATE SET "
                "status = excluded.status, queued_at = excluded.queued_at, "
                "document = excluded.document",
                rows,
            )
            db.execute(
                "DELETE FROM review_entry WHERE line_id IN "
                "(SELECT line_id FROM reconcile_commitment) AND line_id NOT IN "
                "(SELECT line_id FROM review_decision WHERE undone_at IS NULL)"
            )
        return len(rows)

    def count(self, *, pending: bool | None = None, status: str | None = None) -> int:
        """How many entries: all, or only the undecided (``pending=True``) or decided ones."""
        if not self._tables:
            return 0
        where, values = _filter(pending, status)
        with self.workspace.reading() as db:
            row = db.execute(f"SELECT count(*) FROM review_entry e {where}", values).fetchone()
        return int(row[0])

    def entries(
        self,
        *,
        pending: bool | None = None,
        status: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> list[tuple[ReviewEntry, Decision | None]]:
        """A page of entries by line id, each with its active decision (None when undecided)."""
        if not self._tables:
            return []
        where, values = _filter(pending, status)
        with self.workspace.reading() as db:
            rows = db.execute(
                f"SELECT e.line_id, e.status, e.document FROM review_entry e {where} "
                "ORDER BY e.line_id LIMIT ? OFFSET ?",
                (*values, limit, offset),
            ).fetchall()
            ids = [row[0] for row in rows]
            active = self._active(db, ids)
        return [
            (ReviewEntry(row[0], row[1], json.loads(row[2])), active.get(row[0])) for row in rows
        ]

    def entry(self, line_id: str) -> ReviewEntry | None:
        """The entry of a line, or None when it is not in the queue."""
        if not self._tables:
            return None
        with self.workspace.reading() as db:
            row = db.execute(
                "SELECT line_id, status, document FROM review_entry WHERE line_id = ?", (line_id,)
            ).fetchone()
        return None if row is None else ReviewEntry(row[0], row[1], json.loads(row[2]))

    def neighbours(self, line_id: str) -> tuple[str | None, str | None]:
        """The undecided lines before and after ``line_id`` (by id), for next and previous."""
        if not self._tables:
            return None, None
        pending = "line_id NOT IN (SELECT line_id FROM review_decision WHERE undone_at IS NULL)"
        with self.workspace.reading() as db:
            before = db.execute(
                f"SELECT max(line_id) FROM review_entry WHERE line_id < ? AND {pending}",
                (line_id,),
            ).fetchone()[0]
            after = db.execute(
                f"SELECT min(line_id) FROM review_entry WHERE line_id > ? AND {pending}",
                (line_id,),
            ).fetchone()[0]
        return before, after

    def recorded(
        self, *, search: str = "", offset: int = 0, limit: int = 50
    ) -> tuple[int, list[dict[str, Any]]]:
        """The recorded allocations (``auto`` and decided), by line then item: the total and a page.

        ``search`` keeps those of one line or one item id. Each row: ``line_id``,
        ``item_id``, ``amount``, ``currency``, ``write_off`` (or None) and
        ``decided_by`` (None for an ``auto`` match of ``reconcile --commit``).
        """
        if not self._tables or not self.workspace.schema_version("reconcile"):
            return 0, []
        where = "WHERE ? = '' OR c.line_id = ? OR c.item_id = ?"
        values = (search, search, search)
        with self.workspace.reading() as db:
            total = db.execute(
                f"SELECT count(*) FROM reconcile_commitment c {where}", values
            ).fetchone()[0]
            rows = db.execute(
                "SELECT c.line_id, c.item_id, c.amount, c.currency, c.write_off, d.decided_by "
                "FROM reconcile_commitment c LEFT JOIN review_decision d "
                f"ON d.line_id = c.line_id AND d.undone_at IS NULL {where} "
                "ORDER BY c.line_id, c.item_id LIMIT ? OFFSET ?",
                (*values, limit, offset),
            ).fetchall()
        keys = ("line_id", "item_id", "amount", "currency", "write_off", "decided_by")
        return int(total), [dict(zip(keys, row, strict=True)) for row in rows]

    def history(self, line_id: str) -> list[Decision]:
        """Every decision on a line, undone ones included, oldest first."""
        if not self._tables:
            return []
        with self.workspace.reading() as db:
            rows = db.execute(f"{_DECISION} WHERE line_id = ? ORDER BY id", (line_id,)).fetchall()
        return [_decision(row) for row in rows]

    def last_id(self, line_id: str) -> int:
        """The id of the line's last decision (0 when none): what a form says it saw."""
        found = self.history(line_id)
        return found[-1].id if found else 0

    def _active(self, db: sqlite3.Connection, line_ids: Sequence[str]) -> dict[str, Decision]:
        if not line_ids:
            return {}
        marks = ",".join("?" * len(line_ids))
        rows = db.execute(
            f"{_DECISION} WHERE undone_at IS NULL AND line_id IN ({marks})", tuple(line_ids)
        ).fetchall()
        return {row[1]: _decision(row) for row in rows}

    def decide(
        self,
        line_id: str,
        action: ReviewAction,
        *,
        who: str,
        at: datetime,
        seen: int,
        item_id: str | None = None,
        item_ids: Sequence[str] = (),
        write_off: bool = False,
        others: Mapping[str, dict[str, Any]] | None = None,
    ) -> Decision:
        """Record a decision on a line (and its allocations) in one write transaction.

        ``item_id`` (pick) or ``item_ids`` (split) name the items, among the
        line's candidates or ``others`` (fields as
        :func:`~ecomrules.reconcile.review.item_fields` gives them: any open
        item the caller knows of). ``seen`` is the id of the line's last
        decision when the page was shown (0 for none). Raises
        :class:`~ecomrules.errors.ReviewConflict` when the line was decided or
        undone since, or its payment was recorded by another run, or an item
        it would settle was settled by another line meanwhile;
        :class:`~ecomrules.errors.InputError` when the decision itself cannot
        be (a line not in the queue, an unknown item, no proposal to accept;
        see :func:`~ecomrules.reconcile.review.decided_match`).
        """
        names = [*([item_id] if item_id else []), *item_ids]
        if len(set(names)) != len(names):
            raise InputError("review", [f"line {line_id}: an item is named twice"])
        with self.workspace.transaction() as db:
            entry = self.entry(line_id)
            if entry is None:
                self._check_not_restored(line_id)
                raise InputError("review", [f"line {line_id} is not in the review queue"])
            self._check_seen(db, line_id, seen)
            items = []
            for name in names:
                item = entry.candidate(name) or (others or {}).get(name)
                if item is None:
                    raise InputError(
                        "review",
                        [f"line {line_id}: {name!r} is neither a candidate nor an open item"],
                    )
                items.append(item)
            match = decided_match(entry, action, items, write_off=write_off)
            allocated: tuple[str, ...] = ()
            off: str | None = None
            if match is not None:
                residuals = _residuals([*entry.candidates, *items])
                result = MatchResult((match,), (), ())
                checked, _ = commit_against(self.matches, result, residuals)
                (recorded,) = checked.matches
                if recorded.status is not match.status:
                    raise ReviewConflict(_why(recorded.reasons[-1], line_id))
                allocated = tuple(a.item_id for a in match.allocations)
                if match.write_off_amount is not None:
                    off = f"{match.write_off_amount.amount} {match.currency}"
            cursor = db.execute(
                "INSERT INTO review_decision (line_id, action, item_ids, write_off, "
                "decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    line_id,
                    action.value,
                    json.dumps(list(allocated)),
                    off,
                    who,
                    at.isoformat(timespec="seconds"),
                ),
            )
            row = db.execute(f"{_DECISION} WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _decision(row)

    def undo(self, line_id: str, *, who: str, at: datetime, seen: int) -> Decision:
        """Undo the line's active decision: its allocations are removed, the line is pending again.

        ``seen`` must be that decision's id; otherwise (undone or replaced
        since) a :class:`~ecomrules.errors.ReviewConflict` says so.
        """
        with self.workspace.transaction() as db:
            self._check_seen(db, line_id, seen)
            active = self._active(db, [line_id]).get(line_id)
            if active is None:
                raise ReviewConflict(f"line {line_id} has no decision to undo")
            db.executemany(
                "DELETE FROM reconcile_commitment WHERE line_id = ? AND item_id = ?",
                [(line_id, item) for item in active.item_ids],
            )
            db.execute(
                "UPDATE review_decision SET undone_by = ?, undone_at = ? WHERE id = ?",
                (who, at.isoformat(timespec="seconds"), active.id),
            )
            row = db.execute(f"{_DECISION} WHERE id = ?", (active.id,)).fetchone()
        return _decision(row)

    # -- reverting auto matches ---------------------------------------------

    def reverts(self, line_id: str) -> list[Revert]:
        """Every revert of a line's ``auto`` match, undone ones included, oldest first."""
        if self._version < 2:
            return []
        with self.workspace.reading() as db:
            rows = db.execute(f"{_REVERT} WHERE line_id = ? ORDER BY id", (line_id,)).fetchall()
        return [_revert(row) for row in rows]

    def held(self) -> dict[str, str]:
        """The lines a later run must not record by itself, each with its reason code.

        A line whose ``auto`` match was reverted (:data:`~ecomrules.reconcile.review.REVERTED`)
        and one a person decided (:data:`~ecomrules.reconcile.review.DECIDED`) while the
        revert or decision stands: ``reconcile --commit`` sends them to review.
        """
        if not self._tables:
            return {}
        with self.workspace.reading() as db:
            found = {
                row[0]: DECIDED
                for row in db.execute("SELECT line_id FROM review_decision WHERE undone_at IS NULL")
            }
            if self._version >= 2:
                found.update(
                    (row[0], REVERTED)
                    for row in db.execute(
                        "SELECT line_id FROM review_revert WHERE undone_at IS NULL"
                    )
                )
        return found

    def revert(self, line_id: str, *, who: str, at: datetime) -> Revert:
        """Revert a line's ``auto`` match: remove its allocations, queue the line for review.

        In one write transaction: the allocations ``reconcile --commit``
        recorded for the line are removed (its items are open again for what
        it paid), the revert is recorded with who and when and the removed
        allocations, and the line joins the queue with its former match as
        the proposal (:func:`~ecomrules.reconcile.review.reverted_entry`).
        Raises :class:`~ecomrules.errors.ReviewConflict` when the line was
        reverted or decided meanwhile (its allocations are then a person's:
        undo that decision on the line's page);
        :class:`~ecomrules.errors.InputError` when the workspace holds no
        match of the line.
        """
        with self.workspace.transaction() as db:
            decided = self._active(db, [line_id]).get(line_id)
            if decided is not None:
                raise ReviewConflict(
                    f"line {line_id} was decided ({decided.action.value}) by "
                    f"{decided.decided_by} at {decided.decided_at}: its allocations are that "
                    "decision's; undo it on the line's page instead; nothing was reverted"
                )
            active = self._active_revert(db, line_id)
            if active is not None:
                raise ReviewConflict(
                    f"line {line_id} was reverted meanwhile by {active.reverted_by} at "
                    f"{active.reverted_at} (in another tab?); nothing was recorded"
                )
            removed = self.matches.commitments(lines=[line_id])
            removed = [c for c in removed if c.line_id == line_id]
            if not removed:
                raise InputError("review", [f"line {line_id}: the workspace holds no match of it"])
            db.execute("DELETE FROM reconcile_commitment WHERE line_id = ?", (line_id,))
            when = at.isoformat(timespec="seconds")
            cursor = db.execute(
                "INSERT INTO review_revert (line_id, commitments, reverted_by, reverted_at) "
                "VALUES (?, ?, ?, ?)",
                (line_id, json.dumps([_stored(c) for c in removed]), who, when),
            )
            entry = reverted_entry(line_id, removed, self._open_now(removed))
            db.execute(
                "INSERT INTO review_entry (line_id, status, queued_at, document) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(line_id) DO UPDATE SET "
                "status = excluded.status, queued_at = excluded.queued_at, "
                "document = excluded.document",
                (line_id, entry.status, when, json.dumps(entry.document, sort_keys=True)),
            )
            row = db.execute(f"{_REVERT} WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _revert(row)

    def undo_revert(self, line_id: str, *, who: str, at: datetime, seen: int) -> Revert:
        """Undo a revert: the ``auto`` match's allocations are recorded again, the line leaves
        the queue.

        ``seen`` must be the active revert's id. Raises
        :class:`~ecomrules.errors.ReviewConflict` when the revert was undone
        or replaced since, when a person decided the line meanwhile (undo
        that decision first), or when an item the match settled was settled
        by another line meanwhile; nothing is recorded then.
        """
        with self.workspace.transaction() as db:
            active = self._active_revert(db, line_id)
            if active is None or active.id != seen:
                last = _last(self.reverts(line_id))
                if last is None:
                    raise InputError("review", [f"line {line_id}: no revert to undo"])
                raise ReviewConflict(
                    f"line {line_id}: the revert was undone by {last.undone_by} at "
                    f"{last.undone_at} meanwhile (in another tab?); nothing was recorded"
                    if last.undone_at is not None
                    else f"line {line_id} was reverted again meanwhile by {last.reverted_by} "
                    f"at {last.reverted_at}; nothing was recorded"
                )
            decided = self._active(db, [line_id]).get(line_id)
            if decided is not None:
                raise ReviewConflict(
                    f"line {line_id} was decided ({decided.action.value}) by "
                    f"{decided.decided_by} at {decided.decided_at} since it was reverted: "
                    "undo that decision first; nothing was recorded"
                )
            first = active.commitments[0]
            currency = first.amount.currency.code
            off = sum(
                0 if c.write_off is None else c.write_off.to_minor_units()
                for c in active.commitments
            )
            match = Match(
                line_id,
                MatchStatus.AUTO,
                1.0,
                tuple(
                    Allocation(c.item_id, c.amount.to_minor_units(), currency)
                    for c in active.commitments
                ),
                currency,
                write_off=off,
            )
            residuals = {c.item_id: c.residual for c in active.commitments}
            checked, _ = commit_against(self.matches, MatchResult((match,), (), ()), residuals)
            if checked.matches[0].status is not MatchStatus.AUTO:
                raise ReviewConflict(_why(checked.matches[0].reasons[-1], line_id))
            db.execute("DELETE FROM review_entry WHERE line_id = ?", (line_id,))
            db.execute(
                "UPDATE review_revert SET undone_by = ?, undone_at = ? WHERE id = ?",
                (who, at.isoformat(timespec="seconds"), active.id),
            )
            row = db.execute(f"{_REVERT} WHERE id = ?", (active.id,)).fetchone()
        return _revert(row)

    def _active_revert(self, db: sqlite3.Connection, line_id: str) -> Revert | None:
        if self._version < 2:
            return None
        row = db.execute(
            f"{_REVERT} WHERE line_id = ? AND undone_at IS NULL", (line_id,)
        ).fetchone()
        return None if row is None else _revert(row)

    def _open_now(self, reverted: Sequence[Commitment]) -> dict[str, Money]:
        """What is open now of each item of ``reverted``: its residual less what other lines
        recorded against that residual (as :func:`~ecomrules.reconcile.store.without_committed`)."""
        residual = {c.item_id: c.residual for c in reverted}
        left = dict(residual)
        for c in self.matches.commitments(items=list(residual)):
            if c.item_id in residual and c.residual == residual[c.item_id]:
                left[c.item_id] = left[c.item_id] - c.settled
        return left

    def _check_not_restored(self, line_id: str) -> None:
        """A line out of the queue because its revert was undone meanwhile: a conflict."""
        last = _last(self.reverts(line_id))
        if last is not None and last.undone_at is not None:
            raise ReviewConflict(
                f"line {line_id}: the revert of its automatic match was undone by "
                f"{last.undone_by} at {last.undone_at} meanwhile (in another tab?): the match "
                "stands again; nothing was recorded"
            )

    def _check_seen(self, db: sqlite3.Connection, line_id: str, seen: int) -> None:
        row = db.execute(
            f"{_DECISION} WHERE line_id = ? ORDER BY id DESC LIMIT 1", (line_id,)
        ).fetchone()
        last = None if row is None else _decision(row)
        if (0 if last is None else last.id) == seen:
            return
        if last is None:
            raise ReviewConflict(f"line {line_id}: its decisions were removed meanwhile")
        if last.undone_at is not None:
            raise ReviewConflict(
                f"line {line_id}: the decision was undone by {last.undone_by} at "
                f"{last.undone_at} meanwhile (in another tab?); nothing was recorded, "
                "look again and decide"
            )
        raise ReviewConflict(
            f"line {line_id} was decided meanwhile ({last.action.value}) by {last.decided_by} "
            f"at {last.decided_at} (in another tab?); nothing was recorded"
        )


def _last(reverts: Sequence[Revert]) -> Revert | None:
    return reverts[-1] if reverts else None


def _filter(pending: bool | None, status: str | None) -> tuple[str, tuple[str, ...]]:
    clauses: list[str] = []
    values: tuple[str, ...] = ()
    decided = "SELECT line_id FROM review_decision WHERE undone_at IS NULL"
    if pending is True:
        clauses.append(f"e.line_id NOT IN ({decided})")
    elif pending is False:
        clauses.append(f"e.line_id IN ({decided})")
    if status is not None:
        clauses.append("e.status = ?")
        values = (status,)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", values


def _residuals(items: Sequence[dict[str, Any]]) -> dict[str, Money]:
    return {c["id"]: Money(Decimal(c["residual"]), c["currency"]) for c in items}


def _why(code: str, line_id: str) -> str:
    if code == COMMITTED_ELSEWHERE_LINE:
        return (
            f"line {line_id}: its payment was recorded meanwhile by another run; nothing recorded"
        )
    return (
        f"line {line_id}: an item it would settle was settled meanwhile by another line; "
        "nothing was recorded"
    )
