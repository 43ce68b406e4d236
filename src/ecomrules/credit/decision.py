"""The decision value and the overrides that can lift a refusal."""

from __future__ import annotations

from datetime import date
from typing import Any

from attrs import frozen

from ecomrules.credit.exposure import Exposure, GroupExposure
from ecomrules.credit.outcome import Outcome
from ecomrules.money import Money
from ecomrules.outcome import Reason

__all__ = ["CreditDecision", "Override"]


@frozen
class Override:
    """A person's permission to accept an order the checks refuse, until a date (inclusive).

    It covers one order (``order_id``) or every order of a customer
    (``customer_id``): give exactly one of them.
    """

    who: str
    why: str
    until: date
    order_id: str | None = None
    customer_id: str | None = None

    def __attrs_post_init__(self) -> None:
        if (self.order_id is None) == (self.customer_id is None):
            raise ValueError("an override covers either one order_id or one customer_id")
        if not self.who.strip() or not self.why.strip():
            raise ValueError("an override needs who and why")

    def covers(self, order_id: str, customer_id: str) -> bool:
        """True when the override is about this order or this customer."""
        return self.order_id == order_id or self.customer_id == customer_id

    def to_json(self) -> dict[str, Any]:
        """Return the override as a JSON-ready dict."""
        return {
            "who": self.who,
            "why": self.why,
            "until": self.until.isoformat(),
            "order_id": self.order_id,
            "customer_id": self.customer_id,
        }


@frozen
class CreditDecision:
    """What to do with an order, and why.

    ``exposure_before`` is the customer's exposure without the order,
    ``exposure_after`` with what the order adds now (nothing for a secured
    payment); ``headroom = limit - exposure_after`` (negative past the limit,
    ``None`` without a limit). ``override`` is the override that lifted a
    refusal, if one did.
    """

    order_id: str
    customer_id: str
    outcome: Outcome
    reasons: tuple[Reason, ...]
    exposure_before: Money
    exposure_after: Money
    limit: Money | None
    headroom: Money | None
    exposure: Exposure
    group: GroupExposure | None = None
    override: Override | None = None

    @property
    def accepted(self) -> bool:
        """True for allow and warn: the order may go ahead on account."""
        return self.outcome in (Outcome.ALLOW, Outcome.WARN)

    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(reason.code for reason in self.reasons)

    def to_json(self) -> dict[str, Any]:
        """Return the decision as a JSON-ready dict (amounts as strings)."""
        return {
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "outcome": self.outcome.value,
            "reasons": [{"code": r.code, "message": r.message} for r in self.reasons],
            "currency": self.exposure_before.currency.code,
            "exposure_before": str(self.exposure_before.amount),
            "exposure_after": str(self.exposure_after.amount),
            "limit": None if self.limit is None else str(self.limit.amount),
            "headroom": None if self.headroom is None else str(self.headroom.amount),
            "override": None if self.override is None else self.override.to_json(),
        }
