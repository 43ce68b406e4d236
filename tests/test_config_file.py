"""Reading policy and configuration files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ecomrules.config_file import read_config_file
from ecomrules.errors import ConfigError


def refuse(text: str) -> Any:
    raise ValueError(f"number {text} has a fraction")


def test_numbers_with_a_fraction_stay_exact_or_are_refused(tmp_path: Path) -> None:
    doc = tmp_path / "p.json"
    doc.write_text('{"rate": 0.1, "days": 7}', encoding="utf-8")
    assert read_config_file(doc) == {"rate": Decimal("0.1"), "days": 7}
    with pytest.raises(ConfigError, match=r"\$: not valid: number 0.1 has a fraction"):
        read_config_file(doc, json_float=refuse)
    toml = tmp_path / "p.toml"
    toml.write_text("rate = 0.1\n", encoding="utf-8")
    assert read_config_file(toml, toml_float=Decimal) == {"rate": Decimal("0.1")}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.json", "[1, 2]", "is not an object"),
        ("a.json", "{", "not valid"),
        ("a.toml", "x = ", "not valid"),
    ],
)
def test_bad_documents_are_config_errors_at_the_root(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        read_config_file(path)
    assert [p.path for p in caught.value.problems] == ["$"]


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        read_config_file(tmp_path / "missing.toml")
    latin = tmp_path / "l.toml"
    latin.write_bytes('name = "Cr\xe9dit"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8 at byte"):
        read_config_file(latin)
