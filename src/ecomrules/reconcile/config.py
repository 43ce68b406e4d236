"""The matcher's configuration document (TOML or JSON), validated with pydantic.

Blockers and comparisons are lists discriminated on ``kind``; a third-party
component is ``{kind = "plugin", name = "...", options = {...}}``, loaded from
the ``ecomrules.reconcile`` entry-point group. Every problem is reported at
once with its ``$.path``. :meth:`MatcherConfig.to_domain` gives the
:class:`~ecomrules.reconcile.settings.MatcherSettings` the engine runs.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any, Literal

import attrs
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ecomrules.config_file import read_config_file, validation_problems
from ecomrules.errors import ConfigError, ConfigProblem, UnknownCurrencyError
from ecomrules.money import Currency
from ecomrules.reconcile.blocking import (
    AmountBlocker,
    Blocker,
    PartyBlocker,
    ReferenceBlocker,
    TextReferenceBlocker,
)
from ecomrules.reconcile.comparison import (
    AmountComparison,
    Comparison,
    DateComparison,
    Level,
    PartyComparison,
    ReferenceComparison,
    Tolerance,
)
from ecomrules.reconcile.iban import IbanCheck, describe_problem
from ecomrules.reconcile.records import normalise_iban
from ecomrules.reconcile.settings import CombinationSettings, MatcherSettings

__all__ = ["ENTRY_POINT_GROUP", "MatcherConfig", "load_config"]

ENTRY_POINT_GROUP = "ecomrules.reconcile"


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("write amounts and percentages as strings, not floats")
    return value


DecimalText = Annotated[Decimal, BeforeValidator(_no_float)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReferenceBlockerConfig(_Model):
    """Hash join of the lines' references with the items' normalised keys."""

    kind: Literal["reference"]


class TextBlockerConfig(_Model):
    """References found in labels by one pass of a derived pattern."""

    kind: Literal["text"]
    max_prefixes: int = Field(40, ge=1)
    only_unresolved: bool = True


class AmountBlockerConfig(_Model):
    """Items whose residual equals the line's amount."""

    kind: Literal["amount"]
    max_bucket: int = Field(5, ge=1)
    only_unresolved: bool = True


class PartyBlockerConfig(_Model):
    """Open items of the partner the payer is identified as (IBAN, else exact unique name)."""

    kind: Literal["party"]
    max_items: int = Field(60, ge=1)
    only_unresolved: bool = True
    by_name: bool = True
    """Also identify the payer by a name only one partner bears (when no IBAN does)."""


class PluginConfig(_Model):
    """A third-party blocker or comparison from the ``ecomrules.reconcile`` entry points."""

    kind: Literal["plugin"]
    name: str
    options: dict[str, Any] = Field(default_factory=dict)


BlockerConfig = Annotated[
    ReferenceBlockerConfig
    | TextBlockerConfig
    | AmountBlockerConfig
    | PartyBlockerConfig
    | PluginConfig,
    Field(discriminator="kind"),
]


class _Weighted(_Model):
    weights: dict[str, float] = Field(default_factory=dict)
    """Level name -> weight in bits, overriding the built-in weight."""


class ReferenceComparisonConfig(_Weighted):
    """Reference levels."""

    kind: Literal["reference"]
    fuzzy_threshold: float = Field(85.0, ge=0, le=100)


class ToleranceConfig(_Model):
    """An absolute amount (currency units, a string) and/or a percent of the residual."""

    absolute: DecimalText | None = Field(None, ge=0)
    percent: DecimalText | None = Field(None, ge=0, le=100)


class AmountComparisonConfig(_Weighted):
    """Amount levels and the write-off tolerances, under- and over-payment apart."""

    kind: Literal["amount"]
    under: ToleranceConfig = ToleranceConfig(absolute=Decimal("5.00"), percent=Decimal(5))
    over: ToleranceConfig = ToleranceConfig(absolute=Decimal("1.00"), percent=Decimal(1))


class DateComparisonConfig(_Weighted):
    """Date levels: the window around the due date counted as near."""

    kind: Literal["date"]
    near_before: int = Field(45, ge=0)
    near_after: int = Field(120, ge=0)


class PartyComparisonConfig(_Weighted):
    """Party levels: name similarity thresholds (rapidfuzz token sort ratio)."""

    kind: Literal["party"]
    name_threshold: float = Field(90.0, ge=0, le=100)
    similar_threshold: float = Field(75.0, ge=0, le=100)


ComparisonConfig = Annotated[
    ReferenceComparisonConfig
    | AmountComparisonConfig
    | DateComparisonConfig
    | PartyComparisonConfig
    | PluginConfig,
    Field(discriminator="kind"),
]


class CombinationConfig(_Model):
    """Bounds of the one-payment-for-several-items search."""

    max_items: int = Field(6, ge=1, le=12)
    max_pool: int = Field(40, ge=1, le=200)
    auto_max_items: int = Field(4, ge=0)
    max_credit_notes: int = Field(3, ge=0, le=6)


def _default_blockers() -> list[BlockerConfig]:
    return [
        ReferenceBlockerConfig(kind="reference"),
        TextBlockerConfig(kind="text"),
        AmountBlockerConfig(kind="amount"),
        PartyBlockerConfig(kind="party"),
    ]


def _default_comparisons() -> list[ComparisonConfig]:
    return [
        ReferenceComparisonConfig(kind="reference"),
        AmountComparisonConfig(kind="amount"),
        DateComparisonConfig(kind="date"),
        PartyComparisonConfig(kind="party"),
    ]


