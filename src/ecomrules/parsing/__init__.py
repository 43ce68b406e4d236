"""What every statement and settlement parser shares: the line model, the parser
protocol, the registry with :func:`detect`, and input hygiene.

Bank parsers live in :mod:`ecomrules.bank`, PSP parsers in :mod:`ecomrules.psp`;
both produce a :class:`ParseResult`.
"""

from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError, Parser
from ecomrules.parsing.limits import DEFAULT_LIMITS, ReadLimits, applied_limits
from ecomrules.parsing.model import (
    Counterparty,
    LineKind,
    ParseResult,
    Payout,
    Statement,
    StatementLine,
)
from ecomrules.parsing.registry import all_parsers, detect, get_parser, parse_file

__all__ = [
    "DEFAULT_LIMITS",
    "Confidence",
    "Counterparty",
    "ErrorPolicy",
    "LineKind",
    "OnError",
    "ParseResult",
    "Parser",
    "Payout",
    "ReadLimits",
    "Statement",
    "StatementLine",
    "all_parsers",
    "applied_limits",
    "detect",
    "get_parser",
    "parse_file",
]
