"""``plan()``: decide which items get which notice today, and which are held and why.

The engine is pure: it takes the open items, the customers, the history, the
policy and ``as_of`` (and optionally incoming payment lines) and returns a
:class:`~ecomrules.dunning.plan.DunningPlan`. It never sends and never reads
the clock. Each item moves at most one step a run, only once the previous
step was sent on an earlier day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from ecomrules.dunning.errors import BankDataStaleError
from ecomrules.dunning.history import DunningHistory
from ecomrules.dunning.holds import (
    Candidate,
    customer_holds,
    in_transit_reason,
    item_hold,
    ladder_totals,
)
from ecomrules.dunning.letters import LetterRenderer, default_renderer
from ecomrules.dunning.notices import NoticeBuilder
from ecomrules.dunning.plan import DunningPlan, Hold, Notice
from ecomrules.dunning.policy import DaysAfterDue, DunningLevel, DunningPolicy
from ecomrules.dunning.sender import Sender
from ecomrules.dunning.state import HistoryState
from ecomrules.dunning.transit import PaymentsInTransit
from ecomrules.errors import InputError
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.outcome import Issue, Reason, Severity
from ecomrules.parsing.model import StatementLine

__all__ = ["keyed_plan", "no_sender_issue", "plan"]


def plan(
    items: Iterable[OpenItem],
    customers: Iterable[Customer],
    history: DunningHistory,
    policy: DunningPolicy,
    as_of: date,
    *,
    in_transit: Iterable[StatementLine] = (),
    bank_data_as_of: date | None = None,
    render: bool = True,
    renderer: LetterRenderer | None = None,
    sender: Sender | None = None,
) -> DunningPlan:
    """Plan today's notices.

    ``in_transit`` holds incoming bank or PSP lines not matched yet; an item
    one of them plausibly pays is held. ``bank_data_as_of`` is the date of the
    newest bank data (by default the newest ``in_transit`` line's booking
    date); the run raises :class:`BankDataStaleError`
    (``dunning.bank_data_stale``) when it is older than the policy allows.
    ``render=False`` skips the letters (``Notice.letter`` stays None).
    ``sender`` signs the letters and gives the bank details they print; letters
    rendered without one carry neither, and the plan warns
    (``dunning.letter.no_sender``).
    """
    return _plan(
        items,
        customers,
        history,
        policy,
        as_of,
        in_transit,
        bank_data_as_of,
        render,
        renderer,
        sender,
    )[0]


def keyed_plan(
    items: Iterable[OpenItem],
    customers: Iterable[Customer],
    history: DunningHistory,
    policy: DunningPolicy,
    as_of: date,
    *,
    in_transit: Iterable[StatementLine] = (),
    bank_data_as_of: date | None = None,
) -> tuple[DunningPlan, tuple[str, ...]]:
    """:func:`plan` without letters, and the key of each of its issues, in the same order.

    An engine that plans a book in parts (:mod:`ecomrules.dunning.spark`, one
    part a group of customers) merges the parts' issues by these keys: an
    issue raised in several parts (an outdated rate table) is kept once, and
    the merged issues are sorted by key as :func:`plan` sorts them.
    """
    return _plan(
        items,
        customers,
        history,
        policy,
        as_of,
        in_transit,
        bank_data_as_of,
        False,
        None,
        None,
    )


def _plan(
    items: Iterable[OpenItem],
    customers: Iterable[Customer],
    history: DunningHistory,
    policy: DunningPolicy,
    as_of: date,
    in_transit: Iterable[StatementLine],
    bank_data_as_of: date | None,
    render: bool,
    renderer: LetterRenderer | None,
    sender: Sender | None,
) -> tuple[DunningPlan, tuple[str, ...]]:
    lines = tuple(in_transit)
    if bank_data_as_of is None and lines:
        bank_data_as_of = max(line.booked_on for line in lines)
    _check_bank_data(policy, as_of, bank_data_as_of)
    by_id: dict[str, Customer] = {}
    for customer in customers:
        if customer.id in by_id:
            raise InputError("customers", [f"customer id {customer.id!r} appears twice"])
        by_id[customer.id] = customer
    state = HistoryState(history, policy, as_of)
    payments = PaymentsInTransit(lines, as_of)
    holds: list[Hold] = []
    candidates: dict[str, list[Candidate]] = defaultdict(list)
    rows = items if isinstance(items, list | tuple) else list(items)
    _scan(rows, by_id, state, payments, policy, as_of, holds, candidates)
    totals = ladder_totals(rows, by_id, state, policy, as_of, candidates)
    issues: dict[str, Issue] = {}
    notices: list[Notice] = []
    builder = NoticeBuilder(policy, state, as_of, issues)
    for customer_id in sorted(candidates):
        found = candidates[customer_id]
        customer = by_id[customer_id]
        ready = customer_holds(customer, found, state, policy, as_of, totals, holds)
        if ready:
            notice = builder.build(customer, ready, holds)
            if notice is not None:
                notices.append(notice)
    if render and notices:
        chosen = renderer or default_renderer()
        notices = [
            chosen.attach(notice, by_id[notice.customer_id], policy, as_of, sender)
            for notice in notices
        ]
        if sender is None:
            issues["dunning.letter.no_sender"] = no_sender_issue()
    claims = tuple(
        charge
        for customer_id in sorted(state.open_charges)
        for charge in state.open_charges[customer_id]
    )
    holds.sort(key=lambda hold: (hold.customer_id, hold.item_id))
    keys = tuple(sorted(issues))
    result = DunningPlan(
        as_of=as_of,
        policy=policy.name,
        notices=tuple(notices),
        holds=tuple(holds),
        claims=claims,
        issues=tuple(issues[key] for key in keys),
    )
    return result, keys


def no_sender_issue() -> Issue:
    """The warning of a plan whose letters were rendered without a sender profile."""
    return Issue(
        Severity.WARNING,
        "dunning.letter.no_sender",
        "the letters have no sender: no company, bank details or signature "
        "(pass a sender profile, --sender FILE)",
    )


def _check_bank_data(policy: DunningPolicy, as_of: date, bank_data_as_of: date | None) -> None:
    limit = policy.bank_data_max_age_days
    if bank_data_as_of is None:
        if policy.require_bank_data:
            raise BankDataStaleError(
                Reason(
                    "dunning.bank_data_stale",
                    f"policy {policy.name!r} needs bank data and none was given",
                    {"as_of": as_of.isoformat()},
                )
            )
        return
    if limit is not None and (as_of - bank_data_as_of).days > limit:
        raise BankDataStaleError(
            Reason(
                "dunning.bank_data_stale",
                f"the newest bank data is of {bank_data_as_of}, older than {limit} day(s) "
                f"before {as_of}: import the latest statements first",
                {"bank_data_as_of": bank_data_as_of.isoformat(), "max_age_days": limit},
            )
        )


def _scan(
    items: Iterable[OpenItem],
    customers: dict[str, Customer],
    state: HistoryState,
    payments: PaymentsInTransit,
    policy: DunningPolicy,
    as_of: date,
    holds: list[Hold],
    candidates: dict[str, list[Candidate]],
) -> None:
    """One pass over the items: find today's candidates and their holds.

    This is the hot loop of a run (a million items): it compares dates with
    thresholds computed once (an item is due for a ``days_after_due`` level
    when its due date is on or before ``as_of - days``) and calls out only for
    the rare cases (a hold, another trigger kind, payments to look up).
    """
    levels = policy.levels
    top = len(levels)
    preventive = policy.preventive
    preventive_from = (
        as_of - timedelta(days=preventive.trigger.days)
        if preventive is not None and isinstance(preventive.trigger, DaysAfterDue)
        else None
    )
    latest_due = [
        as_of - timedelta(days=level.trigger.days)
        if isinstance(level.trigger, DaysAfterDue)
        else None
        for level in levels
    ]
    tolerance = policy.in_transit_tolerance
    seen: set[str] = set()
    add_seen = seen.add
    history_items = state.items
    sent_preventive = state.preventive
    blocked = state.blocked
    paused = state.paused
    open_status = ItemStatus.OPEN
    has_payments = bool(payments)
    zero = Decimal(0)
    for item in items:
        item_id = item.id
        if item_id in seen:
            raise InputError("open items", [f"open item id {item_id!r} appears twice"])
        add_seen(item_id)
        residual = item.residual
        if residual.amount <= zero:
            continue
        due = item.due_date
        level: DunningLevel | None = None
        target = -1
        if due > as_of:
            if (
                preventive_from is None
                or due > preventive_from
                or item_id in history_items
                or item_id in sent_preventive
            ):
                continue
            level, target = preventive, 0
        else:
            known = history_items.get(item_id)
            if known is None:
                rank, reached = 0, None
            else:
                rank, reached = known
            if rank < top and (reached is None or as_of > reached):
                threshold = latest_due[rank]
                if threshold is not None:
                    if due <= threshold:
                        level, target = levels[rank], rank + 1
                elif as_of >= levels[rank].trigger.on(due, reached):
                    level, target = levels[rank], rank + 1
        if level is None:
            continue
        customer_id = item.partner_id
        if (
            item.status is not open_status
            or customer_id not in customers
            or item_id in blocked
            or customer_id in paused
        ):
            reason = item_hold(item, customers, blocked, paused, as_of)
            if reason is not None:
                holds.append(Hold(item_id, customer_id, level.key, reason))
                continue
        line = payments.find(item, tolerance) if has_payments else None
        if line is None:
            candidates[customer_id].append((item, target, level))
        else:
            holds.append(Hold(item_id, customer_id, level.key, in_transit_reason(line)))
