"""Credit reservations in the SQLite workspace.

:class:`SqliteReservationStore` implements
:class:`ecomrules.credit.ReservationStore`. Its lock is a ``BEGIN IMMEDIATE``
write transaction, so two processes (or threads with their own connections)
deciding on the same customer take turns: the second sees the first's
reservation before it decides.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from ecomrules.credit.reservation import Reservation
from ecomrules.money import Money
from ecomrules.workspace.store import Workspace

__all__ = ["SqliteReservationStore"]

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
    """
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
