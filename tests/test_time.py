"""Business calendars and business dates, on pinned tzdata."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomrules.time import BusinessCalendar, business_date, end_of_month, require_aware, zone

FR = BusinessCalendar(country="FR")


def test_french_holidays_and_weekends() -> None:
    assert not FR.is_business_day(date(2026, 7, 14))  # Bastille Day, a Tuesday
    assert not FR.is_business_day(date(2026, 11, 21))  # a Saturday
    assert FR.is_business_day(date(2026, 11, 20))
    assert FR.holiday_name(date(2026, 12, 25)) is not None
    assert FR.holiday_name(date(2026, 12, 24)) is None


def test_subdivision_adds_its_own_holidays() -> None:
    alsace = BusinessCalendar(country="FR", subdivision="6AE")
    assert FR.is_business_day(date(2026, 12, 26)) is False  # Saturday anyway
    assert alsace.is_business_day(date(2026, 4, 3)) is False  # Good Friday in Alsace
    assert FR.is_business_day(date(2026, 4, 3)) is True


def test_extra_closed_days_and_weekly_closing() -> None:
    shop = BusinessCalendar(closed={date(2026, 11, 23)}, weekly_closed={0, 6})
    assert not shop.is_business_day(date(2026, 11, 23))
    assert shop.is_business_day(date(2026, 11, 21))  # open on Saturdays
    assert shop.next_business_day(date(2026, 11, 22)) == date(2026, 11, 24)
    assert shop.next_business_day(date(2026, 11, 29)) == date(2026, 12, 1)


def test_business_day_arithmetic_over_christmas() -> None:
    assert FR.add_business_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    assert FR.add_business_days(date(2026, 12, 28), -1) == date(2026, 12, 24)
    assert FR.add_business_days(date(2026, 12, 26), 0) == date(2026, 12, 28)
    assert FR.previous_business_day(date(2026, 12, 27)) == date(2026, 12, 24)
    assert FR.business_days_between(date(2026, 12, 24), date(2026, 12, 31)) == 4
    assert FR.business_days_between(date(2026, 12, 31), date(2026, 12, 24)) == -4


def test_bad_calendars_are_refused() -> None:
    with pytest.raises(ValueError, match="no public holiday table"):
        BusinessCalendar(country="XX")
    with pytest.raises(ValueError, match="needs a country"):
        BusinessCalendar(subdivision="6AE")
    with pytest.raises(ValueError, match="every weekday"):
        BusinessCalendar(weekly_closed=set(range(7)))


def test_business_date_depends_on_the_zone() -> None:
    instant = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert business_date(instant, "Europe/Paris") == date(2026, 3, 29)
    assert business_date(instant, "America/New_York") == date(2026, 3, 28)
    with pytest.raises(ValueError, match="no time zone"):
        business_date(datetime(2026, 3, 28), "Europe/Paris")


def test_dst_change_is_read_from_tzdata() -> None:
    paris = zone("Europe/Paris")
    before = datetime(2026, 3, 29, 1, 59, tzinfo=paris)
    after = (before.astimezone(UTC) + timedelta(minutes=1)).astimezone(paris)
    assert after.hour == 3  # 02:00 does not exist on the last Sunday of March
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Europe/Atlantis")
    assert require_aware(before) is before


def test_end_of_month() -> None:
    assert end_of_month(date(2028, 2, 3)) == date(2028, 2, 29)
    assert end_of_month(date(2026, 12, 31)) == date(2026, 12, 31)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(-40, 40))
def test_adding_business_days_lands_on_a_business_day_and_counts_back(
    start: date, count: int
) -> None:
    end = FR.add_business_days(start, count)
    assert FR.is_business_day(end)
    if count > 0:
        assert FR.business_days_between(start, end) == count
