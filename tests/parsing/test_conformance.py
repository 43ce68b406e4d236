"""Every registered parser survives junk: sniff never raises, parse raises only ParseErrors."""

from __future__ import annotations

import pytest

from ecomrules.parsing.registry import all_parsers
from ecomrules.testing.conformance import JUNK_INPUTS, check_parse, check_sniff

PARSERS = all_parsers()
NAMES = [p.name for p in PARSERS]


def test_names_are_unique_and_dotted() -> None:
    assert len(NAMES) == len(set(NAMES))
    assert all("." in name for name in NAMES)


@pytest.mark.parametrize("parser", PARSERS, ids=NAMES)
@pytest.mark.parametrize("junk", sorted(JUNK_INPUTS))
def test_junk_is_refused_cleanly(parser: object, junk: str) -> None:
    data = JUNK_INPUTS[junk]
    check_sniff(parser, data, "junk.txt")  # type: ignore[arg-type]
    assert list(check_parse(parser, data)) == []  # type: ignore[arg-type]
