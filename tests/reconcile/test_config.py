from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.errors import ConfigError
from ecomrules.reconcile import AmountBlocker, AmountComparison, ReferenceComparison
from ecomrules.reconcile.config import MatcherConfig, load_config

EXAMPLE = """
auto_threshold = 0.995
review_threshold = 0.2

[partners]
CH9300762011623852957 = "C003"

[combination]
max_items = 4

[[blockers]]
kind = "reference"

[[blockers]]
kind = "text"

[[blockers]]
kind = "amount"
max_bucket = 5

[[comparisons]]
kind = "reference"
fuzzy_threshold = 90
weights = { fuzzy = 7.5 }

[[comparisons]]
kind = "amount"
under = { absolute = "2.00", percent = "1" }
over = { absolute = "0.50" }
"""


def test_toml_configuration_builds_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "matcher.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    settings = load_config(path)
    assert settings.auto_threshold == 0.995
    assert settings.combination.max_items == 4
    assert settings.partner_ibans == {"CH9300762011623852957": "C003"}
    assert [b.name for b in settings.blockers] == ["reference", "text", "amount"]
    assert settings.blockers[2] == AmountBlocker(max_bucket=5)
    reference, amount = settings.comparisons
    assert isinstance(reference, ReferenceComparison)
    assert reference.fuzzy.weight == 7.5
    assert reference.fuzzy_threshold == 90
    assert isinstance(amount, AmountComparison)
    assert amount.under.absolute == Decimal("2.00")
    assert amount.over.percent is None


def test_default_document_is_the_default_matcher() -> None:
    settings = MatcherConfig().to_domain()
    assert [b.name for b in settings.blockers] == ["reference", "text", "amount", "party"]
    assert [c.name for c in settings.comparisons] == ["reference", "amount", "date", "party"]


def test_every_problem_is_reported_at_once_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        """
review_threshold = 0.5
auto_threshold = 2
[[blockers]]
kind = "amount"
max_bucket = 0
[[blockers]]
kind = "telepathy"
[[comparisons]]
kind = "amount"
under = { absolute = 5.0 }
""",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    paths = {p.path for p in caught.value.problems}
    assert "$.auto_threshold" in paths
    assert "$.blockers[0].max_bucket" in paths
    assert any(p.startswith("$.blockers[1]") for p in paths)
    assert "$.comparisons[0].under.absolute" in paths
    assert "bad.toml" in str(caught.value)


def test_unknown_level_and_unknown_plugin_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        '{"blockers": [{"kind": "plugin", "name": "acme.nothing"}],'
        ' "comparisons": [{"kind": "date", "weights": {"tomorrow": 1}}]}',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert {p.path for p in caught.value.problems} == {
        "$.blockers[0].name",
        "$.comparisons[0].weights.tomorrow",
    }
