"""The parser registry: built-ins listed in one table each, plug-ins by entry point.

Built-in parsers are named in ``ecomrules.bank.PARSERS`` and
``ecomrules.psp.PARSERS`` (name -> ``"module:Class"``) and imported only when
used. Third-party parsers register in the entry-point group
``ecomrules.parsers``; a name registered twice is an error. :func:`detect`
asks every parser to sniff and raises unless exactly one says YES (or, with no
YES, exactly one says MAYBE).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path

from ecomrules.errors import (
    AmbiguousFormatError,
    EcomrulesError,
    ParseError,
    UnrecognizedFormatError,
)
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, OnError, Parser
from ecomrules.parsing.limits import ReadLimits, applied_limits, current_limits
from ecomrules.parsing.model import ParseResult
from ecomrules.parsing.source import HEAD_SIZE, unwrap

__all__ = ["ENTRY_POINT_GROUP", "all_parsers", "detect", "get_parser", "parse_file"]

ENTRY_POINT_GROUP = "ecomrules.parsers"


def _builtin_tables() -> list[Mapping[str, str]]:
    from ecomrules import bank, psp

    return [bank.PARSERS, psp.PARSERS]


def _load(target: str) -> Parser:
    module_name, _, class_name = target.partition(":")
    parser_class = getattr(importlib.import_module(module_name), class_name)
    parser: Parser = parser_class()
    return parser


@functools.cache
def _targets() -> dict[str, str | Parser]:
    table: dict[str, str | Parser] = {}
    for builtin in _builtin_tables():
        for name, target in builtin.items():
            if name in table:
                raise EcomrulesError(f"parser name {name!r} is registered twice")
            table[name] = target
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name in table:
            raise EcomrulesError(
                f"parser {entry.name!r} from entry point {entry.value} collides with a built-in"
            )
        table[entry.name] = entry.value
    return table


@functools.cache
def get_parser(name: str) -> Parser:
    """Return the parser registered as ``name``; ``KeyError`` lists the known names."""
    targets = _targets()
    if name not in targets:
        raise KeyError(f"no parser named {name!r}; known: {', '.join(sorted(targets))}")
    target = targets[name]
    parser = _load(target) if isinstance(target, str) else target
    if parser.name != name:
        raise EcomrulesError(f"parser registered as {name!r} calls itself {parser.name!r}")
    return parser


def all_parsers() -> list[Parser]:
    """Every registered parser, sorted by name."""
    return [get_parser(name) for name in sorted(_targets())]


def _sniff(parser: Parser, head: bytes, filename: str | None) -> Confidence:
    """``parser.sniff``, read as NO should it break its promise never to raise."""
    try:
        return parser.sniff(head, filename)
    except Exception:  # a plug-in's broken sniff must not make every file unreadable
        return Confidence.NO


def detect(head: bytes, filename: str | None = None) -> Parser:
    """Return the one parser that recognises ``head``; raise when none or several do."""
    label = filename or "<data>"
    votes = [(parser, _sniff(parser, head, filename)) for parser in all_parsers()]
    sure = [p.name for p, vote in votes if vote is Confidence.YES]
    maybe = [p.name for p, vote in votes if vote is Confidence.MAYBE]
    chosen = sure if sure else maybe
    if len(chosen) == 1:
        return get_parser(chosen[0])
    if not chosen:
        raise UnrecognizedFormatError(
            "no registered parser recognises this file; name one with --format",
            location=SourceLocation(label),
        )
    raise AmbiguousFormatError(
        f"several parsers recognise this file ({', '.join(chosen)}); name one with --format",
        candidates=chosen,
        location=SourceLocation(label),
    )


def parse_file(
    path: str | Path,
    *,
    parser: str | None = None,
    on_error: OnError = "raise",
    limits: ReadLimits | None = None,
) -> list[ParseResult]:
    """Read ``path``, open gzip/zip wrappers, detect (or use ``parser``) and parse each member.

    Each member of a zip is parsed and reported under its own name
    (``archive.zip!member.xml``). An unknown ``parser`` name and an empty file
    raise :class:`~ecomrules.errors.UnrecognizedFormatError` (the known names
    listed); a parser named for a file of another format refuses it.

    ``limits`` (default :func:`~ecomrules.parsing.limits.current_limits`) bound
    what the file may unpack to and how long a record may be; passing them is
    the same as reading inside :func:`~ecomrules.parsing.limits.applied_limits`.
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ParseError(
            f"cannot read: {exc.strerror}", location=SourceLocation(str(file))
        ) from None
    if parser is not None and parser not in _targets():
        raise UnrecognizedFormatError(
            f"no parser named {parser!r}; known: {', '.join(sorted(_targets()))}",
            location=SourceLocation(str(file)),
        )
    results = []
    with applied_limits(limits or current_limits()):
        for member, content in unwrap(data, str(file)):
            if not content.strip(b" \t\r\n\x00\x1a"):
                raise UnrecognizedFormatError(
                    "the file is empty: nothing to read", location=SourceLocation(member)
                )
            chosen = get_parser(parser) if parser else detect(content[:HEAD_SIZE], member)
            results.append(chosen.parse(content, source=member, on_error=on_error))
    return results
