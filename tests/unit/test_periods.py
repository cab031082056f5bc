"""Reporting periods (NĐ 09/2019 convention), with leap-year vectors."""

from __future__ import annotations

from datetime import date

import pytest

from cchc.core import periods
from cchc.core.periods import Period, PeriodError


def test_report_month_runs_15th_to_14th() -> None:
    assert periods.month(2024, 3) == Period(date(2024, 2, 15), date(2024, 3, 14), "Tháng 3/2024")
    assert periods.month(2024, 3).days == 29  # holds 29/02/2024
    assert date(2024, 2, 29) in periods.month(2024, 3)
    assert periods.month(2023, 3).days == 28
    assert periods.month(2024, 1).start == date(2023, 12, 15)


def test_quarters_halves_and_year() -> None:
    assert (periods.quarter(2024, 1).start, periods.quarter(2024, 1).end) == (
        date(2023, 12, 15),
        date(2024, 3, 14),
    )
    assert periods.quarter(2024, 1).days == 91  # leap year
    assert periods.quarter(2023, 1).days == 90
    assert (periods.quarter(2024, 2).start, periods.quarter(2024, 2).end) == (
        date(2024, 3, 15),
        date(2024, 6, 14),
    )
    assert periods.quarter(2024, 4).end == date(2024, 12, 14)
    assert periods.six_months(2024) == Period(
        date(2023, 12, 15), date(2024, 6, 14), "6 tháng đầu năm 2024"
    )
    assert periods.nine_months(2022).end == date(2022, 9, 14)
    assert periods.year_period(2024).days == 366
    assert periods.year_period(2023).days == 365
    assert periods.quarter(2024, 3).label == "Quý III/2024"


def test_calendar_periods_and_presets() -> None:
    assert periods.calendar_month(2024, 2).end == date(2024, 2, 29)
    assert periods.calendar_month(2023, 2).end == date(2023, 2, 28)
    assert periods.preset("calendar_quarter", 2024, 1).days == 91
    assert periods.preset("year", 2025) == periods.year_period(2025)
    assert periods.preset("month", 2024, 12).start == date(2024, 11, 15)
    assert periods.custom(date(2021, 12, 15), date(2022, 9, 19)).label == (
        "Từ 15/12/2021 đến 19/09/2022"
    )


def test_bad_periods() -> None:
    with pytest.raises(PeriodError):
        periods.month(2024, 13)
    with pytest.raises(PeriodError):
        periods.preset("quarter", 2024)
    with pytest.raises(PeriodError):
        periods.preset("fortnight", 2024)
    with pytest.raises(PeriodError):
        Period(date(2024, 2, 1), date(2024, 1, 31), "x")


def test_month_starts() -> None:
    assert periods.month_starts(date(2023, 12, 15), date(2024, 2, 14)) == [
        date(2023, 12, 1),
        date(2024, 1, 1),
        date(2024, 2, 1),
    ]
