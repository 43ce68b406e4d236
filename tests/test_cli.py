"""The command line: version, demo, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

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
