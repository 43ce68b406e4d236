"""Credit reservations and the log of credit decisions in the SQLite workspace.

:class:`SqliteReservationStore` implements
:class:`ecomrules.credit.ReservationStore`. Its lock is a ``BEGIN IMMEDIATE``
write transaction, so two processes (or threads with their own connections)
deciding on the same customer take turns: the second sees the first's
reservation before it decides.

:class:`SqliteCreditLog` keeps the decisions ``ecomrules credit check``
recorded (``--reserve`` or ``--record``): each decision as its JSON, with
its date, who and when, so the review page shows the decisions of the day.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from attrs import frozen

from ecomrules.credit.decision import CreditDecision
from ecomrules.credit.reservation import Reservation
from ecomrules.money import Money
from ecomrules.workspace.store import Workspace

__all__ = ["LoggedCreditDecision", "SqliteCreditLog", "SqliteReservationStore"]

_MIGRATIONS = [
    """
    CREATE TABLE credit_reservation (
        order_id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        group_id TEXT,
        currency TEXT NOT NULL,
        amount TEXT NOT NULL,
        reserved_on TEXT NOT NULL
    );
    CREATE INDEX credit_reservation_customer ON credit_reservation (customer_id)
    """,
    """
    CREATE TABLE credit_decision (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        decided_on TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        document TEXT NOT NULL
    );
    CREATE INDEX credit_decision_day ON credit_decision (decided_on)
    """,
]


class SqliteReservationStore:
    """Reservations in a workspace file; amounts stored as exact decimal text."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._tables = workspace.ensure_schema("credit", _MIGRATIONS) > 0

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the workspace's write transaction (commit on success, roll back on error)."""
        with self.workspace.transaction():
            yield

    def reservations(self, customer_ids: Sequence[str]) -> list[Reservation]:
        """Return the reservations of these customers, by order id."""
        if not customer_ids:
            return []
        marks = ",".join("?" * len(customer_ids))
        return self._select(f"WHERE customer_id IN ({marks})", tuple(customer_ids))

    def every(self) -> list[Reservation]:
        """Return every reservation, by order id."""
        return self._select("", ())

    def _select(self, where: str, values: tuple[str, ...]) -> list[Reservation]:
        if not self._tables:
            return []
        with self.workspace.reading() as db:
            rows = db.execute(
                "SELECT order_id, customer_id, group_id, currency, amount, reserved_on "
                f"FROM credit_reservation {where} ORDER BY order_id",
                values,
            ).fetchall()
        return [
            Reservation(
                order_id=row[0],
                customer_id=row[1],
                group_id=row[2],
                amount=Money(row[4], row[3]),
                reserved_on=date.fromisoformat(row[5]),
            )
            for row in rows
        ]

    def add(self, reservation: Reservation) -> None:
        """Record (or replace) an order's reservation."""
        with self.workspace.transaction() as db:
            db.execute(
                "INSERT INTO credit_reservation "
                "(order_id, customer_id, group_id, currency, amount, reserved_on) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(order_id) DO UPDATE SET "
                "customer_id = excluded.customer_id, group_id = excluded.group_id, "
                "currency = excluded.currency, amount = excluded.amount, "
                "reserved_on = excluded.reserved_on",
                (
                    reservation.order_id,
                    reservation.customer_id,
                    reservation.group_id,
                    reservation.amount.currency.code,
                    str(reservation.amount.amount),
                    reservation.reserved_on.isoformat(),
                ),
            )

    def release(self, order_id: str) -> bool:
        """Drop an order's reservation; True if there was one."""
        with self.workspace.transaction() as db:
            cursor = db.execute("DELETE FROM credit_reservation WHERE order_id = ?", (order_id,))
            return cursor.rowcount > 0


@frozen
class LoggedCreditDecision:
    """A credit decision as the workspace recorded it: the decision's JSON, its date, who, when.

    ``document`` is :meth:`CreditDecision.to_json` (``reasons`` each with
    ``code`` and ``message``, the amounts as text).
    """

    id: int
    order_id: str
    customer_id: str
    outcome: str
    decided_on: date
    recorded_by: str
    recorded_at: str
    document: dict[str, Any]

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """The reasons, in order: ``code`` and ``message`` (plain words) each."""
        found: list[dict[str, Any]] = self.document.get("reasons", [])
        return found


class SqliteCreditLog:
    """The credit decisions recorded in a workspace file, by decision date."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._version = workspace.ensure_schema("credit", _MIGRATIONS)

    def record(self, decision: CreditDecision, *, on: date, by: str, at: datetime) -> int:
        """Record a decision taken for date ``on`` by ``by`` at ``at``; return its id."""
        with self.workspace.transaction() as db:
            cursor = db.execute(
                "INSERT INTO credit_decision (order_id, customer_id, outcome, decided_on, "
                "recorded_by, recorded_at, document) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    decision.order_id,
                    decision.customer_id,
                    decision.outcome.value,
                    on.isoformat(),
                    by,
                    at.isoformat(timespec="seconds"),
                    json.dumps(decision.to_json(), sort_keys=True),
                ),
            )
            return int(cursor.lastrowid or 0)

    def of_day(self, day: date) -> list[LoggedCreditDecision]:
        """The decisions taken for ``day``, in the order they were recorded."""
        if self._version < 2:  # read-only, not upgraded yet: nothing recorded
            return []
        with self.workspace.reading() as db:
            rows = db.execute(
                "SELECT id, order_id, customer_id, outcome, decided_on, recorded_by, "
                "recorded_at, document FROM credit_decision WHERE decided_on = ? ORDER BY id",
                (day.isoformat(),),
            ).fetchall()
        return [
            LoggedCreditDecision(
                int(row[0]),
                row[1],
                row[2],
                row[3],
                date.fromisoformat(row[4]),
                row[5],
                row[6],
                json.loads(row[7]),
            )
            for row in rows
        ]
