"""Follow-up items: status transitions and the derived states (pure rules).

One status list for every owned item (an inspection directive, a plan task):

    NOT_STARTED → IN_PROGRESS → CLAIMED_DONE → ACCEPTED
    (any open status) → CANCELLED, with a reason
    CLAIMED_DONE → IN_PROGRESS when the claim is rejected, with a reason
    ACCEPTED / CANCELLED → IN_PROGRESS when reopened, with a reason

Overdue is derived from the date, never stored. An item is overdue when it is still
being worked on (not started or in progress) and its deadline is before today; a
claimed item waits for the issuing body, not for the unit, so it is not overdue.
Ongoing items ("thường xuyên") have no deadline: they are never overdue, they are
due for review once their review date has come.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    CLAIMED_DONE = "claimed_done"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"


class Action(StrEnum):
    PROGRESS = "progress"
    CLAIM = "claim"
    ACCEPT = "accept"
    REJECT = "reject"
    CANCEL = "cancel"
    REOPEN = "reopen"


OPEN = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.CLAIMED_DONE})
WORKING = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS})
CLOSED = frozenset({Status.ACCEPTED, Status.CANCELLED})
NEEDS_REASON = frozenset({Action.REJECT, Action.CANCEL, Action.REOPEN})

# action -> {from status: to status}
TRANSITIONS: dict[Action, dict[Status, Status]] = {
    Action.PROGRESS: {
        Status.NOT_STARTED: Status.IN_PROGRESS,
        Status.IN_PROGRESS: Status.IN_PROGRESS,
        # More evidence for the verifier: the claim stands.
        Status.CLAIMED_DONE: Status.CLAIMED_DONE,
    },
    Action.CLAIM: {
        Status.NOT_STARTED: Status.CLAIMED_DONE,
        Status.IN_PROGRESS: Status.CLAIMED_DONE,
    },
    Action.ACCEPT: {Status.CLAIMED_DONE: Status.ACCEPTED},
    Action.REJECT: {Status.CLAIMED_DONE: Status.IN_PROGRESS},
    Action.CANCEL: {s: Status.CANCELLED for s in OPEN},
    Action.REOPEN: {s: Status.IN_PROGRESS for s in CLOSED},
}

STATUS_LABELS_VI = {
    Status.NOT_STARTED: "chưa bắt đầu",
    Status.IN_PROGRESS: "đang thực hiện",
    Status.CLAIMED_DONE: "đã báo cáo hoàn thành",
    Status.ACCEPTED: "đã nghiệm thu / xác minh",
    Status.CANCELLED: "đã hủy",
}
ACTION_LABELS_VI = {
    Action.PROGRESS: "cập nhật tiến độ",
    Action.CLAIM: "báo cáo hoàn thành",
    Action.ACCEPT: "nghiệm thu / xác minh",
    Action.REJECT: "không chấp nhận báo cáo hoàn thành",
    Action.CANCEL: "hủy",
    Action.REOPEN: "mở lại",
}


class TransitionError(ValueError):
    """A transition not allowed from the current status, or missing its reason."""


def next_status(current: Status | str, action: Action | str, reason: str = "") -> Status:
    """The status after ``action``; raise :class:`TransitionError` (Vietnamese) if refused."""
    status, act = Status(current), Action(action)
    if act in NEEDS_REASON and not reason.strip():
        raise TransitionError(f"Cần nêu lý do để {ACTION_LABELS_VI[act]}.")
    target = TRANSITIONS[act].get(status)
    if target is None:
        raise TransitionError(
            f"Không thể {ACTION_LABELS_VI[act]} khi nhiệm vụ {STATUS_LABELS_VI[status]}."
        )
    return target


def allowed_actions(current: Status | str) -> list[Action]:
    status = Status(current)
    return [a for a in Action if status in TRANSITIONS[a]]


@dataclass(frozen=True)
class Schedule:
    """A deadline, or "thường xuyên" (ongoing) with a review date: exactly one."""

    deadline: date | None = None
    ongoing: bool = False
    review_on: date | None = None


def schedule_errors(schedule: Schedule) -> list[str]:
    """Vietnamese messages for a schedule that is not exactly one of the two forms."""
    if schedule.ongoing:
        errors = []
        if schedule.deadline is not None:
            errors.append("Nhiệm vụ thường xuyên không có hạn hoàn thành.")
        if schedule.review_on is None:
            errors.append("Nhiệm vụ thường xuyên cần ngày rà soát.")
        return errors
    if schedule.deadline is None:
        return ["Cần hạn hoàn thành, hoặc đánh dấu thường xuyên kèm ngày rà soát."]
    if schedule.review_on is not None:
        return ["Ngày rà soát chỉ dùng cho nhiệm vụ thường xuyên."]
    return []


def is_overdue(status: Status | str, schedule: Schedule, today: date) -> bool:
    return (
        Status(status) in WORKING
        and not schedule.ongoing
        and schedule.deadline is not None
        and schedule.deadline < today
    )


def is_due_soon(status: Status | str, schedule: Schedule, today: date, days: int = 7) -> bool:
    """Deadline today or within ``days`` days, still being worked on."""
    return (
        Status(status) in WORKING
        and not schedule.ongoing
        and schedule.deadline is not None
        and today <= schedule.deadline <= today + timedelta(days=days)
    )


def needs_review(status: Status | str, schedule: Schedule, today: date) -> bool:
    return (
        Status(status) in WORKING
        and schedule.ongoing
        and schedule.review_on is not None
        and schedule.review_on <= today
    )


def finished_late(schedule: Schedule, done_on: date | None) -> bool:
    """Done (claimed) after the deadline; ongoing items are never late."""
    return (
        not schedule.ongoing
        and schedule.deadline is not None
        and done_on is not None
        and done_on > schedule.deadline
    )


def aggregate(statuses: Iterable[Status | str]) -> tuple[int, int]:
    """(accepted, total) over a source's items, cancelled ones left out: "7/12"."""
    accepted = total = 0
    for raw in statuses:
        status = Status(raw)
        if status is Status.CANCELLED:
            continue
        total += 1
        accepted += status is Status.ACCEPTED
    return accepted, total
