"""Vietnamese date formatting and parsing (dd/mm/yyyy)."""

from __future__ import annotations

import re
from datetime import date, datetime


class DateError(ValueError):
    """A value that is not a date in an accepted notation."""


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def format_date(value: date | datetime | None) -> str:
    """``date(2024, 2, 5)`` → ``05/02/2024``."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%H:%M %d/%m/%Y")


def parse_date(raw: object) -> date:
    """Accept a date, ``dd/mm/yyyy`` (also with ``.`` or ``-``) or ISO ``yyyy-mm-dd``."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
    match = _DMY.match(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        match = _ISO.match(text)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise DateError(f"ngày không tồn tại: {text!r}") from exc
    raise DateError(f"không phải ngày dạng dd/mm/yyyy: {text!r}")


def long_date_vi(place: str, value: date) -> str:
    """Place and date line of an official document (NĐ 30/2020).

    Days below 10 and months 1–2 take a leading zero:
    ``Bạch Thông, ngày 05 tháng 02 năm 2024``.
    """
    day = f"{value.day:02d}"
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"{place}, ngày {day} tháng {month} năm {value.year}"
