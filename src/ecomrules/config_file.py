"""Reading a policy or configuration file (TOML or JSON) into a plain document.

Every area's policy loader starts the same way: read the file, decode it by
its suffix (``.json`` is JSON, anything else TOML), and make sure the top
level is an object. Problems are :class:`~ecomrules.errors.ConfigError`s at
``$``; the area's pydantic model then reports the rest with their paths.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from ecomrules.errors import ConfigError, ConfigProblem

__all__ = ["read_config_file"]


def read_config_file(
    path: str | Path,
    *,
    json_float: Callable[[str], Any] = Decimal,
    toml_float: Callable[[str], Any] = float,
) -> dict[str, Any]:
    """Return the top-level object of a ``.json`` or ``.toml`` file.

    ``json_float`` and ``toml_float`` turn the text of a number with a
    fraction into a value: ``Decimal`` keeps it exact; a function that raises
    ``ValueError`` refuses it.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(file), [ConfigProblem("$", f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            str(file), [ConfigProblem("$", f"not UTF-8 at byte {exc.start}")]
        ) from None
    try:
        if file.suffix.lower() == ".json":
            document = json.loads(text, parse_float=json_float)
        else:
            document = tomllib.loads(text, parse_float=toml_float)
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(str(file), [ConfigProblem("$", f"not valid: {exc}")]) from None
    if not isinstance(document, dict):
        raise ConfigError(str(file), [ConfigProblem("$", "is not an object")])
    return document
