"""Plans, their tasks and periodic reports: the counting rules (pure).

The rules the index sets score (DOMAIN §3.1) and how the product counts them; the same
text is in docs/PLANS.md.

Plan issued on time
    A plan issued (signed) on or before its due date is on time, after it late. A plan
    not issued is *missing* once its due date has passed, and *pending* before. Without a
    due date an issued plan is on time.

Completion rate of a plan, as of a date
    - cancelled tasks leave the denominator;
    - a task is done when the plan's owner has accepted it ("nghiệm thu") on or before the
      date; acceptance after the date does not count yet;
    - a done task with a deadline is *done late* when its acceptance came after the
      deadline (it still counts as done for the rate; the late ones are shown apart);
    - an ongoing task ("thường xuyên") counts by its last review: done when the last
      review accepted it, not done otherwise; it is never late;
    - rate = done / (tasks − cancelled) × 100, exact (Decimal); no tasks → no rate.

Periodic reports on time, as of a date
    A report is on time when first submitted on or before its due date, late when after;
    *missing* once the due date has passed with nothing submitted; *pending* before. The
    rate counts the reports that were due by the date (and any submitted earlier):
    on time / counted × 100; nothing due → no rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from cchc.core.dates import DateError, parse_date
from cchc.core.text import search_key, strip_kind

HUNDRED = Decimal(100)


class Timeliness(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"


# Words the timeliness rule of an index set understands (cchc.core.rules).
TIMELINESS_WORDS = {
    Timeliness.ON_TIME: "đúng hạn",
    Timeliness.LATE: "trễ hạn",
    Timeliness.MISSING: "không ban hành",
}
TIMELINESS_LABELS_VI = {
    Timeliness.ON_TIME: "đúng hạn",
    Timeliness.LATE: "trễ hạn",
    Timeliness.MISSING: "chưa có",
    Timeliness.PENDING: "chưa đến hạn",
}


def timeliness(due: date | None, done_on: date | None, as_of: date) -> Timeliness:
    """On time / late / missing / pending for something due on ``due`` and done on ``done_on``.

    Something done after ``as_of`` is treated as not done yet.
    """
    if done_on is not None and done_on <= as_of:
        if due is None or done_on <= due:
            return Timeliness.ON_TIME
        return Timeliness.LATE
    if due is not None and due < as_of:
        return Timeliness.MISSING
    return Timeliness.PENDING


# -- tasks and completion -------------------------------------------------------------


class Outcome(StrEnum):
    DONE = "done"
    DONE_LATE = "done_late"
    AWAITING = "awaiting"  # reported done, waiting for acceptance
    OVERDUE = "overdue"
    OPEN = "open"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class TaskFact:
    """What the counting needs of one task (a follow-up item)."""

    status: str  # cchc.core.followup.Status value
    deadline: date | None = None
    ongoing: bool = False
    accepted_on: date | None = None


def task_outcome(task: TaskFact, as_of: date) -> Outcome:
    if task.status == "cancelled":
        return Outcome.CANCELLED
    if task.status == "accepted" and task.accepted_on is not None and task.accepted_on <= as_of:
        if not task.ongoing and task.deadline is not None and task.accepted_on > task.deadline:
            return Outcome.DONE_LATE
        return Outcome.DONE
    if task.status == "claimed_done":
        return Outcome.AWAITING
    if not task.ongoing and task.deadline is not None and task.deadline < as_of:
        return Outcome.OVERDUE
    return Outcome.OPEN


@dataclass(frozen=True)
class Completion:
    counted: int = 0  # tasks minus cancelled
    done: int = 0  # on time + late
    done_late: int = 0
    awaiting: int = 0
    overdue: int = 0
    open: int = 0
    cancelled: int = 0

    @property
    def rate(self) -> Decimal | None:
        """done / counted × 100, exact; None without tasks."""
        if self.counted == 0:
            return None
        return Decimal(self.done) * HUNDRED / Decimal(self.counted)

    @property
    def fraction(self) -> str:
        return f"{self.done}/{self.counted}"


def completion(tasks: Iterable[TaskFact], as_of: date) -> Completion:
    counts = dict.fromkeys(Outcome, 0)
    for task in tasks:
        counts[task_outcome(task, as_of)] += 1
    done = counts[Outcome.DONE] + counts[Outcome.DONE_LATE]
    return Completion(
        counted=sum(counts.values()) - counts[Outcome.CANCELLED],
        done=done,
        done_late=counts[Outcome.DONE_LATE],
        awaiting=counts[Outcome.AWAITING],
        overdue=counts[Outcome.OVERDUE],
        open=counts[Outcome.OPEN],
        cancelled=counts[Outcome.CANCELLED],
    )


def completion_by(tasks: Iterable[tuple[str, TaskFact]], as_of: date) -> dict[str, Completion]:
    """Completion per key (the lead unit of each task), keys in first-seen order."""
    groups: dict[str, list[TaskFact]] = {}
    for key, task in tasks:
        groups.setdefault(key, []).append(task)
    return {key: completion(facts, as_of) for key, facts in groups.items()}


# -- periodic reports --------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFact:
    due: date
    submitted_on: date | None  # the first submission


def reports_on_time(reports: Iterable[ReportFact], as_of: date) -> tuple[int, int]:
    """(on time, counted) over the reports due by ``as_of`` or already submitted."""
    on_time = counted = 0
    for report in reports:
        status = timeliness(report.due, report.submitted_on, as_of)
        if status is Timeliness.PENDING:
            continue
        counted += 1
        on_time += status is Timeliness.ON_TIME
    return on_time, counted


def rate(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


# -- the task table (STT | Nhiệm vụ | Cơ quan chủ trì | … ) ---------------------------------

COLUMNS = (
    ("stt", "STT"),
    ("title", "Nhiệm vụ"),
    ("lead", "Cơ quan chủ trì"),
    ("coordinating", "Cơ quan phối hợp"),
    ("when", "Thời gian hoàn thành"),
    ("deliverable", "Sản phẩm"),
)
REQUIRED_COLUMNS = ("title", "lead", "when")
_HEADER_WORDS = {
    "stt": "stt",
    "tt": "stt",
    "nhiem vu": "title",
    "noi dung": "title",
    "noi dung nhiem vu": "title",
    "co quan chu tri": "lead",
    "don vi chu tri": "lead",
    "chu tri": "lead",
    "co quan phoi hop": "coordinating",
    "don vi phoi hop": "coordinating",
    "phoi hop": "coordinating",
    "thoi gian hoan thanh": "when",
    "thoi han hoan thanh": "when",
    "thoi gian": "when",
    "thoi han": "when",
    "san pham": "deliverable",
    "ket qua san pham": "deliverable",
}
ONGOING_WORDS = ("thuong xuyen", "hang nam", "ca nam")
_EXCEL_EPOCH = date(1899, 12, 30)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class TaskRow:
    row: int  # the sheet's row number (1-based)
    title: str
    lead_id: int
    coordinating_ids: tuple[int, ...]
    deadline: date | None
    ongoing: bool
    review_on: date | None
    deliverable: str
    position: int


@dataclass
class TableErrors(ValueError):
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(self.errors)


class UnitIndex:
    """Find a unit of the plan's subtree by code or by name (kind words optional)."""

    def __init__(self, units: Sequence[UnitRef]) -> None:
        self.by_code: dict[str, list[UnitRef]] = {}
        self.by_name: dict[str, list[UnitRef]] = {}
        for unit in units:
            self.by_code.setdefault(unit.code.strip().casefold(), []).append(unit)
            for key in {search_key(unit.name), strip_kind(unit.name)}:
                self.by_name.setdefault(key, []).append(unit)

    def find(self, text: str) -> UnitRef:
        """The one unit named ``text``; raise LookupError (Vietnamese) otherwise."""
        code = text.strip().casefold()
        found = self.by_code.get(code) or self.by_name.get(search_key(text))
        if not found:
            found = self.by_name.get(strip_kind(text))
        if not found:
            raise LookupError(f"không tìm thấy đơn vị “{text.strip()}” trong phạm vi kế hoạch")
        unique = {u.id: u for u in found}
        if len(unique) > 1:
            codes = ", ".join(sorted(u.code for u in unique.values()))
            raise LookupError(f"“{text.strip()}” trùng tên nhiều đơn vị ({codes}): ghi mã đơn vị")
        return next(iter(unique.values()))


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_when(value: object, default_review: date) -> tuple[date | None, bool, date | None]:
    """(deadline, ongoing, review_on) from a "Thời gian hoàn thành" cell.

    Accepts a date cell, an Excel serial number, ``dd/mm/yyyy``, "Thường xuyên"
    (reviewed on ``default_review``) or "Thường xuyên, rà soát dd/mm/yyyy".
    Raises DateError with a Vietnamese message.
    """
    if isinstance(value, datetime):
        return value.date(), False, None
    if isinstance(value, date):
        return value, False, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 200000:
            raise DateError(f"số ngày Excel {value!r} không hợp lệ")
        return _EXCEL_EPOCH + timedelta(days=int(value)), False, None
    text = cell_text(value)
    if not text:
        raise DateError("thiếu thời gian hoàn thành (ghi ngày dd/mm/yyyy hoặc “Thường xuyên”)")
    key = search_key(text)
    if any(key.startswith(word) for word in ONGOING_WORDS):
        review = default_review
        for token in text.replace(",", " ").replace(";", " ").split():
            if token.count("/") == 2:
                review = parse_date(token.strip("()."))
        return None, True, review
    return parse_date(text), False, None


