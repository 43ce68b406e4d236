"""The bundled example dataset of ``ecomrules demo``: a small online shop.

The files are documented inputs (the same formats the CLI reads), so the demo
doubles as an example of each. ``AS_OF`` is the date the demo runs at, so its
report is the same on every machine.
"""

from datetime import date
from importlib import resources
from pathlib import Path

__all__ = ["AS_OF", "export", "files", "path"]

AS_OF = date(2026, 11, 20)


def path(name: str) -> Path:
    """Return the path of a bundled demo file, e.g. ``path("customers.csv")``."""
    target = resources.files(__name__).joinpath(name)
    if not target.is_file():
        raise FileNotFoundError(f"no demo file {name!r}")
    return Path(str(target))


def files() -> list[str]:
    """Return the names of the bundled input files, sorted."""
    root = resources.files(__name__)
    return sorted(
        entry.name
        for entry in root.iterdir()
        if entry.is_file()
        and not entry.name.startswith(("_", "."))
        and not entry.name.endswith((".py", ".pyc"))
    )


def export(directory: str | Path) -> list[Path]:
    """Copy every bundled input file into ``directory`` (created if needed); return the copies.

    A file of the same name already there is never overwritten: the export
    refuses with an :class:`~ecomrules.errors.InputError` listing them all.
    """
    from ecomrules.errors import InputError

    target = Path(directory)
    names = files()
    taken = [name for name in names if (target / name).exists()]
    if taken:
        raise InputError(
            str(target),
            [f"{target / name}: exists already; export into an empty folder" for name in taken],
        )
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        copy = target / name
        copy.write_bytes(path(name).read_bytes())
        written.append(copy)
    return written
