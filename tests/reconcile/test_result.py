"""The result objects the matcher builds (by setting their slots, or when read) are those of
the constructors."""

from __future__ import annotations

import pickle
from collections import Counter

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomrules.reconcile.comparison import Level
from ecomrules.reconcile.result import (
    Allocation,
    Match,
    Matches,
    MatchFields,
    MatchResult,
    MatchStatus,
    _new_allocation,
    _new_match,
    match_fields,
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


class _Given:
    """A :class:`MatchSource` whose rows are the fields themselves."""

    def fields(self, row: MatchFields) -> MatchFields:
        return row

    def status(self, row: MatchFields) -> MatchStatus:
        return row[1]


def _fields(match: Match) -> MatchFields:
    return (
        match.line_id,
        match.status,
        match.score,
        tuple((a.item_id, a.units, a.currency) for a in match.allocations),
        match.currency,
        match.contributions,
        match.reasons,
        match.write_off,
        match.unallocated,
        match.fee,
    )


_MATCHES = st.lists(
    st.builds(
        Match,
        _TEXT,
        st.sampled_from(MatchStatus),
        st.floats(0, 1),
        st.lists(st.builds(Allocation, _TEXT, _UNITS, st.just("EUR")), max_size=3).map(tuple),
        st.just("EUR"),
        _LEVELS,
        st.lists(_TEXT, max_size=2).map(tuple),
        _UNITS,
        _UNITS,
        _UNITS,
    ),
    max_size=8,
)


@given(_MATCHES, st.data())
def test_matches_built_when_read_behave_as_the_tuple_of_them(
    made: list[Match], data: st.DataObject
) -> None:
    """Equality both ways, hash, repr, order, indexing, slicing, ``in``, pickling, the result."""
    built = data.draw(st.lists(st.booleans(), min_size=len(made), max_size=len(made)))
    rows = [m if ready else _fields(m) for m, ready in zip(made, built, strict=True)]
    eager = tuple(made)
    assert hash(Matches(list(rows), _Given())) == hash(eager)  # before anything is built
    assert repr(Matches(list(rows), _Given())) == repr(eager)
    lazy = Matches(list(rows), _Given())
    assert lazy == eager
    assert eager == lazy
    assert (lazy != eager) is False
    assert (eager != lazy) is False
    assert lazy == Matches(list(rows), _Given())
    assert hash(lazy) == hash(eager)
    assert repr(lazy) == repr(eager)
    assert len(lazy) == len(eager)
    assert bool(lazy) is bool(eager)
    assert list(lazy) == list(eager)
    for k in range(-len(eager), len(eager)):
        assert lazy[k] == eager[k]
        assert lazy[k] is lazy[k]  # kept once built
    for k in (len(eager), -len(eager) - 1):
        with pytest.raises(IndexError):
            lazy[k]
    step = data.draw(st.sampled_from([1, 2, -1]))
    assert lazy[1::step] == eager[1::step]
    assert type(lazy[1::step]) is tuple
    for m in eager:
        assert m in lazy
        assert lazy.index(m) == eager.index(m)
        assert lazy.count(m) == eager.count(m)
    assert pickle.loads(pickle.dumps(lazy)) == eager
    assert lazy + eager == eager + eager == eager + lazy
    assert lazy != (*eager, *eager[:1]) if eager else lazy == ()
    assert lazy != list(eager)
    assert list(match_fields(lazy)) == list(match_fields(eager)) == [_fields(m) for m in eager]
    lazy_result = MatchResult(Matches(list(rows), _Given()), (), ("I1",), pairs_compared=3)
    eager_result = MatchResult(eager, (), ("I1",), pairs_compared=3)
    assert lazy_result == eager_result
    assert eager_result == lazy_result
    assert hash(lazy_result) == hash(eager_result)
    assert lazy_result.to_json() == eager_result.to_json()
    assert repr(lazy_result) == repr(eager_result)
    for status in MatchStatus:
        assert lazy_result.by_status(status) == eager_result.by_status(status)
    counted = Counter(m.status for m in eager)
    assert lazy_result.status_counts() == eager_result.status_counts() == dict(counted)


def test_fields_and_statuses_are_read_without_building_the_matches() -> None:
    made = Match("L1", MatchStatus.REVIEW, 0.5, (Allocation("I1", 5, "EUR"),), "EUR")
    rows: list[object] = [_fields(made)]
    lazy = Matches(rows, _Given())
    assert list(lazy.fields()) == [_fields(made)]
    assert list(lazy.statuses()) == [MatchStatus.REVIEW]
    assert type(rows[0]) is tuple  # still the row: nothing built
    assert lazy[0] == made
    assert rows[0] is lazy[0]
