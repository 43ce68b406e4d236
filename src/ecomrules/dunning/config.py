"""Policy documents: TOML or JSON, validated with pydantic, every problem reported at once.

``load_policy("fr-b2b")`` returns a built-in policy; ``load_policy("my.toml")``
reads a file. Structural problems (a missing field, a float where a decimal is
wanted, an unknown ``kind``) and broken invariants (a ladder that goes
backwards, a hand-over before the last level, an unknown template) come back
together in one :class:`~ecomrules.errors.ConfigError` with ``$.levels[2].days``
paths.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ecomrules.config_file import read_config_file, validation_problems
from ecomrules.dunning.policy import (
    Channel,
    DaysAfterDue,
    DaysAfterPrevious,
    DunningLevel,
    DunningPolicy,
    EndOfMonthAfterDue,
    Fee,
    FixedFee,
    FlatIndemnity,
    InterestRule,
    Notify,
    PercentageFee,
    Trigger,
)
from ecomrules.dunning.rates import (
    BUILTIN_TABLES,
    DayCount,
    RateReference,
    RateTable,
    builtin_rate_table,
    load_rate_table,
)
from ecomrules.errors import ConfigError, ConfigProblem
from ecomrules.inputs.fields import CurrencyCode
from ecomrules.money import Currency, Money

__all__ = ["BUILTIN_POLICIES", "PolicyDocument", "load_policy", "policy_from_document"]

BUILTIN_POLICIES = ("default", "fr-b2b", "fr-b2c")
"""The names of the shipped policies."""

_ROUNDINGS = {
    "ROUND_HALF_UP": ROUND_HALF_UP,
    "ROUND_HALF_EVEN": ROUND_HALF_EVEN,
    "ROUND_DOWN": ROUND_DOWN,
    "ROUND_UP": ROUND_UP,
}


def _decimal(value: Any) -> Decimal:
    if isinstance(value, (bool, float)):
        raise ValueError('write decimals as strings ("1.50"), not as floats')
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except ArithmeticError:
            raise ValueError(f"{value!r} is not a decimal") from None
        if result.is_finite():
            return result
    raise ValueError("is not a decimal")


DecimalText = Annotated[Decimal, BeforeValidator(_decimal)]


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DaysAfterDueDoc(_Document):
    """Fires ``days`` after the due date (negative only for the preventive reminder)."""

    kind: Literal["days_after_due"]
    days: int


class EndOfMonthAfterDueDoc(_Document):
    """Fires on the last day of the due date's month, ``months`` later, plus ``days``."""

    kind: Literal["end_of_month_after_due"]
    months: int = Field(0, ge=0)
    days: int = Field(0, ge=0)


class DaysAfterPreviousDoc(_Document):
    """Fires ``days`` after the previous level was sent."""

    kind: Literal["days_after_previous"]
    days: int = Field(ge=0)


TriggerDoc = Annotated[
    DaysAfterDueDoc | EndOfMonthAfterDueDoc | DaysAfterPreviousDoc, Field(discriminator="kind")
]


class NotifyDoc(_Document):
    """The channel, its fallbacks and the template key."""

    channel: Channel
    fallback: list[Channel] = []
    template: str = Field(pattern=r"^[a-z][a-z0-9_]*$")


class FixedFeeDoc(_Document):
    """A fixed fee per notice (default) or per item."""

    kind: Literal["fixed"]
    amount: DecimalText = Field(gt=0)
    currency: CurrencyCode
    per: Literal["notice", "item"] = "notice"


class PercentageFeeDoc(_Document):
    """A percentage of the overdue amount, with optional bounds in ``currency``."""

    kind: Literal["percentage"]
    rate: DecimalText = Field(gt=0)
    currency: CurrencyCode | None = None
    minimum: DecimalText | None = Field(None, ge=0)
    maximum: DecimalText | None = Field(None, gt=0)


class FlatIndemnityDoc(_Document):
    """The statutory flat fee per invoice, charged once."""

    kind: Literal["flat_indemnity"]
    amount: DecimalText = Field(gt=0)
    currency: CurrencyCode


FeeDoc = Annotated[FixedFeeDoc | PercentageFeeDoc | FlatIndemnityDoc, Field(discriminator="kind")]


class InterestDoc(_Document):
    """Late interest: a rate table (built-in name or CSV path), margin, day count."""

    table: str
    margin: DecimalText = Decimal(0)
    reference: RateReference = RateReference.DAILY
    day_count: DayCount = DayCount.ACTUAL_365
    since_level: str | None = None


