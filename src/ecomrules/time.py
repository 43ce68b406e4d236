"""Business dates and calendars.

Instants are timezone-aware :class:`~datetime.datetime` values; a business date
is derived from an instant with an explicit zone (:func:`business_date`).
Business-day arithmetic runs over a :class:`BusinessCalendar` built from the
``holidays`` package for a country (and subdivision), plus extra closed days and
weekly closing days. Calendars are values passed in, never global state.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from attrs import field, frozen

__all__ = [
    "BusinessCalendar",
    "business_date",
    "end_of_month",
    "require_aware",
    "zone",
]

_ONE_DAY = timedelta(days=1)
_WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())


def zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name`` (``Europe/Paris``); raise ``ValueError`` if unknown."""
    try:
        return ZoneInfo(name)
    except (
        KeyError,
        ValueError,
        OSError,
    ) as exc:  # not found is a KeyError; a too long name OSError
        raise ValueError(f"unknown time zone {name!r}") from exc


def require_aware(instant: datetime, what: str = "instant") -> datetime:
    """Return ``instant`` if it carries a time zone, else raise ``ValueError``."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} {instant.isoformat()} has no time zone")
    return instant


def business_date(instant: datetime, tz: ZoneInfo | str) -> date:
    """Return the calendar date of an aware ``instant`` as seen in zone ``tz``."""
    tzinfo = zone(tz) if isinstance(tz, str) else tz
    return require_aware(instant).astimezone(tzinfo).date()


def end_of_month(day: date) -> date:
    """Return the last day of ``day``'s month."""
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])


def _frozen_days(days: Iterable[date]) -> frozenset[date]:
    return frozenset(days)


def _frozen_weekdays(days: Iterable[int]) -> frozenset[int]:
    result = frozenset(days)
    if not result <= set(range(7)):
        raise ValueError("weekly closing days are weekday numbers 0 (Monday) to 6 (Sunday)")
    if len(result) == 7:
        raise ValueError("a calendar closed on every weekday has no business day")
    return result


@frozen
class BusinessCalendar:
    """Which days are business days: not a weekly closing day, not a holiday, not closed.

    ``country`` and ``subdivision`` select public holidays from the ``holidays``
    package (``BusinessCalendar(country="FR")``); ``closed`` adds single closed
    days; ``weekly_closed`` the weekdays when nobody works (Saturday and Sunday
    by default, Monday is 0).
    """

    country: str | None = None
    subdivision: str | None = None
    closed: frozenset[date] = field(factory=frozenset, converter=_frozen_days)
    weekly_closed: frozenset[int] = field(default=_WEEKEND, converter=_frozen_weekdays)
    _holidays: dict[int, dict[date, str]] = field(
        factory=dict, init=False, repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if self.subdivision is not None and self.country is None:
            raise ValueError("a subdivision needs a country")
        if self.country is not None:
            self._table(())  # an unknown country or subdivision fails here, not later

    def _table(self, years: int | tuple[int, ...]) -> Any:
        import holidays

        if self.country is None:
            raise ValueError("this calendar has no country")
        try:
            return holidays.country_holidays(self.country, subdiv=self.subdivision, years=years)
        except NotImplementedError as exc:
            where = f"country {self.country!r}"
            if self.subdivision:
                where += f" subdivision {self.subdivision!r}"
            raise ValueError(f"no public holiday table for {where}") from exc

    def _year(self, year: int) -> dict[date, str]:
        cached = self._holidays.get(year)
        if cached is None:
            cached = {day: str(name) for day, name in self._table(year).items()}
            self._holidays[year] = cached
        return cached

    def holiday_name(self, day: date) -> str | None:
        """Return the public holiday's name on ``day``, or None."""
        if self.country is None:
            return None
        return self._year(day.year).get(day)

    def is_business_day(self, day: date) -> bool:
        """Return True when ``day`` is open for business."""
        if day.weekday() in self.weekly_closed or day in self.closed:
            return False
        return self.country is None or day not in self._year(day.year)

    def next_business_day(self, day: date) -> date:
        """Return ``day`` if it is a business day, else the first one after it."""
        while not self.is_business_day(day):
            day += _ONE_DAY
        return day

    def previous_business_day(self, day: date) -> date:
        """Return ``day`` if it is a business day, else the last one before it."""
        while not self.is_business_day(day):
            day -= _ONE_DAY
        return day

    def add_business_days(self, day: date, count: int) -> date:
        """Move ``count`` business days from ``day`` (backwards when negative).

        ``day`` itself need not be a business day; ``count=0`` returns the
        nearest business day on or after it (on or before when moving back is
        meant, use :meth:`previous_business_day`).
        """
        if count == 0:
            return self.next_business_day(day)
        step = _ONE_DAY if count > 0 else -_ONE_DAY
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Count business days in the half-open interval ``(start, end]``; negative if reversed."""
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += _ONE_DAY
            if self.is_business_day(day):
                count += 1
        return count
