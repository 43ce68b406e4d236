"""Golden files: canonical JSON compared whole, with a readable diff.

Set ``ECOMRULES_UPDATE_GOLDEN=1`` to (re)write the golden files from the
current output, then review the diff in version control.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

__all__ = ["UPDATE_ENV", "assert_golden", "canonical_json"]

UPDATE_ENV = "ECOMRULES_UPDATE_GOLDEN"


def canonical_json(document: Any) -> str:
    """Serialise with sorted keys, 2-space indent, UTF-8 and a final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def assert_golden(document: Any, golden: str | Path) -> None:
    """Fail with a unified diff unless ``document`` equals the golden file's content."""
    path = Path(golden)
    actual = canonical_json(document)
    if os.environ.get(UPDATE_ENV) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        raise AssertionError(f"golden file {path} is missing; run with {UPDATE_ENV}=1 to write it")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=str(path),
                tofile="actual",
            )
        )
        raise AssertionError(f"output differs from {path}:\n{diff}")
