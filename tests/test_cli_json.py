"""``--json`` on every command, JSON errors of failed runs, and options named right in errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer

from ecomrules import demo
from ecomrules.cli.app import app, main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the ``ecomrules`` entry point in this process: exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    out = capsys.readouterr()
    code = stop.value.code
    return (code if isinstance(code, int) else 0), out.out, out.err


def commands() -> list[tuple[str, ...]]:
    """Every leaf command of the CLI, as its path of names."""
    found: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            found.append(path)
            return
        for name, sub in subcommands.items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


def test_every_command_takes_json() -> None:
    group = typer.main.get_command(app)
    missing = []
    for path in commands():
        command: Any = group
        for name in path:
            command = command.commands[name]
        if not any("--json" in param.opts for param in command.params):
            missing.append(" ".join(path))
    assert len(commands()) >= 15
    assert missing == []


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (("formats", "--json"), None),
        (("dunning", "schema", "--json"), "$defs"),
        (("dunning", "block", "INV-1", "--until", "2026-12-31", "--json"), "item_id"),
        (("dunning", "pause", "C002", "--note", "call", "--json"), "customer_id"),
        (("credit", "release", "O-1", "--json"), "released"),
    ],
)
def test_commands_that_refused_json_print_one_document(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: tuple[str, ...],
    key: str | None,
) -> None:
    if args[0] != "formats" and args[1] != "schema":
        args = (*args, "--workspace", str(tmp_path / "ws.db"))
    code, out, err = run(capsys, *args)
    assert code == 0, err
    document = json.loads(out)
    if key is None:
        assert {"name": "bank.camt053", "provider": "ISO 20022"}.items() <= next(
            p for p in document if p["name"] == "bank.camt053"
        ).items()
    else:
        assert key in document


def test_block_and_pause_json_say_what_was_held(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = str(tmp_path / "ws.db")
    code, out, _ = run(capsys, "dunning", "block", "I-3", "--until", "2026-12-31", "--json",
                       "--workspace", ws)  # fmt: skip
    assert code == 0
    assert json.loads(out) == {
        "item_id": "I-3",
        "note": "",
        "until": "2026-12-31",
        "workspace": ws,
    }
    code, out, _ = run(capsys, "credit", "release", "O-9", "--workspace", ws, "--json")
    assert json.loads(out) == {"order_id": "O-9", "released": False, "workspace": ws}


@pytest.mark.parametrize(
    "args",
    [
        ("dunning", "pause", "K200", "--until", "2026-13-01"),
        ("dunning", "block", "I-3", "--until", "31/12/2026"),
    ],
)
def test_a_bad_until_date_is_blamed_on_until(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: tuple[str, ...]
) -> None:
    code, _, err = run(capsys, *args, "--workspace", str(tmp_path / "ws.db"))
    assert code == 2
    assert "--until" in err
    assert "--as-of" not in err
    assert not (tmp_path / "ws.db").exists()  # refused before the workspace is opened


def test_a_failed_json_run_prints_a_json_error_with_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    items = tmp_path / "open-items.csv"
    items.write_text(
        "id,partner_id,partner_name,number,currency,amount,residual,issue_date,due_date\n"
        "I1,C001,Martin,F1,EUR,10.00,10.00,2026-01-01,2026-13-01\n"
        "I2,C001,Martin,F2,EUR,10.00,10.00,2026-01-01,2026-02-30\n",
        encoding="utf-8",
    )
    code, out, err = run(
        capsys, "dunning", "plan", "--open-items", str(items),
        "--customers", str(demo.path("customers.csv")), "--policy", "fr-b2b", "--json",
    )  # fmt: skip
    assert code == 2
    assert "2026-13-01" in err  # the terminal still gets the message
    error = json.loads(out)["error"]
    assert error["code"] == "error.input"
    assert (error["file"], error["line"], error["column"]) == (str(items.name), 2, "due_date")
    assert [(p["line"], p["column"]) for p in error["problems"]] == [
        (2, "due_date"),
        (3, "due_date"),
    ]
    assert all(p["file"] == items.name for p in error["problems"])
    assert error["message"] in err


def test_a_usage_error_under_json_is_a_json_error_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "dunning", "plan", "--policy", "fr-b2b", "--json")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["code"] == "error.missing_parameter"
    assert "--open-items" in error["message"]
    assert "--open-items" in err


def test_a_bad_option_value_under_json_names_the_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "dunning", "pause", "K200", "--until", "2026-13-01", "--json",
                       "--workspace", str(tmp_path / "ws.db"))  # fmt: skip
    assert code == 2
    error = json.loads(out)["error"]
    assert error["code"] == "error.bad_parameter"
    assert error["problems"][0]["option"] == "--until"


def test_a_missing_file_under_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "parse", str(tmp_path / "nothing.sta"), "--json")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["file"] == str(tmp_path / "nothing.sta")
    assert "Traceback" not in err


def test_without_json_a_failure_prints_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "parse", str(tmp_path / "nothing.sta"))
    assert code == 2
    assert out == ""
    assert "nothing.sta" in err


def test_a_strict_parse_refusal_under_json_is_a_json_error_and_still_names_lenient(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    statement = tmp_path / "bad.sta"
    statement.write_text(
        ":20:X\n:25:FR76/1\n:28C:1\n:60F:C261101EUR100,00\n"
        ":61:2611011101CR5,00NTRFNONREF\n:62F:C261101EUR999,00\n-\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "parse", str(statement), "--json")
    assert code == 2
    error = json.loads(out)["error"]
    assert (error["code"], error["file"], error["line"]) == (
        "error.control_total",
        str(statement),
        6,
    )
    assert "closing balance is 999.00" in error["message"]
    assert "--lenient" in err