def _header_map(row: Sequence[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = _HEADER_WORDS.get(search_key(cell_text(cell)))
        if key and key not in found:
            found[key] = index
    return found


def parse_task_table(
    rows: Sequence[Sequence[object]], units: UnitIndex, *, default_review: date
) -> list[TaskRow]:
    """Read a plan's task table; every problem is collected (row and column named).

    The header row is the first row naming at least "Nhiệm vụ" and "Cơ quan chủ trì".
    Empty rows and group headings (a row with only STT / Nhiệm vụ, e.g. "I. CẢI CÁCH
    THỂ CHẾ") are skipped. Coordinating units are separated by ``;`` or new lines.
    """
    header_at = None
    columns: dict[str, int] = {}
    for number, row in enumerate(rows[:20]):
        columns = _header_map(row)
        if "title" in columns and "lead" in columns:
            header_at = number
            break
    if header_at is None:
        names = ", ".join(label for _, label in COLUMNS)
        raise TableErrors([f"Không thấy dòng tiêu đề. Bảng cần các cột: {names}."])
    missing = [label for key, label in COLUMNS if key in REQUIRED_COLUMNS and key not in columns]
    if missing:
        raise TableErrors([f"Dòng {header_at + 1}: thiếu cột {', '.join(missing)}."])

    def get(row: Sequence[object], key: str) -> object:
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    def place(row_no: int, key: str) -> str:
        label = dict(COLUMNS)[key]
        return f"Dòng {row_no}, cột {column_letter(columns[key])} ({label})"

    out: list[TaskRow] = []
    errors: list[str] = []
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        title = cell_text(get(row, "title"))
        lead_text = cell_text(get(row, "lead"))
        when_raw = get(row, "when")
        rest = [cell_text(get(row, k)) for k in ("coordinating", "deliverable")]
        if not title and not lead_text and not cell_text(when_raw) and not any(rest):
            continue
        if title and not lead_text and not cell_text(when_raw) and not any(rest):
            continue  # a group heading
        row_errors: list[str] = []
        if not title:
            row_errors.append(f"{place(offset, 'title')}: thiếu nội dung nhiệm vụ")
        lead_id = 0
        if not lead_text:
            row_errors.append(f"{place(offset, 'lead')}: thiếu cơ quan chủ trì")
        else:
            try:
                lead_id = units.find(lead_text).id
            except LookupError as exc:
                row_errors.append(f"{place(offset, 'lead')}: {exc}")
        coordinating: list[int] = []
        coord_text = rest[0]
        if coord_text:
            for name in coord_text.replace("\n", ";").split(";"):
                if not name.strip():
                    continue
                try:
                    unit_id = units.find(name).id
                except LookupError as exc:
                    row_errors.append(f"{place(offset, 'coordinating')}: {exc}")
                    continue
                if unit_id != lead_id and unit_id not in coordinating:
                    coordinating.append(unit_id)
        deadline = review_on = None
        ongoing = False
        try:
            deadline, ongoing, review_on = parse_when(when_raw, default_review)
        except DateError as exc:
            row_errors.append(f"{place(offset, 'when')}: {exc}")
        if row_errors:
            errors.extend(row_errors)
            continue
        out.append(
            TaskRow(
                row=offset,
                title=title,
                lead_id=lead_id,
                coordinating_ids=tuple(coordinating),
                deadline=deadline,
                ongoing=ongoing,
                review_on=review_on,
                deliverable=rest[1],
                position=len(out) + 1,
            )
        )
    if errors:
        raise TableErrors(errors)
    if not out:
        raise TableErrors(["Bảng không có nhiệm vụ nào dưới dòng tiêu đề."])
    return out


def when_text(deadline: date | None, ongoing: bool, review_on: date | None) -> str:
    """The "Thời gian hoàn thành" cell as units write it."""
    if ongoing:
        return f"Thường xuyên, rà soát {review_on:%d/%m/%Y}" if review_on else "Thường xuyên"
    return f"{deadline:%d/%m/%Y}" if deadline else ""
