"""Policy files: TOML and JSON, defaults, every problem at once."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

from ecomrules.credit import (
    Boundary,
    Bucket,
    Check,
    CreditPolicy,
    Outcome,
    load_policy,
    parse_policy,
)
from ecomrules.demo import path as demo_path
from ecomrules.errors import ConfigError
from ecomrules.money import Money

FULL = """
currency = "EUR"
preorder_horizon_days = 14

[limit]
boundary = "exclusive"
outcome = "block"
warn_ratio = "0.8"
when_missing = "allow"

[[bucket_limits]]
bucket = "overdue"
max_ratio = "0.25"
outcome = "require_prepayment"

[overdue]
grace_days = 10
min_amount = "5.00"

[dunning]
levels = { "1" = "warn", "3" = "block" }

[new_customer]
days = 30
max_order = 250

[tiers.gold]
exempt = ["limit", "overdue"]

[group_limits]
G100 = "10000.00"

[fx]
rounding = "ROUND_HALF_EVEN"
rates = { "USD/EUR" = "0.92" }
"""


def test_a_toml_policy_sets_every_section(tmp_path: Path) -> None:
    file = tmp_path / "credit.toml"
    file.write_text(FULL, encoding="utf-8")
    policy = load_policy(file)
    assert policy.limit.boundary is Boundary.EXCLUSIVE
    assert policy.limit.outcome is Outcome.BLOCK
    assert policy.limit.warn_ratio == Decimal("0.8")
    assert policy.bucket_limits[0].bucket is Bucket.OVERDUE
    assert policy.bucket_limits[0].max_ratio == Decimal("0.25")
    assert policy.overdue.grace_days == 10
    assert dict(policy.dunning.levels) == {1: Outcome.WARN, 3: Outcome.BLOCK}
    assert policy.new_customer.max_order == Decimal(250)
    assert policy.exempt("gold") == frozenset({Check.LIMIT, Check.OVERDUE})
    assert policy.group_limits["G100"] == Money(Decimal("10000.00"), "EUR")
    assert policy.rates.rounding == ROUND_HALF_EVEN
    assert policy.rates.rates[("USD", "EUR")] == Decimal("0.92")
    assert policy.preorder_horizon_days == 14


def test_an_empty_document_is_the_default_policy(tmp_path: Path) -> None:
    file = tmp_path / "empty.json"
    file.write_text("{}", encoding="utf-8")
    assert load_policy(file) == CreditPolicy()


def test_json_policies_read_numbers_as_decimals(tmp_path: Path) -> None:
    file = tmp_path / "p.json"
    file.write_text('{"limit": {"warn_ratio": 0.75}}', encoding="utf-8")
    assert load_policy(file).limit.warn_ratio == Decimal("0.75")


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_policy(
            {
                "limit": {"boundary": "sometimes", "warn_ratio": "1.5"},
                "bucket_limits": [{"bucket": "overdue"}, {"bucket": "nope", "max_amount": "1"}],
                "overdue": {"grace_days": -1},
                "tiers": {"gold": {"exempt": ["everything"]}},
                "fx": {"rates": {"USD-EUR": "1"}},
                "colour": "blue",
            },
            source="credit.toml",
        )
    paths = sorted(problem.path for problem in caught.value.problems)
    assert paths == [
        "$.bucket_limits[1].bucket",
        "$.colour",
        "$.fx.rates",
        "$.limit.boundary",
        "$.limit.warn_ratio",
        "$.overdue.grace_days",
        "$.tiers.gold.exempt[0]",
    ]
    assert str(caught.value).startswith("credit.toml: 7 problem(s)")


def test_a_bucket_limit_needs_a_cap() -> None:
    with pytest.raises(ConfigError, match=r"\$\.bucket_limits\[0\]: needs max_amount or max_ratio"):
        parse_policy({"bucket_limits": [{"bucket": "overdue"}]})


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_policy(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("limit = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid"):
        load_policy(bad)


def test_floats_never_reach_an_amount() -> None:
    with pytest.raises(ConfigError, match="max_order"):
        parse_policy({"new_customer": {"max_order": 0.1}})


def test_the_demo_policy_loads() -> None:
    policy = load_policy(demo_path("credit-policy.toml"))
    assert policy.exempt("gold") == frozenset({Check.OVERDUE})
