"""The one strict decimal parser that every reader of text uses.

Amounts in files come as ``1234.56``, ``1,234.56``, ``1.234,56``, ``-12``,
``12-`` or ``(12.00)``. :func:`parse_decimal` turns such text into a
:class:`~decimal.Decimal` without ever going through float. The separators are
explicit: without them a text with both a comma and a point, or a lone group of
three digits after a comma or a point (``1,234``), is refused as ambiguous.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

__all__ = [
    "MAX_FRACTION_DIGITS",
    "MAX_INTEGER_DIGITS",
    "MAX_MINOR_UNIT_DIGITS",
    "DecimalFormat",
    "DecimalRangeError",
    "parse_decimal",
    "parse_minor_units",
]

MAX_INTEGER_DIGITS: Final = 18
"""Digits before the point of any amount read from text: ``10**18`` and more is refused."""

MAX_FRACTION_DIGITS: Final = 20
"""Significant digits after the point of any number read from text (``1E-21`` is refused).

Twenty leaves room for exchange rates; with :data:`MAX_INTEGER_DIGITS` a
number has at most 38 significant digits.
"""


MAX_MINOR_UNIT_DIGITS: Final = MAX_INTEGER_DIGITS + 4
"""Digits of a whole number of minor units read from text (the finest currency has 4)."""


class DecimalRangeError(ValueError):
    """A well-formed number with more digits than :func:`parse_decimal` accepts."""


def parse_minor_units(text: str) -> int:
    """Parse a whole number of minor units (``-12500``), or raise ``ValueError`` saying why.

    ASCII digits only, with an optional sign, and at most
    :data:`MAX_MINOR_UNIT_DIGITS` of them after leading zeros: an amount in minor
    units stays within :data:`MAX_INTEGER_DIGITS` before the point.

    >>> parse_minor_units("-0012500")
    -12500
    """
    body = text.strip()
    digits = body[1:] if body[:1] in ("+", "-") else body
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"{text!r} is not a whole number")
    if len(digits.lstrip("0")) > MAX_MINOR_UNIT_DIGITS:
        raise DecimalRangeError(f"{text!r} has more than {MAX_MINOR_UNIT_DIGITS} digits")
    return int(body)


_LITERAL: Final = re.compile(r"^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


class DecimalFormat:
    """The separators of a number format: ``DecimalFormat(decimal=",", group=".")``."""

    __slots__ = ("decimal", "group")

    def __init__(self, decimal: str = ".", group: str | None = None) -> None:
        if decimal not in {".", ","}:
            raise ValueError(f"decimal separator must be '.' or ',', not {decimal!r}")
        if group is not None and (group == decimal or group not in {".", ",", " ", "'", "\u00a0"}):
            raise ValueError(f"group separator {group!r} does not fit decimal {decimal!r}")
        self.decimal = decimal
        self.group = group

    def __repr__(self) -> str:
        return f"DecimalFormat(decimal={self.decimal!r}, group={self.group!r})"


def parse_decimal(text: str, fmt: DecimalFormat | None = None) -> Decimal:
    """Parse ``text`` into a Decimal, or raise ``ValueError`` saying why.

    With ``fmt`` the separators are fixed and anything else is refused. Without
    it, a plain literal (``-1234.56``, ``.11``, ``1E+3``) is accepted, and a
    text with a comma is accepted only when it cannot be read two ways
    (``1,5`` is one and a half; ``1,234`` is refused).

    A leading or trailing sign and accounting parentheses are understood.
    Digits are ASCII only (``'٨'`` and ``'８'`` are refused), and an amount
    has at most :data:`MAX_INTEGER_DIGITS` digits before the point and
    :data:`MAX_FRACTION_DIGITS` after it (``1e999999`` is refused).
    """
    raw = text
    s = text.strip().replace("\u00a0", " ")
    if not s:
        raise ValueError("empty text is not a decimal")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s[:1] in ("+", "-"):  # a tuple: "" (left of "()") is in the string "+-"
        negative, s = negative ^ (s[0] == "-"), s[1:].strip()
    elif s[-1:] in ("+", "-"):
        negative, s = negative ^ (s[-1] == "-"), s[:-1].strip()
    s = _resolve_unknown_format(s, raw) if fmt is None else _apply_format(s, fmt, raw)
    if not _LITERAL.match(s):
        raise ValueError(f"{raw!r} is not a decimal")
    try:
        value = Decimal(s)
        if not value.is_finite():
            raise ValueError(f"{raw!r} is not a finite decimal")
        _check_size(value, raw)
        # copy_negate is exact (unary minus rounds to the context's 28 digits); -0 is 0
        return value.copy_negate() if negative and value else value
    except (InvalidOperation, ArithmeticError):
        raise DecimalRangeError(f"{raw!r} is not a decimal within range") from None


def _check_size(value: Decimal, raw: str) -> None:
    """Refuse an amount with more digits than the documented maximum, before or after the point."""
    if not value:
        return
    if value.adjusted() >= MAX_INTEGER_DIGITS:
        raise DecimalRangeError(
            f"{raw!r} has more than {MAX_INTEGER_DIGITS} digits before the point"
        )
    digits, exponent = value.as_tuple()[1:]
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if -(int(exponent) + trailing) > MAX_FRACTION_DIGITS:
        raise DecimalRangeError(
            f"{raw!r} has more than {MAX_FRACTION_DIGITS} digits after the point"
        )


def _apply_format(s: str, fmt: DecimalFormat, raw: str) -> str:
    if fmt.group is not None:
        parts = s.split(fmt.decimal)
        if len(parts) > 2:
            raise ValueError(f"{raw!r} has more than one decimal separator {fmt.decimal!r}")
        groups = parts[0].split(fmt.group)
        if len(groups) > 1 and (
            not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])
        ):
            raise ValueError(f"{raw!r} has misplaced group separators {fmt.group!r}")
        parts[0] = "".join(groups)
        s = ".".join(parts)
    elif fmt.decimal == ",":
        if "." in s:
            raise ValueError(f"{raw!r} has a '.' where the decimal separator is ','")
        s = s.replace(",", ".")
    return s


def _resolve_unknown_format(s: str, raw: str) -> str:
    has_comma, has_point = "," in s, "." in s
    if has_comma and has_point:
        raise ValueError(f"{raw!r} mixes ',' and '.': give the separators")
    if has_comma:
        head, _, tail = s.partition(",")
        if "," in tail or len(tail) == 3:
            raise ValueError(f"{raw!r} is ambiguous: ',' may group thousands or mark decimals")
        s = f"{head}.{tail}"
    return s
