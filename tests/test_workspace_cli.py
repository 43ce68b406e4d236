"""The workspace from the command line: one rule for every command, read-only and damaged files."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ecomrules import demo
from ecomrules.errors import WorkspaceError
from ecomrules.workspace import Workspace
from ecomrules.workspace.dunning import SqliteDunningStore

if TYPE_CHECKING:
    from conftest import Clerk, Cli

ITEMS = str(demo.path("open-items.csv"))
CUSTOMERS = str(demo.path("customers.csv"))
STATEMENT = str(demo.path("reconcile-statement.csv"))
PLAN = ["--open-items", ITEMS, "--customers", CUSTOMERS, "--policy", "fr-b2b"]
AS_OF = ["--as-of", "2026-11-20"]

# every command that reads the workspace and records nothing
READING = {
    "dunning plan": ["dunning", "plan", *PLAN, *AS_OF],
    "dunning levels": ["dunning", "levels"],
    "credit report": ["credit", "report", "--open-items", ITEMS, "--customers", CUSTOMERS],
    "reconcile": ["reconcile", "--open-items", ITEMS, "--statement", STATEMENT],
}


def commit_dunning(cli: Cli, workspace: Path) -> None:
    done = cli("dunning", "commit", *PLAN, *AS_OF, "--workspace", str(workspace))
    assert done.returncode == 0, done.stderr


def commands_with_a_workspace() -> list[list[str]]:
    """Every command of the ``ecomrules`` app that takes ``--workspace``, found in the app."""
    import typer.main

    from ecomrules.cli.app import app

    def walk(command: Any, path: list[str]) -> Iterator[list[str]]:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            if any("--workspace" in getattr(p, "opts", ()) for p in command.params):
                yield path
            return
        for name, sub in subcommands.items():
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


def test_every_command_with_a_workspace_states_the_rule_in_its_help(cli: Cli) -> None:
    commands = commands_with_a_workspace()
    for command in (
        ["reconcile"],
        ["dunning", "commit"],
        ["credit", "check"],
        ["analytics", "sales"],
    ):
        assert command in commands
    for command in commands:
        done = cli(*command, "--help")
        assert done.returncode == 0, done.stderr
        text = " ".join(done.stdout.split())
        assert "$ECOMRULES_WORKSPACE, else ./ecomrules.db" in text, command


def test_a_plain_reconcile_finds_the_workspace_by_the_variable_or_in_the_folder(
    tmp_path: Path, cli: Cli
) -> None:
    committed = cli(
        "reconcile", "--open-items", ITEMS, "--statement", STATEMENT, "--commit", cwd=tmp_path
    )
    assert committed.returncode == 0, committed.stderr
    assert (tmp_path / "ecomrules.db").exists()  # the default, created by the command that records
    in_folder = cli(*READING["reconcile"], "--json", cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    by_variable = cli(
        *READING["reconcile"],
        "--json",
        cwd=elsewhere,
        ECOMRULES_WORKSPACE=str(tmp_path / "ecomrules.db"),
    )
    for done in (in_folder, by_variable):
        assert done.returncode == 0, done.stderr
        assert '"previously_committed_lines": [\n    "D002"' in done.stdout
        assert '"line_id": "D002"' not in done.stdout  # not proposed again


def test_a_reading_command_never_creates_the_workspace(tmp_path: Path, cli: Cli) -> None:
    missing = tmp_path / "none.db"
    for args in READING.values():
        done = cli(*args, "--workspace", str(missing))
        assert done.returncode in (0, 1), done.stderr
    assert not missing.exists()
    from ecomrules.workspace import open_existing

    assert open_existing(missing) is None


# root (as CI runs) writes whatever the permissions say, unless it gives up that capability
AS_A_USER = ("setpriv", "--inh-caps=-dac_override", "--bounding-set=-dac_override")


@pytest.fixture
def read_only_workspace(tmp_path: Path, cli: Cli) -> Iterator[tuple[Path, tuple[str, ...]]]:
    """A workspace file the commands may read and not write, nor its folder."""
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv (util-linux): no file is read-only")
        prefix = AS_A_USER
    folder = tmp_path / "read-only"
    folder.mkdir()
    workspace = folder / "ws.db"
    commit_dunning(cli, workspace)
    workspace.chmod(0o444)
    folder.chmod(0o555)
    yield workspace, prefix
    folder.chmod(0o755)


def test_reading_commands_work_on_a_read_only_workspace(
    read_only_workspace: tuple[Path, tuple[str, ...]], clerk: Callable[..., Clerk]
) -> None:
    workspace, prefix = read_only_workspace
    run = clerk(prefix).run
    before = workspace.read_bytes()
    levels = run(*READING["dunning levels"], "--workspace", str(workspace))
    assert levels.returncode == 0, levels.stderr
    assert "C001,1" in levels.stdout  # read from the history the commit recorded
    for name, args in READING.items():
        done = run(*args, "--workspace", str(workspace))
        assert done.returncode == 0, (name, done.stderr)
        assert "Traceback" not in done.stderr
    assert workspace.read_bytes() == before
    refused = run("dunning", "block", "INV-1001", "--workspace", str(workspace))
    assert refused.returncode == 2
    assert str(workspace) in refused.stderr
    assert "Traceback" not in refused.stderr


def damaged(cli: Cli, tmp_path: Path) -> Path:
    """A workspace whose pages after the first are overwritten: the header still reads."""
    workspace = tmp_path / "damaged.db"
    commit_dunning(cli, workspace)
    data = bytearray(workspace.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = b"\xff" * (len(data) - page)
    workspace.write_bytes(bytes(data))
    return workspace


def test_a_damaged_workspace_is_a_clean_error_naming_the_file(tmp_path: Path, cli: Cli) -> None:
    workspace = damaged(cli, tmp_path)
    commands = {
        **READING,
        "dunning commit": ["dunning", "commit", *PLAN, *AS_OF],
        "credit release": ["credit", "release", "SO-1"],
    }
    for name, args in commands.items():
        done = cli(*args, "--workspace", str(workspace))
        assert done.returncode == 2, (name, done.stderr)
        assert "Traceback" not in done.stderr, name
        assert f"{workspace}: not a readable ecomrules workspace" in done.stderr, name


def test_the_library_raises_its_own_error_on_a_damaged_workspace(tmp_path: Path, cli: Cli) -> None:
    workspace = damaged(cli, tmp_path)
    with (
        Workspace(workspace, read_only=True) as space,
        pytest.raises(WorkspaceError, match="not a readable ecomrules workspace"),
    ):
        SqliteDunningStore(space).load()


def test_read_only_opening_reads_a_new_area_as_empty_and_refuses_to_record(
    tmp_path: Path,
) -> None:
    workspace = tmp_path / "ws.db"
    with Workspace(workspace) as space:
        space.ensure_schema("notes", ["CREATE TABLE notes (text TEXT)"])
    with Workspace(workspace, read_only=True) as space:
        store = SqliteDunningStore(space)  # the dunning area recorded nothing yet
        assert store.load().events == ()
        with pytest.raises(WorkspaceError, match="read-only"):
            store.block_item("INV-1", None)
    with sqlite3.connect(workspace) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "dunning_events" not in tables


def test_every_command_takes_the_flag_then_the_variable_then_the_file_in_the_folder(
    tmp_path: Path, cli: Cli
) -> None:
    """Three damaged workspaces, one per place: the error names the one the rule picks."""
    bad = damaged(cli, tmp_path)
    shop = tmp_path / "shop"
    shop.mkdir()
    flag, variable, in_folder = shop / "flag.db", tmp_path / "variable.db", shop / "ecomrules.db"
    for place in (flag, variable, in_folder):
        shutil.copyfile(bad, place)
    order = tmp_path / "order.json"
    order.write_text(
        '{"id": "SO-1", "customer_id": "C001", "currency": "EUR", "amount": "10.00"}',
        encoding="utf-8",
    )
    check = ["credit", "check", "--open-items", ITEMS, "--customers", CUSTOMERS, *AS_OF]
    commands = {
        **READING,
        "reconcile --commit": [*READING["reconcile"], "--commit"],
        "dunning commit": ["dunning", "commit", *PLAN, *AS_OF],
        "dunning block": ["dunning", "block", "INV-1001"],
        "dunning pause": ["dunning", "pause", "C001"],
        "credit check": [*check, "--order", str(order)],
        "credit check --reserve": [*check, "--order", str(order), "--reserve"],
        "credit release": ["credit", "release", "SO-1"],
        "serve": ["serve", "--port", "0"],
    }
    assert {" ".join(c) for c in commands_with_a_workspace() if c[0] != "analytics"} == {
        name.split(" --")[0] for name in commands
    }
    for name, args in commands.items():
        for extra, chosen in (
            (["--workspace", "flag.db"], "flag.db"),
            ([], str(variable)),
        ):
            done = cli(*args, *extra, cwd=shop, ECOMRULES_WORKSPACE=str(variable))
            assert done.returncode == 2, (name, done.stderr)
            assert f"{chosen}: not a readable ecomrules workspace" in done.stderr, name
        done = cli(*args, cwd=shop)
        assert done.returncode == 2, (name, done.stderr)
        assert done.stderr.startswith("error: ecomrules.db: not a readable"), (name, done.stderr)
