"""CFONB 120 field codecs: overpunched amounts and DDMMYY dates."""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal

__all__ = ["OVERPUNCH", "decode_amount", "decode_date", "encode_amount", "encode_date"]

OVERPUNCH: dict[str, tuple[int, str]] = {
    "{": (1, "0"),
    "}": (-1, "0"),
    **{chr(ord("A") + i): (1, str(i + 1)) for i in range(9)},
    **{chr(ord("J") + i): (-1, str(i + 1)) for i in range(9)},
}
"""Last character of an amount: ``{``/``A``-``I`` positive 0-9, ``}``/``J``-``R`` negative 0-9."""

_PUNCH = {(sign, digit): char for char, (sign, digit) in OVERPUNCH.items()}


def decode_amount(field: str, decimals: int) -> Decimal | None:
    """Return the signed amount of a 14-character field, or ``None`` when malformed.

    A negative zero (``}`` after zeros) is zero.
    """
    punched = OVERPUNCH.get(field[-1:])
    body = field[:-1]
    if punched is None or not (body.isdigit() and body.isascii()):
        return None
    sign, digit = punched
    value = Decimal(body + digit).scaleb(-decimals)
    return -value if sign < 0 and value else value


def encode_amount(amount: Decimal, decimals: int) -> str:
    """Return the 14-character overpunched field for ``amount`` with ``decimals`` digits."""
    units = amount.scaleb(decimals)
    if units != units.to_integral_value():
        raise ValueError(f"{amount} has more than {decimals} decimal(s)")
    digits = f"{abs(int(units)):014d}"
    if len(digits) > 14:
        raise ValueError(f"{amount} does not fit in 14 digits")
    sign = -1 if amount < 0 else 1
    return digits[:-1] + _PUNCH[(sign, digits[-1])]


@functools.lru_cache(maxsize=4096)
def decode_date(field: str) -> date | None:
    """Return the date of a DDMMYY field (years 2000-2099), or ``None`` when impossible."""
    if len(field) != 6 or not field.isdigit() or not field.isascii():
        return None
    try:
        return date(2000 + int(field[4:]), int(field[2:4]), int(field[:2]))
    except ValueError:
        return None


def encode_date(day: date) -> str:
    """Return ``day`` as DDMMYY."""
    return day.strftime("%d%m%y")
