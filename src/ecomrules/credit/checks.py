"""The checks of a credit decision: each returns a :class:`Verdict` with its reasons.

Every check is a small pure function; :func:`~ecomrules.credit.decide` runs
the ones that apply and keeps every reason.
"""

from __future__ import annotations

from datetime import date, timedelta

from ecomrules.credit.exposure import Exposure
from ecomrules.credit.outcome import Outcome, Verdict
from ecomrules.credit.policy import Boundary, Bucket, CreditPolicy, DunningRule, LimitRule
from ecomrules.errors import InvariantError
from ecomrules.ledger import Customer
from ecomrules.money import Money
from ecomrules.outcome import Reason

__all__ = [
    "check_buckets",
    "check_dunning",
    "check_limit",
    "check_manual",
    "check_new_customer",
    "check_overdue",
]

_ALLOW = Verdict(Outcome.ALLOW, ())
_BOUNDARY = {
    Boundary.INCLUSIVE: "inclusive boundary: exposure equal to the limit is allowed",
    Boundary.EXCLUSIVE: "exclusive boundary: exposure must stay below the limit",
}


def check_limit(
    after: Money, limit: Money | None, rule: LimitRule, *, party: str = "customer"
) -> Verdict:
    """Compare the exposure after the order with the limit, boundary as the rule says.

    ``party`` is ``"customer"`` (codes ``credit.limit_*``) or ``"group"``
    (codes ``credit.group_limit_*``).
    """
    prefix = "credit.limit" if party == "customer" else "credit.group_limit"
    if limit is None:
        if party != "customer":
            return _ALLOW
        return Verdict(
            rule.when_missing,
            (Reason("credit.no_limit", "the customer has no credit limit set"),),
        )
    if after.currency is not limit.currency and after.currency != limit.currency:
        raise InvariantError(f"exposure in {after.currency} against a limit in {limit.currency}")
    a, cap = after.amount, limit.amount
    inside = a <= cap if rule.boundary is Boundary.INCLUSIVE else a < cap
    data = {"exposure_after": after, "limit": limit, "boundary": rule.boundary.value}
    boundary = _BOUNDARY[rule.boundary]
    if not inside:
        return Verdict(
            rule.outcome,
            (
                Reason(
                    f"{prefix}_exceeded",
                    f"{party} exposure after this order {after} is over the limit {limit} "
                    f"({boundary})",
                    data,
                ),
            ),
        )
    if rule.warn_ratio is not None and a >= cap * rule.warn_ratio:
        return Verdict(
            Outcome.WARN,
            (
                Reason(
                    f"{prefix}_near",
                    f"{party} exposure after this order {after} is at "
                    f"{rule.warn_ratio:%} or more of the limit {limit} ({boundary})",
                    data,
                ),
            ),
        )
    return Verdict(
        Outcome.ALLOW,
        (
            Reason(
                f"{prefix}_ok",
                f"{party} exposure after this order {after} is within the limit {limit} "
                f"({boundary})",
                data,
            ),
        ),
    )


def check_buckets(
    exposure: Exposure, added: Money, limit: Money | None, policy: CreditPolicy
) -> Verdict:
    """Check each bucket limit; ``added`` (this order) counts in ``open_orders``."""
    worst = Outcome.ALLOW
    reasons: list[Reason] = []
    for rule in policy.bucket_limits:
        amount = exposure.bucket(rule.bucket)
        if rule.bucket is Bucket.OPEN_ORDERS:
            amount = amount + added
        caps: list[Money] = []
        if rule.max_amount is not None:
            caps.append(policy.amount_in(rule.max_amount, exposure.currency))
        if rule.max_ratio is not None and limit is not None:
            cap = Money(limit.amount * rule.max_ratio, limit.currency)
            caps.append(cap.rounded(rounding=policy.rates.rounding))
        if not caps:
            continue
        cap = min(caps, key=lambda money: money.amount)
        if amount > cap:
            if rule.outcome.severity > worst.severity:
                worst = rule.outcome
            reasons.append(
                Reason(
                    "credit.bucket_limit_exceeded",
                    f"{rule.bucket.value} {amount} is over its limit {cap}",
                    {"bucket": rule.bucket.value, "amount": amount, "cap": cap},
                )
            )
    return Verdict(worst, tuple(reasons)) if reasons else _ALLOW


