"""The result objects the matcher builds by setting their slots are those of the constructors."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomrules.reconcile.comparison import Level
from ecomrules.reconcile.result import (
    Allocation,
    Match,
    MatchStatus,
    _new_allocation,
    _new_match,
)

_TEXT = st.text(max_size=8)
_UNITS = st.integers(-(10**20), 10**20)
_LEVELS = st.lists(st.builds(Level, _TEXT, st.floats(-40, 40), _TEXT), max_size=3).map(tuple)


@given(_TEXT, _UNITS, st.sampled_from(("EUR", "JPY", "BHD")))
def test_an_allocation_built_by_its_slots_is_the_constructors(
    item_id: str, units: int, currency: str
) -> None:
    built = _new_allocation(item_id, units, currency)
    made = Allocation(item_id, units, currency)
    assert built == made
    assert hash(built) == hash(made)
    assert attrs.asdict(built) == attrs.asdict(made)
    assert built.amount == made.amount


@given(
    _TEXT,
    st.sampled_from(MatchStatus),
    st.floats(0, 1),
    st.lists(st.builds(Allocation, _TEXT, _UNITS, st.just("EUR")), max_size=3).map(tuple),
    _LEVELS,
    st.lists(_TEXT, max_size=2).map(tuple),
    _UNITS,
    _UNITS,
    _UNITS,
)
def test_a_match_built_by_its_slots_is_the_constructors(
    line_id: str,
    status: MatchStatus,
    score: float,
    allocations: tuple[Allocation, ...],
    contributions: tuple[Level, ...],
    reasons: tuple[str, ...],
    write_off: int,
    unallocated: int,
    fee: int,
) -> None:
    fields = (line_id, status, score, allocations, "EUR", contributions, reasons)
    built = _new_match(*fields, write_off, unallocated, fee)
    made = Match(*fields, write_off, unallocated, fee)
    assert built == made
    assert hash(built) == hash(made)
    assert attrs.asdict(built) == attrs.asdict(made)
    assert built.to_json() == made.to_json()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.score = 0.5  # type: ignore[misc]
