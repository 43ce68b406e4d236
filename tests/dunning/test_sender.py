"""The sender profile: its file is validated like the policies, its rules hold in the API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecomrules import demo
from ecomrules.cli.app import app
from ecomrules.dunning import Sender, load_sender, sender_from_document
from ecomrules.errors import ConfigError


def test_the_demo_sender_loads_with_its_bank_details() -> None:
    sender = load_sender(demo.path("sender.toml"))
    assert sender.name == "Bulles & Cases SAS"
    assert sender.iban == "FR7630004000031234567890143"
    assert sender.bic == "BNPAFRPPLYO"
    assert sender.signature == ("Claire Moreau", "Accounts receivable")
    assert sender.reference_for("C1", ["FA-1", "FA-2"], "abc") == "C1 FA-1/FA-2"


def test_every_problem_of_a_sender_file_is_reported_at_its_path(tmp_path: Path) -> None:
    path = tmp_path / "sender.toml"
    path.write_text(
        'name = ""\nsignatures = ["x"]\n'
        '[payment]\niban = "FR76 3000 4000 0312 3456 7890 144"\nbic = "BNP"\n'
        'reference = "{customer} {invoices}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_sender(path)
    found = {problem.path: problem.message for problem in caught.value.problems}
    assert caught.value.source == str(path)
    assert set(found) == {
        "$.name",
        "$.signatures",
        "$.payment.iban",
        "$.payment.bic",
        "$.payment.reference",
    }
    assert "check digits" in found["$.payment.iban"]
    assert "unknown field(s) customer" in found["$.payment.reference"]


def test_a_sender_file_that_is_not_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "sender.toml"
    path.write_text("name = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\$: not valid"):
        load_sender(path)


def test_json_sender_files_are_read_too(tmp_path: Path) -> None:
    path = tmp_path / "sender.json"
    path.write_text(json.dumps({"name": "Shop", "logo": "logo.png"}), encoding="utf-8")
    sender = load_sender(path)
    assert sender.logo == str(tmp_path / "logo.png")  # relative to the file
    assert sender.signature == ()


def test_the_api_checks_what_the_file_checks() -> None:
    with pytest.raises(ConfigError, match=r"\$\.payment\.iban"):
        Sender("Shop", iban="DE00 1234")
    with pytest.raises(ConfigError, match=r"\$\.payment\.reference"):
        Sender("Shop", payment_reference="{order}")
    assert Sender("Shop", address="1 Main St").address == ("1 Main St",)
    assert sender_from_document({"name": "Shop"}) == Sender("Shop")


PLAN = [
    "dunning",
    "plan",
    "--open-items",
    str(demo.path("open-items.csv")),
    "--customers",
    str(demo.path("customers.csv")),
    "--policy",
    "fr-b2b",
    "--as-of",
    "2026-11-20",
]


def test_dunning_plan_with_sender_prints_the_payment_block(tmp_path: Path) -> None:
    args = [*PLAN, "--workspace", str(tmp_path / "w.db"), "--json", "--letters", str(tmp_path)]
    signed = CliRunner().invoke(app, [*args, "--sender", str(demo.path("sender.toml"))])
    assert signed.exit_code == 0, signed.output
    letters = [notice["message"] for notice in json.loads(signed.output)["notices"]]
    assert letters
    for letter in letters:
        assert "FR76 3000 4000 0312 3456 7890 143" in letter["text"]
        assert "Claire Moreau" in letter["text"]
        assert letter["payment_reference"].startswith("C00")
        assert letter["payment_reference"] in letter["text"]
    unsigned = json.loads(CliRunner().invoke(app, args).output)
    assert "dunning.letter.no_sender" in [issue["code"] for issue in unsigned["issues"]]
    assert {n["message"]["payment_reference"] for n in unsigned["notices"]} == {None}


def test_a_bad_sender_file_exits_2_with_its_path(tmp_path: Path) -> None:
    bad = tmp_path / "sender.toml"
    bad.write_text('name = "Shop"\n[payment]\nbic = "X"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ecomrules", *PLAN, "--sender", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "$.payment.bic" in result.stderr
    assert "Traceback" not in result.stderr


def test_customer_addresses_come_from_the_optional_columns(tmp_path: Path) -> None:
    from ecomrules.inputs import read_customers

    path = tmp_path / "customers.csv"
    path.write_text(
        "id,name,currency,address_line1,address_line2,postal_code,city,country\n"
        "C1,Shop A,EUR,12 rue de la Paix,Bâtiment B,75002,Paris,France\n"
        "C2,Shop B,EUR,,,,Berlin,\n"
        "C3,Shop C,EUR,,,,,\n",
        encoding="utf-8",
    )
    first, second, third = read_customers(path)
    assert first.address == ("12 rue de la Paix", "Bâtiment B", "75002 Paris", "France")
    assert second.address == ("Berlin",)
    assert third.address == ()
