"""No library module changes process-wide state (gc, csv.field_size_limit, locale).

The command line may, at its entry point (``ecomrules.cli``); the library is
embedded in other programs, which keep their own settings.
"""

from __future__ import annotations

import csv
import importlib
import pkgutil
import re
from pathlib import Path

import ecomrules

SOURCE = Path(ecomrules.__file__).resolve().parent
MAY = {"gcpause.py"}  # the opt-in helper itself
STATE = re.compile(r"\bgc\.(disable|enable|freeze|unfreeze|set_threshold)\(|paused_collector\(|"
                   r"field_size_limit\([^)]|setlocale\(")  # fmt: skip


def test_importing_every_library_module_leaves_the_csv_field_limit_alone() -> None:
    before = csv.field_size_limit()
    for module in pkgutil.walk_packages([str(SOURCE)], "ecomrules."):
        if not module.name.startswith(("ecomrules.cli", "ecomrules.__main__")):
            importlib.import_module(module.name)
    assert csv.field_size_limit() == before


def test_only_the_command_line_touches_the_collector_limits_or_locale() -> None:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if relative.parts[0] == "cli" or relative.name in MAY:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if STATE.search(line) and not line.lstrip().startswith(("#", ">>>")):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []
