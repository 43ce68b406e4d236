"""Golden cases, discovered: every ``<case>.<ext>`` under a ``cases/`` folder with its golden file.

A case is ``tests/<area>/cases/<case>.<ext>``; its golden file is
``tests/<area>/golden/<case>.expected.json``, whose ``parser`` field names
the parser that must recognise the case. A CSV bank statement read with a
column mapping has the mapping beside it under the same name
(``<case>.toml`` or ``<case>.json``). Adding a case is adding two files:
no table to keep. ``ECOMRULES_UPDATE_GOLDEN=1`` writes the golden file of a
new case (then review it).

Each case is also streamed with ``iter_lines``, which must give the lines
``parse`` gives (payout-level lines, as dLocal's sub-cent rounding, excepted).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecomrules.bank.csv import CsvParser, load_csv_config
from ecomrules.outcome import Issue
from ecomrules.parsing.base import Parser
from ecomrules.parsing.registry import detect, get_parser
from ecomrules.parsing.source import HEAD_SIZE
from ecomrules.testing.golden import UPDATE_ENV, assert_golden

TESTS = Path(__file__).parent.parent
_MAPPINGS = (".toml", ".json")


def discover() -> list[tuple[Path, Path, Path | None]]:
    """``(case, golden, CSV mapping or None)`` for every case that has a golden file."""
    found = []
    for cases in sorted(TESTS.glob("*/cases")):
        golden_dir = cases.parent / "golden"
        by_stem: dict[str, list[Path]] = {}
        for path in sorted(cases.iterdir()):
            if path.is_file():
                by_stem.setdefault(path.name.split(".", 1)[0], []).append(path)
        for stem, paths in sorted(by_stem.items()):
            golden = golden_dir / f"{stem}.expected.json"
            data = [p for p in paths if len(paths) == 1 or p.suffix not in _MAPPINGS]
            mapping = next((p for p in paths if len(paths) > 1 and p.suffix in _MAPPINGS), None)
            if len(data) == 1:
                found.append((data[0], golden, mapping))
    return found


CASES = discover()
IDS = [f"{case.parent.parent.name}/{case.name}" for case, _, _ in CASES]


def _parser(case: Path, golden: Path, mapping: Path | None) -> Parser:
    if mapping is not None:
        return CsvParser(load_csv_config(mapping))
    data = case.read_bytes()
    parser = detect(data[:HEAD_SIZE], case.name)
    if golden.exists():
        assert parser.name == json.loads(golden.read_text(encoding="utf-8"))["parser"]
    return parser


def test_every_golden_file_has_its_case() -> None:
    goldens = {golden for _, golden, _ in CASES}
    for cases in TESTS.glob("*/cases"):
        for golden in (cases.parent / "golden").glob("*.expected.json"):
            stem = golden.name.removesuffix(".expected.json")
            if any(cases.glob(f"{stem}.*")):
                assert golden in goldens, golden


@pytest.mark.parametrize(("case", "golden", "mapping"), CASES, ids=IDS)
def test_case_matches_its_golden_file(case: Path, golden: Path, mapping: Path | None) -> None:
    import os

    if not golden.exists() and os.environ.get(UPDATE_ENV) != "1":
        pytest.fail(f"{case} has no golden file {golden}; write it with {UPDATE_ENV}=1")
    parser = _parser(case, golden, mapping)
    result = parser.parse(case.read_bytes(), source=case.name, on_error="collect")
    assert_golden(result.to_json(), golden)


@pytest.mark.parametrize(("case", "golden", "mapping"), CASES, ids=IDS)
def test_iter_lines_gives_the_lines_of_parse(
    case: Path, golden: Path, mapping: Path | None
) -> None:
    parser = _parser(case, golden, mapping)
    data = case.read_bytes()
    parsed = parser.parse(data, source=case.name, on_error="collect")
    issues: list[Issue] = []
    streamed = list(parser.iter_lines(data, source=case.name, on_error="collect", issues=issues))
    expected = [line for line in parsed.lines if line.metadata.get("rounding") != "true"]
    assert sorted(line.id for line in streamed) == sorted(line.id for line in expected)
    assert {line.id: line.amount for line in streamed} == {
        line.id: line.amount for line in expected
    }
    assert get_parser(parser.name).name == parser.name
