"""``plan()``: decide which items get which notice today, and which are held and why.

The engine is pure: it takes the open items, the customers, the history, the
policy and ``as_of`` (and optionally incoming payment lines) and returns a
:class:`~ecomrules.dunning.plan.DunningPlan`. It never sends and never reads
the clock. Each item moves at most one step a run, only once the previous
step was sent on an earlier day.
"""

from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from ecomrules.dunning.errors import BankDataStaleError
from ecomrules.dunning.history import ChargeKind, CustomerPause, DunningHistory, ItemBlock
from ecomrules.dunning.letters import LetterRenderer, default_renderer
from ecomrules.dunning.plan import DunningPlan, Hold, NewCharge, Notice, NoticeItem
from ecomrules.dunning.policy import (
    Channel,
    DaysAfterDue,
    DunningPolicy,
    FixedFee,
    FlatIndemnity,
    Level,
    PercentageFee,
)
from ecomrules.dunning.rates import RateReference, interest_factor
from ecomrules.dunning.state import HistoryState
from ecomrules.dunning.transit import PaymentsInTransit
from ecomrules.errors import InputError
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.money import Currency, Money
from ecomrules.outcome import Issue, Reason, Severity
from ecomrules.parsing.model import StatementLine

__all__ = ["plan"]

_ONE_DAY = timedelta(days=1)
_HUNDRED = Decimal(100)
_ZERO = Decimal(0)

