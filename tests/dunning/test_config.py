"""Policy documents: built-ins, TOML and JSON files, every problem at once."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.dunning import (
    BUILTIN_POLICIES,
    DaysAfterDue,
    DaysAfterPrevious,
    EndOfMonthAfterDue,
    FlatIndemnity,
    RateReference,
    load_policy,
    policy_from_document,
)
from ecomrules.errors import ConfigError
from ecomrules.money import Money


def _level(key: str, days: int, **extra: object) -> dict[str, object]:
    return {
        "key": key,
        "name": key,
        "trigger": {"kind": "days_after_due", "days": days},
        "notify": {"channel": "email", "template": "reminder_1"},
        **extra,
    }


def problems(doc: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        policy_from_document(doc, source="p.toml")
    return [str(p) for p in caught.value.problems]


def test_built_in_policies_load() -> None:
    assert BUILTIN_POLICIES == ("default", "fr-b2b", "fr-b2c")
    b2b = load_policy("fr-b2b")
    assert [level.key for level in b2b.levels] == ["reminder_1", "reminder_2", "formal_notice"]
    assert b2b.preventive is not None
    assert b2b.preventive.trigger == DaysAfterDue(-5)
    assert b2b.min_interval_days == 7
    formal = b2b.levels[-1]
    assert formal.fees == (FlatIndemnity(Money("40.00", "EUR")),)
    assert formal.interest is not None
    assert formal.interest.margin == Decimal(10)
    assert formal.interest.reference is RateReference.SEMESTER
    assert formal.block_credit
    assert formal.handover == "collection"
    b2c = load_policy("fr-b2c")
    assert all(not level.fees for level in b2c.levels)
    assert b2c.levels[-1].trigger == DaysAfterPrevious(30)
    assert load_policy("default").levels[1].trigger == EndOfMonthAfterDue(1, 0)


TOML = """
name = "shop"
min_interval_days = 5
minimum_amounts = { EUR = "15.00", CHF = "20" }

[[levels]]
key = "reminder_1"
name = "First"
trigger = { kind = "days_after_due", days = 10 }
notify = { channel = "sms", fallback = ["email", "letter"], template = "reminder_1" }
fees = [{ kind = "percentage", rate = "1.5", currency = "EUR", minimum = "5", maximum = "25" }]

[[levels]]
key = "final_notice"
name = "Last"
trigger = { kind = "days_after_previous", days = 14 }
notify = { channel = "letter", template = "final_notice" }
interest = { table = "rates.csv", margin = "2", day_count = "actual/360" }
block_credit = true
handover = "litigation"
"""


def test_a_toml_file_with_its_own_rate_table(tmp_path: Path) -> None:
    (tmp_path / "rates.csv").write_text("# known_until: 2030-12-31\nfrom,rate\n2020-01-01,3\n")
    (tmp_path / "shop.toml").write_text(TOML, encoding="utf-8")
    policy = load_policy(tmp_path / "shop.toml")
    assert dict(policy.minimum_amounts) == {"EUR": Decimal("15.00"), "CHF": Decimal(20)}
    rule = policy.levels[1].interest
    assert rule is not None
    assert rule.table.rate_on(date(2026, 1, 1)) == Decimal(3)


def test_a_json_file(tmp_path: Path) -> None:
    doc = {"name": "j", "levels": [_level("reminder_1", 3)]}
    (tmp_path / "p.json").write_text(json.dumps(doc), encoding="utf-8")
    assert load_policy(tmp_path / "p.json").levels[0].trigger == DaysAfterDue(3)
    (tmp_path / "f.json").write_text('{"name": "j", "in_transit_tolerance": 0.5}')
    with pytest.raises(ConfigError, match="write decimals as strings"):
        load_policy(tmp_path / "f.json")


def test_every_structural_problem_at_once_with_paths() -> None:
    doc = {
        "name": "bad",
        "min_interval_days": -1,
        "in_transit_tolerance": 0.5,
        "levels": [
            {**_level("r1", 5), "trigger": {"kind": "weekly"}},
            {**_level("r2", 9), "fees": [{"kind": "fixed", "amount": "x", "currency": "EUR"}]},
            {**_level("r3", 12), "colour": "red"},
        ],
    }
    found = problems(doc)
    paths = [p.split(":")[0] for p in found]
    assert paths == [
        "$.min_interval_days",
        "$.in_transit_tolerance",
        "$.levels[0].trigger",
        "$.levels[1].fees[0].amount",
        "$.levels[2].colour",
    ]


def test_invariants_are_checked_together() -> None:
    doc = {
        "name": "bad",
        "preventive": _level("pre", 3, fees=[{"kind": "fixed", "amount": "1", "currency": "EUR"}]),
        "levels": [
            _level("r1", -2),
            _level("r2", 10, handover="collection"),
            _level("r2", 8, interest={"table": "ecb-mro", "since_level": "r9"}),
            {**_level("r4", 20), "notify": {"channel": "email", "template": "nope"}},
            _level(
                "r5",
                30,
                fees=[
                    {
                        "kind": "percentage",
                        "rate": "1",
                        "minimum": "9",
                        "maximum": "5",
                        "currency": "EUR",
                    }
                ],
                interest={"table": "missing.csv"},
            ),
        ],
    }
    found = problems(doc)
    expected_paths = {
        "$.preventive",
        "$.preventive.trigger",
        "$.levels[0].trigger.days",
        "$.levels[1].handover",
        "$.levels[2].key",
        "$.levels[2].trigger.days",
        "$.levels[2].interest.since_level",
        "$.levels[3].notify.template",
        "$.levels[4].fees[0].minimum",
        "$.levels[4].interest.table",
    }
    assert {p.split(": ")[0] for p in found} == expected_paths


def test_a_caller_replaces_a_rate_table() -> None:
    from ecomrules.dunning import RateTable

    table = RateTable(
        "ecb-mro", [(date(2026, 7, 1), Decimal("1.90"))], known_until=date(2026, 12, 31)
    )
    policy = load_policy("fr-b2b", rates={"ecb-mro": table})
    rule = policy.levels[-1].interest
    assert rule is not None
    assert rule.table is table


def test_the_documented_example_policy_loads(tmp_path: Path) -> None:
    page = Path(__file__).parents[2] / "docs" / "reference" / "dunning-policy.md"
    text = page.read_text(encoding="utf-8")
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.toml").write_text(example, encoding="utf-8")
    policy = load_policy(tmp_path / "example.toml")
    assert [level.key for level in policy.levels] == ["reminder_1", "reminder_2", "final_notice"]
    assert policy.levels[-1].handover == "collection"


def test_levels_and_ranks_by_key() -> None:
    policy = load_policy("fr-b2b")
    assert [policy.rank(key) for key in ("preventive", "reminder_1", "formal_notice")] == [0, 1, 3]
    assert policy.level("formal_notice").block_credit
    with pytest.raises(KeyError):
        policy.rank("nope")
