"""The history folded into what one run needs: per item, per customer, per charge."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from ecomrules.dunning.history import ChargeKind, DunningCharge, DunningHistory
from ecomrules.dunning.policy import DunningPolicy

__all__ = ["HistoryState"]


class HistoryState:
    """Indexes over a :class:`DunningHistory` for one plan.

    ``items`` maps an item id to ``(ladder rank, day it reached that rank)``;
    ``preventive`` holds the items sent the preventive reminder;
    ``last_notice`` maps a customer to the day of its last notice when that is
    within the policy's minimum interval before ``as_of`` (older ones hold
    nothing);
    ``level_sent`` keeps the day an item was first sent a level that an
    interest rule counts from.
    """

    def __init__(self, history: DunningHistory, policy: DunningPolicy, as_of: date) -> None:
        watched = {
            level.interest.since_level
            for level in policy.levels
            if level.interest is not None and level.interest.since_level is not None
        }
        # One plain loop: each event object is touched once (a run folds millions).
        items: dict[str, tuple[int, date]] = {}
        preventive: set[str] = set()
        last_notice: dict[str, date] = {}
        get_item = items.get
        get_last = last_notice.get
        add_preventive = preventive.add
        # Only a notice within the minimum interval before as_of can hold a customer.
        recent = as_of - timedelta(days=policy.min_interval_days)
        for event in history.events:
            rank = event.rank
            day = event.sent_on
            if rank:
                item_id = event.item_id
                known = get_item(item_id)
                if known is None or rank > known[0] or (rank == known[0] and day > known[1]):
                    items[item_id] = (rank, day)
            else:
                add_preventive(event.item_id)
            if day > recent:
                customer_id = event.customer_id
                last = get_last(customer_id)
                if last is None or day > last:
                    last_notice[customer_id] = day
        level_sent: dict[tuple[str, str], date] = {}
        if watched:
            for event in history.events:
                if event.level in watched:
                    slot = (event.item_id, event.level)
                    first = level_sent.get(slot)
                    if first is None or event.sent_on < first:
                        level_sent[slot] = event.sent_on
        self.items = items
        self.preventive = preventive
        self.last_notice = last_notice
        self.level_sent = level_sent
        interest_until: dict[str, date] = {}
        indemnified: set[str] = set()
        open_charges: dict[str, list[DunningCharge]] = defaultdict(list)
        for charge in history.charges:
            if charge.item_id is not None:
                if charge.kind is ChargeKind.INTEREST and charge.period_end is not None:
                    known_end = interest_until.get(charge.item_id)
                    if known_end is None or charge.period_end > known_end:
                        interest_until[charge.item_id] = charge.period_end
                elif charge.kind is ChargeKind.INDEMNITY:
                    indemnified.add(charge.item_id)
            if charge.open_amount.amount > 0:
                open_charges[charge.customer_id].append(charge)
        self.interest_until = interest_until
        self.indemnified = indemnified
        self.open_charges = {
            customer: tuple(sorted(charges, key=lambda c: c.key))
            for customer, charges in open_charges.items()
        }
        self.blocked = {
            block.item_id: block
            for block in sorted(history.blocks, key=_until)
            if block.active(as_of)
        }
        self.paused = {
            pause.customer_id: pause
            for pause in sorted(history.pauses, key=_until)
            if pause.active(as_of)
        }


def _until(record: object) -> date:
    until = getattr(record, "until", None)
    return date.max if until is None else until
