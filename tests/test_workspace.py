"""The SQLite workspace: schema versions, one transaction per run, path resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomrules.errors import WorkspaceError
from ecomrules.workspace import DEFAULT_PATH, Workspace, resolve_path

SCHEMA = ["CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"]


def test_path_resolution_order() -> None:
    assert resolve_path("x.db", {"ECOMRULES_WORKSPACE": "y.db"}) == Path("x.db")
    assert resolve_path(None, {"ECOMRULES_WORKSPACE": "y.db"}) == Path("y.db")
    assert resolve_path(None, {}) == DEFAULT_PATH


def failing_run(ws: Workspace) -> None:
    with ws.transaction() as db:
        db.execute("INSERT INTO notes (text) VALUES ('lost')")
        with ws.transaction() as inner:  # nested blocks join the run
            inner.execute("INSERT INTO notes (text) VALUES ('lost too')")
        raise RuntimeError("the run failed")


def test_failed_run_leaves_the_workspace_as_it_was(tmp_path: Path) -> None:
    with Workspace(tmp_path / "w.db") as ws:
        ws.ensure_schema("notes", SCHEMA)
        with ws.transaction() as db:
            db.execute("INSERT INTO notes (text) VALUES ('kept')")
        with pytest.raises(RuntimeError, match="the run failed"):
            failing_run(ws)
        rows = ws.connection.execute("SELECT text FROM notes").fetchall()
    assert rows == [("kept",)]


def test_schema_is_applied_once_and_newer_schemas_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    with Workspace(path) as ws:
        ws.ensure_schema("notes", SCHEMA)
        ws.ensure_schema("notes", SCHEMA)  # already there: nothing to do
        ws.ensure_schema("notes", [*SCHEMA, "ALTER TABLE notes ADD COLUMN author TEXT"])
        assert ws.schema_version("notes") == 2
        mode = ws.connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    with Workspace(path) as ws, pytest.raises(WorkspaceError, match="newer than"):
        ws.ensure_schema("notes", SCHEMA)


def test_unopenable_file_is_a_workspace_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="cannot open workspace"):
        Workspace(tmp_path / "missing-dir" / "w.db")
