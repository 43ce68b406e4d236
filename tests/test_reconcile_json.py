"""The matches of ``reconcile --json`` written by template are the canonical text of ``to_json``."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.cli.canonical_json import Encoded, write_canonical
from ecomrules.cli.reconcile import _document
from ecomrules.cli.reconcile_json import match_texts
from ecomrules.reconcile import Matcher, MatchResult, MatchStatus
from ecomrules.reconcile.comparison import Level
from ecomrules.reconcile.result import Allocation, Match
from ecomrules.testing.reconcile import item, line

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
"""Ids with quotes, backslashes, control characters and any letter."""
_LEVELS = [
    Level("reconcile.reference.exact", 12.5, "the reference is the item's"),
    Level("reconcile.amount.exact", 3.25, "the amounts are equal"),
    Level("reconcile.name.near", -0.000012, "the names are close"),
]
_CURRENCIES = st.sampled_from(["EUR", "JPY", "BHD", "CHF"])
_UNITS = st.integers(-(10**12), 10**12)


@st.composite
def _matches(draw: st.DrawFn) -> Match:
    currency = draw(_CURRENCIES)
    allocations = draw(st.lists(st.builds(Allocation, _TEXT, _UNITS, _CURRENCIES), max_size=4))
    return Match(
        draw(_TEXT),
        draw(st.sampled_from(MatchStatus)),
        draw(st.floats(0, 1) | st.sampled_from([0.0, 1.0, 5.96e-8, 0.00001234567])),
        tuple(allocations),
        currency,
        tuple(draw(st.lists(st.sampled_from(_LEVELS), max_size=3))),
        tuple(draw(st.lists(st.sampled_from(["reconcile.tie_refused", 'x"y']), max_size=2))),
        draw(st.sampled_from([0, 0]) | _UNITS),
        draw(st.sampled_from([0, 0]) | _UNITS),
        draw(st.sampled_from([0, 0]) | _UNITS),
    )


def _canonical(document: object) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(_matches(), max_size=12), st.integers(0, 4))
def test_the_template_writes_the_canonical_text_of_to_json(
    matches: list[Match], level: int
) -> None:
    document: object = [match.to_json() for match in matches]
    for _ in range(level):
        document = {"k": document}
    out = io.BytesIO()
    encoded: object = Encoded(lambda at: match_texts(matches, at), len(matches))
    for _ in range(level):
        encoded = {"k": encoded}
    write_canonical(encoded, out)
    assert out.getvalue().decode() == _canonical(document)


def test_the_command_document_is_the_canonical_text_of_the_result() -> None:
    """Shared levels and scores across several thousand matches (more than one batch)."""
    lines = [line(f"L{n}", "10.00", refs=(f"INV-{n}",)) for n in range(5000)]
    lines += [line(f"P{n}", "12.00", refs=(f"INV-P{n}",)) for n in range(20)]
    items = [item(str(n), "10.00", reference=f"INV-{n}") for n in range(5000)]
    items += [item(f"P{n}", "9.00", reference=f"INV-P{n}") for n in range(20)]
    result: MatchResult = Matcher().match(lines, items)
    assert any(m.write_off or m.unallocated for m in result.matches)
    out = io.BytesIO()
    write_canonical(_document(result, ["X"]), out)
    expected = {**result.to_json(), "previously_committed_lines": ["X"]}
    assert out.getvalue().decode() == _canonical(expected)
