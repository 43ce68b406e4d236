"""One notice per customer: its items at their levels, channel, charges, totals and key."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from ecomrules.dunning.history import ChargeKind
from ecomrules.dunning.holds import Candidate
from ecomrules.dunning.plan import Hold, NewCharge, Notice, NoticeItem
from ecomrules.dunning.policy import (
    Channel,
    DunningLevel,
    DunningPolicy,
    FixedFee,
    FlatIndemnity,
    PercentageFee,
)
from ecomrules.dunning.rates import RateReference, interest_factor
from ecomrules.dunning.state import HistoryState
from ecomrules.ledger import Customer, OpenItem
from ecomrules.money import Currency, Money
from ecomrules.outcome import Issue, Reason, Severity

__all__ = ["NoticeBuilder"]

_ONE_DAY = timedelta(days=1)
_HUNDRED = Decimal(100)
_ZERO = Decimal(0)


class NoticeBuilder:
    """Build one notice per customer: channel, charges, totals, keys."""

    def __init__(
        self, policy: DunningPolicy, state: HistoryState, as_of: date, issues: dict[str, Issue]
    ) -> None:
        self.policy = policy
        self.state = state
        self.as_of = as_of
        self.issues = issues
        self._factors: dict[tuple[int, date, date], Decimal] = {}

    def build(self, customer: Customer, ready: list[Candidate], holds: list[Hold]) -> Notice | None:
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
        self, customer_id: str, item: OpenItem, level: DunningLevel, key: str
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
                            "refresh it with `ecomrules rates update FILE` (the series "
                            "downloaded from the ECB) or pass an updated table",
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


def _channel(customer: Customer, level: DunningLevel) -> tuple[Channel | None, bool]:
    """Return the first channel the customer can be reached by and whether it is a fallback."""
    wanted = (level.notify.channel, *level.notify.fallback)
    for index, channel in enumerate(wanted):
        if channel is Channel.LETTER or (channel is Channel.EMAIL and customer.email):
            return channel, index > 0
    return None, False