class MatcherConfig(_Model):
    """The whole matcher configuration; every field has a working default."""

    blockers: list[BlockerConfig] = Field(default_factory=_default_blockers)
    comparisons: list[ComparisonConfig] = Field(default_factory=_default_comparisons)
    prior: float = -9.0
    auto_threshold: float = Field(0.99, gt=0, le=1)
    review_threshold: float = Field(0.1, gt=0, le=1)
    tie_margin: float = Field(1.0, ge=0)
    combination: CombinationConfig = CombinationConfig()
    partners: dict[str, str] = Field(default_factory=dict)
    """IBAN -> partner id: who pays from an account the open items do not show."""
    groups: dict[str, str] = Field(default_factory=dict)
    """Partner id -> group id: a member of a group may pay for another."""
    rates: dict[str, Annotated[DecimalText, Field(gt=0)]] = Field(default_factory=dict)
    """``"USD/EUR" = "0.92"``: one USD is 0.92 EUR, for lines in another currency."""

    @field_validator("partners")
    @classmethod
    def _valid_ibans(cls, partners: dict[str, str]) -> dict[str, str]:
        check = IbanCheck()
        for iban in partners:
            problem = check.problem(normalise_iban(iban))
            if problem is not None:
                raise ValueError(f"IBAN {iban!r} is not valid: {describe_problem(problem)}")
        return partners

    @model_validator(mode="after")
    def _thresholds(self) -> MatcherConfig:
        if self.review_threshold > self.auto_threshold:
            raise ValueError("review_threshold is above auto_threshold")
        for pair in self.rates:
            source, _, target = pair.partition("/")
            if len(source) != 3 or len(target) != 3:
                raise ValueError(f"rate {pair!r}: write the pair as 'USD/EUR'")
            for code in (source, target):
                try:
                    Currency.of(code)
                except UnknownCurrencyError:
                    raise ValueError(f"rate {pair!r}: unknown currency code {code!r}") from None
        return self

    def to_domain(self) -> MatcherSettings:
        """Build the engine's settings; plug-ins are loaded here (``ConfigError`` if unknown)."""
        problems: list[ConfigProblem] = []
        blockers = [_blocker(b, f"$.blockers[{i}]", problems) for i, b in enumerate(self.blockers)]
        comparisons = [
            _comparison(c, f"$.comparisons[{i}]", problems) for i, c in enumerate(self.comparisons)
        ]
        if problems:
            raise ConfigError("matcher configuration", problems)
        return MatcherSettings(
            blockers=tuple(b for b in blockers if b is not None),
            comparisons=tuple(c for c in comparisons if c is not None),
            prior=self.prior,
            auto_threshold=self.auto_threshold,
            review_threshold=self.review_threshold,
            tie_margin=self.tie_margin,
            combination=CombinationSettings(**self.combination.model_dump()),
            partner_ibans=self.partners,
            partner_groups=self.groups,
            rates=self.rates,
        )


def _plugin(config: PluginConfig, path: str, problems: list[ConfigProblem]) -> object | None:
    found = [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.name == config.name]
    if not found:
        problems.append(ConfigProblem(f"{path}.name", f"no plug-in {config.name!r} is installed"))
        return None
    factory: Callable[..., object] = found[0].load()
    try:
        return factory(**config.options)
    except (TypeError, ValueError) as exc:
        problems.append(ConfigProblem(f"{path}.options", str(exc)))
        return None


def _blocker(config: Any, path: str, problems: list[ConfigProblem]) -> Blocker | None:
    if isinstance(config, PluginConfig):
        made = _plugin(config, path, problems)
        if made is not None and not isinstance(made, Blocker):
            problems.append(ConfigProblem(path, f"plug-in {config.name!r} is not a blocker"))
            return None
        return made if isinstance(made, Blocker) else None
    options = config.model_dump(exclude={"kind"})
    kinds: dict[str, Callable[..., Blocker]] = {
        "reference": ReferenceBlocker,
        "text": TextReferenceBlocker,
        "amount": AmountBlocker,
        "party": PartyBlocker,
    }
    return kinds[config.kind](**options)


def _comparison(config: Any, path: str, problems: list[ConfigProblem]) -> Comparison | None:
    if isinstance(config, PluginConfig):
        made = _plugin(config, path, problems)
        if made is not None and not isinstance(made, Comparison):
            problems.append(ConfigProblem(path, f"plug-in {config.name!r} is not a comparison"))
            return None
        return made if isinstance(made, Comparison) else None
    options = config.model_dump(exclude={"kind", "weights", "under", "over"})
    built: Any
    if isinstance(config, AmountComparisonConfig):
        built = AmountComparison(
            under=Tolerance(config.under.absolute, config.under.percent),
            over=Tolerance(config.over.absolute, config.over.percent),
        )
    else:
        kinds: dict[str, Callable[..., Any]] = {
            "reference": ReferenceComparison,
            "date": DateComparison,
            "party": PartyComparison,
        }
        built = kinds[config.kind](**options)
    changes: dict[str, Level] = {}
    for name, weight in sorted(config.weights.items()):
        level = getattr(built, name, None)
        if not isinstance(level, Level):
            problems.append(ConfigProblem(f"{path}.weights.{name}", "no such level"))
            continue
        changes[name] = attrs.evolve(level, weight=weight)
    result: Comparison = attrs.evolve(built, **changes) if changes else built
    return result


def load_config(path: str | Path) -> MatcherSettings:
    """Read a ``.toml`` or ``.json`` matcher configuration; ``ConfigError`` lists every problem."""
    file = Path(path)
    document = read_config_file(file, json_float=Decimal)
    try:
        config = MatcherConfig.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(str(file), validation_problems(exc, document)) from None
    try:
        return config.to_domain()
    except ConfigError as exc:
        raise ConfigError(str(file), exc.problems) from None
