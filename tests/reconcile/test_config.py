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
max_bucket = 7

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
    assert settings.blockers[2] == AmountBlocker(max_bucket=7)
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


class _VatBlocker:
    """A stand-in third-party blocker: pairs every line with item 0."""

    name = "acme.first"

    def __init__(self, *, flag: int = 0) -> None:
        self.flag = flag

    def block(self, ctx: object) -> None:
        from ecomrules.reconcile import BlockingContext

        assert isinstance(ctx, BlockingContext)
        for i in range(len(ctx.lines)):
            ctx.add(i, 0, self.flag)


class _EntryPoint:
    name = "acme.first"

    def load(self) -> type[_VatBlocker]:
        return _VatBlocker


def test_plugins_come_from_the_entry_point_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecomrules.reconcile import config as module

    seen: list[str] = []

    def fake_entry_points(*, group: str) -> list[_EntryPoint]:
        seen.append(group)
        return [_EntryPoint()]

    monkeypatch.setattr(module, "entry_points", fake_entry_points)
    path = tmp_path / "m.toml"
    path.write_text(
        '[[blockers]]\nkind = "plugin"\nname = "acme.first"\noptions = { flag = 8 }\n',
        encoding="utf-8",
    )
    settings = load_config(path)
    assert seen == ["ecomrules.reconcile"]
    (blocker,) = settings.blockers
    assert isinstance(blocker, _VatBlocker)
    assert blocker.flag == 8
    bad = tmp_path / "bad.toml"
    bad.write_text('[[comparisons]]\nkind = "plugin"\nname = "acme.first"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="is not a comparison"):
        load_config(bad)


def test_an_invalid_iban_in_the_partner_mapping_is_a_config_problem(tmp_path: Path) -> None:
    path = tmp_path / "matcher.toml"
    path.write_text('[partners]\nCH9300762011623852958 = "C003"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert problem.path == "$.partners"
    assert "CH9300762011623852958" in problem.message
    assert "check digits" in problem.message
