"""What a dunning run proposes: notices, holds and new charges, each with its key.

A plan never sends anything. An adapter sends each notice at most once by
its ``idempotency_key`` and then records the plan (:meth:`DunningPlan.events`,
:meth:`DunningPlan.new_charges`) so the next run escalates from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from attrs import evolve, frozen

from ecomrules.dunning.history import (
    ChargeKind,
    DunningCharge,
    DunningEvent,
    DunningHistory,
    DunningHistoryStore,
)
from ecomrules.dunning.policy import Channel
from ecomrules.money import Money
from ecomrules.outcome import Issue, Reason

__all__ = [
    "DunningPlan",
    "Hold",
    "Letter",
    "NewCharge",
    "Notice",
    "NoticeItem",
    "charge_json",
    "commit_plan",
]


@frozen
class NoticeItem:
    """One item on a notice, at its own level."""

    item_id: str
    number: str
    level: str
    rank: int
    amount_due: Money
    due_date: date
    days_overdue: int
    idempotency_key: str
    block_credit: bool = False
    handover: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "item_id": self.item_id,
            "number": self.number,
            "level": self.level,
            "rank": self.rank,
            "amount_due": str(self.amount_due.amount),
            "currency": self.amount_due.currency.code,
            "due_date": self.due_date.isoformat(),
            "days_overdue": self.days_overdue,
            "idempotency_key": self.idempotency_key,
        }


@frozen
class NewCharge:
    """A fee, indemnity or interest this run charges, with how it was computed."""

    key: str
    kind: ChargeKind
    customer_id: str
    item_id: str | None
    level: str
    amount: Money
    basis: Money | None = None
    rate: Decimal | None = None
    period: tuple[date, date] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form."""
        out: dict[str, Any] = {
            "key": self.key,
            "kind": self.kind.value,
            "item_id": self.item_id,
            "level": self.level,
            "amount": str(self.amount.amount),
            "currency": self.amount.currency.code,
        }
        if self.basis is not None:
            out["basis"] = str(self.basis.amount)
        if self.rate is not None:
            out["rate"] = str(self.rate)
        if self.period is not None:
            out["period"] = [self.period[0].isoformat(), self.period[1].isoformat()]
        return out


@frozen
class Letter:
    """A rendered notice: subject, plain text and HTML, in one language.

    ``payment_reference`` is the reference the letter asks the customer to
    quote (from the sender profile's rule), None without bank details: keep
    it to find the payment back.
    """

    template: str
    language: str
    subject: str
    text: str
    html: str
    payment_reference: str | None = None


@frozen
class Notice:
    """One notice to one customer, grouping its items each at its own level.

    The notice takes the highest level among its items; ``charges`` are the
    fees and interest this notice adds and ``open_charges`` those charged
    before and still unpaid. ``totals`` are per currency: items, new and open
    charges together.
    """

    customer_id: str
    customer_name: str
    level: str
    rank: int
    channel: Channel | None
    template: str
    language: str
    items: tuple[NoticeItem, ...]
    charges: tuple[NewCharge, ...]
    open_charges: tuple[DunningCharge, ...]
    totals: tuple[Money, ...]
    block_credit: bool
    handover: str | None
    idempotency_key: str
    reasons: tuple[Reason, ...] = ()
    letter: Letter | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form (the shape ``ecomrules dunning plan --json`` prints)."""
        out: dict[str, Any] = {
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "level": self.level,
            "rank": self.rank,
            "channel": None if self.channel is None else self.channel.value,
            "template": self.template,
            "language": self.language,
            "items": [item.to_json() for item in self.items],
            "fees": [c.to_json() for c in self.charges if c.kind is not ChargeKind.INTEREST],
            "interest": [c.to_json() for c in self.charges if c.kind is ChargeKind.INTEREST],
            "open_charges": [charge_json(c) for c in self.open_charges],
            "totals": [{"amount": str(m.amount), "currency": m.currency.code} for m in self.totals],
            "block_credit": self.block_credit,
            "handover": self.handover,
            "idempotency_key": self.idempotency_key,
            "reasons": [r.to_json() for r in self.reasons],
        }
        if self.letter is not None:
            out["message"] = {
                "subject": self.letter.subject,
                "text": self.letter.text,
                "html": self.letter.html,
                "payment_reference": self.letter.payment_reference,
            }
        return out


def charge_json(charge: DunningCharge) -> dict[str, Any]:
    """The JSON form of a charge still open (a notice's ``open_charges``, a plan's ``claims``)."""
    return {
        "key": charge.key,
        "kind": charge.kind.value,
        "item_id": charge.item_id,
        "level": charge.level,
        "open_amount": str(charge.open_amount.amount),
        "currency": charge.amount.currency.code,
        "charged_on": charge.charged_on.isoformat(),
    }


@frozen
class Hold:
    """An item that would have had a step today and does not, with the reason why."""

    item_id: str
    customer_id: str
    level: str
    reason: Reason

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form."""
        out: dict[str, Any] = {
            "item_id": self.item_id,
            "customer_id": self.customer_id,
            "level": self.level,
            "reason": self.reason.code,
            "message": self.reason.message,
        }
        if self.reason.data:
            out["data"] = self.reason.to_json()["data"]
        return out


