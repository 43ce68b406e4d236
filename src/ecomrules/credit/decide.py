"""``decide()``: run the credit checks on an order and combine their verdicts.

The most severe outcome wins (allow < warn < require_prepayment < block) and
every reason is kept, in a fixed order: payment, tier, manual messages, new
customer, limit, group limit, buckets, overdue, dunning, pre-order lines,
overrides.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date

from ecomrules.credit.checks import (
    check_buckets,
    check_dunning,
    check_limit,
    check_manual,
    check_new_customer,
    check_overdue,
)
from ecomrules.credit.decision import CreditDecision, Override
from ecomrules.credit.exposure import Exposure, GroupExposure
from ecomrules.credit.order import Order
from ecomrules.credit.outcome import Outcome, Verdict
from ecomrules.credit.policy import Check, CreditPolicy
from ecomrules.errors import InvariantError
from ecomrules.ledger import Customer
from ecomrules.outcome import Reason

__all__ = ["decide"]

_REFUSALS = (Outcome.BLOCK, Outcome.REQUIRE_PREPAYMENT)


_ORDER = (
    Check.MANUAL,
    Check.NEW_CUSTOMER,
    Check.LIMIT,
    Check.GROUP_LIMIT,
    Check.BUCKET_LIMITS,
    Check.OVERDUE,
    Check.DUNNING,
)


@functools.cache
def _runs(exempt: frozenset[Check]) -> tuple[bool, ...]:
    """Which checks run, in ``_ORDER``, for a set of exemptions (cached per set)."""
    return tuple(check not in exempt for check in _ORDER)


def decide(
    order: Order,
    customer: Customer,
    exposure: Exposure,
    policy: CreditPolicy,
    as_of: date,
    *,
    group: GroupExposure | None = None,
    dunning_level: int | None = None,
    dunning_blocks_credit: bool = False,
    overrides: Iterable[Override] = (),
) -> CreditDecision:
    """Decide whether ``order`` may be taken on account.

    ``exposure`` is the customer's exposure before the order (in the
    customer's currency), ``group`` that of its group with the group's limit,
    ``dunning_level`` the highest dunning level the customer has reached
    (:func:`ecomrules.dunning.customer_levels` gives it as ``rank``) and
    ``dunning_blocks_credit`` whether a level reached blocks credit in the
    dunning policy.
    An override covering the order or the customer, valid on ``as_of``, turns
    a refusal (block or require prepayment) into an allow; an expired one is
    ignored with a reason.
    """
    if order.customer_id != customer.id:
        raise InvariantError(f"order {order.id} is for {order.customer_id}, not {customer.id}")
    if exposure.currency is not customer.currency and exposure.currency != customer.currency:
        raise InvariantError(f"exposure of {customer.id} is not in {customer.currency}")
    rates = policy.rates
    now, later = order.exposure_split(as_of, policy.preorder_horizon_days)
    added = rates.convert(now, customer.currency)
    before = exposure.total
    after = before + added
    limit = customer.credit_limit
    verdicts: list[Verdict] = []
    secured = order.payment_method.secured
    exempt = policy.exempt(customer.tier)
    if secured:
        verdicts.append(_secured(order))
    elif exempt:
        names = ", ".join(sorted(check.value for check in exempt))
        verdicts.append(
            Verdict(
                Outcome.ALLOW,
                (
                    Reason(
                        "credit.tier_exempt",
                        f"tier {customer.tier} is exempt from: {names}",
                        {"tier": customer.tier, "checks": sorted(c.value for c in exempt)},
                    ),
                ),
            )
        )
    manual, new, limited, grouped, buckets, overdue, dunning = _runs(exempt)
    if manual:
        verdicts.append(check_manual(customer, secured=secured))
    if not secured:
        if new:
            whole = rates.convert(order.amount, customer.currency)
            verdicts.append(check_new_customer(customer, whole, policy, as_of))
        if limited:
            verdicts.append(check_limit(after, limit, policy.limit))
        if group is not None and grouped:
            group_after = group.exposure.total + rates.convert(now, group.exposure.currency)
            verdicts.append(check_limit(group_after, group.limit, policy.limit, party="group"))
        if buckets and policy.bucket_limits:
            verdicts.append(check_buckets(exposure, added, limit, policy))
        if overdue:
            verdicts.append(check_overdue(exposure, policy))
        if dunning:
            verdicts.append(
                check_dunning(dunning_level, policy.dunning, blocks_credit=dunning_blocks_credit)
            )
        if later:
            verdicts.append(_scheduled(later.amount, order))
    outcome = Outcome.ALLOW
    reasons: list[Reason] = []
    for verdict in verdicts:
        found = verdict.outcome
        if found is not Outcome.ALLOW and found.severity > outcome.severity:
            outcome = found
        reasons.extend(verdict.reasons)
    applied = None
    for override in _ordered(overrides, order, customer) if overrides else ():
        if override.until < as_of:
            reasons.append(
                Reason(
                    "credit.override_expired",
                    f"override by {override.who} expired on {override.until}: ignored",
                    {"who": override.who, "until": override.until},
                )
            )
        elif applied is None and outcome in _REFUSALS:
            applied = override
            reasons.append(
                Reason(
                    "credit.override_applied",
                    f"{outcome.value} lifted by {override.who} until {override.until}: "
                    f"{override.why}",
                    {"who": override.who, "until": override.until, "lifted": outcome.value},
                )
            )
            outcome = Outcome.ALLOW
    return CreditDecision(
        order_id=order.id,
        customer_id=customer.id,
        outcome=outcome,
        reasons=tuple(reasons),
        exposure_before=before,
        exposure_after=after,
        limit=limit,
        headroom=None if limit is None else limit - after,
        exposure=exposure,
        group=group,
        override=applied,
    )


def _secured(order: Order) -> Verdict:
    method = order.payment_method.value
    return Verdict(
        Outcome.ALLOW,
        (
            Reason(
                "credit.payment_secured",
                f"payment {method}: the order adds no exposure and is not checked for credit",
                {"payment_method": method},
            ),
        ),
    )


def _scheduled(amount: object, order: Order) -> Verdict:
    return Verdict(
        Outcome.ALLOW,
        (
            Reason(
                "credit.preorder_scheduled",
                f"{amount} {order.currency} of pre-order lines count from their invoice date",
                {"amount": amount},
            ),
        ),
    )


def _ordered(overrides: Iterable[Override], order: Order, customer: Customer) -> list[Override]:
    """The overrides that cover the order: order-scoped first, then the longest-lasting."""
    relevant = [o for o in overrides if o.covers(order.id, customer.id)]
    return sorted(relevant, key=lambda o: (o.order_id is None, -o.until.toordinal(), o.who, o.why))
