"""`import ecomrules` stays cheap."""

import subprocess
import sys


def loaded(setup: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after running ``setup``."""
    code = f"import sys; {setup}; print(','.join(m for m in {modules!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_import_loads_no_heavy_dependency() -> None:
    setup = "import ecomrules, ecomrules.money, ecomrules.time, ecomrules.ledger"
    assert loaded(setup, ("pydantic", "rapidfuzz", "typer", "rich", "holidays")) == []


def test_a_command_loads_only_its_own_modules() -> None:
    """``ecomrules reconcile`` builds the app of its one command: the other commands' modules
    (credit, dunning, the Tryton adapter) and pydantic are not imported."""
    setup = (
        "from ecomrules.cli.app import command_app; command_app(['reconcile']);"
        " import ecomrules.cli.reconcile"
    )
    others = (
        "pydantic",
        "jinja2",
        "ecomrules.credit",
        "ecomrules.dunning",
        "ecomrules.adapters",
        "ecomrules.preorder",
        "ecomrules.cli.credit",
    )
    assert loaded(setup, others) == []


def test_the_tryton_option_names_the_adapters_password_variable() -> None:
    from ecomrules.adapters.tryton import PASSWORD_ENV
    from ecomrules.cli import tryton

    assert tryton.PASSWORD_ENV == PASSWORD_ENV
