"""A local Spark session for the distributed engines' tests: started once, stopped at the end.

Run them alone with ``pytest -m spark``. They need the ``spark`` extra
(``pip install -e ".[test,spark]"``) and a Java 17 runtime; without either
they skip with the reason, unless ``ECOMRULES_REQUIRE_SPARK=1`` (set by
``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.spark)
