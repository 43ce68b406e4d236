"""Reading a policy or configuration file (TOML or JSON) into a plain document.

Every area's policy loader starts the same way: read the file, decode it by
its suffix (``.json`` is JSON, anything else TOML), and make sure the top
level is an object. Problems are :class:`~ecomrules.errors.ConfigError`s at
``$``; the area's pydantic model then reports the rest with their paths,
which :func:`validation_problems` writes the same way for every area.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecomrules import _jsontext
from ecomrules.errors import ConfigError, ConfigProblem

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = ["read_config_file", "validation_problems"]


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
            document = _jsontext.loads(text, parse_float=json_float)
        else:
            document = tomllib.loads(text, parse_float=toml_float)
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(str(file), [ConfigProblem("$", f"not valid: {exc}")]) from None
    if not isinstance(document, dict):
        raise ConfigError(str(file), [ConfigProblem("$", "is not an object")])
    return document


def validation_problems(exc: ValidationError, document: Any) -> list[ConfigProblem]:
    """Each error of validating ``document`` with pydantic, as a problem at its ``$.path``.

    Paths name fields (``.days``) and list positions (``[2]``). A union
    discriminated on ``kind`` puts the member's tag in an error's location
    (``levels, 2, days_after_due, days``): a part that is the ``kind`` of the
    object the path has reached, and not one of its keys, is that tag and is
    left out, so the path is the one the user wrote (``$.levels[2].days``).

    >>> from pydantic import BaseModel, ValidationError
    >>> class Grace(BaseModel):
    ...     days: int
    >>> class Doc(BaseModel):
    ...     grace: Grace
    >>> document = {"grace": {"days": "soon"}}
    >>> try:
    ...     Doc.model_validate(document)
    ... except ValidationError as exc:
    ...     print(*validation_problems(exc, document))
    $.grace.days: Input should be a valid integer, unable to parse string as an integer
    """
    problems: list[ConfigProblem] = []
    for error in exc.errors():
        path = "$"
        node: Any = document
        for part in error["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
                node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            elif isinstance(node, dict) and part not in node and node.get("kind") == part:
                continue  # the discriminated union's tag, not a field
            else:
                path += f".{part}"
                node = node.get(part) if isinstance(node, dict) else None
        problems.append(ConfigProblem(path, error["msg"].removeprefix("Value error, ")))
    return problems
