"""The pre-order board: one row per product, as data for an ERP screen or the CLI."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from attrs import frozen

from ecomrules.preorder.result import ReleasePlan

__all__ = ["BoardRow", "board"]


@frozen
class BoardRow:
    """A product's pre-orders at a glance: demand, allocation, supply, dates and alert codes."""

    sku: str
    name: str
    preorders: int
    demanded: int
    allocated: int
    received: int
    incoming: int
    release_on: date
    days_to_release: int
    supplier_cutoff: date | None
    days_to_cutoff: int | None
    alerts: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The row as a JSON-ready dict."""
        return {
            "sku": self.sku,
            "name": self.name,
            "preorders": self.preorders,
            "demanded": self.demanded,
            "allocated": self.allocated,
            "received": self.received,
            "incoming": self.incoming,
            "release_on": self.release_on.isoformat(),
            "days_to_release": self.days_to_release,
            "supplier_cutoff": None
            if self.supplier_cutoff is None
            else self.supplier_cutoff.isoformat(),
            "days_to_cutoff": self.days_to_cutoff,
            "alerts": list(self.alerts),
        }


def board(plan: ReleasePlan) -> tuple[BoardRow, ...]:
    """The board of ``plan``: its products sorted by sku, each with its alerts' codes."""
    codes: dict[str, set[str]] = defaultdict(set)
    for alert in plan.alerts:
        codes[alert.sku].add(alert.code)
    return tuple(
        BoardRow(
            sku=summary.sku,
            name=summary.name,
            preorders=summary.lines,
            demanded=summary.demanded,
            allocated=summary.allocated,
            received=summary.received,
            incoming=summary.incoming,
            release_on=summary.release_on,
            days_to_release=summary.days_to_release,
            supplier_cutoff=summary.supplier_cutoff,
            days_to_cutoff=summary.days_to_cutoff,
            alerts=tuple(sorted(codes[summary.sku])),
        )
        for summary in sorted(plan.products, key=lambda s: s.sku)
    )
