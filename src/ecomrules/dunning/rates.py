"""Dated interest rate tables and simple interest over them.

A :class:`RateTable` lists the dates a rate changed and the rate (in percent a
year) in force from each date. Interest is simple interest on a fixed amount
over a run of days: each day earns ``rate / 100 / basis`` of the amount, where
the rate of the day comes either from the table directly (``daily``) or from
the table as it stood on the first day of the day's half-year (``semester``,
the rule of French late-payment interest, Code de commerce L441-10).
"""

from __future__ import annotations

import bisect
import csv
import enum
import io
import itertools
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

from attrs import field, frozen

from ecomrules.errors import ConfigError, ConfigProblem

__all__ = [
    "DayCount",
    "RateReference",
    "RateTable",
    "builtin_rate_table",
    "interest_factor",
    "load_rate_table",
]

_ONE_DAY = timedelta(days=1)
_HUNDRED = Decimal(100)


class DayCount(enum.Enum):
    """How many days make a year in simple interest."""

    ACTUAL_365 = "actual/365"
    ACTUAL_360 = "actual/360"

    @property
    def basis(self) -> int:
        """The days of the year that a year's rate is spread over."""
        return 365 if self is DayCount.ACTUAL_365 else 360


class RateReference(enum.Enum):
    """Which rate of the table a day earns."""

    DAILY = "daily"
    """The rate in force on the day itself."""
    SEMESTER = "semester"
    """The rate in force on 1 January or 1 July of the day's half-year."""


def _entries(value: Sequence[tuple[date, Decimal]]) -> tuple[tuple[date, Decimal], ...]:
    entries = tuple(sorted(value))
    for (left, _), (right, _) in itertools.pairwise(entries):
        if left == right:
            raise ValueError(f"rate table has two rates from {left}")
    if not entries:
        raise ValueError("a rate table needs at least one rate")
    return entries


@frozen
class RateTable:
    """Rates in percent a year, each in force from its date until the next one.

    ``known_until`` is the last date the table was checked against its source;
    a rate asked for a later day is the last one known, and the plan warns.
    """

    name: str
    entries: tuple[tuple[date, Decimal], ...] = field(converter=_entries)
    source: str = ""
    known_until: date | None = None
    _starts: tuple[date, ...] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(day for day, _ in self.entries))

    def rate_on(self, day: date) -> Decimal:
        """Return the rate in force on ``day``; raise ``ValueError`` before the first entry."""
        index = bisect.bisect_right(self._starts, day) - 1
        if index < 0:
            raise ValueError(
                f"rate table {self.name!r} has no rate on {day} (starts {self._starts[0]})"
            )
        return self.entries[index][1]

    def covers(self, day: date) -> bool:
        """Return True when ``day`` is within what the table was checked for."""
        return self.known_until is None or day <= self.known_until


def _semester_start(day: date) -> date:
    return date(day.year, 1 if day.month < 7 else 7, 1)


def _next_semester(day: date) -> date:
    return date(day.year, 7, 1) if day.month < 7 else date(day.year + 1, 1, 1)


def interest_factor(
    table: RateTable,
    first: date,
    last: date,
    *,
    margin: Decimal,
    reference: RateReference,
    day_count: DayCount,
) -> Decimal:
    """Return the simple-interest factor for the days ``first`` to ``last`` inclusive.

    Multiply the amount by the factor to get the interest. Each day earns
    ``(rate + margin) / 100 / basis``; the factor is exact (no rounding here).
    """
    if last < first:
        return Decimal(0)
    total = Decimal(0)
    day = first
    while day <= last:
        if reference is RateReference.SEMESTER:
            rate = table.rate_on(_semester_start(day))
            boundary = _next_semester(day)
        else:
            rate = table.rate_on(day)
            index = bisect.bisect_right(table._starts, day)
            boundary = table._starts[index] if index < len(table._starts) else date.max
        end = min(last, boundary - _ONE_DAY) if boundary != date.max else last
        days = (end - day).days + 1
        total += (rate + margin) * days
        day = end + _ONE_DAY
    return total / _HUNDRED / day_count.basis


def _parse_rows(name: str, text: str, source: str) -> RateTable:
    problems: list[ConfigProblem] = []
    entries: list[tuple[date, Decimal]] = []
    meta: dict[str, str] = {}
    data_lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            key, sep, value = stripped.lstrip("# ").partition(":")
            if sep and key.strip() in {"source", "known_until"}:
                meta[key.strip()] = value.strip()
            continue
        if stripped:
            data_lines.append((number, line))
    reader = csv.reader(io.StringIO("\n".join(line for _, line in data_lines)))
    header = next(reader, None)
    if header != ["from", "rate"]:
        problems.append(ConfigProblem(f"{source}:header", "expected the columns 'from,rate'"))
        raise ConfigError(source, problems)
    for (number, _), row in zip(data_lines[1:], reader, strict=True):
        try:
            day = date.fromisoformat(row[0].strip())
            rate = Decimal(row[1].strip())
            if not rate.is_finite():
                raise ValueError
            entries.append((day, rate))
        except (ValueError, IndexError, ArithmeticError):
            problems.append(
                ConfigProblem(f"{source}:{number}", f"not a 'YYYY-MM-DD,rate' row: {row}")
            )
    known: date | None = None
    if "known_until" in meta:
        try:
            known = date.fromisoformat(meta["known_until"])
        except ValueError:
            problems.append(ConfigProblem(f"{source}:known_until", "is not a date (YYYY-MM-DD)"))
    if not entries and not problems:
        problems.append(ConfigProblem(source, "the table has no rates"))
    days = [day for day, _ in entries]
    if len(set(days)) != len(days):
        problems.append(ConfigProblem(source, "a date appears twice"))
    if problems:
        raise ConfigError(source, problems)
    return RateTable(name, entries, source=meta.get("source", source), known_until=known)


def load_rate_table(path: str | Path, *, name: str | None = None) -> RateTable:
    """Read a rate table from a CSV file with the columns ``from,rate`` (percent a year).

    Lines starting with ``#`` are comments; ``# source: ...`` and
    ``# known_until: YYYY-MM-DD`` are kept on the table.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            str(file), [ConfigProblem(str(file), f"cannot read: {exc.strerror}")]
        ) from None
    return _parse_rows(name or file.stem, text, str(file))


BUILTIN_TABLES = {
    "ecb-mro": "ecb_mro.csv",
    "fr-legal-consumer": "fr_legal_consumer.csv",
}
"""The rate tables shipped with ecomrules, by name."""


def builtin_rate_table(name: str) -> RateTable:
    """Return a shipped rate table: ``ecb-mro`` or ``fr-legal-consumer``."""
    if name not in BUILTIN_TABLES:
        raise KeyError(
            f"no built-in rate table {name!r}; known: {', '.join(sorted(BUILTIN_TABLES))}"
        )
    text = (
        resources.files("ecomrules.dunning")
        .joinpath("data", BUILTIN_TABLES[name])
        .read_text(encoding="utf-8")
    )
    return _parse_rows(name, text, f"ecomrules/dunning/data/{BUILTIN_TABLES[name]}")
