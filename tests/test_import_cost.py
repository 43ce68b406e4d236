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
