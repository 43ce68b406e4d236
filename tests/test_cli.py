"""The command line: version, demo, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import ecomrules


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", *args], capture_output=True, text=True, check=False
    )


def test_version() -> None:
    out = run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"ecomrules {ecomrules.__version__}"


def test_demo_json_reports_receivables() -> None:
    out = run("demo", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["as_of"] == "2026-11-20"
    martin = report["receivables"]["customers"][0]
    assert martin == {
        "currency": "EUR",
        "customer_id": "C001",
        "items": 3,
        "name": "Librairie Martin SARL",
        "open": "1650.00",
        "overdue": "1650.00",
    }


def test_bad_argument_exits_2_without_traceback() -> None:
    out = run("demo", "--as-of", "2026-02-30")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "2026-02-30" in out.stderr


def test_json_is_written_in_pieces_exactly_as_one_dump() -> None:
    import io
    import json

    from ecomrules.cli.output import write_json

    document = {"rows": [{"id": f"L{k}", "amount": "1.00", "é": [k, None]} for k in range(5000)]}
    stream = io.BytesIO()
    write_json(document, stream)
    assert (
        stream.getvalue().decode()
        == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


@pytest.mark.parametrize("name", ["reconcile", "dunning", "parse"])
def test_a_command_alone_reads_as_in_the_whole_app(name: str) -> None:
    """``main`` runs the app of the one command named; its help and usage are the whole app's."""
    from typer.testing import CliRunner

    from ecomrules.cli.app import COMMANDS, app, command_app

    assert name in COMMANDS
    runner = CliRunner()
    for args in ([name, "--help"], [name, "--no-such-option"]):
        alone = runner.invoke(command_app([name]), args, prog_name="ecomrules")
        whole = runner.invoke(app, args, prog_name="ecomrules")
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)
        assert name in whole.output


def test_reconcile_ends_its_process_with_the_document_whole_and_the_exit_handlers_run(
    tmp_path: Path,
) -> None:
    """The script ends a reconcile run without freeing its matches one by one (``run``):
    stdout and the --out file are complete, the exit code is the command's, and the
    process's exit handlers still run."""
    from ecomrules import demo

    out = tmp_path / "result.json"
    marker = tmp_path / "atexit"
    code = (
        "import atexit, pathlib, sys;"
        f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'ran');"
        "from ecomrules.cli.app import run;"
        "sys.argv = ['ecomrules', *sys.argv[1:]]; run()"
    )
    args = ["--open-items", str(demo.path("open-items.csv"))]
    args += ["--statement", str(demo.path("bank-statement.csv")), "--json", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", code, "reconcile", *args], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    document = json.loads(out.read_text())
    assert summary["lines"] == len(document["matches"]) + len(document["unmatched_lines"]) > 0
    assert marker.read_text() == "ran"
