"""The credit policy: which checks run, their thresholds and the outcome of each.

These are the core values :func:`~ecomrules.credit.decide` reads; a policy
file (TOML or JSON) is loaded into them by :func:`~ecomrules.credit.load_policy`.
Absolute amounts in the policy are in ``currency`` and are converted into the
customer's currency with the policy's rates when they differ.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from attrs import field, frozen

from ecomrules.credit.outcome import Outcome
from ecomrules.fx import FxRates
from ecomrules.money import Currency, Money

__all__ = [
    "Boundary",
    "Bucket",
    "BucketLimit",
    "Check",
    "CreditPolicy",
    "DunningRule",
    "LimitRule",
    "NewCustomerRule",
    "OverdueRule",
    "TierRule",
]


class Boundary(enum.Enum):
    """Whether an exposure exactly at the limit is still within it."""

    INCLUSIVE = "inclusive"
    """Exposure equal to the limit is allowed."""
    EXCLUSIVE = "exclusive"
    """Exposure must stay strictly below the limit."""


class Bucket(enum.Enum):
    """A part of the exposure a bucket limit can cap."""

    NOT_DUE = "not_due"
    OVERDUE = "overdue"
    OVERDUE_1_30 = "overdue_1_30"
    OVERDUE_31_60 = "overdue_31_60"
    OVERDUE_61_90 = "overdue_61_90"
    OVERDUE_OVER_90 = "overdue_over_90"
    DRAFT_INVOICES = "draft_invoices"
    OPEN_ORDERS = "open_orders"


class Check(enum.Enum):
    """The checks of a decision; a tier can be exempted from any of them."""

    LIMIT = "limit"
    GROUP_LIMIT = "group_limit"
    BUCKET_LIMITS = "bucket_limits"
    OVERDUE = "overdue"
    DUNNING = "dunning"
    MANUAL = "manual"
    NEW_CUSTOMER = "new_customer"


@frozen
class LimitRule:
    """The credit limit check.

    Past the limit the outcome is ``outcome`` (by default the order must be
    prepaid: paying with the order adds no exposure, so that is enough). At
    ``warn_ratio`` of the limit or more the order gets a warning. A customer
    without a limit gets ``when_missing``.
    """

    boundary: Boundary = Boundary.INCLUSIVE
    outcome: Outcome = Outcome.REQUIRE_PREPAYMENT
    warn_ratio: Decimal | None = Decimal("0.9")
    when_missing: Outcome = Outcome.REQUIRE_PREPAYMENT


@frozen
class BucketLimit:
    """A cap on one bucket: an amount in the policy's currency and/or a ratio of the limit."""

    bucket: Bucket
    max_amount: Decimal | None = None
    max_ratio: Decimal | None = None
    outcome: Outcome = Outcome.BLOCK

    def __attrs_post_init__(self) -> None:
        if self.max_amount is None and self.max_ratio is None:
            raise ValueError(f"bucket limit on {self.bucket.value} needs max_amount or max_ratio")


@frozen
class OverdueRule:
    """Overdue items past ``grace_days`` give ``outcome``; within grace, a warning.

    Overdue totals up to ``min_amount`` (policy currency) are ignored. Disputed
    items, and items promised for a date not yet passed, do not count here.
    """

    grace_days: int = 15
    outcome: Outcome = Outcome.BLOCK
    min_amount: Decimal = Decimal(0)
    warn_within_grace: bool = True


def _levels(value: Mapping[int, Outcome]) -> Mapping[int, Outcome]:
    return MappingProxyType(dict(sorted(value.items())))


@frozen
class DunningRule:
    """Outcome per dunning level: reaching a level (or a higher one) gives its outcome."""

    levels: Mapping[int, Outcome] = field(
        factory=lambda: {2: Outcome.WARN, 3: Outcome.BLOCK}, converter=_levels
    )


@frozen
class NewCustomerRule:
    """A customer created less than ``days`` ago whose order exceeds ``max_order`` pays first.

    A customer without ``created_on`` is not new.
    """

    days: int = 90
    max_order: Decimal = Decimal(500)
    outcome: Outcome = Outcome.REQUIRE_PREPAYMENT


@frozen
class TierRule:
    """The checks a customer tier is exempted from."""

    exempt: frozenset[Check] = frozenset()


def _tiers(value: Mapping[str, TierRule]) -> Mapping[str, TierRule]:
    return MappingProxyType(dict(value))


def _group_limits(value: Mapping[str, Money]) -> Mapping[str, Money]:
    return MappingProxyType(dict(value))


def _currency(value: Currency | str) -> Currency:
    return value if isinstance(value, Currency) else Currency.of(value)


@frozen
class CreditPolicy:
    """Everything a credit decision reads besides the order, customer and exposure.

    ``preorder_horizon_days``: a pre-order counts in exposure once its expected
    invoice date is at most this many days after ``as_of``.
    ``group_limits``: the limit of a group (by ``Customer.group_id``); without
    one, the limit of the customer whose id is the group id, if any.
    """

    currency: Currency = field(default=Currency.of("EUR"), converter=_currency)
    limit: LimitRule = LimitRule()
    bucket_limits: tuple[BucketLimit, ...] = ()
    overdue: OverdueRule = OverdueRule()
    dunning: DunningRule = DunningRule()
    new_customer: NewCustomerRule = NewCustomerRule()
    tiers: Mapping[str, TierRule] = field(factory=dict, converter=_tiers)
    group_limits: Mapping[str, Money] = field(factory=dict, converter=_group_limits)
    preorder_horizon_days: int = 0
    rates: FxRates = field(factory=FxRates)

    def exempt(self, tier: str | None) -> frozenset[Check]:
        """Return the checks the tier is exempted from."""
        if tier is None or tier not in self.tiers:
            return frozenset()
        return self.tiers[tier].exempt

    def amount_in(self, amount: Decimal, currency: Currency) -> Money:
        """Return a policy amount converted into ``currency``."""
        return self.rates.convert(Money(amount, self.currency), currency)
