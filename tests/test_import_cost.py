"""`import ecomrules` stays cheap."""

import subprocess
import sys


def test_import_loads_no_heavy_dependency() -> None:
    code = (
        "import sys, ecomrules, ecomrules.money, ecomrules.time, ecomrules.ledger;"
        "heavy = [m for m in ('pydantic', 'rapidfuzz', 'typer', 'rich', 'holidays')"
        " if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_command_loads_only_its_own_modules() -> None:
    """``ecomrules reconcile`` builds the app of its one command: the other commands' modules
    (credit, dunning, the Tryton adapter) and pydantic are not imported."""
    code = (
        "import sys; from ecomrules.cli.app import command_app; command_app(['reconcile']);"
        "import ecomrules.cli.reconcile;"
        "heavy = [m for m in ('pydantic', 'jinja2', 'ecomrules.credit', 'ecomrules.dunning',"
        " 'ecomrules.adapters', 'ecomrules.preorder', 'ecomrules.cli.credit') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_tryton_option_names_the_adapters_password_variable() -> None:
    from ecomrules.adapters.tryton import PASSWORD_ENV
    from ecomrules.cli import tryton

    assert tryton.PASSWORD_ENV == PASSWORD_ENV
