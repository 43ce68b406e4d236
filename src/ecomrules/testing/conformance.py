"""The robustness checks every registered parser passes (python-stdnum's model).

``sniff`` never raises whatever it is given; ``parse`` either returns a result
or raises a :class:`~ecomrules.errors.ParseError`, never anything else.
"""

from __future__ import annotations

from collections.abc import Iterator

from ecomrules.errors import ParseError
from ecomrules.parsing.base import Confidence, Parser

__all__ = ["JUNK_INPUTS", "check_parse", "check_sniff"]

JUNK_INPUTS: dict[str, bytes] = {
    "empty": b"",
    "nul": b"\x00" * 64,
    "binary": bytes(range(256)) * 4,
    "bom only": b"\xef\xbb\xbf",
    "eof mark": b"\x1a",
    "one huge line": b"x" * 2_000_000,
    "huge csv line": b"a,b,c\n" + b"1," * 200_000 + b"\n",
    "truncated xml": b"<?xml version='1.0'?><Document><BkToCstmrStmt><Stmt>",
    "xml bomb": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>'
    ),
    "latin-1": "Crédit reçu €".encode("latin-1", errors="replace"),
    "csv header only": b"id,date,amount\n",
    "mt940 start": b":20:STARTUMS\n:25:123\n",
    "cfonb fragment": b"0130002" + b" " * 50 + b"\n",
    "gzip junk": b"\x1f\x8b\x08\x00junk",
    "zip junk": b"PK\x03\x04junk",
}
"""Inputs no parser should crash on: each is parsed or refused with a ParseError."""


def check_sniff(parser: Parser, data: bytes, filename: str | None = None) -> Confidence:
    """Call ``sniff`` and fail if it raises or returns something other than a Confidence."""
    try:
        vote = parser.sniff(data, filename)
    except Exception as exc:  # the check is that nothing escapes
        raise AssertionError(f"{parser.name}.sniff raised {exc!r}") from exc
    if not isinstance(vote, Confidence):
        raise AssertionError(f"{parser.name}.sniff returned {vote!r}, not a Confidence")
    return vote


def check_parse(parser: Parser, data: bytes, source: str = "junk") -> Iterator[str]:
    """Parse in both modes; yield a description of each way the parser misbehaved."""
    for mode in ("raise", "collect"):
        try:
            parser.parse(data, source=source, on_error=mode)
        except ParseError:
            continue
        except Exception as exc:  # the check is that nothing else escapes
            yield f"{parser.name}.parse(on_error={mode!r}) raised {type(exc).__name__}: {exc}"