def check_overdue(exposure: Exposure, policy: CreditPolicy) -> Verdict:
    """Overdue beyond the grace days gives the rule's outcome; within grace, a warning."""
    rule = policy.overdue
    days = exposure.max_days_overdue
    if days <= 0:
        return _ALLOW
    overdue = exposure.overdue
    if rule.min_amount and overdue <= policy.amount_in(rule.min_amount, exposure.currency):
        return _ALLOW
    if overdue.amount <= 0:
        return _ALLOW
    data = {"days": days, "grace_days": rule.grace_days, "overdue": overdue}
    if days > rule.grace_days:
        return Verdict(
            rule.outcome,
            (
                Reason(
                    "credit.overdue_beyond_grace",
                    f"{overdue} overdue, the oldest {days} days past due "
                    f"(grace {rule.grace_days} days)",
                    data,
                ),
            ),
        )
    if not rule.warn_within_grace:
        return _ALLOW
    return Verdict(
        Outcome.WARN,
        (
            Reason(
                "credit.overdue_within_grace",
                f"{overdue} overdue, the oldest {days} days past due "
                f"(within the grace of {rule.grace_days} days)",
                data,
            ),
        ),
    )


def check_dunning(level: int | None, rule: DunningRule, *, blocks_credit: bool = False) -> Verdict:
    """The highest dunning level reached gives the outcome the policy flags for it.

    ``blocks_credit`` is the dunning side's own flag (a level whose action
    blocks credit was reached): it blocks whatever the credit policy says.
    """
    if not level and not blocks_credit:
        return _ALLOW
    outcome = None
    flagged = 0
    for threshold, level_outcome in rule.levels.items():
        if (level or 0) >= threshold and (
            outcome is None or level_outcome.severity >= outcome.severity
        ):
            outcome, flagged = level_outcome, threshold
    if blocks_credit:
        return Verdict(
            Outcome.BLOCK,
            (
                Reason(
                    "credit.dunning_level",
                    f"dunning level {level} reached, and the dunning policy blocks credit there",
                    {"level": level, "blocks_credit": True},
                ),
            ),
        )
    if outcome is None or outcome is Outcome.ALLOW:
        return _ALLOW
    return Verdict(
        outcome,
        (
            Reason(
                "credit.dunning_level",
                f"dunning level {level} reached (level {flagged} and up: {outcome.value})",
                {"level": level, "flagged_level": flagged},
            ),
        ),
    )


def check_manual(customer: Customer, *, secured: bool) -> Verdict:
    """The customer's manual messages: a warning warns, a blocking message blocks.

    On a secured payment the blocking message only warns: the order is not
    blocked for credit, but whoever takes it still sees the message.
    """
    worst = Outcome.ALLOW
    reasons: list[Reason] = []
    if customer.blocking_message:
        worst = Outcome.WARN if secured else Outcome.BLOCK
        reasons.append(
            Reason(
                "credit.manual_block",
                f"blocking message: {customer.blocking_message}",
                {"message": customer.blocking_message},
            )
        )
    if customer.warning_message:
        if worst is Outcome.ALLOW:
            worst = Outcome.WARN
        reasons.append(
            Reason(
                "credit.manual_warning",
                f"warning message: {customer.warning_message}",
                {"message": customer.warning_message},
            )
        )
    return Verdict(worst, tuple(reasons)) if reasons else _ALLOW


def check_new_customer(
    customer: Customer, amount: Money, policy: CreditPolicy, as_of: date
) -> Verdict:
    """A customer created less than ``days`` ago ordering above the threshold pays first."""
    rule = policy.new_customer
    if customer.created_on is None or customer.created_on <= as_of - timedelta(days=rule.days):
        return _ALLOW
    threshold = policy.amount_in(rule.max_order, amount.currency)
    if amount <= threshold:
        return _ALLOW
    return Verdict(
        rule.outcome,
        (
            Reason(
                "credit.new_customer",
                f"new customer (since {customer.created_on}): an order of {amount} "
                f"is above {threshold}",
                {"created_on": customer.created_on, "amount": amount, "threshold": threshold},
            ),
        ),
    )
