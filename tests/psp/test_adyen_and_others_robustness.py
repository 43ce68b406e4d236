"""Mutated copies of the documented cases: each parser returns a result or raises a
ParseError, whatever the damage (the conformance test's rule, on near-valid input)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.decimals import parse_decimal
from ecomrules.errors import ParseError
from ecomrules.parsing.registry import detect
from ecomrules.parsing.source import HEAD_SIZE

CASES = sorted((Path(__file__).parent / "cases").iterdir())
TOKENS = [
    b"1E+40",
    b"-1e999999999999999999",
    b"9" * 40,
    b"",
    b'"',
    b"\n",
    b",",
    b";",
    b"XAU",
    b"XXX",
    b"2026-02-30",
    b"NaN",
    b"\xff",
    b"{",
    b"]",
    b"null",
    b"<",
    b"</tns:DataRecord>",
]
edits = st.lists(
    st.tuples(st.integers(0, 1 << 20), st.integers(0, 8), st.sampled_from(TOKENS)),
    min_size=1,
    max_size=5,
)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@settings(max_examples=60, deadline=None)
@given(changes=edits)
def test_damaged_case_is_parsed_or_refused_cleanly(
    case: Path, changes: list[tuple[int, int, bytes]]
) -> None:
    original = case.read_bytes()
    parser = detect(original[:HEAD_SIZE], case.name)
    data = bytearray(original)
    for where, length, token in changes:
        position = where % len(data)
        data[position : position + length] = token
    for mode in ("raise", "collect"):
        with contextlib.suppress(ParseError):
            parser.parse(bytes(data), source=case.name, on_error=mode)  # type: ignore[arg-type]


def test_decimal_overflow_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"within range|digits before the point"):
        parse_decimal("-1e999999999999999999")
