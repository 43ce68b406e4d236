"""What a plan says: its lines, the shipments of multi-line orders, and the plan itself."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from attrs import frozen

from ecomrules.outcome import Reason
from ecomrules.preorder.alerts import Alert, ProductSummary
from ecomrules.preorder.allocation import Note
from ecomrules.preorder.model import PreorderLine

__all__ = ["LineStatus", "MixedPolicy", "PlanLine", "ReleasePlan", "Shipment"]


class LineStatus(enum.Enum):
    """Where a line stands in the plan."""

    SCHEDULED = "scheduled"
    """Allocated in full; ships on its release schedule."""
    LATE = "late"
    """Allocated in full, but it cannot reach release day (late stock, or planned too late)."""
    PARTIAL = "partial"
    """Part of the quantity is allocated and scheduled; the rest waits for supply."""
    WAITING = "waiting"
    """Nothing allocated yet: waits for supply."""
    IN_STOCK = "in_stock"
    """An ordinary line of a mixed order: ships at the first pick-up."""
    HELD_FOR_ORDER = "held_for_order"
    """Waits for the other lines of its order (the ``wait`` mixed-order policy)."""
    NO_ROUTE = "no_route"
    """No carrier service serves the destination: cannot be scheduled."""
    UNKNOWN_PRODUCT = "unknown_product"
    """The sku is neither a pre-order product nor marked in stock."""


class MixedPolicy(enum.Enum):
    """Orders with lines shipping on different days."""

    SPLIT = "split"
    """Ship what is available now and the rest later (extra shipments)."""
    WAIT = "wait"
    """Ship everything together once every line can ship."""


@frozen
class PlanLine:
    """One line of the plan: what it gets, when it ships and arrives, and why.

    ``line`` is the order line planned. ``ship_on`` is a day in the
    warehouse's zone, ``expected_delivery`` and ``release_day`` days in the
    destination's. ``notes`` hold ``(code, message)`` pairs; :attr:`reasons`
    builds the :class:`Reason` values.
    """

    line: PreorderLine
    accepted: int
    allocated: int
    status: LineStatus
    ship_on: date | None
    expected_delivery: date | None
    release_day: date | None
    available_on: date | None
    units_ahead: int
    route: str | None
    notes: tuple[Note, ...]

    @property
    def order_id(self) -> str:
        """The order's id."""
        return self.line.order_id

    @property
    def sku(self) -> str:
        """The product's sku."""
        return self.line.sku

    @property
    def quantity(self) -> int:
        """The quantity ordered."""
        return self.line.quantity

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The reasons behind the line's allocation and dates."""
        return tuple(Reason(code, message) for code, message in self.notes)

    def to_json(self) -> dict[str, Any]:
        """The line as a JSON-ready dict."""
        return {
            "order_id": self.line.order_id,
            "sku": self.line.sku,
            "customer_id": self.line.customer_id,
            "quantity": self.line.quantity,
            "accepted": self.accepted,
            "allocated": self.allocated,
            "status": self.status.value,
            "ship_on": _iso(self.ship_on),
            "expected_delivery": _iso(self.expected_delivery),
            "release_day": _iso(self.release_day),
            "available_on": _iso(self.available_on),
            "units_ahead": self.units_ahead,
            "route": self.route,
            "reasons": [{"code": code, "message": message} for code, message in self.notes],
        }


@frozen
class Shipment:
    """One parcel of a multi-line order; ``ship_on`` None means when supply allows."""

    order_id: str
    number: int
    ship_on: date | None
    items: tuple[tuple[str, int], ...]

    @property
    def extra(self) -> bool:
        """True for every shipment after the order's first."""
        return self.number > 1

    def to_json(self) -> dict[str, Any]:
        """The shipment as a JSON-ready dict."""
        return {
            "order_id": self.order_id,
            "number": self.number,
            "extra": self.extra,
            "ship_on": _iso(self.ship_on),
            "items": [{"sku": sku, "quantity": quantity} for sku, quantity in self.items],
        }


@frozen
class ReleasePlan:
    """The plan at ``as_of``: lines, shipments of multi-line orders, products and alerts.

    ``lines`` come sku by sku (sorted): a pre-order product's lines in its
    allocation queue order, other lines (in stock, unknown products) by order
    id.
    """

    as_of: datetime
    lines: tuple[PlanLine, ...]
    shipments: tuple[Shipment, ...]
    products: tuple[ProductSummary, ...]
    alerts: tuple[Alert, ...]

    def line(self, order_id: str, sku: str) -> PlanLine:
        """The plan line of ``(order_id, sku)``; ``KeyError`` when absent."""
        for candidate in self.lines:
            if candidate.order_id == order_id and candidate.sku == sku:
                return candidate
        raise KeyError((order_id, sku))

    def to_json(self) -> dict[str, Any]:
        """The plan as a JSON-ready dict (the CLI's ``--json`` document)."""
        return {
            "as_of": self.as_of.isoformat(),
            "lines": [line.to_json() for line in self.lines],
            "shipments": [shipment.to_json() for shipment in self.shipments],
            "alerts": [alert.to_json() for alert in self.alerts],
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
