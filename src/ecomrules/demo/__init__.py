"""The bundled example dataset of ``ecomrules demo``: a small online shop.

The files are documented inputs (the same formats the CLI reads), so the demo
doubles as an example of each. ``AS_OF`` is the date the demo runs at, so its
report is the same on every machine.
"""

from datetime import date
from importlib import resources
from pathlib import Path

__all__ = ["AS_OF", "path"]

AS_OF = date(2026, 11, 20)


def path(name: str) -> Path:
    """Return the path of a bundled demo file, e.g. ``path("customers.csv")``."""
    target = resources.files(__name__).joinpath(name)
    if not target.is_file():
        raise FileNotFoundError(f"no demo file {name!r}")
    return Path(str(target))
