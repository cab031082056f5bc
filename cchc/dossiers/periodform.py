"""Report periods and units from request or command-line parameters."""

from __future__ import annotations

from datetime import date
from typing import Any

from cchc.core.dates import DateError, parse_date
from cchc.core.periods import PRESETS, Period, PeriodError, custom, preset
from cchc.units.models import Unit
from cchc.units.services import UnitResolutionError, resolve_unit

NUMBERED = ("month", "quarter", "calendar_month", "calendar_quarter")
PRESET_LABELS = {
    "month": "Tháng (15 tháng trước – 14)",
    "quarter": "Quý (15 – 14)",
    "6_months": "6 tháng (15/12 – 14/6)",
    "9_months": "9 tháng (15/12 – 14/9)",
    "second_half": "6 tháng cuối năm",
    "year": "Năm (15/12 – 14/12)",
    "calendar_month": "Tháng dương lịch",
    "calendar_quarter": "Quý dương lịch",
    "calendar_year": "Năm dương lịch",
    "custom": "Khoảng ngày tùy chọn",
}


class ParamError(ValueError):
    """A bad parameter; the message is Vietnamese and names it."""


def period_from(
    preset_name: str | None,
    year: Any = None,
    number: Any = None,
    start: Any = None,
    end: Any = None,
    *,
    today: date | None = None,
) -> Period:
    """``--from/--to`` (any range) or a named preset with its year and number."""
    today = today or date.today()
    name = (preset_name or "").strip()
    if (start or end) and name in ("", "custom"):
        try:
            first, last = parse_date(start), parse_date(end)
        except DateError as exc:
            raise ParamError(f"Ngày không hợp lệ (từ ngày / đến ngày): {exc}") from exc
        try:
            return custom(first, last)
        except PeriodError as exc:
            raise ParamError(str(exc)) from exc
    name = name or "year"
    if name not in PRESETS:
        raise ParamError(f"Không có kỳ báo cáo “{name}”; có: {', '.join(PRESETS)}, custom")
    try:
        y = int(year) if year not in (None, "") else today.year
        n = int(number) if number not in (None, "") else None
    except ValueError as exc:
        raise ParamError("Năm hoặc số tháng/quý không phải số") from exc
    if name in NUMBERED and n is None:
        n = today.month if "month" in name else (today.month - 1) // 3 + 1
    try:
        return preset(name, y, n)
    except (PeriodError, ValueError) as exc:
        raise ParamError(str(exc)) from exc


def unit_from(text: str, period: Period) -> Unit:
    try:
        return resolve_unit(text, as_of=period.end)
    except UnitResolutionError as exc:
        raise ParamError(str(exc)) from exc
