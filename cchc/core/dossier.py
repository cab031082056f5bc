"""The canonical dossier record (hồ sơ TTHC) and its classification for a report period.

The same classification exists once more, in SQL, in ``cchc.analytics.sql``; a property
test (tests/analytics/test_classify_agreement.py) asserts both agree row by row. Change
both or neither. Definitions (docs/DOSSIERS.md §2 has them with test vectors):

* Times are local (Asia/Ho_Chi_Minh) and naive. A value given without a time is *date
  only* (``due_date_only`` / ``finished_date_only``).
* Effective due = ``due_at`` (date only: the end of that day, 23:59:59.999999)
  + ``supplement_days`` calendar days (decimal, the applicant held the dossier), unless
  ``Options.supplement_extends_due`` is off (the vendor already extended ``due_at``).
* Late ⇔ finished after the effective due. A date-only finish is taken at 00:00, so a
  date-only value on either side compares by day: due 20/09 17:00, finished 20/09
  17:30 → late; due 20/09 (date only), finished 20/09 17:30 → on time.
  With ``Options.multiple_supplements_late`` (default), a finished dossier with more than
  one supplement request is late whatever its dates.
* Early ⇔ not late and finished on an earlier calendar day than the effective due date;
  on time ⇔ neither early nor late (same day, no later than the due time).
* Scope for a period [S, E] (whole days): received on or before E and not finished
  before S. Received on or after S = new (by channel); before S = carried over.
* Closed in the period (finished date ≤ E): ``finished`` → resolved (early / on time /
  late, late with or without an apology letter); ``rejected`` / ``withdrawn`` → apart,
  unless ``Options.count_rejected_as_resolved``. Otherwise in progress, judged at the
  period end: overdue ⇔ the effective due date is on or before E.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from cchc.core.numbers import NumberError, parse_decimal
from cchc.core.periods import Period

CHANNELS = ("direct", "online_full", "online_partial", "postal")
STATUSES = ("in_progress", "finished", "rejected", "withdrawn")
LEGACY_CUTOVER = date(2025, 7, 1)
END_OF_DAY = timedelta(days=1) - timedelta(microseconds=1)
EXCEL_EPOCH = datetime(1899, 12, 30)

Channel = Literal["direct", "online_full", "online_partial", "postal"]
Status = Literal["in_progress", "finished", "rejected", "withdrawn"]
Outcome = Literal[
    "early", "on_time", "late", "pending_within", "pending_overdue", "rejected", "withdrawn"
]


class ValueParseError(ValueError):
    """A field value that cannot be read; the message is Vietnamese."""


@dataclass(frozen=True)
class Dossier:
    """One dossier in the canonical format; key = (source_system, dossier_code)."""

    source_system: str
    dossier_code: str
    unit_code: str
    channel: Channel
    received_at: datetime
    due_at: datetime
    status: Status = "in_progress"
    procedure_code: str = ""
    sector: str = ""
    due_date_only: bool = False
    original_due_at: datetime | None = None
    finished_at: datetime | None = None
    finished_date_only: bool = False
    returned_at: datetime | None = None
    returned_by_post: bool = False
    supplement_requests: int = 0
    supplement_days: Decimal = Decimal(0)
    e_result: bool = False
    digitized: bool = False
    paid_online: bool = False
    apology_issued: bool = False
    outside_boundary: bool = False
    complaint: bool = False

    @property
    def unit_key(self) -> str:
        """The unit key by received date: ``CODE@legacy`` before 1/7/2025, else ``CODE@2025``."""
        return unit_key(self.unit_code, self.received_at.date())


def unit_key(code: str, received: date) -> str:
    return f"{code}@legacy" if received < LEGACY_CUTOVER else f"{code}@2025"


@dataclass(frozen=True)
class Options:
    """Named choices a province makes; the defaults follow QĐ 766 and OpenCPS."""

    supplement_extends_due: bool = True
    multiple_supplements_late: bool = True
    count_rejected_as_resolved: bool = False
    on_time_rate_mode: Literal["resolved", "gia_lai"] = "resolved"


@dataclass(frozen=True)
class Classification:
    """Where one dossier falls in a period's table; ``scope`` None = not in the table."""

    scope: Literal["new", "carried_over"] | None
    outcome: Outcome | None = None
    late_with_apology: bool = False
    returned_by_post: bool = False


# --- time arithmetic shared by classify() and its SQL twin ---------------------------


def supplement_delta(days: Decimal) -> timedelta:
    """Calendar days (decimal, at most 3 places) as an exact timedelta (0,001 day = 86,4 s)."""
    micro = (days * 86_400_000_000).to_integral_value(rounding=ROUND_HALF_UP)
    return timedelta(microseconds=int(micro))


def effective_due(dossier: Dossier, options: Options) -> datetime:
    due = dossier.due_at + END_OF_DAY if dossier.due_date_only else dossier.due_at
    if options.supplement_extends_due:
        due += supplement_delta(dossier.supplement_days)
    return due


