"""Rate tables and simple interest."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.dunning import (
    DayCount,
    RateReference,
    RateTable,
    builtin_rate_table,
    interest_factor,
    load_rate_table,
)
from ecomrules.errors import ConfigError


def test_ecb_main_refinancing_rate_history() -> None:
    ecb = builtin_rate_table("ecb-mro")
    assert ecb.rate_on(date(2016, 3, 16)) == Decimal("0.00")
    assert ecb.rate_on(date(2023, 9, 20)) == Decimal("4.50")
    assert ecb.rate_on(date(2024, 1, 1)) == Decimal("4.50")
    assert ecb.rate_on(date(2024, 7, 1)) == Decimal("4.25")
    assert ecb.rate_on(date(2025, 1, 1)) == Decimal("3.15")
    assert ecb.rate_on(date(2025, 7, 1)) == Decimal("2.15")
    assert "ecb.europa.eu" in ecb.source
    with pytest.raises(ValueError, match="no rate"):
        ecb.rate_on(date(2008, 1, 1))


def test_french_legal_rate_for_consumers() -> None:
    legal = builtin_rate_table("fr-legal-consumer")
    assert legal.rate_on(date(2024, 3, 1)) == Decimal("8.01")
    assert legal.rate_on(date(2026, 6, 30)) == Decimal("6.67")
    assert legal.covers(date(2026, 6, 30))
    assert not legal.covers(date(2026, 7, 1))


def test_semester_reference_takes_the_rate_of_the_first_day_of_the_half_year() -> None:
    table = RateTable("t", [(date(2024, 1, 1), Decimal(4)), (date(2024, 3, 1), Decimal(6))])
    factor = interest_factor(
        table,
        date(2024, 2, 1),
        date(2024, 3, 31),
        margin=Decimal(10),
        reference=RateReference.SEMESTER,
        day_count=DayCount.ACTUAL_365,
    )
    assert factor == Decimal(14) * 60 / 100 / 365
    daily = interest_factor(
        table,
        date(2024, 2, 1),
        date(2024, 3, 31),
        margin=Decimal(0),
        reference=RateReference.DAILY,
        day_count=DayCount.ACTUAL_360,
    )
    assert daily == (Decimal(4) * 29 + Decimal(6) * 31) / 100 / 360


def test_an_empty_period_earns_nothing() -> None:
    table = RateTable("t", [(date(2024, 1, 1), Decimal(4))])
    assert (
        interest_factor(
            table,
            date(2024, 2, 2),
            date(2024, 2, 1),
            margin=Decimal(0),
            reference=RateReference.DAILY,
            day_count=DayCount.ACTUAL_365,
        )
        == 0
    )


def test_a_bad_rate_file_reports_each_row(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("# known_until: soon\nfrom,rate\n2024-01-01,4\n2024-13-01,5\n2024-02-01,x\n")
    with pytest.raises(ConfigError) as caught:
        load_rate_table(path)
    assert [p.path for p in caught.value.problems] == [
        f"{path}:4",
        f"{path}:5",
        f"{path}:known_until",
    ]
    path.write_text("day,percent\n")
    with pytest.raises(ConfigError, match="from,rate"):
        load_rate_table(path)


@settings(max_examples=80, deadline=None)
@given(
    st.dates(date(2009, 1, 1), date(2026, 6, 1)),
    st.integers(0, 400),
    st.integers(0, 400),
    st.sampled_from(list(RateReference)),
)
def test_interest_is_additive_over_a_split_period(
    first: date, split: int, rest: int, reference: RateReference
) -> None:
    ecb = builtin_rate_table("ecb-mro")
    middle = first + timedelta(days=split)
    last = middle + timedelta(days=rest)

    def factor(a: date, b: date) -> Decimal:
        return interest_factor(
            ecb, a, b, margin=Decimal(10), reference=reference, day_count=DayCount.ACTUAL_365
        )

    whole = factor(first, last)
    parts = factor(first, middle) + factor(middle + timedelta(days=1), last)
    assert abs(whole - parts) < Decimal("1e-20")
    assert whole >= Decimal(10) * ((last - first).days + 1) / 100 / 365  # margin is a floor
