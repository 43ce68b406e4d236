"""A local Spark session for the distributed engines' tests: started once, stopped at the end.

Run them alone with ``pytest -m spark``. They need the ``spark`` extra
(``pip install -e ".[test,spark]"``) and a Java 17 runtime; without either
they skip with the reason, unless ``ECOMRULES_REQUIRE_SPARK=1`` (set by
``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ecomrules.errors import SparkError


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from ecomrules.sparkrun import local_session

    try:
        session = local_session("local[2]", app_name="ecomrules-tests")
    except SparkError as error:
        if os.environ.get("ECOMRULES_REQUIRE_SPARK"):
            pytest.fail(str(error))
        pytest.skip(str(error))
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test's cached and stored frames are dropped after it: one session serves every test.

    Without this the frames a run keeps (``cache``) pile up over the session in
    the local driver's 2 GB, until a later broadcast join has no room left.
    """
    yield
    if "spark" in request.fixturenames:
        spark = request.getfixturevalue("spark")
        spark.catalog.clearCache()
        for rdd in list(spark.sparkContext._jsc.getPersistentRDDs().values()):
            rdd.unpersist(False)  # the local checkpoints of runs not released


BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "reconcile"


@pytest.fixture(scope="session")
def generated() -> Callable[[int, Path, int], Path]:
    """The benchmark's generator (``benchmarks/reconcile/generate.py``): (size, folder, seed)."""

    def generate(size: int, folder: Path, seed: int) -> Path:
        sys.path.insert(0, str(BENCH))
        try:
            from generate import generate as write
        finally:
            sys.path.remove(str(BENCH))
        write(size, folder, seed)
        return folder

    return generate


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[[list[str]], tuple[int, str, str]]:
    """Run ``ecomrules ARGS`` in this process: (exit code, stdout, stderr)."""
    from ecomrules.cli.app import main

    def run(args: list[str]) -> tuple[int, str, str]:
        try:
            main(args)
            code = 0
        except SystemExit as stop:
            code = int(stop.code or 0)
        done = capsys.readouterr()
        return code, done.out, done.err

    return run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.spark)
