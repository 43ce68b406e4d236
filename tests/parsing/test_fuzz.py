"""A short fuzzing pass over every registered parser: mutants of the corpus and of our own
cases raise nothing but ParseError and take at most a second per KiB.

The long form is ``benchmarks/fuzz_parsers.py``; it uses other random seeds.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ecomrules.errors import ParseError
from ecomrules.parsing.registry import all_parsers, get_parser
from ecomrules.testing.fuzz import fuzz_parser, mutate, seed_files

SECONDS = 2.0
TESTS = Path(__file__).resolve().parents[1]
CORPUS = TESTS.parents[1] / "shared" / "corpus"  # as in conftest; absent: our cases only
OWN = [TESTS / "bank" / "cases", TESTS / "psp" / "cases"]
PARSERS = all_parsers()


@pytest.mark.parametrize("parser", PARSERS, ids=[p.name for p in PARSERS])
def test_mutants_raise_only_parse_errors_in_bounded_time(parser: object) -> None:
    folders = [CORPUS, *OWN] if CORPUS.is_dir() else OWN
    seeds = seed_files(folders, parser)  # type: ignore[arg-type]
    report = fuzz_parser(parser, seeds, seconds=SECONDS, rng_seed=0)  # type: ignore[arg-type]
    assert report.runs > 10
    assert [(f.kind, f.where, f.detail) for f in report.failures] == []


def test_the_fuzzer_finds_an_escape_and_a_slow_parse() -> None:
    """The harness reports what it must: a parser that leaks, and one that dawdles."""

    class Leaky:
        slow: bytes | None = None
        name = "test.leaky"
        provider = "test"
        spec_url = ""

        def sniff(self, head: bytes, filename: str | None = None) -> object:
            return get_parser("bank.csv").sniff(head, filename)

        def parse(self, data: bytes, *, source: str, on_error: str = "raise") -> object:
            if b"\xd9" in data:  # an Arabic digit's first byte
                raise LookupError("leaked")
            if b"\x00" in data and len(data) < 1024 and Leaky.slow in (None, data):
                Leaky.slow = data  # this one input is slow each time it is read
                time.sleep(1.2)  # over the one second any input is allowed
            raise ParseError("refused")

    report = fuzz_parser(Leaky(), [b"a,1,2\n" * 20], runs=2000, rng_seed=3)  # type: ignore[arg-type]
    kinds = {(f.kind, f.where.split(" ")[0]) for f in report.failures}
    assert ("escaped", "LookupError") in kinds
    assert ("slow", "slow") in kinds


def test_mutants_are_reproducible() -> None:
    import random

    data = b"header\n1,2,3\n" * 10
    first = [mutate(data, random.Random(7)) for _ in range(3)]
    again = [mutate(data, random.Random(7)) for _ in range(3)]
    assert first == again
