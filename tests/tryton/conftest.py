"""Live Tryton server for the adapter's tests: started once a session, stopped at the end.

Run them alone with ``pytest -m tryton``. They need the ``test-tryton`` extra
(``pip install -e ".[test,test-tryton]"``); without it they skip, unless
``ECOMRULES_REQUIRE_TRYTON=1`` (set by ``.ci/run``) makes that a failure.
Each test module works on its own copy of the template database.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from trytond_server import TrytonServer, installed

DATABASES = ("dunning", "credit", "reconcile", "errors")


@pytest.fixture(scope="session")
def tryton_server() -> Iterator[TrytonServer]:
    if not installed():
        message = 'trytond is not installed: pip install -e ".[test,test-tryton]"'
        if os.environ.get("ECOMRULES_REQUIRE_TRYTON"):
            pytest.fail(message)
        pytest.skip(message)
    server = TrytonServer(DATABASES, bare=("bare",))
    try:
        yield server.start()
    finally:
        server.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(pytest.mark.tryton)