class LevelDoc(_Document):
    """One level: trigger, notice, fees, interest, credit block, hand-over."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    trigger: TriggerDoc
    notify: NotifyDoc
    fees: list[FeeDoc] = []
    interest: InterestDoc | None = None
    block_credit: bool = False
    handover: str | None = None


class PolicyDocument(_Document):
    """A dunning policy file (TOML or JSON); see the policy file reference."""

    name: str
    description: str = ""
    min_interval_days: int = Field(0, ge=0)
    minimum_amounts: dict[CurrencyCode, Annotated[DecimalText, Field(ge=0)]] = {}
    in_transit_tolerance: DecimalText = Field(Decimal(0), ge=0)
    bank_data_max_age_days: int | None = Field(None, ge=0)
    require_bank_data: bool = False
    rounding: Literal["ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_DOWN", "ROUND_UP"] = (
        "ROUND_HALF_UP"
    )
    preventive: LevelDoc | None = None
    levels: list[LevelDoc] = Field(min_length=1)


def _invariants(doc: PolicyDocument, templates: frozenset[str] | None) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    seen: dict[str, str] = {}
    everything: list[tuple[str, LevelDoc]] = []
    if doc.preventive is not None:
        everything.append(("$.preventive", doc.preventive))
    everything += [(f"$.levels[{i}]", level) for i, level in enumerate(doc.levels)]
    for where, level in everything:
        if level.key in seen:
            problems.append(
                ConfigProblem(f"{where}.key", f"{level.key!r} is also {seen[level.key]}")
            )
        seen.setdefault(level.key, where)
        if level.notify.channel in level.notify.fallback:
            problems.append(ConfigProblem(f"{where}.notify.fallback", "repeats the main channel"))
        if templates is not None and f"en/{level.notify.template}.j2" not in templates:
            problems.append(
                ConfigProblem(f"{where}.notify.template", f"no template {level.notify.template!r}")
            )
        for j, fee in enumerate(level.fees):
            if isinstance(fee, PercentageFeeDoc):
                if (fee.minimum is not None or fee.maximum is not None) and fee.currency is None:
                    problems.append(
                        ConfigProblem(f"{where}.fees[{j}].currency", "bounds need a currency")
                    )
                if (
                    fee.minimum is not None
                    and fee.maximum is not None
                    and fee.minimum > fee.maximum
                ):
                    problems.append(
                        ConfigProblem(f"{where}.fees[{j}].minimum", "is above the maximum")
                    )
    if doc.preventive is not None:
        pre = doc.preventive
        if not isinstance(pre.trigger, DaysAfterDueDoc) or pre.trigger.days >= 0:
            problems.append(
                ConfigProblem(
                    "$.preventive.trigger",
                    "the preventive reminder fires before the due date: days_after_due, days < 0",
                )
            )
        if pre.fees or pre.interest or pre.block_credit or pre.handover:
            problems.append(
                ConfigProblem(
                    "$.preventive", "a preventive reminder charges, blocks and hands over nothing"
                )
            )
    last_days: int | None = None
    ladder_keys: list[str] = []
    for i, level in enumerate(doc.levels):
        trigger = level.trigger
        if isinstance(trigger, DaysAfterDueDoc):
            if trigger.days < 0:
                problems.append(
                    ConfigProblem(
                        f"$.levels[{i}].trigger.days",
                        "negative days are for the preventive reminder only",
                    )
                )
            elif last_days is not None and trigger.days <= last_days:
                problems.append(
                    ConfigProblem(
                        f"$.levels[{i}].trigger.days",
                        f"must be later than the previous level's {last_days} days",
                    )
                )
            last_days = trigger.days
        if level.handover is not None and i != len(doc.levels) - 1:
            problems.append(
                ConfigProblem(f"$.levels[{i}].handover", "only the last level hands over")
            )
        ladder_keys.append(level.key)
        if level.interest is not None:
            since = level.interest.since_level
            if since is not None and since not in ladder_keys:
                problems.append(
                    ConfigProblem(
                        f"$.levels[{i}].interest.since_level",
                        f"{since!r} is not this level or an earlier one",
                    )
                )
    return problems


def policy_from_document(
    data: Any,
    *,
    source: str = "<policy>",
    base_dir: Path | None = None,
    rates: Mapping[str, RateTable] | None = None,
    templates: frozenset[str] | None = None,
) -> DunningPolicy:
    """Validate a parsed policy document and return the :class:`DunningPolicy`.

    ``rates`` replaces rate tables by name (``{"ecb-mro": my_table}``).
    ``templates`` is the set of template names the letters can use, as a
    jinja2 loader lists them (``"en/reminder_1.j2"``): the shipped ones when
    None; an empty set skips the check.
    """
    try:
        doc = PolicyDocument.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source, validation_problems(exc, data)) from None
    known = templates if templates is not None else _shipped_templates()
    problems = _invariants(doc, known or None)
    tables: dict[str, RateTable] = {}
    for i, level in enumerate(doc.levels):
        if level.interest is None:
            continue
        name = level.interest.table
        if name in tables or (rates and name in rates):
            continue
        try:
            tables[name] = _table(name, base_dir)
        except ConfigError as exc:
            problems.extend(
                ConfigProblem(f"$.levels[{i}].interest.table", str(p)) for p in exc.problems
            )
    if problems:
        raise ConfigError(source, problems)
    if rates:
        tables.update(rates)
    return _to_domain(doc, tables)


def _table(name: str, base_dir: Path | None) -> RateTable:
    if name in BUILTIN_TABLES:
        return builtin_rate_table(name)
    path = Path(name)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    return load_rate_table(path)


def _shipped_templates() -> frozenset[str]:
    root = resources.files("ecomrules.dunning").joinpath("templates")
    return frozenset(
        f"{lang.name}/{entry.name}"
        for lang in root.iterdir()
        if lang.is_dir()
        for entry in lang.iterdir()
    )


def _trigger(doc: DaysAfterDueDoc | EndOfMonthAfterDueDoc | DaysAfterPreviousDoc) -> Trigger:
    if isinstance(doc, DaysAfterDueDoc):
        return DaysAfterDue(doc.days)
    if isinstance(doc, EndOfMonthAfterDueDoc):
        return EndOfMonthAfterDue(doc.months, doc.days)
    return DaysAfterPrevious(doc.days)


def _fee(doc: FixedFeeDoc | PercentageFeeDoc | FlatIndemnityDoc) -> Fee:
    if isinstance(doc, FixedFeeDoc):
        return FixedFee(Money(doc.amount, doc.currency), per_item=doc.per == "item")
    if isinstance(doc, PercentageFeeDoc):
        return PercentageFee(
            doc.rate,
            None if doc.currency is None else Currency.of(doc.currency),
            doc.minimum,
            doc.maximum,
        )
    return FlatIndemnity(Money(doc.amount, doc.currency))


def _level(doc: LevelDoc, tables: Mapping[str, RateTable]) -> DunningLevel:
    interest = None
    if doc.interest is not None:
        interest = InterestRule(
            table=tables[doc.interest.table],
            margin=doc.interest.margin,
            reference=doc.interest.reference,
            day_count=doc.interest.day_count,
            since_level=doc.interest.since_level,
        )
    return DunningLevel(
        key=doc.key,
        name=doc.name,
        trigger=_trigger(doc.trigger),
        notify=Notify(doc.notify.channel, doc.notify.template, tuple(doc.notify.fallback)),
        fees=tuple(_fee(fee) for fee in doc.fees),
        interest=interest,
        block_credit=doc.block_credit,
        handover=doc.handover,
    )


def _to_domain(doc: PolicyDocument, tables: Mapping[str, RateTable]) -> DunningPolicy:
    return DunningPolicy(
        name=doc.name,
        description=doc.description,
        levels=tuple(_level(level, tables) for level in doc.levels),
        preventive=None if doc.preventive is None else _level(doc.preventive, tables),
        min_interval_days=doc.min_interval_days,
        minimum_amounts=dict(doc.minimum_amounts),
        in_transit_tolerance=doc.in_transit_tolerance,
        bank_data_max_age_days=doc.bank_data_max_age_days,
        require_bank_data=doc.require_bank_data,
        rounding=_ROUNDINGS[doc.rounding],
    )


def _refuse_float(text: str) -> Any:
    raise ValueError(f"number {text} has a fraction: write decimals as strings")


def load_policy(
    source: str | Path,
    *,
    rates: Mapping[str, RateTable] | None = None,
    templates: frozenset[str] | None = None,
) -> DunningPolicy:
    """Return a built-in policy by name (``fr-b2b``, ``fr-b2c``, ``default``) or read a file.

    Files are TOML (``.toml``) or JSON (``.json``). Rate table paths in the
    file are relative to it. ``rates`` replaces tables by name, e.g. an
    updated ``ecb-mro``.
    """
    if isinstance(source, str) and source in BUILTIN_POLICIES:
        text = resources.files("ecomrules.dunning").joinpath("policies", f"{source}.toml")
        data = tomllib.loads(text.read_text(encoding="utf-8"))
        return policy_from_document(
            data, source=f"built-in policy {source}", rates=rates, templates=templates
        )
    path = Path(source)
    data = read_config_file(path, json_float=_refuse_float)
    return policy_from_document(
        data, source=str(path), base_dir=path.parent, rates=rates, templates=templates
    )
