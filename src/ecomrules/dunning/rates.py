"""Dated interest rate tables and simple interest over them.

A :class:`RateTable` lists the dates a rate changed and the rate (in percent a
year) in force from each date. Interest is simple interest on a fixed amount
over a run of days: each day earns ``rate / 100 / basis`` of the amount, where
the rate of the day comes either from the table directly (``daily``) or from
the table as it stood on the first day of the day's half-year (``semester``,
the rule of French late-payment interest, Code de commerce L441-10).

The shipped tables end where the release was made. ``ecomrules rates update
FILE`` (:func:`read_ecb_csv` and :func:`rate_table_update`) reads the series
a user downloads from the ECB, refuses one that contradicts the shipped rates
or is older than the table in use, and saves it in :func:`user_rates_dir`;
:func:`builtin_rate_table` (and so every policy that names ``ecb-mro``) then
takes whichever of the two is known to the later date.
"""

from __future__ import annotations

import bisect
import csv
import enum
import io
import itertools
import os
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

from attrs import field, frozen

from ecomrules.errors import ConfigError, ConfigProblem

__all__ = [
    "DATA_DIR_ENV",
    "DayCount",
    "RateReference",
    "RateTable",
    "builtin_rate_table",
    "interest_factor",
    "load_rate_table",
    "rate_table_update",
    "read_ecb_csv",
    "saved_rate_table",
    "user_rates_dir",
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


def builtin_rate_table(name: str, *, directory: Path | None = None) -> RateTable:
    """Return a built-in rate table: ``ecb-mro`` or ``fr-legal-consumer``.

    The shipped table, or the one ``ecomrules rates update`` saved in
    :func:`user_rates_dir` (or ``directory``) when that one is known to a
    later date: a newer release of the library may ship a fresher table than
    an old update.
    """
    if name not in BUILTIN_TABLES:
        raise KeyError(
            f"no built-in rate table {name!r}; known: {', '.join(sorted(BUILTIN_TABLES))}"
        )
    shipped = _shipped_table(name)
    saved = saved_rate_table(name, directory)
    return saved if saved is not None and _known(saved) > _known(shipped) else shipped


DATA_DIR_ENV = "ECOMRULES_DATA_DIR"
"""The environment variable naming the folder of user data (updated rate tables)."""


def user_rates_dir() -> Path:
    """The folder where ``ecomrules rates update`` saves tables and loading looks first.

    ``$ECOMRULES_DATA_DIR/rates`` when set, else ``$XDG_DATA_HOME/ecomrules/rates``,
    else ``~/.local/share/ecomrules/rates``.
    """
    chosen = os.environ.get(DATA_DIR_ENV)
    if chosen:
        return Path(chosen) / "rates"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ecomrules" / "rates"


def _shipped_table(name: str) -> RateTable:
    text = (
        resources.files("ecomrules.dunning")
        .joinpath("data", BUILTIN_TABLES[name])
        .read_text(encoding="utf-8")
    )
    return _parse_rows(name, text, f"ecomrules/dunning/data/{BUILTIN_TABLES[name]}")


def saved_rate_table(name: str, directory: Path | None = None) -> RateTable | None:
    """Return the table ``rates update`` saved under ``name``, or None when there is none."""
    path = (directory or user_rates_dir()) / f"{name}.csv"
    return load_rate_table(path, name=name) if path.is_file() else None


def _known(table: RateTable) -> date:
    return table.known_until or max(day for day, _ in table.entries)


def rate_table_update(
    name: str, fresh: RateTable, *, directory: Path | None = None
) -> tuple[Path, RateTable]:
    """Check ``fresh`` against the table in use and save it; return the file and the table.

    The saved table keeps the shipped rates before the first date of
    ``fresh`` (a download of the last few changes is enough). Refused with a
    :class:`ConfigError`: a table that gives another rate than
    the shipped one on one of its dates (another series, not the ECB main
    refinancing rate), or that is known to an earlier date than the table in
    use (it would make the interest older).
    """
    if name not in BUILTIN_TABLES:
        raise ConfigError(
            name,
            [ConfigProblem("$", f"no rate table {name!r}; known: {', '.join(BUILTIN_TABLES)}")],
        )
    shipped = _shipped_table(name)
    given = dict(fresh.entries)
    problems = [
        ConfigProblem(
            f"{fresh.source}:{day}",
            f"gives {given[day]} where the shipped table {name!r} has {rate}: "
            "is this the right series?",
        )
        for day, rate in shipped.entries
        if day in given and given[day] != rate
    ]
    current = builtin_rate_table(name, directory=directory)
    if _known(fresh) < _known(current):
        problems.append(
            ConfigProblem(
                fresh.source,
                f"is known until {_known(fresh)}, before the table in use ({_known(current)})",
            )
        )
    if problems:
        raise ConfigError(fresh.source, problems)
    first = fresh.entries[0][0]
    earlier = [(day, rate) for day, rate in shipped.entries if day < first]
    target = (directory or user_rates_dir()) / f"{name}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# {name}: rates in percent a year, each in force from its date.",
        f"# source: {fresh.source}; before {first}: the table shipped with ecomrules",
        f"# known_until: {_known(fresh).isoformat()}",
        "from,rate",
        *(f"{day.isoformat()},{rate}" for day, rate in [*earlier, *fresh.entries]),
    ]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target, load_rate_table(target, name=name)


