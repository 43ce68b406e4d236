"""Time-zone names as PSP reports write them: abbreviations (``CET``, ``PDT``) or IANA names.

An abbreviation names a fixed UTC offset (``PST`` is -8 all year, ``PDT``
-7), which is what the reports mean by it; ``CST`` is taken as US Central
(-6), the PSPs' own usage. An IANA name (``Europe/Amsterdam``) is looked up
in the tz database.
"""

from __future__ import annotations

from datetime import UTC, timedelta, timezone, tzinfo
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["ZONES", "zone_named"]


def _fixed(hours: int, minutes: int = 0) -> timezone:
    sign = -1 if hours < 0 else 1
    return timezone(sign * timedelta(hours=abs(hours), minutes=minutes))


ZONES: Final[dict[str, tzinfo]] = {
    "UTC": UTC,
    "GMT": UTC,
    "WET": _fixed(0),
    "WEST": _fixed(1),
    "BST": _fixed(1),
    "CET": _fixed(1),
    "CEST": _fixed(2),
    "MET": _fixed(1),
    "MEST": _fixed(2),
    "EET": _fixed(2),
    "EEST": _fixed(3),
    "MSK": _fixed(3),
    "AST": _fixed(-4),
    "ADT": _fixed(-3),
    "EST": _fixed(-5),
    "EDT": _fixed(-4),
    "CST": _fixed(-6),
    "CDT": _fixed(-5),
    "MST": _fixed(-7),
    "MDT": _fixed(-6),
    "PST": _fixed(-8),
    "PDT": _fixed(-7),
    "AKST": _fixed(-9),
    "AKDT": _fixed(-8),
    "HST": _fixed(-10),
    "BRT": _fixed(-3),
    "JST": _fixed(9),
    "KST": _fixed(9),
    "HKT": _fixed(8),
    "SGT": _fixed(8),
    "AWST": _fixed(8),
    "ACST": _fixed(9, 30),
    "ACDT": _fixed(10, 30),
    "AEST": _fixed(10),
    "AEDT": _fixed(11),
    "NZST": _fixed(12),
    "NZDT": _fixed(13),
}
"""Time-zone abbreviations Adyen writes -> fixed UTC offsets (``CST`` is US Central)."""


def zone_named(name: str) -> tzinfo | None:
    """The zone an abbreviation or IANA name stands for, or ``None`` when unknown."""
    zone = ZONES.get(name.strip().upper())
    if zone is not None:
        return zone
    if "/" in name:
        try:
            return ZoneInfo(name.strip())
        except (ZoneInfoNotFoundError, ValueError, OSError):  # a too long name: ENAMETOOLONG
            return None
    return None
