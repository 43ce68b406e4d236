"""JSON read with a bound on nesting, for every reader of JSON text.

``json.loads`` recurses once per level: a document nested a thousand deep
raises ``RecursionError`` (or passes and breaks the first recursive walk over
it). :func:`loads` counts the nesting first, outside strings, in one linear
pass, and refuses more than :data:`MAX_DEPTH` levels with a ``ValueError``,
the exception every caller already turns into its own clean error.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

__all__ = ["MAX_DEPTH", "loads"]

MAX_DEPTH: Final = 64
"""Arrays and objects nested deeper are refused (real reports nest under ten)."""

_STRING: Final = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET: Final = re.compile(r"[\[\]{}]")


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Raise ``ValueError`` when arrays and objects in ``text`` nest deeper than ``limit``."""
    if text.count("[") + text.count("{") <= limit:
        return
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                raise ValueError(f"JSON nested more than {limit} deep")
        else:
            depth -= 1


def loads(text: str | bytes, **options: Any) -> Any:
    """``json.loads(text, **options)`` after :func:`check_depth`; only ``ValueError`` escapes."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    check_depth(text)
    try:
        return json.loads(text, **options)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise ValueError(f"JSON nested more than {MAX_DEPTH} deep") from None
