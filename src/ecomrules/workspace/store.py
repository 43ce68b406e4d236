"""The SQLite workspace file: connection, schema versions, one transaction per run.

Which file: the one named by the caller (``--workspace``), else
``$ECOMRULES_WORKSPACE``, else ``./ecomrules.db`` (:func:`resolve_path`). A
command that records creates it; a command that only reads opens it
read-only, and only when it exists (:func:`open_existing`), so it works on a
file it may not write and never creates one. Any SQLite failure (a corrupt
file, another kind of file, a read-only file a command must write) is a
:class:`~ecomrules.errors.WorkspaceError` naming the file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

from ecomrules.errors import WorkspaceError

__all__ = ["DEFAULT_PATH", "ENV_VAR", "Workspace", "open_existing", "resolve_path"]

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


def open_existing(
    explicit: str | Path | None, environ: Mapping[str, str] | None = None
) -> Workspace | None:
    """Open the workspace :func:`resolve_path` names read-only; None when there is no such file.

    What a command that only reads uses: nothing recorded yet is an empty
    workspace, and the file is neither created nor written.
    """
    path = resolve_path(explicit, environ)
    if not path.exists():
        return None
    return Workspace(path, read_only=True)


def _problem(path: Path, exc: sqlite3.Error) -> WorkspaceError:
    """A SQLite failure as the library's error, naming the file."""
    text = str(exc)
    if "malformed" in text or "not a database" in text:
        return WorkspaceError(
            f"{path}: not a readable ecomrules workspace (a damaged file, or another kind "
            f"of file): {text}; restore it from a backup or name another with --workspace"
        )
    if "readonly" in text or "read-only" in text:
        return WorkspaceError(f"{path}: the workspace file cannot be written: {text}")
    return WorkspaceError(f"{path}: workspace: {text}")


class Workspace:
    """A SQLite workspace file in WAL mode.

    Areas create their tables with :meth:`ensure_schema`; a run works inside
    :meth:`transaction`, which commits on success and rolls back on any
    exception, so a failed run leaves the workspace as it was; reads go
    through :meth:`reading`. Both turn a SQLite failure into a
    :class:`~ecomrules.errors.WorkspaceError` naming the file.

    ``read_only=True`` opens an existing file for reading only: no table is
    created, no write transaction can start, and a file the process may not
    write (nor create the WAL index beside) is still read.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._depth = 0
        try:
            if read_only:
                self.connection = self._open_read_only(timeout)
            else:
                self.connection = sqlite3.connect(
                    self.path, timeout=timeout, isolation_level=None, check_same_thread=False
                )
                self._set_up(time.monotonic() + timeout)
        except sqlite3.Error as exc:
            problem = _problem(self.path, exc)
            raise WorkspaceError(f"cannot open workspace {problem}") from None

    def _open_read_only(self, timeout: float) -> sqlite3.Connection:
        """Open read-only; on a file whose WAL index cannot be made, open it as immutable.

        SQLite reads a WAL-mode file through its ``-shm`` index; when the
        file's writers are gone, that index is removed, and a process that may
        not write the file or its folder cannot make it again. Such a file has
        no pending WAL, so it is read as it is (``immutable``).
        """
        uri = f"file:{quote(str(self.path.absolute()))}?mode=ro"
        connection = sqlite3.connect(
            uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc) and "unable to open" not in str(exc):
                connection.close()
                raise
            connection.close()
            connection = sqlite3.connect(
                uri + "&immutable=1",
                uri=True,
                timeout=timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return connection

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
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Run reads on the connection; a SQLite failure becomes a :class:`WorkspaceError`."""
        try:
            yield self.connection
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one write transaction (``BEGIN IMMEDIATE``); nested calls join it.

        A SQLite failure inside it rolls back and becomes a :class:`WorkspaceError`.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self.connection
            finally:
                self._depth -= 1
            return
        if self.read_only:
            raise WorkspaceError(f"{self.path}: opened read-only, cannot record")
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise WorkspaceError(
                f"cannot start a transaction in {_problem(self.path, exc)}"
            ) from None
        self._depth = 1
        try:
            yield self.connection
        except sqlite3.Error as exc:
            self._roll_back()
            raise _problem(self.path, exc) from None
        except BaseException:
            self._roll_back()
            raise
        else:
            try:
                self.connection.execute("COMMIT")
            except sqlite3.Error as exc:
                self._roll_back()
                raise _problem(self.path, exc) from None
        finally:
            self._depth = 0

    def _roll_back(self) -> None:
        if self.connection.in_transaction:
            # the failure being reported says more; SQLite may have rolled back itself
            with suppress(sqlite3.Error):
                self.connection.execute("ROLLBACK")

    def schema_version(self, area: str) -> int:
        """Return the schema version an area has applied (0 when none, or in a new file)."""
        with self.reading() as db:
            known = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            ).fetchone()
            if known is None:
                return 0
            row = db.execute(
                "SELECT version FROM schema_version WHERE area = ?", (area,)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def ensure_schema(self, area: str, migrations: list[str]) -> int:
        """Apply the ``migrations`` (SQL scripts, in order) an area has not applied yet.

        Returns the area's schema version: ``len(migrations)``. Read-only,
        nothing is applied and the version found is returned: 0 when the area
        has recorded nothing (its tables are missing: it reads as empty), an
        older one when a command that records has not upgraded it yet (the
        area's store reads it as it is).
        """
        if self.read_only:
            current = self.schema_version(area)
            if current > len(migrations):
                raise self._newer(area, current, len(migrations))
            return current
        with self.transaction() as db:
            current = self.schema_version(area)
            if current > len(migrations):
                raise self._newer(area, current, len(migrations))
            for script in migrations[current:]:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(
                "INSERT INTO schema_version (area, version) VALUES (?, ?) "
                "ON CONFLICT(area) DO UPDATE SET version = excluded.version",
                (area, len(migrations)),
            )
        return len(migrations)

    def _newer(self, area: str, current: int, known: int) -> WorkspaceError:
        return WorkspaceError(
            f"{self.path}: area {area!r} is at schema {current}, newer than this "
            f"ecomrules knows ({known})"
        )