# A candidate: the item, the rank it would reach (0 = preventive) and that level.
_Candidate = tuple[OpenItem, int, Level]


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
) -> DunningPlan:
    """Plan today's notices.

    ``in_transit`` holds incoming bank or PSP lines not matched yet; an item
    one of them plausibly pays is held. ``bank_data_as_of`` is the date of the
    newest bank data (by default the newest ``in_transit`` line's booking
    date); the run raises :class:`BankDataStaleError`
    (``dunning.bank_data_stale``) when it is older than the policy allows.
    ``render=False`` skips the letters (``Notice.letter`` stays None).
    """
    with _collector_paused():
        return _plan(
            items, customers, history, policy, as_of, in_transit, bank_data_as_of, render, renderer
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the run (it creates no cycles).

    A run over a million items allocates millions of small objects next to a
    heap of millions more (the items, the history): the collector's full
    passes over that heap cost more than the run itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
) -> DunningPlan:
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
    candidates: dict[str, list[_Candidate]] = defaultdict(list)
    rows = items if isinstance(items, list | tuple) else list(items)
    _scan(rows, by_id, state, payments, policy, as_of, holds, candidates)
    totals = _ladder_totals(rows, by_id, state, policy, as_of, candidates)
    issues: dict[str, Issue] = {}
    notices: list[Notice] = []
    builder = _NoticeBuilder(policy, state, as_of, issues)
    for customer_id in sorted(candidates):
        found = candidates[customer_id]
        customer = by_id[customer_id]
        ready = _customer_holds(customer, found, state, policy, as_of, totals, holds)
        if ready:
            notice = builder.build(customer, ready, holds)
            if notice is not None:
                notices.append(notice)
    if render and notices:
        chosen = renderer or default_renderer()
        notices = [
            chosen.attach(notice, by_id[notice.customer_id], policy, as_of) for notice in notices
        ]
    claims = tuple(
        charge
        for customer_id in sorted(state.open_charges)
        for charge in state.open_charges[customer_id]
    )
    holds.sort(key=lambda hold: (hold.customer_id, hold.item_id))
    return DunningPlan(
        as_of=as_of,
        policy=policy.name,
        notices=tuple(notices),
        holds=tuple(holds),
        claims=claims,
        issues=tuple(issues[code] for code in sorted(issues)),
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
    candidates: dict[str, list[_Candidate]],
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
        level: Level | None = None
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
            reason = _item_hold(item, customers, blocked, paused, as_of)
            if reason is not None:
                holds.append(Hold(item_id, customer_id, level.key, reason))
                continue
        line = payments.find(item, tolerance) if has_payments else None
        if line is None:
            candidates[customer_id].append((item, target, level))
        else:
            holds.append(Hold(item_id, customer_id, level.key, _in_transit(line)))


def _item_hold(
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


def _in_transit(line: StatementLine) -> Reason:
    return Reason(
        "dunning.held.payment_in_transit",
        f"incoming payment {line.id} of {line.amount} on {line.booked_on} plausibly pays it",
        {
            "line_id": line.id,
            "amount": str(line.amount.amount),
            "booked_on": line.booked_on.isoformat(),
        },
    )


def _ladder_totals(
    items: list[OpenItem] | tuple[OpenItem, ...],
    customers: dict[str, Customer],
    state: HistoryState,
    policy: DunningPolicy,
    as_of: date,
    candidates: dict[str, list[_Candidate]],
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
            and _item_hold(item, customers, state.blocked, state.paused, as_of) is None
        ):
            totals[key] += residual.amount
    return totals


def _customer_holds(
    customer: Customer,
    found: list[_Candidate],
    state: HistoryState,
    policy: DunningPolicy,
    as_of: date,
    totals: dict[tuple[str, str], Decimal],
    holds: list[Hold],
) -> list[_Candidate]:
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
    ready: list[_Candidate] = []
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


class _NoticeBuilder:
    """Build one notice per customer: channel, charges, totals, keys."""

    def __init__(
        self, policy: DunningPolicy, state: HistoryState, as_of: date, issues: dict[str, Issue]
    ) -> None:
        self.policy = policy
        self.state = state
        self.as_of = as_of
        self.issues = issues
        self._factors: dict[tuple[int, date, date], Decimal] = {}

    def build(
        self, customer: Customer, ready: list[_Candidate], holds: list[Hold]
    ) -> Notice | None:
        top_item, top_rank, top_level = max(ready, key=lambda c: (c[1], c[0].id))
        del top_item
        channel, fell_back = _channel(customer, top_level)
        if channel is None:
            reason = Reason(
                "dunning.held.no_contact",
                f"{customer.name} cannot be reached by {top_level.notify.channel.value} "
                "or any fallback",
                {"channel": top_level.notify.channel.value},
            )
            holds.extend(Hold(item.id, customer.id, level.key, reason) for item, _, level in ready)
            return None
        notice_items: list[NoticeItem] = []
        charges: list[NewCharge] = []
        as_of = self.as_of
        for item, rank, level in ready:
            key = f"dunning:{item.id}:{level.key}"
            notice_items.append(
                NoticeItem(
                    item_id=item.id,
                    number=item.number,
                    level=level.key,
                    rank=rank,
                    amount_due=item.residual,
                    due_date=item.due_date,
                    days_overdue=max(0, (as_of - item.due_date).days),
                    idempotency_key=key,
                    block_credit=level.block_credit,
                    handover=level.handover,
                )
            )
            if rank > 0:
                charges.extend(self._item_charges(customer.id, item, level, key))
        notice_key = (
            "dunning-notice:"
            + hashlib.sha256(
                "|".join(item.idempotency_key for item in notice_items).encode()
            ).hexdigest()[:24]
        )
        currencies = {item.amount_due.currency.code for item in notice_items}
        for index, fee in enumerate(top_level.fees):
            if (
                isinstance(fee, FixedFee)
                and not fee.per_item
                and top_rank > 0
                and fee.amount.currency.code in currencies
            ):
                charges.append(
                    NewCharge(
                        key=f"{notice_key}:fee:{index}",
                        kind=ChargeKind.FEE,
                        customer_id=customer.id,
                        item_id=None,
                        level=top_level.key,
                        amount=fee.amount,
                    )
                )
        open_charges = self.state.open_charges.get(customer.id, ())
        sums: dict[str, Decimal] = {}
        kinds: dict[str, Currency] = {}
        for money in (
            *(item.amount_due for item in notice_items),
            *(charge.amount for charge in charges),
            *(charge.open_amount for charge in open_charges),
        ):
            code = money.currency.code
            sums[code] = sums.get(code, _ZERO) + money.amount
            kinds[code] = money.currency
        totals = [Money(sums[code], kinds[code]) for code in sorted(sums)]
        reasons: tuple[Reason, ...] = ()
        if fell_back:
            reasons = (
                Reason(
                    "dunning.channel_fallback",
                    f"no {top_level.notify.channel.value} contact: sent by {channel.value}",
                    {"wanted": top_level.notify.channel.value, "used": channel.value},
                ),
            )
        handover = top_level.handover
        return Notice(
            customer_id=customer.id,
            customer_name=customer.name,
            level=top_level.key,
            rank=top_rank,
            channel=channel,
            template=top_level.notify.template,
            language=customer.language,
            items=tuple(notice_items),
            charges=tuple(charges),
            open_charges=open_charges,
            totals=tuple(totals),
            block_credit=any(item.block_credit for item in notice_items),
            handover=handover,
            idempotency_key=notice_key,
            reasons=reasons,
        )

    def _item_charges(
        self, customer_id: str, item: OpenItem, level: Level, key: str
    ) -> list[NewCharge]:
        out: list[NewCharge] = []
        residual = item.residual
        currency = residual.currency
        rounding = self.policy.rounding
        state = self.state
        for index, fee in enumerate(level.fees):
            if isinstance(fee, FixedFee):
                if fee.per_item and fee.amount.currency == currency:
                    out.append(
                        NewCharge(
                            f"{key}:fee:{index}",
                            ChargeKind.FEE,
                            customer_id,
                            item.id,
                            level.key,
                            fee.amount,
                        )
                    )
            elif isinstance(fee, PercentageFee):
                if fee.currency is not None and fee.currency != currency:
                    continue
                value = residual.amount * fee.rate / _HUNDRED
                if fee.minimum is not None and value < fee.minimum:
                    value = fee.minimum
                if fee.maximum is not None and value > fee.maximum:
                    value = fee.maximum
                amount = Money(value.quantize(currency.quantum, rounding=rounding), currency)
                out.append(
                    NewCharge(
                        f"{key}:fee:{index}",
                        ChargeKind.FEE,
                        customer_id,
                        item.id,
                        level.key,
                        amount,
                        basis=residual,
                        rate=fee.rate,
                    )
                )
            elif (
                isinstance(fee, FlatIndemnity)
                and fee.amount.currency == currency
                and item.id not in state.indemnified
            ):
                out.append(
                    NewCharge(
                        f"dunning:{item.id}:indemnity",
                        ChargeKind.INDEMNITY,
                        customer_id,
                        item.id,
                        level.key,
                        fee.amount,
                    )
                )
        rule = level.interest
        if rule is not None:
            start = item.due_date + _ONE_DAY
            if rule.since_level is not None:
                sent = state.level_sent.get((item.id, rule.since_level))
                start = date.max if sent is None else max(start, sent + _ONE_DAY)
            charged = state.interest_until.get(item.id)
            if charged is not None:
                start = max(start, charged + _ONE_DAY)
            end = self.as_of
            if start <= end:
                checked = end if rule.reference is RateReference.DAILY else _semester_of(end)
                if not rule.table.covers(checked):
                    code = "dunning.rate_table_outdated"
                    self.issues.setdefault(
                        f"{code}:{rule.table.name}",
                        Issue(
                            Severity.WARNING,
                            code,
                            f"rate table {rule.table.name!r} is known until "
                            f"{rule.table.known_until}; the last rate was used up to {end}: "
                            "pass an updated table",
                        ),
                    )
                slot = (id(rule), start, end)
                factor = self._factors.get(slot)
                if factor is None:
                    try:
                        factor = interest_factor(
                            rule.table,
                            start,
                            end,
                            margin=rule.margin,
                            reference=rule.reference,
                            day_count=rule.day_count,
                        )
                    except ValueError as exc:  # the period starts before the table
                        self.issues.setdefault(
                            f"dunning.rate_missing:{item.id}",
                            Issue(
                                Severity.ERROR,
                                "dunning.rate_missing",
                                f"no interest charged on {item.id}: {exc}",
                            ),
                        )
                        return out
                    self._factors[slot] = factor
                value = (residual.amount * factor).quantize(currency.quantum, rounding=rounding)
                if value > 0:
                    out.append(
                        NewCharge(
                            f"{key}:interest",
                            ChargeKind.INTEREST,
                            customer_id,
                            item.id,
                            level.key,
                            Money(value, currency),
                            basis=residual,
                            period=(start, end),
                        )
                    )
        return out


def _semester_of(day: date) -> date:
    return date(day.year, 1 if day.month < 7 else 7, 1)


def _channel(customer: Customer, level: Level) -> tuple[Channel | None, bool]:
    """Return the first channel the customer can be reached by and whether it is a fallback."""
    wanted = (level.notify.channel, *level.notify.fallback)
    for index, channel in enumerate(wanted):
        if channel is Channel.LETTER or (channel is Channel.EMAIL and customer.email):
            return channel, index > 0
    return None, False
