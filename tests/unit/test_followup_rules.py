"""Pure follow-up rules: transitions, derived states, aggregation."""

from __future__ import annotations

from datetime import date

import pytest

from cchc.core.followup import (
    Action,
    Schedule,
    Status,
    TransitionError,
    aggregate,
    allowed_actions,
    finished_late,
    is_due_soon,
    is_overdue,
    needs_review,
    next_status,
    schedule_errors,
)

D = Schedule(deadline=date(2025, 9, 30))
ONGOING = Schedule(ongoing=True, review_on=date(2025, 12, 15))


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (Status.NOT_STARTED, Action.PROGRESS, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Action.PROGRESS, Status.IN_PROGRESS),
        (Status.CLAIMED_DONE, Action.PROGRESS, Status.CLAIMED_DONE),
        (Status.NOT_STARTED, Action.CLAIM, Status.CLAIMED_DONE),
        (Status.IN_PROGRESS, Action.CLAIM, Status.CLAIMED_DONE),
        (Status.CLAIMED_DONE, Action.ACCEPT, Status.ACCEPTED),
        (Status.CLAIMED_DONE, Action.REJECT, Status.IN_PROGRESS),
        (Status.NOT_STARTED, Action.CANCEL, Status.CANCELLED),
        (Status.IN_PROGRESS, Action.CANCEL, Status.CANCELLED),
        (Status.CLAIMED_DONE, Action.CANCEL, Status.CANCELLED),
        (Status.ACCEPTED, Action.REOPEN, Status.IN_PROGRESS),
        (Status.CANCELLED, Action.REOPEN, Status.IN_PROGRESS),
    ],
)
def test_allowed_transitions(current: Status, action: Action, expected: Status) -> None:
    assert next_status(current, action, reason="lý do") is expected


@pytest.mark.parametrize(
    ("current", "action", "message"),
    [
        (
            Status.IN_PROGRESS,
            Action.ACCEPT,
            "Không thể nghiệm thu / xác minh khi nhiệm vụ đang thực hiện.",
        ),
        (
            Status.NOT_STARTED,
            Action.REJECT,
            "Không thể không chấp nhận báo cáo hoàn thành khi nhiệm vụ chưa bắt đầu.",
        ),
        (
            Status.ACCEPTED,
            Action.PROGRESS,
            "Không thể cập nhật tiến độ khi nhiệm vụ đã nghiệm thu / xác minh.",
        ),
        (Status.CANCELLED, Action.CLAIM, "Không thể báo cáo hoàn thành khi nhiệm vụ đã hủy."),
        (
            Status.CLAIMED_DONE,
            Action.CLAIM,
            "Không thể báo cáo hoàn thành khi nhiệm vụ đã báo cáo hoàn thành.",
        ),
        (Status.ACCEPTED, Action.CANCEL, "Không thể hủy khi nhiệm vụ đã nghiệm thu / xác minh."),
        (Status.IN_PROGRESS, Action.REOPEN, "Không thể mở lại khi nhiệm vụ đang thực hiện."),
    ],
)
def test_refused_transitions(current: Status, action: Action, message: str) -> None:
    with pytest.raises(TransitionError) as exc:
        next_status(current, action, reason="lý do")
    assert str(exc.value) == message


@pytest.mark.parametrize("action", [Action.REJECT, Action.CANCEL, Action.REOPEN])
def test_reason_required(action: Action) -> None:
    start = Status.ACCEPTED if action is Action.REOPEN else Status.CLAIMED_DONE
    with pytest.raises(TransitionError, match="Cần nêu lý do"):
        next_status(start, action, reason="   ")


def test_allowed_actions() -> None:
    assert allowed_actions(Status.CLAIMED_DONE) == [
        Action.PROGRESS,
        Action.ACCEPT,
        Action.REJECT,
        Action.CANCEL,
    ]
    assert allowed_actions(Status.ACCEPTED) == [Action.REOPEN]


def test_overdue_is_derived_from_the_date() -> None:
    assert not is_overdue(Status.IN_PROGRESS, D, date(2025, 9, 30))  # the deadline day itself
    assert is_overdue(Status.IN_PROGRESS, D, date(2025, 10, 1))
    assert is_overdue(Status.NOT_STARTED, D, date(2025, 10, 1))
    # Waiting for the issuing body, or closed: not overdue.
    for status in (Status.CLAIMED_DONE, Status.ACCEPTED, Status.CANCELLED):
        assert not is_overdue(status, D, date(2026, 1, 1))


def test_ongoing_never_overdue_but_to_review() -> None:
    assert not is_overdue(Status.IN_PROGRESS, ONGOING, date(2030, 1, 1))
    assert not needs_review(Status.IN_PROGRESS, ONGOING, date(2025, 12, 14))
    assert needs_review(Status.IN_PROGRESS, ONGOING, date(2025, 12, 15))
    assert not needs_review(Status.ACCEPTED, ONGOING, date(2025, 12, 15))
    assert not needs_review(Status.IN_PROGRESS, D, date(2025, 12, 15))


def test_due_soon_window() -> None:
    assert is_due_soon(Status.NOT_STARTED, D, date(2025, 9, 23), days=7)
    assert not is_due_soon(Status.NOT_STARTED, D, date(2025, 9, 22), days=7)
    assert is_due_soon(Status.NOT_STARTED, D, date(2025, 9, 30), days=7)
    assert not is_due_soon(Status.NOT_STARTED, D, date(2025, 10, 1), days=7)
    assert not is_due_soon(Status.NOT_STARTED, ONGOING, date(2025, 12, 14), days=7)


def test_schedule_exactly_one_form() -> None:
    assert schedule_errors(D) == []
    assert schedule_errors(ONGOING) == []
    assert schedule_errors(Schedule()) == [
        "Cần hạn hoàn thành, hoặc đánh dấu thường xuyên kèm ngày rà soát."
    ]
    assert schedule_errors(Schedule(ongoing=True)) == ["Nhiệm vụ thường xuyên cần ngày rà soát."]
    assert schedule_errors(
        Schedule(deadline=date(2025, 1, 1), ongoing=True, review_on=date(2025, 1, 1))
    ) == ["Nhiệm vụ thường xuyên không có hạn hoàn thành."]
    assert schedule_errors(Schedule(deadline=date(2025, 1, 1), review_on=date(2025, 1, 1))) == [
        "Ngày rà soát chỉ dùng cho nhiệm vụ thường xuyên."
    ]


def test_finished_late() -> None:
    assert finished_late(D, date(2025, 10, 1))
    assert not finished_late(D, date(2025, 9, 30))
    assert not finished_late(ONGOING, date(2030, 1, 1))
    assert not finished_late(D, None)


def test_aggregate_leaves_cancelled_out() -> None:
    statuses = (
        ["accepted"] * 7 + ["in_progress"] * 3 + ["claimed_done", "not_started"] + ["cancelled"] * 2
    )
    assert aggregate(statuses) == (7, 12)
    assert aggregate([]) == (0, 0)
