"""The dunning history in the workspace: notices sent, charges, blocks and pauses.

:class:`SqliteDunningStore` implements
:class:`ecomrules.dunning.DunningHistoryStore` over a
:class:`~ecomrules.workspace.Workspace`; ``ecomrules dunning commit`` records
through it. Recording is idempotent: a notice item or charge already stored
(same key) is not stored again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from ecomrules.dunning.history import (
    ChargeKind,
    CustomerPause,
    DunningCharge,
    DunningEvent,
    DunningHistory,
    ItemBlock,
)
from ecomrules.dunning.plan import DunningPlan
from ecomrules.errors import WorkspaceError
from ecomrules.money import Money
from ecomrules.workspace.store import Workspace

__all__ = ["SqliteDunningStore"]

AREA = "dunning"

MIGRATIONS = [
    """
    CREATE TABLE dunning_events (
        key TEXT PRIMARY KEY,
        item_id TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        level TEXT NOT NULL,
        rank INTEGER NOT NULL,
        sent_on TEXT NOT NULL,
        notice_key TEXT NOT NULL,
        block_credit INTEGER NOT NULL,
        handover TEXT
    );
    CREATE INDEX dunning_events_customer ON dunning_events (customer_id);
    CREATE TABLE dunning_charges (
        key TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        item_id TEXT,
        kind TEXT NOT NULL,
        level TEXT NOT NULL,
        currency TEXT NOT NULL,
        amount TEXT NOT NULL,
        paid TEXT NOT NULL DEFAULT '0',
        charged_on TEXT NOT NULL,
        period_end TEXT
    );
    CREATE TABLE dunning_blocks (
        item_id TEXT PRIMARY KEY,
        until TEXT,
        note TEXT NOT NULL
    );
    CREATE TABLE dunning_pauses (
        customer_id TEXT PRIMARY KEY,
        until TEXT,
        note TEXT NOT NULL
    )
    """
]


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


class _Days(dict[str, date]):
    """ISO dates parsed once each."""

    def __missing__(self, text: str) -> date:
        day = self[text] = date.fromisoformat(text)
        return day


class SqliteDunningStore:
    """The workspace's dunning history (a :class:`~ecomrules.dunning.DunningHistoryStore`)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._tables = workspace.ensure_schema(AREA, MIGRATIONS) > 0

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the workspace's write transaction (commit on success, roll back on error)."""
        with self.workspace.transaction():
            yield

    def changes(self) -> int:
        """SQLite's ``data_version``: it changes when another connection commits to the file."""
        with self.workspace.reading() as db:
            return int(db.execute("PRAGMA data_version").fetchone()[0])

    def load(self) -> DunningHistory:
        """Return the whole history."""
        if not self._tables:
            return DunningHistory()
        with self.workspace.reading() as db:
            return self._load(db)

    def _load(self, db: sqlite3.Connection) -> DunningHistory:
        # Millions of events share a few hundred days and a few levels: one date
        # object and one string each, shared by their rows.
        days = _Days()
        levels: dict[str, str] = {}
        events = [
            DunningEvent(
                item_id=row[1],
                customer_id=row[2],
                level=levels.setdefault(row[3], row[3]),
                rank=int(row[4]),
                sent_on=days[row[5]],
                key=row[0],
                notice_key=row[6],
                block_credit=bool(row[7]),
                handover=row[8],
            )
            for row in db.execute(
                "SELECT key, item_id, customer_id, level, rank, sent_on, notice_key, "
                "block_credit, handover FROM dunning_events ORDER BY key"
            )
        ]
        charges = [
            DunningCharge(
                key=row[0],
                customer_id=row[1],
                item_id=row[2],
                kind=ChargeKind(row[3]),
                level=row[4],
                amount=Money(Decimal(row[6]), row[5]),
                paid=Money(Decimal(row[7]), row[5]),
                charged_on=date.fromisoformat(row[8]),
                period_end=_day(row[9]),
            )
            for row in db.execute(
                "SELECT key, customer_id, item_id, kind, level, currency, amount, paid, "
                "charged_on, period_end FROM dunning_charges ORDER BY key"
            )
        ]
        blocks = [
            ItemBlock(row[0], _day(row[1]), row[2])
            for row in db.execute(
                "SELECT item_id, until, note FROM dunning_blocks ORDER BY item_id"
            )
        ]
        pauses = [
            CustomerPause(row[0], _day(row[1]), row[2])
            for row in db.execute(
                "SELECT customer_id, until, note FROM dunning_pauses ORDER BY customer_id"
            )
        ]
        return DunningHistory(events, charges, blocks, pauses)

    def record(self, plan: DunningPlan, sent_on: date) -> int:
        """Record the notices as sent on ``sent_on``; return how many item levels were new."""
        added = 0
        with self.workspace.transaction() as db:
            for event in plan.events(sent_on):
                cursor = db.execute(
                    "INSERT OR IGNORE INTO dunning_events (key, item_id, customer_id, level, "
                    "rank, sent_on, notice_key, block_credit, handover) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        event.key,
                        event.item_id,
                        event.customer_id,
                        event.level,
                        event.rank,
                        event.sent_on.isoformat(),
                        event.notice_key,
                        int(event.block_credit),
                        event.handover,
                    ),
                )
                added += cursor.rowcount
            for charge in plan.new_charges(sent_on):
                db.execute(
                    "INSERT OR IGNORE INTO dunning_charges (key, customer_id, item_id, kind, "
                    "level, currency, amount, charged_on, period_end) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        charge.key,
                        charge.customer_id,
                        charge.item_id,
                        charge.kind.value,
                        charge.level,
                        charge.amount.currency.code,
                        str(charge.amount.amount),
                        charge.charged_on.isoformat(),
                        None if charge.period_end is None else charge.period_end.isoformat(),
                    ),
                )
        return added

    def record_payment(self, charge_key: str, amount: Money) -> None:
        """Add ``amount`` to what was paid of a charge; refuse paying more than it."""
        with self.workspace.transaction() as db:
            row = db.execute(
                "SELECT currency, amount, paid FROM dunning_charges WHERE key = ?", (charge_key,)
            ).fetchone()
            if row is None:
                raise WorkspaceError(f"no dunning charge {charge_key!r}")
            paid = Money(Decimal(row[2]), row[0]) + amount
            if paid > Money(Decimal(row[1]), row[0]):
                raise WorkspaceError(f"{charge_key}: {paid} paid is more than {row[1]} {row[0]}")
            db.execute(
                "UPDATE dunning_charges SET paid = ? WHERE key = ?", (str(paid.amount), charge_key)
            )

    def block_item(self, item_id: str, until: date | None, note: str = "") -> None:
        """Hold an item by hand until ``until`` (for ever when None)."""
        with self.workspace.transaction() as db:
            db.execute(
                "INSERT INTO dunning_blocks (item_id, until, note) VALUES (?, ?, ?) "
                "ON CONFLICT(item_id) DO UPDATE SET until = excluded.until, note = excluded.note",
                (item_id, None if until is None else until.isoformat(), note),
            )

    def pause_customer(self, customer_id: str, until: date | None, note: str = "") -> None:
        """Send a customer no notice until ``until`` (for ever when None)."""
        with self.workspace.transaction() as db:
            db.execute(
                "INSERT INTO dunning_pauses (customer_id, until, note) VALUES (?, ?, ?) "
                "ON CONFLICT(customer_id) DO UPDATE SET until = excluded.until, "
                "note = excluded.note",
                (customer_id, None if until is None else until.isoformat(), note),
            )
