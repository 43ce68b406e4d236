"""Progress of long CLI steps: on a terminal only, never under ``--json`` or in a pipe."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text

from ecomrules import demo
from ecomrules.cli import output

DUNNING = [
    "dunning", "plan", "--open-items", str(demo.path("open-items.csv")),
    "--customers", str(demo.path("customers.csv")), "--policy", "fr-b2b",
    "--as-of", "2026-11-20",
]  # fmt: skip


def run_on_terminal(*args: str) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal: exit code, stdout, what the terminal got."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "ecomrules", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen.extend(chunk)
    stdout, _ = process.communicate()
    code = process.returncode
    os.close(leader)
    return code, stdout.decode(), seen.decode(errors="replace")


def test_a_terminal_sees_each_step() -> None:
    code, _, terminal = run_on_terminal(*DUNNING)
    assert code == 0
    assert "reading open-items.csv" in terminal
    assert "reading customers.csv" in terminal
    assert "planning" in terminal


def test_no_progress_under_json_even_on_a_terminal() -> None:
    code, stdout, terminal = run_on_terminal(*DUNNING, "--json")
    assert code == 0
    assert stdout.startswith("{")
    assert "reading" not in terminal
    assert "planning" not in terminal


def test_no_progress_in_a_pipe() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ecomrules", *DUNNING], capture_output=True, text=True, check=True
    )
    assert "reading" not in out.stderr


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """The CLI's stderr console replaced by a terminal of 80 columns that records."""
    screen = io.StringIO()
    monkeypatch.setattr(
        output, "err_console", Console(file=screen, force_terminal=True, width=80, highlight=False)
    )
    monkeypatch.setattr(output, "_shown", {"json": False})
    return screen


def test_a_slow_step_leaves_its_count_and_rate(
    terminal: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "SLOW_STEP_SECONDS", 0.0)
    rows = output.read_input(lambda path, encoding: [1, 2, 3], Path("open-items.csv"), "items")
    assert rows == [1, 2, 3]
    last = Text.from_ansi(terminal.getvalue()).plain.rstrip().splitlines()[-1]
    assert last.startswith("reading open-items.csv: 3 items in ")
    assert last.endswith("items/s")


def test_a_quick_step_leaves_nothing(terminal: io.StringIO) -> None:
    output.read_input(lambda path, encoding: [1, 2, 3], Path("open-items.csv"), "items")
    assert "3 items in" not in terminal.getvalue()


def test_progress_counts_every_item_in_batches(terminal: io.StringIO) -> None:
    seen = list(output.progress(range(10_000), total=10_000, label="indexing", unit="items"))
    assert seen == list(range(10_000))
    assert "indexing" in terminal.getvalue()


def test_matching_shows_blocking_before_its_first_count(
    terminal: io.StringIO, tmp_path: Path
) -> None:
    from ecomrules.cli.reconcile import run_reconcile

    result, _, _ = run_reconcile(
        demo.path("open-items.csv"), [demo.path("reconcile-statement.csv")]
    )
    shown = terminal.getvalue()
    assert result.matches
    assert "blocking: candidate items of each line" in shown
    assert shown.index("blocking") < shown.index("matching")