@frozen
class DunningPlan:
    """The result of :func:`ecomrules.dunning.plan`: notices, holds, open claims, warnings."""

    as_of: date
    policy: str
    notices: tuple[Notice, ...]
    holds: tuple[Hold, ...]
    claims: tuple[DunningCharge, ...] = ()
    issues: tuple[Issue, ...] = ()

    def events(self, sent_on: date) -> Iterator[DunningEvent]:
        """The history events that record this plan's notices as sent on ``sent_on``."""
        for notice in self.notices:
            for item in notice.items:
                yield DunningEvent(
                    item_id=item.item_id,
                    customer_id=notice.customer_id,
                    level=item.level,
                    rank=item.rank,
                    sent_on=sent_on,
                    key=item.idempotency_key,
                    notice_key=notice.idempotency_key,
                    block_credit=item.block_credit,
                    handover=item.handover,
                )

    def new_charges(self, charged_on: date) -> Iterator[DunningCharge]:
        """The charges this plan adds, as history records."""
        for notice in self.notices:
            for charge in notice.charges:
                yield DunningCharge(
                    key=charge.key,
                    customer_id=charge.customer_id,
                    item_id=charge.item_id,
                    kind=charge.kind,
                    level=charge.level,
                    amount=charge.amount,
                    charged_on=charged_on,
                    period_end=None if charge.period is None else charge.period[1],
                )

    def to_json(self) -> dict[str, Any]:
        """Return the canonical JSON document of the plan."""
        return {
            "as_of": self.as_of.isoformat(),
            "policy": self.policy,
            "notices": [n.to_json() for n in self.notices],
            "holds": [h.to_json() for h in self.holds],
            "claims": [charge_json(c) for c in self.claims],
            "issues": [i.to_json() for i in self.issues],
        }


def commit_plan(
    store: DunningHistoryStore, make_plan: Callable[[DunningHistory], DunningPlan]
) -> tuple[DunningPlan, int]:
    """Plan on the history as the store holds it, and record the plan, as one step.

    The plan is made outside the store's lock (planning a large book takes
    seconds, and other writers, an order being reserved, should not wait for
    it). Inside the lock, when the store says something was recorded since
    the history was loaded (:meth:`~DunningHistoryStore.changes`), the
    history is loaded again and ``make_plan`` called again there; so a run
    committing at the same time either has recorded before (this plan
    escalates from its events) or waits. The plan returned holds only the
    notices recorded by this call (a notice whose items were all in the
    history already is left out), so whatever sends from it sends each notice
    once; the count is the item levels added.
    """
    seen = store.changes()
    history = store.load()
    planned = make_plan(history)
    with store.locked():
        if store.changes() != seen:
            history = store.load()
            planned = make_plan(history)
        known = {event.key for event in history.events}
        notices = tuple(
            n for n in planned.notices if any(i.idempotency_key not in known for i in n.items)
        )
        if len(notices) != len(planned.notices):
            planned = evolve(planned, notices=notices)
        added = store.record(planned, planned.as_of)
    return planned, added