_DATE_COLUMNS = ("DATE", "TIME_PERIOD", "TIME PERIOD", "from")
_RATE_COLUMNS = ("OBS_VALUE", "rate")


def read_ecb_csv(
    path: str | Path,
    *,
    name: str = "ecb-mro",
    known_until: date | None = None,
    encoding: str = "utf-8",
) -> RateTable:
    """Read a rate series downloaded from the ECB as a :class:`RateTable`.

    Takes the CSV of the ECB Data Portal (columns ``DATE``, ``TIME PERIOD``
    and the series, e.g. ``... (FM.B.U2.EUR.4F.KR.MRR_FR.LEV)``), the SDMX
    CSV of its web service (``TIME_PERIOD``, ``OBS_VALUE``) or this library's
    own ``from,rate`` layout. Rows repeating the previous rate (a daily
    series) are folded into the date the rate changed. ``known_until`` is the
    date up to which the download is complete (by default its last date; the
    command line takes the file's date); a rate after it is refused.
    ``encoding`` is the file's text encoding (UTF-8, with or without BOM, by
    default).
    """
    from ecomrules.inputs.table import check_encoding, not_decodable

    file = Path(path)
    codec = check_encoding(encoding)
    try:
        data = file.read_bytes()
        text = data.decode("utf-8-sig" if codec == "utf-8" else codec)
    except OSError as exc:
        raise ConfigError(
            str(file), [ConfigProblem(str(file), f"cannot read: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError as exc:
        problem = not_decodable(file.name, data, exc, encoding)
        raise ConfigError(str(file), [ConfigProblem(*problem.split(": ", 1))]) from None
    rows = [row for row in csv.reader(io.StringIO(text)) if row and not row[0].startswith("#")]
    if not rows:
        raise ConfigError(str(file), [ConfigProblem(str(file), "the file is empty")])
    header = [cell.strip() for cell in rows[0]]
    day_at = next((header.index(c) for c in _DATE_COLUMNS if c in header), None)
    rate_at = next((header.index(c) for c in _RATE_COLUMNS if c in header), None)
    if rate_at is None and day_at is not None and len(header) == day_at + 3:
        rate_at = len(header) - 1  # the data portal: DATE, TIME PERIOD, the series
    if day_at is None or rate_at is None:
        raise ConfigError(
            str(file),
            [
                ConfigProblem(
                    f"{file}:1",
                    "not a rate series: expected the ECB Data Portal's DATE and series "
                    "columns, the SDMX TIME_PERIOD and OBS_VALUE, or from,rate",
                )
            ],
        )
    problems: list[ConfigProblem] = []
    entries: list[tuple[date, Decimal]] = []
    for number, row in enumerate(rows[1:], start=2):
        try:
            day = date.fromisoformat(row[day_at].strip())
            cell = row[rate_at].strip()
        except (ValueError, IndexError):
            problems.append(ConfigProblem(f"{file}:{number}", f"no date in column {day_at + 1}"))
            continue
        if cell in {"", "NaN", "-"}:
            continue  # no observation that day
        try:
            rate = Decimal(cell)
            if not rate.is_finite() or not -10 <= rate <= 50:
                raise ValueError
        except (ValueError, ArithmeticError):
            problems.append(ConfigProblem(f"{file}:{number}", f"{cell!r} is not a rate in percent"))
            continue
        entries.append((day, rate))
    if not entries and not problems:
        problems.append(ConfigProblem(str(file), "the file has no rates"))
    if problems:
        raise ConfigError(str(file), problems)
    entries.sort()
    folded: list[tuple[date, Decimal]] = []
    for day, rate in entries:
        if folded and folded[-1][0] == day:
            if folded[-1][1] != rate:
                raise ConfigError(str(file), [ConfigProblem(str(file), f"two rates on {day}")])
            continue
        if not folded or folded[-1][1] != rate:
            folded.append((day, rate))
    last = entries[-1][0]
    if known_until is not None and known_until < last:
        raise ConfigError(
            str(file),
            [
                ConfigProblem(
                    str(file),
                    f"has a rate on {last}, after the day it is said to be known until "
                    f"({known_until})",
                )
            ],
        )
    return RateTable(name, folded, source=file.name, known_until=known_until or last)
