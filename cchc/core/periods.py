"""Reporting periods (kỳ báo cáo).

Convention of NĐ 09/2019/NĐ-CP for periodic reports: figures are closed on the 14th, so

* the month of M = 15th of the previous month to the 14th of M
  (month of January 2024 = 15/12/2023–14/01/2024; of March 2024 = 15/02/2024–14/03/2024,
  which holds 29/02/2024);
* Q1 = 15/12 (previous year)–14/03, Q2 = 15/03–14/06, Q3 = 15/06–14/09, Q4 = 15/09–14/12;
* 6 months = 15/12–14/06; 9 months = 15/12–14/09; the year = 15/12 (previous year)–14/12.

The 766 portal uses calendar months, so calendar periods exist too, and any range.
Both ends are inclusive whole days.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodError(ValueError):
    """An impossible period (end before start, unknown preset, bad month)."""


@dataclass(frozen=True)
class Period:
    """An inclusive range of days with its report label."""

    start: date
    end: date
    label: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(
                f"kỳ báo cáo kết thúc ({self.end:%d/%m/%Y}) trước khi bắt đầu "
                f"({self.start:%d/%m/%Y})"
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise PeriodError(f"tháng không hợp lệ: {month}")


def _report_month_start(year: int, month: int) -> date:
    """15th of the month before ``month`` of ``year``."""
    if month == 1:
        return date(year - 1, 12, 15)
    return date(year, month - 1, 15)


def month(year: int, month_no: int) -> Period:
    """Report month: 15th of the previous month to the 14th."""
    _check_month(month_no)
    return Period(
        _report_month_start(year, month_no),
        date(year, month_no, 14),
        f"Tháng {month_no}/{year}",
    )


def quarter(year: int, quarter_no: int) -> Period:
    """Report quarter: Q1 = 15/12 (previous year)–14/03, …, Q4 = 15/09–14/12."""
    if quarter_no not in ROMAN:
        raise PeriodError(f"quý không hợp lệ: {quarter_no}")
    last = quarter_no * 3
    return Period(
        _report_month_start(year, last - 2),
        date(year, last, 14),
        f"Quý {ROMAN[quarter_no]}/{year}",
    )


def six_months(year: int) -> Period:
    return Period(date(year - 1, 12, 15), date(year, 6, 14), f"6 tháng đầu năm {year}")


def nine_months(year: int) -> Period:
    return Period(date(year - 1, 12, 15), date(year, 9, 14), f"9 tháng năm {year}")


def second_half(year: int) -> Period:
    return Period(date(year, 6, 15), date(year, 12, 14), f"6 tháng cuối năm {year}")


def year_period(year: int) -> Period:
    """Report year: 15/12 of the previous year to 14/12."""
    return Period(date(year - 1, 12, 15), date(year, 12, 14), f"Năm {year}")


def calendar_month(year: int, month_no: int) -> Period:
    _check_month(month_no)
    last = calendar.monthrange(year, month_no)[1]
    return Period(
        date(year, month_no, 1),
        date(year, month_no, last),
        f"Tháng {month_no}/{year} (dương lịch)",
    )


def calendar_quarter(year: int, quarter_no: int) -> Period:
    if quarter_no not in ROMAN:
        raise PeriodError(f"quý không hợp lệ: {quarter_no}")
    first = date(year, quarter_no * 3 - 2, 1)
    last_month = quarter_no * 3
    last = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Period(first, last, f"Quý {ROMAN[quarter_no]}/{year} (dương lịch)")


def calendar_year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), f"Năm {year} (dương lịch)")


def custom(start: date, end: date) -> Period:
    return Period(start, end, f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}")


PRESETS = (
    "month",
    "quarter",
    "6_months",
    "9_months",
    "second_half",
    "year",
    "calendar_month",
    "calendar_quarter",
    "calendar_year",
)


def preset(name: str, year: int, number: int | None = None) -> Period:
    """Named preset: ``preset("quarter", 2024, 1)``, ``preset("year", 2024)``.

    ``number`` is the month (1–12) or quarter (1–4) where the preset needs one.
    """
    numbered = {
        "month": month,
        "quarter": quarter,
        "calendar_month": calendar_month,
        "calendar_quarter": calendar_quarter,
    }
    plain = {
        "6_months": six_months,
        "9_months": nine_months,
        "second_half": second_half,
        "year": year_period,
        "calendar_year": calendar_year,
    }
    if name in numbered:
        if number is None:
            raise PeriodError(f"kỳ {name!r} cần số tháng hoặc quý")
        return numbered[name](year, number)
    if name in plain:
        return plain[name](year)
    raise PeriodError(f"không có kỳ báo cáo {name!r}; có: {', '.join(PRESETS)}")


def month_starts(start: date, end: date) -> list[date]:
    """First days of the calendar months touching ``start``..``end``."""
    first = date(start.year, start.month, 1)
    out: list[date] = []
    while first <= end:
        out.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return out
