"""Test configuration: hypothesis profiles and pinned time-zone data."""

from __future__ import annotations

import os
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

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture
def corpus() -> Path:
    """The shared real-world corpus; skips the test when the folder is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus folder {CORPUS} is absent")
    return CORPUS
