"""The SQLite store of accepted reconciliation matches (``--commit``)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

from ecomrules.money import Money
from ecomrules.reconcile.store import Commitment
from ecomrules.workspace.store import Workspace

__all__ = ["SqliteMatchStore"]

_AREA = "reconcile"
_MIGRATIONS = [
    """
    CREATE TABLE reconcile_commitment (
        line_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        amount TEXT NOT NULL,
        currency TEXT NOT NULL,
        residual TEXT NOT NULL,
        PRIMARY KEY (line_id, item_id)
    )
    """,
    "ALTER TABLE reconcile_commitment ADD COLUMN write_off TEXT",
]


class SqliteMatchStore:
    """Accepted matches in the workspace file (a :class:`~ecomrules.reconcile.store.MatchStore`)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._version = workspace.ensure_schema(_AREA, _MIGRATIONS)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the workspace's write transaction (commit on success, roll back on error)."""
        with self.workspace.transaction():
            yield

    def commitments(
        self, items: Collection[str] | None = None, lines: Collection[str] | None = None
    ) -> list[Commitment]:
        """The accepted allocations, by line then item; given ``items`` or ``lines``, only theirs.

        The ids go to SQLite as one JSON array each, so a statement of any
        size is one query.
        """
        if not self._version:
            return []
        write_off = "write_off" if self._version >= 2 else "NULL"  # read-only, not upgraded
        query = (
            f"SELECT line_id, item_id, amount, currency, residual, {write_off} "
            "FROM reconcile_commitment"
        )
        arguments: tuple[str, ...] = ()
        if items is not None or lines is not None:
            query += (
                " WHERE item_id IN (SELECT value FROM json_each(?))"
                " OR line_id IN (SELECT value FROM json_each(?))"
            )
            arguments = (json.dumps(list(items or ())), json.dumps(list(lines or ())))
        with self.workspace.reading() as db:
            rows = db.execute(f"{query} ORDER BY line_id, item_id", arguments).fetchall()
        return [
            Commitment(
                line,
                item,
                Money(Decimal(amount), cur),
                Money(Decimal(residual), cur),
                None if off is None else Money(Decimal(off), cur),
            )
            for line, item, amount, cur, residual, off in rows
        ]

    def record(self, commitments: Sequence[Commitment]) -> int:
        """Insert the commitments not stored yet (one transaction); return how many were new."""
        with self.workspace.transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO reconcile_commitment "
                "(line_id, item_id, amount, currency, residual, write_off) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.line_id,
                        c.item_id,
                        str(c.amount.amount),
                        c.amount.currency.code,
                        str(c.residual.amount),
                        None if c.write_off is None else str(c.write_off.amount),
                    )
                    for c in commitments
                ],
            )
            return int(db.total_changes - before)
