"""``ecomrules demo --export DIR``: the demo's inputs, ready to run the commands on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ecomrules import demo
from ecomrules.errors import InputError


def ecomrules(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", *args], capture_output=True, text=True, check=False
    )


def test_export_writes_every_input_file_byte_for_byte(tmp_path: Path) -> None:
    done = ecomrules("demo", "--export", str(tmp_path / "shop"), "--json")
    assert done.returncode == 0, done.stderr
    written = [Path(name) for name in json.loads(done.stdout)["exported"]]
    assert [path.name for path in written] == demo.files()
    assert {"customers.csv", "open-items.csv", "sender.toml", "reconcile-statement.csv"} <= {
        path.name for path in written
    }
    for path in written:
        assert path.read_bytes() == demo.path(path.name).read_bytes()
    assert not any(name.endswith(".py") for name in demo.files())


def test_the_exported_files_run_as_the_guide_says(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    demo.export(shop)
    reconciled = ecomrules(
        "reconcile",
        "--open-items",
        str(shop / "open-items.csv"),
        "--statement",
        str(shop / "reconcile-statement.csv"),
        "--json",
    )
    assert reconciled.returncode == 0, reconciled.stderr
    assert json.loads(reconciled.stdout)["unmatched_lines"] == ["D007", "D008"]
    planned = ecomrules(
        "dunning",
        "plan",
        "--open-items",
        str(shop / "open-items.csv"),
        "--customers",
        str(shop / "customers.csv"),
        "--policy",
        "fr-b2b",
        "--sender",
        str(shop / "sender.toml"),
        "--as-of",
        "2026-11-20",
        "--workspace",
        str(tmp_path / "w.db"),
        "--letters",
        str(tmp_path / "letters"),
        "--json",
    )
    assert planned.returncode == 0, planned.stderr
    notices = json.loads(planned.stdout)["notices"]
    assert notices
    assert all("Bulles & Cases SAS" in n["message"]["text"] for n in notices)


def test_export_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text("mine\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"customers.csv: exists already"):
        demo.export(tmp_path)
    assert (tmp_path / "customers.csv").read_text(encoding="utf-8") == "mine\n"
    assert list(tmp_path.iterdir()) == [tmp_path / "customers.csv"]
    done = ecomrules("demo", "--export", str(tmp_path))
    assert done.returncode == 2
    assert "exists already" in done.stderr
