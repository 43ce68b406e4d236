"""Credit policy documents (TOML or JSON), validated with every problem reported at once.

:func:`load_policy` reads a file, :func:`parse_policy` a mapping; both return
a :class:`~ecomrules.credit.policy.CreditPolicy`. Every field has a default,
so an empty document is the default policy. Amounts are strings (or exact
TOML/JSON numbers read as decimals); floats never reach a computation.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ecomrules.config_file import read_config_file, validation_problems
from ecomrules.credit.outcome import Outcome
from ecomrules.credit.policy import (
    Boundary,
    Bucket,
    BucketLimit,
    Check,
    CreditPolicy,
    DunningRule,
    LimitRule,
    NewCustomerRule,
    OverdueRule,
    TierRule,
)
from ecomrules.errors import ConfigError, ConfigProblem
from ecomrules.fx import FxRates
from ecomrules.inputs.fields import Amount, CurrencyCode
from ecomrules.money import Currency, Money

__all__ = ["PolicyDocument", "load_policy", "parse_policy"]

Rounding = Literal[
    "ROUND_HALF_UP",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_DOWN",
    "ROUND_UP",
    "ROUND_DOWN",
    "ROUND_CEILING",
    "ROUND_FLOOR",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LimitSection(_Section):
    """``[limit]``: the credit limit check."""

    boundary: Boundary = Boundary.INCLUSIVE
    outcome: Outcome = Outcome.REQUIRE_PREPAYMENT
    warn_ratio: Amount | None = Decimal("0.9")
    when_missing: Outcome = Outcome.REQUIRE_PREPAYMENT

    @field_validator("warn_ratio")
    @classmethod
    def _ratio(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and not 0 < value <= 1:
            raise ValueError("must be above 0 and at most 1")
        return value


class BucketLimitSection(_Section):
    """One ``[[bucket_limits]]`` entry."""

    bucket: Bucket
    max_amount: Amount | None = Field(default=None, ge=0)
    max_ratio: Amount | None = Field(default=None, ge=0)
    outcome: Outcome = Outcome.BLOCK

    def to_domain(self) -> BucketLimit:
        """Return the core rule."""
        return BucketLimit(self.bucket, self.max_amount, self.max_ratio, self.outcome)


class OverdueSection(_Section):
    """``[overdue]``: overdue items and grace days."""

    grace_days: int = Field(default=15, ge=0)
    outcome: Outcome = Outcome.BLOCK
    min_amount: Amount = Field(default=Decimal(0), ge=0)
    warn_within_grace: bool = True


class DunningSection(_Section):
    """``[dunning]``: the outcome from each dunning level up."""

    levels: dict[int, Outcome] = Field(default_factory=lambda: {2: Outcome.WARN, 3: Outcome.BLOCK})

    @field_validator("levels")
    @classmethod
    def _positive(cls, value: dict[int, Outcome]) -> dict[int, Outcome]:
        if any(level < 1 for level in value):
            raise ValueError("dunning levels start at 1")
        return value


class NewCustomerSection(_Section):
    """``[new_customer]``: first orders of new customers."""

    days: int = Field(default=90, ge=0)
    max_order: Amount = Field(default=Decimal(500), ge=0)
    outcome: Outcome = Outcome.REQUIRE_PREPAYMENT


class TierSection(_Section):
    """``[tiers.NAME]``: the checks a tier is exempt from."""

    exempt: list[Check] = Field(default_factory=list)


class FxSection(_Section):
    """``[fx]``: exchange rates ``"FROM/TO" = "rate"`` and the rounding mode."""

    rounding: Rounding = "ROUND_HALF_UP"
    rates: dict[str, Amount] = Field(default_factory=dict)

    @field_validator("rates")
    @classmethod
    def _pairs(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        problems = []
        for pair, rate in value.items():
            parts = pair.split("/")
            if len(parts) != 2:
                problems.append(f"{pair!r} is not FROM/TO")
                continue
            try:
                Currency.of(parts[0])
                Currency.of(parts[1])
            except ValueError:
                problems.append(f"{pair!r} names an unknown currency")
            if rate <= 0:
                problems.append(f"{pair!r}: the rate must be positive")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    def to_domain(self) -> FxRates:
        """Return the core rates."""
        pairs = {tuple(pair.split("/")): rate for pair, rate in self.rates.items()}
        return FxRates({(a, b): rate for (a, b), rate in pairs.items()}, self.rounding)


class PolicyDocument(_Section):
    """A credit policy file. Every section is optional; see the policy reference."""

    currency: CurrencyCode = "EUR"
    preorder_horizon_days: int = Field(default=0, ge=0)
    limit: LimitSection = LimitSection()
    bucket_limits: list[BucketLimitSection] = Field(default_factory=list)
    overdue: OverdueSection = OverdueSection()
    dunning: DunningSection = DunningSection()
    new_customer: NewCustomerSection = NewCustomerSection()
    tiers: dict[str, TierSection] = Field(default_factory=dict)
    group_limits: dict[str, Amount] = Field(default_factory=dict)
    fx: FxSection = FxSection()

    def to_domain(self) -> CreditPolicy:
        """Return the core :class:`CreditPolicy`."""
        limit = self.limit
        return CreditPolicy(
            currency=self.currency,
            limit=LimitRule(limit.boundary, limit.outcome, limit.warn_ratio, limit.when_missing),
            bucket_limits=tuple(entry.to_domain() for entry in self.bucket_limits),
            overdue=OverdueRule(
                self.overdue.grace_days,
                self.overdue.outcome,
                self.overdue.min_amount,
                self.overdue.warn_within_grace,
            ),
            dunning=DunningRule(self.dunning.levels),
            new_customer=NewCustomerRule(
                self.new_customer.days, self.new_customer.max_order, self.new_customer.outcome
            ),
            tiers={name: TierRule(frozenset(t.exempt)) for name, t in self.tiers.items()},
            group_limits={g: Money(a, self.currency) for g, a in self.group_limits.items()},
            preorder_horizon_days=self.preorder_horizon_days,
            rates=self.fx.to_domain(),
        )


def parse_policy(data: Mapping[str, Any], *, source: str = "<policy>") -> CreditPolicy:
    """Validate a policy mapping; raise one ``ConfigError`` listing every problem."""
    problems: list[ConfigProblem] = []
    try:
        document = PolicyDocument.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source, validation_problems(exc, data)) from None
    for index, entry in enumerate(document.bucket_limits):
        if entry.max_amount is None and entry.max_ratio is None:
            problems.append(
                ConfigProblem(f"$.bucket_limits[{index}]", "needs max_amount or max_ratio")
            )
    if problems:
        raise ConfigError(source, problems)
    return document.to_domain()


def load_policy(path: str | Path) -> CreditPolicy:
    """Read a policy from a ``.toml`` or ``.json`` file."""
    data = read_config_file(path, json_float=Decimal, toml_float=Decimal)
    return parse_policy(data, source=str(path))
