"""Why an item gets no notice today: its own holds and its customer's.

Item holds (status, block, pause, unknown customer, payment in transit) are
decided during the scan; the customer-wide ones (minimum interval, minimum
amount) once all of a customer's candidates are known.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from ecomrules.dunning.history import CustomerPause, ItemBlock
from ecomrules.dunning.plan import Hold
from ecomrules.dunning.policy import DunningLevel, DunningPolicy
from ecomrules.dunning.state import HistoryState
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.outcome import Reason
from ecomrules.parsing.model import StatementLine

__all__ = ["Candidate", "customer_holds", "in_transit_reason", "item_hold", "ladder_totals"]

Candidate = tuple[OpenItem, int, DunningLevel]
"""An item due for a step today: the item, the rank it would reach (0 = preventive), the level."""


def item_hold(
    item: OpenItem,
    customers: dict[str, Customer],
    blocked: dict[str, ItemBlock],
    paused: dict[str, CustomerPause],
    as_of: date,
) -> Reason | None:
    """Return why an item is held by its status, a block or its customer, or None."""
    customer_id = item.partner_id
    if customer_id not in customers:
        return Reason(
            "dunning.held.unknown_customer",
            f"customer {customer_id!r} is not in the customer list",
            {"customer_id": customer_id},
        )
    status = item.status
    if status is ItemStatus.DISPUTED:
        return Reason("dunning.held.disputed", "the item is disputed")
    promise = item.promise_until
    if status is ItemStatus.PROMISED and promise is not None and as_of <= promise:
        return Reason(
            "dunning.held.promised",
            f"the customer promised to pay by {promise}",
            {"promise_until": promise.isoformat()},
        )
    block = blocked.get(item.id)
    if block is not None:
        until = block.until
        return Reason(
            "dunning.held.blocked",
            "the item is blocked by hand" + (f" until {until}" if until else ""),
            {
                "until": None if until is None else until.isoformat(),
                "note": block.note,
            },
        )
    pause = paused.get(customer_id)
    if pause is not None:
        until = pause.until
        return Reason(
            "dunning.held.customer_paused",
            "dunning is paused for the customer" + (f" until {until}" if until else ""),
            {
                "until": None if until is None else until.isoformat(),
                "note": pause.note,
            },
        )
    return None


def in_transit_reason(line: StatementLine) -> Reason:
    return Reason(
        "dunning.held.payment_in_transit",
        f"incoming payment {line.id} of {line.amount} on {line.booked_on} plausibly pays it",
        {
            "line_id": line.id,
            "amount": str(line.amount.amount),
            "booked_on": line.booked_on.isoformat(),
        },
    )


def ladder_totals(
    items: list[OpenItem] | tuple[OpenItem, ...],
    customers: dict[str, Customer],
    state: HistoryState,
    policy: DunningPolicy,
    as_of: date,
    candidates: dict[str, list[Candidate]],
) -> dict[tuple[str, str], Decimal]:
    """The overdue total per customer and currency that the minimum amount is checked on.

    It is the customer's items due for a ladder step today plus its other
    overdue items not held by status, block or pause. The other items are
    added up (in a second pass) only where today's steps alone stay below the
    minimum: elsewhere the answer is already known.
    """
    minimums = policy.minimum_amounts
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    if not minimums:
        return totals
    for customer_id, found in candidates.items():
        for item, target, _ in found:
            if target > 0:
                totals[(customer_id, item.residual.currency.code)] += item.residual.amount
    short = {
        key for key, total in totals.items() if key[1] in minimums and total < minimums[key[1]]
    }
    if not short:
        return totals
    wanted = {customer_id for customer_id, _ in short}
    stepping = {item.id for c in wanted for item, target, _ in candidates[c] if target > 0}
    for item in items:
        customer_id = item.partner_id
        if customer_id not in wanted or item.id in stepping:
            continue
        residual = item.residual
        key = (customer_id, residual.currency.code)
        if (
            key in short
            and residual.amount > 0
            and item.due_date < as_of
            and item_hold(item, customers, state.blocked, state.paused, as_of) is None
        ):
            totals[key] += residual.amount
    return totals


def customer_holds(
    customer: Customer,
    found: list[Candidate],
    state: HistoryState,
    policy: DunningPolicy,
    as_of: date,
    totals: dict[tuple[str, str], Decimal],
    holds: list[Hold],
) -> list[Candidate]:
    """Apply the customer-wide holds (interval, minimum); return the candidates left."""
    found.sort(key=lambda candidate: candidate[0].id)
    last = state.last_notice.get(customer.id)
    if last is not None and (as_of - last).days < policy.min_interval_days:
        next_day = last + timedelta(days=policy.min_interval_days)
        reason = Reason(
            "dunning.held.min_interval",
            f"the last notice went out on {last}; the next may go on {next_day}",
            {"last_notice": last.isoformat(), "next_notice": next_day.isoformat()},
        )
        holds.extend(Hold(item.id, customer.id, level.key, reason) for item, _, level in found)
        return []
    minimums = policy.minimum_amounts
    if not minimums:
        return found
    preventive_totals: dict[str, Decimal] = defaultdict(Decimal)
    for item, target, _ in found:
        if target == 0:
            preventive_totals[item.residual.currency.code] += item.residual.amount
    ready: list[Candidate] = []
    for candidate in found:
        item, target, level = candidate
        code = item.residual.currency.code
        minimum = minimums.get(code)
        total = preventive_totals[code] if target == 0 else totals[(customer.id, code)]
        if minimum is not None and total < minimum:
            holds.append(
                Hold(
                    item.id,
                    customer.id,
                    level.key,
                    Reason(
                        "dunning.held.below_minimum",
                        f"{total} {code} is below the minimum of {minimum} {code}",
                        {"total": str(total), "minimum": str(minimum), "currency": code},
                    ),
                )
            )
        else:
            ready.append(candidate)
    return ready