def classify(dossier: Dossier, period: Period, options: Options | None = None) -> Classification:
    """Classify one dossier for ``period`` (see the module docstring)."""
    opts = options or Options()
    received = dossier.received_at.date()
    finished = dossier.finished_at.date() if dossier.finished_at is not None else None
    if received > period.end or (finished is not None and finished < period.start):
        return Classification(scope=None)
    scope: Literal["new", "carried_over"] = "new" if received >= period.start else "carried_over"
    due = effective_due(dossier, opts)
    if dossier.finished_at is not None and finished is not None and finished <= period.end:
        resolved = dossier.status == "finished" or (
            opts.count_rejected_as_resolved and dossier.status in ("rejected", "withdrawn")
        )
        if not resolved:
            outcome: Outcome = "withdrawn" if dossier.status == "withdrawn" else "rejected"
            return Classification(scope=scope, outcome=outcome)
        late = dossier.finished_at > due or (
            opts.multiple_supplements_late
            and dossier.status == "finished"
            and dossier.supplement_requests > 1
        )
        if late:
            outcome = "late"
        elif finished < due.date():
            outcome = "early"
        else:
            outcome = "on_time"
        return Classification(
            scope=scope,
            outcome=outcome,
            late_with_apology=late and dossier.apology_issued,
            returned_by_post=dossier.returned_by_post,
        )
    overdue = due.date() <= period.end
    return Classification(scope=scope, outcome="pending_overdue" if overdue else "pending_within")


# --- value parsing (the SQL import parses the same notations) ------------------------

_ISO_DT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$"
)
_DMY_DT = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_SERIAL = re.compile(r"^\d+(\.\d+)?$")


def parse_datetime_value(raw: object) -> tuple[datetime, bool] | None:
    """Read a local time; return ``(value, date_only)`` or None for a blank.

    Accepts ISO ``yyyy-mm-dd[ HH:MM[:SS]]``, ``d/m/yyyy [HH:MM[:SS]]``, an Excel serial
    (days since 30/12/1899, a fraction = the time, rounded to the second), ``date`` and
    ``datetime`` objects.
    """
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.replace(tzinfo=None), False
    if isinstance(raw, date):
        return datetime.combine(raw, time()), True
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return _from_serial(Decimal(str(raw)), str(raw))
    text = str(raw).strip()
    if not text:
        return None
    try:
        match = _ISO_DT.match(text)
        if match:
            y, mo, d = int(match[1]), int(match[2]), int(match[3])
            if match[4] is None:
                return datetime(y, mo, d), True
            frac = int((match[7] or "0").ljust(6, "0"))
            return datetime(y, mo, d, int(match[4]), int(match[5]), int(match[6] or 0), frac), False
        match = _DMY_DT.match(text)
        if match:
            d, mo, y = int(match[1]), int(match[2]), int(match[3])
            if match[4] is None:
                return datetime(y, mo, d), True
            return datetime(y, mo, d, int(match[4]), int(match[5]), int(match[6] or 0)), False
    except ValueError as exc:
        raise ValueParseError(f"ngày giờ không tồn tại: {text!r}") from exc
    if _SERIAL.match(text):
        return _from_serial(Decimal(text), text)
    raise ValueParseError(f"không phải ngày giờ (yyyy-mm-dd, d/m/yyyy hoặc số Excel): {text!r}")


def _from_serial(days: Decimal, text: str) -> tuple[datetime, bool]:
    if days < 1:
        raise ValueParseError(f"số ngày Excel không hợp lệ: {text!r}")
    seconds = int((days * 86400).to_integral_value(rounding=ROUND_HALF_UP))
    return EXCEL_EPOCH + timedelta(seconds=seconds), days == days.to_integral_value()


_TRUE = {"true", "1", "có", "co", "x", "yes"}
_FALSE = {"false", "0", "không", "khong", "no", ""}


def parse_bool(raw: object) -> bool:
    """true/false/1/0/có/không/x/blank (blank = false)."""
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    text = unicodedata.normalize("NFC", str(raw)).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueParseError(f"không phải giá trị có/không: {raw!r}")


def _fold(text: str) -> str:
    """Lower case, NFC, single spaces: the form enums are matched in."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


_CHANNEL_ALIASES = {
    "mức độ 4": "online_full",
    "muc do 4": "online_full",
    "mức độ 3": "online_partial",
    "muc do 3": "online_partial",
}


def parse_channel(raw: object) -> Channel:
    """A canonical channel, or the old service levels: "mức độ 4" → online_full, "3" → partial."""
    text = _fold(str(raw or ""))
    value = _CHANNEL_ALIASES.get(text, text)
    for channel in CHANNELS:
        if value == channel:
            return channel  # type: ignore[return-value]
    raise ValueParseError(f"kênh tiếp nhận không hợp lệ: {raw!r} (có: {', '.join(CHANNELS)})")


def parse_status(raw: object) -> Status:
    text = _fold(str(raw or ""))
    for status in STATUSES:
        if text == status:
            return status  # type: ignore[return-value]
    raise ValueParseError(f"trạng thái không hợp lệ: {raw!r} (có: {', '.join(STATUSES)})")


def parse_supplement_days(raw: object) -> Decimal:
    """Calendar days, decimal with at most 3 places (blank = 0)."""
    if raw is None or str(raw).strip() == "":
        return Decimal(0)
    try:
        value = parse_decimal(raw)
    except NumberError as exc:
        raise ValueParseError(f"số ngày bổ sung không hợp lệ: {raw!r}") from exc
    exponent = value.normalize().as_tuple().exponent
    if value < 0 or (isinstance(exponent, int) and exponent < -3):
        raise ValueParseError(f"số ngày bổ sung phải ≥ 0 và tối đa 3 chữ số thập phân: {raw!r}")
    return value


def parse_count(raw: object) -> int:
    if raw is None or str(raw).strip() == "":
        return 0
    text = str(raw).strip()
    if not text.isdigit():
        raise ValueParseError(f"số lần bổ sung không hợp lệ: {raw!r}")
    return int(text)
