"""The workspace as every command finds it, and what each engine reads from it.

One rule for every command: ``--workspace FILE``, else ``$ECOMRULES_WORKSPACE``,
else ``./ecomrules.db``. A command that records (``reconcile --commit``,
``dunning commit|block|pause``, ``credit check --reserve``, ``credit release``)
creates the file when missing; the others read it when it exists, read-only.

Every engine sees what the others recorded: the payments ``reconcile
--commit`` accepted lower the residuals that reconcile, dunning and credit
read (:func:`unpaid`); the dunning history gives credit its dunning levels;
the credit reservations count in exposure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ecomrules.workspace import Workspace, open_existing, resolve_path

if TYPE_CHECKING:
    from ecomrules.credit.reservation import Reservation
    from ecomrules.dunning import DunningHistory
    from ecomrules.ledger import OpenItem

__all__ = [
    "WORKSPACE_HELP",
    "WorkspaceOption",
    "history",
    "reading",
    "recording",
    "reservations",
    "unpaid",
]

WORKSPACE_HELP = (
    "Workspace file; default $ECOMRULES_WORKSPACE, else ./ecomrules.db. Commands that "
    "record create it; the others read it, read-only, when it exists."
)

WorkspaceOption = Annotated[
    Path | None, typer.Option("--workspace", help=WORKSPACE_HELP, show_default=False)
]


@contextmanager
def reading(workspace: Path | None) -> Iterator[Workspace | None]:
    """The workspace by the rule, opened read-only; None when there is no such file."""
    space = open_existing(workspace)
    try:
        yield space
    finally:
        if space is not None:
            space.close()


@contextmanager
def recording(workspace: Path | None) -> Iterator[Workspace]:
    """The workspace by the rule, opened to record (created when missing)."""
    with Workspace(resolve_path(workspace)) as space:
        yield space


def unpaid(items: list[OpenItem], space: Workspace | None) -> list[OpenItem]:
    """The items less the payments ``reconcile --commit`` recorded; settled items left out."""
    if space is None:
        return items
    from ecomrules.reconcile.store import without_committed
    from ecomrules.workspace.reconcile import SqliteMatchStore

    committed = SqliteMatchStore(space).commitments()
    if not committed:
        return items
    return without_committed(items, committed)[0]


def history(space: Workspace | None) -> DunningHistory:
    """The dunning history recorded in the workspace (empty without one)."""
    from ecomrules.dunning import DunningHistory
    from ecomrules.workspace.dunning import SqliteDunningStore

    return DunningHistory() if space is None else SqliteDunningStore(space).load()


def reservations(space: Workspace | None) -> list[Reservation]:
    """Every credit reservation recorded in the workspace."""
    from ecomrules.workspace.credit import SqliteReservationStore

    return [] if space is None else SqliteReservationStore(space).every()
