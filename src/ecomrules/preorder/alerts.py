"""Alerts: what the shop must act on before a release goes wrong.

Per product: the supplier cut-off is near (or passed) with demand not covered
by supply, with a suggested purchase quantity; the release is near without
enough supply arriving by then; stock received early is held by the embargo.
Per line: a card authorisation expires before the ship day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from ecomrules.outcome import Severity, check_code
from ecomrules.preorder.model import PreorderProduct

__all__ = ["Alert", "AlertPolicy", "ProductSummary", "product_alerts", "suggest_purchase"]


@frozen
class AlertPolicy:
    """Horizons of the alerts, in days: cut-off, release and card authorisation validity."""

    cutoff_days: int = 14
    release_days: int = 7
    authorization_days: int = 7


def _freeze(data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(data or {}))


@frozen
class Alert:
    """Something to act on: a stable ``code``, the product, a message and its figures."""

    code: str = field(converter=check_code)
    sku: str
    message: str
    severity: Severity = Severity.WARNING
    order_id: str | None = None
    data: Mapping[str, Any] = field(factory=dict, converter=_freeze, eq=False, hash=False)

    def to_json(self) -> dict[str, Any]:
        """The alert as a JSON-ready dict."""
        out: dict[str, Any] = {
            "code": self.code,
            "sku": self.sku,
            "message": self.message,
            "severity": self.severity.value,
        }
        if self.order_id is not None:
            out["order_id"] = self.order_id
        out.update({key: _json_value(value) for key, value in self.data.items()})
        return out


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


@frozen
class ProductSummary:
    """One product's figures in a plan: lines, demand, allocation and supply."""

    sku: str
    name: str
    lines: int
    demanded: int
    accepted: int
    allocated: int
    received: int
    incoming: int
    supply_by_release: int
    release_on: date
    supplier_cutoff: date | None
    days_to_release: int
    days_to_cutoff: int | None
    held: int

    @property
    def uncovered(self) -> int:
        """Accepted demand that no supply (received or expected) covers."""
        return max(0, self.accepted - self.received - self.incoming)


def suggest_purchase(product: PreorderProduct, uncovered: int) -> int:
    """Demand plus safety stock, at least the minimum order, rounded up to whole packs."""
    wanted = max(uncovered + product.safety_stock, product.min_order)
    packs = -(-wanted // product.pack_size)
    return packs * product.pack_size


def product_alerts(
    product: PreorderProduct, summary: ProductSummary, as_of: datetime, policy: AlertPolicy
) -> list[Alert]:
    """The product-level alerts of ``summary`` at ``as_of``."""
    alerts = []
    sku = product.sku
    uncovered = summary.uncovered
    if summary.days_to_cutoff is not None and uncovered:
        suggested = suggest_purchase(product, uncovered)
        figures = {
            "uncovered": uncovered,
            "suggested_quantity": suggested,
            "supplier_cutoff": summary.supplier_cutoff,
            "days_to_cutoff": summary.days_to_cutoff,
        }
        if summary.days_to_cutoff < 0:
            alerts.append(
                Alert(
                    "preorder.alert.cutoff_passed",
                    sku,
                    f"supplier cut-off {summary.supplier_cutoff} passed with {uncovered} "
                    f"units not covered; {suggested} would cover them",
                    Severity.ERROR,
                    data=figures,
                )
            )
        elif summary.days_to_cutoff <= policy.cutoff_days:
            alerts.append(
                Alert(
                    "preorder.alert.cutoff_soon",
                    sku,
                    f"buy {suggested} units from the supplier by {summary.supplier_cutoff} "
                    f"({summary.days_to_cutoff} days): {uncovered} units not covered",
                    data=figures,
                )
            )
    short = summary.accepted - summary.supply_by_release
    if 0 <= summary.days_to_release <= policy.release_days and short > 0:
        alerts.append(
            Alert(
                "preorder.alert.release_short",
                sku,
                f"release in {summary.days_to_release} days with {short} units short "
                f"({summary.supply_by_release} arriving by {summary.release_on} for "
                f"{summary.accepted} ordered)",
                data={"short": short, "days_to_release": summary.days_to_release},
            )
        )
    if summary.held and as_of < product.release_at:
        alerts.append(
            Alert(
                "preorder.alert.stock_held",
                sku,
                f"{summary.held} units in the warehouse held by the embargo until "
                f"{product.release_at.isoformat()}",
                Severity.INFO,
                data={"held": summary.held, "release_at": product.release_at.isoformat()},
            )
        )
    return alerts
