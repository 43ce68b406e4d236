"""The CLI's canonical JSON writer gives exactly what ``json.dumps`` gives, in pieces."""

from __future__ import annotations

import enum
import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.cli.canonical_json import write_canonical


def _dumps(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


def _written(document: Any, pieces: int = 8192) -> str:
    stream = io.StringIO()
    write_canonical(document, stream, pieces_per_write=pieces)
    return stream.getvalue()


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
@given(_documents, st.integers(min_value=1, max_value=50))
def test_the_text_is_json_dumps_whatever_the_pieces(document: Any, pieces: int) -> None:
    assert _written(document, pieces) == _dumps(document)


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
