"""The collector pause restores the collector's state whatever happens."""

from __future__ import annotations

import gc

import pytest

from ecomrules.gcpause import paused_collector


def fail_inside() -> None:
    with paused_collector():
        assert not gc.isenabled()
        raise RuntimeError("boom")


def test_collector_is_paused_then_restored_even_on_error() -> None:
    assert gc.isenabled()
    with paused_collector():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="boom"):
        fail_inside()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_collector_switched_off_by_the_application_stays_off() -> None:
    gc.disable()
    try:
        with paused_collector():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
