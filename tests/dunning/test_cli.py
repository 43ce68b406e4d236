"""``ecomrules dunning plan`` and ``commit``."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecomrules import demo
from ecomrules.cli.app import app
from ecomrules.money import Money
from ecomrules.parsing.model import LineKind, ParseResult, Statement, StatementLine

ITEMS = str(demo.path("open-items.csv"))
CUSTOMERS = str(demo.path("customers.csv"))
BASE = ["--open-items", ITEMS, "--customers", CUSTOMERS, "--as-of", "2026-11-20"]


def invoke(*args: str) -> dict:
    result = CliRunner().invoke(app, ["dunning", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_plan_json_shape(tmp_path: Path) -> None:
    out = invoke("plan", *BASE, "--policy", "fr-b2b", "--json", "--workspace", str(tmp_path / "w"))
    assert not (tmp_path / "w").exists()  # planning records nothing
    first = out["notices"][0]
    assert {
        "customer_id",
        "level",
        "channel",
        "items",
        "fees",
        "interest",
        "idempotency_key",
    } <= set(first)
    assert first["items"][0] == {
        "amount_due": "1250.00",
        "currency": "EUR",
        "days_overdue": 36,
        "due_date": "2026-10-15",
        "idempotency_key": "dunning:INV-1001:reminder_1",
        "item_id": "INV-1001",
        "level": "reminder_1",
        "number": "FA-2026-1001",
        "rank": 1,
    }
    assert [(h["item_id"], h["reason"]) for h in out["holds"]] == [
        ("INV-1006", "dunning.held.disputed"),
        ("INV-1007", "dunning.held.promised"),
    ]


def test_commit_records_and_the_next_plan_starts_from_there(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws.db")
    committed = invoke("commit", *BASE, "--policy", "fr-b2b", "--json", "--workspace", ws)
    assert committed["recorded"] == 6
    again = invoke("plan", *BASE, "--policy", "fr-b2b", "--json", "--workspace", ws)
    assert again["notices"] == []
    later = invoke(
        "plan",
        "--open-items",
        ITEMS,
        "--customers",
        CUSTOMERS,
        "--as-of",
        "2026-12-04",
        "--policy",
        "fr-b2b",
        "--json",
        "--workspace",
        ws,
    )
    levels = {i["item_id"]: i["level"] for n in later["notices"] for i in n["items"]}
    assert levels["INV-1001"] == "reminder_2"


def test_statement_lines_are_payments_in_transit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    line = StatementLine(
        id="L1",
        kind=LineKind.TRANSFER,
        booked_on=date(2026, 11, 19),
        amount=Money("1250.00", "EUR"),
        label="VIREMENT LIBRAIRIE MARTIN FA-2026-1001",
    )
    result = ParseResult("test", "bank.txt", (Statement("FR76", None, (line,)),))
    monkeypatch.setattr("ecomrules.cli.dunning.parse_file", lambda path: [result])
    out = invoke(
        "plan",
        *BASE,
        "--policy",
        "fr-b2b",
        "--json",
        "--statement",
        "bank.txt",
        "--workspace",
        str(tmp_path / "w"),
    )
    assert ("INV-1001", "dunning.held.payment_in_transit") in [
        (h["item_id"], h["reason"]) for h in out["holds"]
    ]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", "dunning", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_real_mt940_statement_holds_the_invoice_it_pays(tmp_path: Path) -> None:
    out = invoke(
        "plan",
        *BASE,
        "--policy",
        "fr-b2b",
        "--json",
        "--statement",
        str(demo.path("dunning-bank.sta")),
        "--workspace",
        str(tmp_path / "w"),
    )
    held = {h["item_id"]: h for h in out["holds"]}
    assert held["INV-1008"]["reason"] == "dunning.held.payment_in_transit"
    assert held["INV-1008"]["data"]["amount"] == "890.00"
    stale = run(
        "plan",
        "--open-items",
        ITEMS,
        "--customers",
        CUSTOMERS,
        "--as-of",
        "2026-11-30",
        "--policy",
        "fr-b2b",
        "--statement",
        str(demo.path("dunning-bank.sta")),
        "--workspace",
        str(tmp_path / "w"),
    )
    assert stale.returncode == 2
    assert "dunning.bank_data_stale" in stale.stderr


def test_a_bad_policy_file_exits_2_with_every_problem(tmp_path: Path) -> None:
    policy = tmp_path / "bad.toml"
    policy.write_text(
        'name = "bad"\n[[levels]]\nkey = "r1"\nname = "R1"\n'
        'trigger = { kind = "days_after_due", days = -3 }\n'
        'notify = { channel = "pigeon", template = "reminder_1" }\n',
        encoding="utf-8",
    )
    out = run("plan", *BASE, "--policy", str(policy))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "$.levels[0].notify.channel" in out.stderr


def test_stale_statement_refuses_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from ecomrules.dunning import BankDataStaleError

    line = StatementLine("L1", LineKind.TRANSFER, date(2026, 11, 1), Money("1.00", "EUR"))
    result = ParseResult("test", "old.txt", (Statement("FR76", None, (line,)),))
    monkeypatch.setattr("ecomrules.cli.dunning.parse_file", lambda path: [result])
    with pytest.raises(BankDataStaleError):
        CliRunner().invoke(
            app,
            [
                "dunning",
                "plan",
                *BASE,
                "--policy",
                "fr-b2b",
                "--statement",
                "old.txt",
                "--workspace",
                str(tmp_path / "w"),
            ],
            catch_exceptions=False,
        )


def test_block_and_pause_commands(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws.db")
    runner = CliRunner()
    assert runner.invoke(app, ["dunning", "block", "INV-1001", "--workspace", ws]).exit_code == 0
    assert (
        runner.invoke(
            app, ["dunning", "pause", "C002", "--until", "2026-12-31", "--workspace", ws]
        ).exit_code
        == 0
    )
    out = invoke("plan", *BASE, "--policy", "fr-b2b", "--json", "--workspace", ws)
    reasons = {h["item_id"]: h["reason"] for h in out["holds"]}
    assert reasons["INV-1001"] == "dunning.held.blocked"
    assert reasons["INV-1003"] == "dunning.held.customer_paused"


def test_demo_has_a_dunning_section() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ecomrules", "demo", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    section = json.loads(out.stdout)["dunning"]
    games = next(n for n in section["notices"] if n["customer_id"] == "C002")
    assert games["level"] == "formal_notice"
    assert [(c["kind"], c["amount"]) for c in games["charges"]] == [
        ("indemnity", "40.00 EUR"),
        ("interest", "76.69 EUR"),
    ]
    assert section["issues"] == ["dunning.rate_table_outdated"]
    assert {"item_id": "INV-1008", "reason": "dunning.held.payment_in_transit"} in section["holds"]


def test_levels_feed_the_credit_check(tmp_path: Path) -> None:
    from ecomrules.inputs.dunning_levels import read_dunning_levels

    ws = str(tmp_path / "ws.db")
    invoke("commit", *BASE, "--policy", "fr-b2b", "--json", "--workspace", ws)
    result = CliRunner().invoke(app, ["dunning", "levels", "--workspace", ws])
    assert result.exit_code == 0, result.output
    (tmp_path / "dunning-levels.csv").write_text(result.output, encoding="utf-8")
    assert read_dunning_levels(tmp_path / "dunning-levels.csv") == {
        "C001": 1,
        "C002": 1,
        "C005": 1,
    }


def test_schema_describes_the_policy_file() -> None:
    result = CliRunner().invoke(app, ["dunning", "schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["required"] == ["name", "levels"]
    assert set(
        schema["$defs"]["LevelDoc"]["properties"]["trigger"]["discriminator"]["mapping"]
    ) == {
        "days_after_due",
        "days_after_previous",
        "end_of_month_after_due",
    }


def test_plan_json_carries_the_rendered_message(tmp_path: Path) -> None:
    out = invoke("plan", *BASE, "--policy", "fr-b2b", "--json", "--workspace", str(tmp_path / "w"),
                 "--letters", str(tmp_path / "letters"))  # fmt: skip
    martin = out["notices"][0]
    assert martin["message"]["subject"] == "Relance : factures échues"
    assert "FA-2026-1001" in martin["message"]["html"]


def test_letters_are_rendered_only_when_asked(tmp_path: Path) -> None:
    plain = invoke(
        "plan", *BASE, "--policy", "fr-b2b", "--json", "--workspace", str(tmp_path / "w")
    )
    assert all("message" not in notice for notice in plain["notices"])
    letters = tmp_path / "letters"
    CliRunner().invoke(
        app,
        ["dunning", "plan", *BASE, "--policy", "fr-b2b", "--letters", str(letters),
         "--workspace", str(tmp_path / "w")],
        catch_exceptions=False,
    )  # fmt: skip
    written = sorted(path.name for path in letters.iterdir())
    assert written == [
        f"{customer}-{level}.{ext}"
        for customer, level in [("C001", "reminder_1"), ("C002", "reminder_1"),
                                ("C005", "reminder_1"), ("C006", "preventive")]
        for ext in ("html", "txt")
    ]  # fmt: skip
    text = (letters / "C001-reminder_1.txt").read_text(encoding="utf-8")
    assert "Librairie Martin SARL" in text
    assert "<html" in (letters / "C001-reminder_1.html").read_text(encoding="utf-8").lower()


def test_letters_are_rendered_one_at_a_time_as_the_output_reaches_them(tmp_path: Path) -> None:
    from ecomrules.cli import dunning as command
    from ecomrules.dunning import DunningHistory

    inputs = command._planner(Path(ITEMS), Path(CUSTOMERS), "fr-b2b", None, "2026-11-20", None)
    result = inputs.make_plan(DunningHistory())
    assert len(result.notices) == 4
    assert all(notice.letter is None for notice in result.notices)  # planning renders none
    folder = tmp_path / "letters"
    notices = command._Letters(inputs, None, folder, None, None).notices(result)
    first = next(notices)
    assert first.letter is not None
    assert sorted(path.name for path in folder.iterdir()) == [
        "C001-reminder_1.html",
        "C001-reminder_1.txt",
    ]
    assert len(list(notices)) == 3
    assert len(list(folder.iterdir())) == 8
