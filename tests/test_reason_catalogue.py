"""Every reason and issue code written in the source is listed in the catalogue page."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AREAS = ("bank", "credit", "dunning", "paypal", "preorder", "psp", "reconcile", "stripe")
LITERAL = re.compile(r"""["']((?:""" + "|".join(AREAS) + r""")\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)["']""")
# Names that look like codes but are parser names, module paths or file names.
PARSER_OR_FILE = re.compile(r"^(bank|psp|paypal|stripe)\.[a-z0-9_]+$|\.(csv|json|toml|md|py)$")


def source_codes() -> set[str]:
    """Dotted literals of the known areas found in the package source."""
    codes = set()
    for path in (ROOT / "src" / "ecomrules").rglob("*.py"):
        codes.update(LITERAL.findall(path.read_text(encoding="utf-8")))
    return {code for code in codes if not PARSER_OR_FILE.search(code) or code.count(".") > 1}


def test_every_code_in_the_source_is_documented() -> None:
    catalogue = (ROOT / "docs" / "reference" / "reasons.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z0-9_.]+)`", catalogue))

    def listed(code: str) -> bool:  # a prefix completed at run time counts when its codes are
        return code in documented or any(d.startswith((f"{code}_", f"{code}.")) for d in documented)

    assert sorted(code for code in source_codes() if not listed(code)) == []


def test_the_check_finds_codes() -> None:
    found = source_codes()
    assert "dunning.held.disputed" in found
    assert "credit.limit_exceeded" in found or "credit.limit" in found
