"""The embargo: may this line leave the warehouse now? Never before release, stock or not.

A relaxed street date lifts at the release instant. A strict one lifts on the
first ship day whose expected delivery is not before the release in the
destination's zone (so parcels may travel before the release, never arrive
before it). Stock in hand changes nothing: the decision does not look at it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from attrs import frozen

from ecomrules.outcome import Reason
from ecomrules.preorder.model import PreorderLine, PreorderProduct
from ecomrules.preorder.schedule import Scheduler
from ecomrules.time import require_aware

__all__ = ["Embargo", "ShipDecision"]


@frozen
class ShipDecision:
    """Whether a line may ship at ``as_of``, why, and from when (``earliest_ship_at``)."""

    allowed: bool
    earliest_ship_at: datetime | None
    reasons: tuple[Reason, ...]


class Embargo:
    """The embargo rule over a catalogue of pre-order products and a scheduler."""

    def __init__(self, products: Iterable[PreorderProduct], scheduler: Scheduler) -> None:
        self._products = {product.sku: product for product in products}
        self._scheduler = scheduler

    def can_ship(self, line: PreorderLine, as_of: datetime) -> ShipDecision:
        """Decide whether ``line`` may be handed to its carrier at ``as_of``."""
        require_aware(as_of, "as_of")
        product = self._products.get(line.sku)
        if line.in_stock or product is None:
            reason = Reason(
                "preorder.embargo.not_embargoed",
                f"{line.sku} is not a pre-order product: it ships when ready",
            )
            return ShipDecision(True, None, (reason,))
        route = self._scheduler.route(line.carrier_service, line.country)
        if route is None or not product.strict:
            earliest = product.release_at
            rule = "release instant"
        else:
            target = self._scheduler.target(product, route)
            earliest = target.earliest_ship_at
            rule = f"first ship day delivering on or after {target.release_day.isoformat()}"
        if as_of >= earliest:
            reason = Reason(
                "preorder.embargo.released",
                f"{line.sku} may ship since {earliest.isoformat()} ({rule})",
                {"earliest_ship_at": earliest.isoformat()},
            )
            return ShipDecision(True, earliest, (reason,))
        reasons = [
            Reason(
                "preorder.embargo.before_release",
                f"{line.sku} is released {product.release_at.isoformat()}: "
                f"hold until {earliest.isoformat()} ({rule}), even with stock in hand",
                {
                    "release_at": product.release_at.isoformat(),
                    "earliest_ship_at": earliest.isoformat(),
                    "strict": product.strict,
                },
            )
        ]
        if route is None:
            reasons.append(
                Reason(
                    "preorder.schedule.no_route",
                    f"no carrier route {line.carrier_service!r} to {line.country}",
                )
            )
        return ShipDecision(False, earliest, tuple(reasons))
