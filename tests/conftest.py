"""Test configuration: hypothesis profiles and pinned time-zone data."""

from __future__ import annotations

import os
import tempfile
import zoneinfo
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Zones come from the tzdata package, never the system's files, so results do
# not depend on the machine.
zoneinfo.reset_tzpath(to=[])

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# Rate tables saved by `ecomrules rates update` on this machine must not change
# what the tests compute: every test (and the commands it runs) sees an empty
# user data folder.
os.environ["ECOMRULES_DATA_DIR"] = tempfile.mkdtemp(prefix="ecomrules-data-")

# The corpus is not in the repository (its files keep their own licences): it is
# a folder beside the clone, or wherever ECOMRULES_CORPUS points.
CORPUS = Path(
    os.environ.get("ECOMRULES_CORPUS")
    or Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
)


@pytest.fixture
def corpus() -> Path:
    """The shared real-world corpus; skips the test when the folder is absent."""
    if not CORPUS.is_dir():
        pytest.skip(
            "real-world corpus absent: the third-party bank and PSP statement files "
            "(public test fixtures under their own licences, listed in its MANIFEST.md) "
            f"that the corpus tests parse are not in the repository; expected at {CORPUS} "
            "(shared/corpus beside the clone) or at $ECOMRULES_CORPUS"
        )
    return CORPUS
