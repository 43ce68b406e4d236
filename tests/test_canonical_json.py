"""The CLI's canonical JSON writer gives exactly what ``json.dumps`` gives, in batches."""

from __future__ import annotations

import enum
import io
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.cli import canonical_json
from ecomrules.cli.canonical_json import Stream, dumps_canonical, write_canonical


def _dumps(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


def _written(document: Any, batch: int = 4096) -> str:
    stream = io.BytesIO()
    saved = canonical_json.BATCH
    canonical_json.BATCH = batch
    try:
        write_canonical(document, stream)
    finally:
        canonical_json.BATCH = saved
    return stream.getvalue().decode()


def _finite(document: Any) -> bool:
    """No NaN or infinity anywhere (they are not JSON; orjson writes them as null)."""
    if isinstance(document, float):
        return math.isfinite(document)
    if isinstance(document, (list, tuple)):
        return all(map(_finite, document))
    if isinstance(document, dict):
        return all(map(_finite, document.values()))
    return True


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_documents = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_documents.filter(_finite), st.integers(min_value=1, max_value=50))
def test_the_text_is_json_dumps_whatever_the_batches(document: Any, batch: int) -> None:
    assert _written(document, batch) == _dumps(document)
    assert dumps_canonical(document).decode() == _dumps(document)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.text(max_size=4), st.lists(_documents.filter(_finite), max_size=12)),
    st.integers(min_value=1, max_value=5),
)
def test_big_lists_streamed_by_batch_nest_at_their_level(
    document: dict[str, Any], batch: int
) -> None:
    nested = {"outer": [document], "top": document}
    assert _written(nested, batch) == _dumps(nested)
    assert _written(document, batch) == _dumps(document)


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False) | st.floats(-1e-4, 1e-4))
def test_every_finite_float_is_written_as_json_writes_it(value: float) -> None:
    document = {"k": value, "l": [value, {"m": [value]}]}
    assert _written(document) == _dumps(document)


def test_nan_and_infinities_are_null_the_one_difference() -> None:
    assert _written([math.nan, math.inf, -math.inf]) == "[\n  null,\n  null,\n  null\n]"


def test_a_stream_is_written_as_a_list() -> None:
    rows = [{"id": f"L{k}", "score": k / 7} for k in range(50)]
    written = _written({"rows": Stream(iter(rows), len(rows)), "n": 1}, batch=8)
    assert written == _dumps({"rows": rows, "n": 1})
    assert _written({"rows": Stream(iter(()))}, batch=8) == _dumps({"rows": []})


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False), _scalars
    ).filter(lambda d: len({type(k) is str for k in d}) <= 1)
)
def test_keys_that_are_not_strings_are_written_as_json_writes_them(
    document: dict[Any, Any],
) -> None:
    try:
        expected = _dumps(document)
    except TypeError:  # keys of several types do not sort: both refuse
        with pytest.raises(TypeError):
            _written(document)
        return
    assert _written(document) == expected


class _Status(enum.StrEnum):
    AUTO = "auto"


class _Level(enum.IntEnum):
    ONE = 1


def test_subclasses_are_read_as_json_reads_them() -> None:
    document = {"status": _Status.AUTO, "level": _Level.ONE, "many": [_Level.ONE, _Status.AUTO]}
    assert _written(document) == _dumps(document)


def test_records_of_one_shape_with_keys_in_another_order_sort_alike() -> None:
    document = [{"b": 1, "a": 2}, {"a": 3, "b": 4}, {f"k{i}": i for i in range(40)}]
    assert _written(document) == _dumps(document)


def test_anything_else_is_refused_like_json_refuses_it() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        _written({"when": object()})
    with pytest.raises(TypeError):
        _written({(1, 2): "tuple key"})


def test_integers_beyond_64_bits_are_written_as_json_writes_them() -> None:
    document = {"big": [2**64, -(2**70)], "small": 1}
    assert _written(document) == _dumps(document)
