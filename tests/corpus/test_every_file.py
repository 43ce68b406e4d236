"""Every file of the corpus, listed by a format's own test or not, is read or refused cleanly.

The corpus may hold files no parser was tuned to. For each one: detection
names exactly one parser or refuses with a ParseError; a lenient parse either
returns results whose statements balance or carry a warning or error, or raises a ParseError
that names the file. Nothing else may escape.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomrules.errors import ParseError
from ecomrules.outcome import Severity
from ecomrules.parsing.model import ParseResult
from ecomrules.parsing.registry import parse_file

SKIP = {"MANIFEST.md", "index.json"}


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.name not in SKIP)


def test_every_file_is_read_or_refused_with_its_name(corpus: Path) -> None:
    failures = []
    for path in corpus_files(corpus):
        try:
            results = parse_file(path, on_error="collect")
        except ParseError as exc:
            if path.name not in str(exc):
                failures.append(f"{path}: ParseError without the file name: {exc}")
            continue
        except Exception as exc:  # the point of the test: nothing else escapes
            failures.append(f"{path}: {type(exc).__name__}: {exc}")
            continue
        for result in results:
            for statement in result.statements:
                opening, closing = statement.opening_balance, statement.closing_balance
                if opening is None or closing is None or _reported(result):
                    continue
                moved = sum((line.amount.amount for line in statement.lines), opening.amount)
                if moved != closing.amount:
                    failures.append(f"{path}: statement {statement.id} does not balance")
    assert failures == []


def _reported(result: ParseResult) -> bool:
    """True when the parser said something is off (a warning or an error)."""
    return any(issue.severity is not Severity.INFO for issue in result.issues)


def test_there_are_files_to_read(corpus: Path) -> None:
    if not corpus_files(corpus):
        pytest.fail(f"{corpus} holds no files")
