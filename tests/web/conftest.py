"""Workspaces for the web application's tests: the demo shop's, and a small shop of ties."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ecomrules import demo

if TYPE_CHECKING:
    from conftest import Cli

DEMO_STATEMENTS = ("bank-statement.csv", "reconcile-statement.csv", "stripe-payout.csv")

TIE_ITEMS = """\
id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date,reference
A-1,FA-1,P1,Atelier Nord SARL,EUR,100.00,100.00,2026-10-01,2026-10-31,
A-2,FA-2,P1,Atelier Nord SARL,EUR,100.00,100.00,2026-10-02,2026-11-01,
A-3,FA-3,P1,Atelier Nord SARL,EUR,250.00,250.00,2026-10-03,2026-11-02,
B-1,FB-1,P2,Boutique Sud,EUR,80.00,80.00,2026-10-03,2026-11-02,
"""
"""Two items of one partner open for the same amount: a payment of it, without a
reference, is a guess between them, so it goes to review with both as candidates."""

TIE_STATEMENT = """\
id,booking_date,amount,currency,counterparty,label
L1,2026-11-03,100.00,EUR,Atelier Nord SARL,VIREMENT
L2,2026-11-03,40.00,EUR,Inconnu,VIREMENT DIVERS
L3,2026-11-04,250.00,EUR,Atelier Nord SARL,FA-3
L4,2026-11-04,100.00,EUR,Atelier Nord SARL,VIREMENT
"""


def reconcile_commit(cli: Cli, workspace: Path, items: Path, *statements: Path) -> None:
    """Run ``ecomrules reconcile --commit`` on the workspace."""
    args = ["reconcile", "--open-items", str(items), "--commit", "--workspace", str(workspace)]
    for statement in statements:
        args += ["--statement", str(statement)]
    done = cli(*args, "--json")
    assert done.returncode == 0, done.stderr


@pytest.fixture
def demo_workspace(cli: Cli, tmp_path: Path) -> Path:
    """The demo shop's workspace after ``reconcile --commit`` of its three statements."""
    workspace = tmp_path / "demo.db"
    statements = [demo.path(name) for name in DEMO_STATEMENTS]
    reconcile_commit(cli, workspace, demo.path("open-items.csv"), *statements)
    return workspace


@pytest.fixture
def tie_files(tmp_path: Path) -> tuple[Path, Path]:
    """The open items and the statement of the small shop of ties."""
    items = tmp_path / "tie-items.csv"
    items.write_text(TIE_ITEMS, encoding="utf-8")
    statement = tmp_path / "tie-statement.csv"
    statement.write_text(TIE_STATEMENT, encoding="utf-8")
    return items, statement


@pytest.fixture
def tie_workspace(cli: Cli, tmp_path: Path, tie_files: tuple[Path, Path]) -> Path:
    """The small shop of ties after ``reconcile --commit``."""
    workspace = tmp_path / "tie.db"
    reconcile_commit(cli, workspace, *tie_files)
    return workspace


WAGNER_ITEMS = (
    "id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date\n"
    "W-1,FW-1,P9,Wagner KG,EUR,300.00,300.00,2026-10-01,2026-10-31\n"
    "W-2,FW-2,P9,Wagner KG,EUR,300.00,300.00,2026-10-01,2026-10-31\n"
)
"""Two invoices of one partner open for 300.00: a payment of 299.00 is a tie between them."""

SPLIT_ITEMS = """\
id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date
S-1,FS-1,P7,Comptoir Est SARL,EUR,100.00,100.00,2026-10-01,2026-10-20
S-2,FS-2,P7,Comptoir Est SARL,EUR,90.00,90.00,2026-10-01,2026-10-25
S-3,FS-3,P7,Comptoir Est SARL,EUR,300.00,300.00,2026-10-01,2026-10-30
"""
SPLIT_STATEMENT = """\
id,booking_date,amount,currency,counterparty,label
P1,2026-11-02,186.00,EUR,Comptoir Est SARL,VIREMENT
P2,2026-11-02,12.00,EUR,Quelqu'un,DIVERS
"""


@pytest.fixture
def split_workspace(cli: Cli, tmp_path: Path) -> Path:
    """P1 pays 186.00 of a partner owing 100.00, 90.00 and 300.00: no item, no pair fits."""
    items, statement = tmp_path / "items.csv", tmp_path / "statement.csv"
    items.write_text(SPLIT_ITEMS, encoding="utf-8")
    statement.write_text(SPLIT_STATEMENT, encoding="utf-8")
    workspace = tmp_path / "split.db"
    reconcile_commit(cli, workspace, items, statement)
    return workspace


@contextmanager
def serving(*args: str) -> Iterator[tuple[str, list[str]]]:
    """Start ``ecomrules serve``; yield the first line it printed and (once stopped) its stderr."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "300"}
    process = subprocess.Popen(
        [sys.executable, "-m", "ecomrules", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    err: list[str] = []
    try:
        assert process.stdout is not None
        yield process.stdout.readline(), err
    finally:
        process.terminate()
        err.append(process.communicate(timeout=20)[1])
