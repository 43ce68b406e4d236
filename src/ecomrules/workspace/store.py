"""The SQLite workspace file: connection, schema versions, one transaction per run."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ecomrules.errors import WorkspaceError

__all__ = ["DEFAULT_PATH", "ENV_VAR", "Workspace", "resolve_path"]

DEFAULT_PATH = Path("ecomrules.db")
ENV_VAR = "ECOMRULES_WORKSPACE"


def resolve_path(explicit: str | Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """Return ``explicit``, else ``$ECOMRULES_WORKSPACE``, else ``ecomrules.db``."""
    env = os.environ if environ is None else environ
    if explicit:
        return Path(explicit)
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR])
    return DEFAULT_PATH


class Workspace:
    """A SQLite workspace file in WAL mode.

    Areas create their tables with :meth:`ensure_schema`; a run works inside
    :meth:`transaction`, which commits on success and rolls back on any
    exception, so a failed run leaves the workspace as it was.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        try:
            self.connection = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self._set_up(time.monotonic() + timeout)
        except sqlite3.Error as exc:
            raise WorkspaceError(f"{self.path}: cannot open workspace: {exc}") from None
        self._depth = 0

    def _set_up(self, deadline: float) -> None:
        """WAL mode, foreign keys and the schema table, retried while another process holds a lock.

        Switching a new file to WAL needs an exclusive lock, and SQLite
        answers "database is locked" at once, without waiting out the busy
        timeout, when another process opening the same new file holds one:
        two runs starting together on a fresh workspace met it about one
        time in four. The step is retried until the timeout has passed.
        """
        pause = 0.005
        while True:
            try:
                self.connection.execute("PRAGMA journal_mode=WAL")
                self.connection.execute("PRAGMA foreign_keys=ON")
                self.connection.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version "
                    "(area TEXT PRIMARY KEY, version INTEGER NOT NULL)"
                )
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one write transaction (``BEGIN IMMEDIATE``); nested calls join it."""
        if self._depth:
            self._depth += 1
            try:
                yield self.connection
            finally:
                self._depth -= 1
            return
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise WorkspaceError(f"{self.path}: cannot start a transaction: {exc}") from None
        self._depth = 1
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        else:
            self.connection.execute("COMMIT")
        finally:
            self._depth = 0

    def schema_version(self, area: str) -> int:
        """Return the schema version an area has applied (0 when none)."""
        row = self.connection.execute(
            "SELECT version FROM schema_version WHERE area = ?", (area,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    def ensure_schema(self, area: str, migrations: list[str]) -> None:
        """Apply the ``migrations`` (SQL scripts, in order) an area has not applied yet."""
        with self.transaction() as db:
            current = self.schema_version(area)
            if current > len(migrations):
                raise WorkspaceError(
                    f"{self.path}: area {area!r} is at schema {current}, newer than this "
                    f"ecomrules knows ({len(migrations)})"
                )
            for script in migrations[current:]:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(
                "INSERT INTO schema_version (area, version) VALUES (?, ?) "
                "ON CONFLICT(area) DO UPDATE SET version = excluded.version",
                (area, len(migrations)),
            )
