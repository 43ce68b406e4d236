"""What every command that reads CSV shares: the ``--encoding`` option, the "no rows" note."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecomrules.cli.output import err_console

__all__ = ["EncodingOption", "note_empty"]

EncodingOption = Annotated[
    str,
    typer.Option(
        "--encoding",
        help="Text encoding of the CSV input files (utf-8 by default; latin-1, cp1252, ...).",
    ),
]


def note_empty(path: Path | str, rows: int) -> None:
    """Say on stderr that a file held a header and no rows (it is read as nothing to do)."""
    if rows == 0:
        err_console.print(f"note: {Path(path).name}: no rows (only a header)", markup=False)
