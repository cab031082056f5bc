"""Counting rules of plans, tasks and periodic reports (cchc.core.plans)."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from cchc.core import plans as rules
from cchc.core.plans import Outcome, TaskFact, Timeliness
from cchc.core.rules import Range, evaluate, parse_rule
from cchc.reports.plan_figures import FigureColumn, FigureRow, write_figures
from cchc.reports.plan_tasks import TaskLine, write_task_table

D = date(2025, 6, 30)


def test_timeliness_of_a_plan() -> None:
    due = date(2025, 1, 15)
    assert rules.timeliness(due, date(2025, 1, 15), D) is Timeliness.ON_TIME
    assert rules.timeliness(due, date(2025, 1, 16), D) is Timeliness.LATE
    assert rules.timeliness(due, None, D) is Timeliness.MISSING
    assert rules.timeliness(due, None, date(2025, 1, 15)) is Timeliness.PENDING
    # issued after the date we look from: not issued yet
    assert rules.timeliness(due, date(2025, 7, 1), D) is Timeliness.MISSING
    assert rules.timeliness(None, date(2025, 3, 1), D) is Timeliness.ON_TIME


def test_timeliness_words_score_with_the_sample_rule() -> None:
    rule = parse_rule({"type": "timeliness", "on_time": 1, "late": 0.5, "missing": 0})
    rng = Range(Decimal(0), Decimal(1))
    points = [
        evaluate(rule, rng, rules.TIMELINESS_WORDS[t]).points
        for t in Timeliness
        if t in rules.TIMELINESS_WORDS
    ]
    assert points == [Decimal(1), Decimal("0.5"), Decimal(0)]


def test_cancelled_tasks_leave_the_denominator() -> None:
    tasks = [
        TaskFact("accepted", date(2025, 3, 1), accepted_on=date(2025, 2, 1)),
        TaskFact("accepted", date(2025, 3, 1), accepted_on=date(2025, 2, 1)),
        TaskFact("cancelled", date(2025, 3, 1)),
        TaskFact("in_progress", date(2025, 12, 1)),
    ]
    result = rules.completion(tasks, D)
    assert (result.counted, result.done, result.cancelled, result.open) == (3, 2, 1, 1)
    assert result.fraction == "2/3"
    assert result.rate == Decimal(200) / Decimal(3)


def test_accepted_after_deadline_is_done_late_and_still_done() -> None:
    late = TaskFact("accepted", date(2025, 3, 1), accepted_on=date(2025, 3, 2))
    on_time = TaskFact("accepted", date(2025, 3, 1), accepted_on=date(2025, 3, 1))
    assert rules.task_outcome(late, D) is Outcome.DONE_LATE
    assert rules.task_outcome(on_time, D) is Outcome.DONE
    result = rules.completion([late, on_time], D)
    assert (result.done, result.done_late, result.rate) == (2, 1, Decimal(100))


def test_acceptance_after_the_date_does_not_count_yet() -> None:
    task = TaskFact("accepted", date(2025, 12, 1), accepted_on=date(2025, 7, 5))
    assert rules.task_outcome(task, D) is Outcome.OPEN
    assert rules.completion([task], D).rate == Decimal(0)


def test_ongoing_tasks_count_by_their_last_review() -> None:
    reviewed = TaskFact("accepted", None, ongoing=True, accepted_on=date(2025, 6, 1))
    waiting = TaskFact("in_progress", None, ongoing=True)
    assert rules.task_outcome(reviewed, D) is Outcome.DONE  # never late
    assert rules.task_outcome(waiting, D) is Outcome.OPEN  # never overdue
    assert rules.completion([reviewed, waiting], D).rate == Decimal(50)


def test_overdue_and_awaiting() -> None:
    assert rules.task_outcome(TaskFact("not_started", date(2025, 6, 1)), D) is Outcome.OVERDUE
    assert rules.task_outcome(TaskFact("claimed_done", date(2025, 6, 1)), D) is Outcome.AWAITING
    assert rules.completion([], D).rate is None


def test_completion_bands_of_the_sample_set() -> None:
    rule = parse_rule(
        {
            "type": "bands",
            "bands": [
                {"min": 90, "min_inclusive": False, "points": 2},
                {"min": 70, "max": 90, "max_inclusive": True, "points": 1},
                {"max": 70, "points": 0},
            ],
        }
    )
    rng = Range(Decimal(0), Decimal(2))
    thirty = rules.completion(
        [TaskFact("accepted", date(2023, 12, 1), accepted_on=date(2023, 11, 1))] * 30,
        date(2023, 12, 31),
    )
    assert evaluate(rule, rng, thirty.rate).points == Decimal(2)
    nine_of_ten = rules.completion(
        [TaskFact("accepted", date(2023, 12, 1), accepted_on=date(2023, 11, 1))] * 9
        + [TaskFact("in_progress", date(2023, 12, 1))],
        date(2023, 12, 31),
    )
    assert nine_of_ten.rate == Decimal(90)
    assert evaluate(rule, rng, nine_of_ten.rate).points == Decimal(1)


def test_completion_by_lead_unit() -> None:
    done = TaskFact("accepted", date(2025, 3, 1), accepted_on=date(2025, 2, 1))
    open_ = TaskFact("in_progress", date(2025, 12, 1))
    by = rules.completion_by([("a", done), ("b", open_), ("a", open_)], D)
    assert list(by) == ["a", "b"]
    assert (by["a"].fraction, by["b"].fraction) == ("1/2", "0/1")


def test_reports_on_time() -> None:
    facts = [
        rules.ReportFact(date(2025, 3, 14), date(2025, 3, 14)),
        rules.ReportFact(date(2025, 6, 14), date(2025, 6, 20)),
        rules.ReportFact(date(2025, 9, 14), None),  # not due yet on D
        rules.ReportFact(date(2025, 12, 14), date(2025, 6, 1)),  # sent early
    ]
    assert rules.reports_on_time(facts, D) == (2, 3)
    assert rules.rate(2, 3) == Decimal(200) / Decimal(3)
    assert rules.rate(0, 0) is None


UNITS = rules.UnitIndex(
    [
        rules.UnitRef(1, "01969", "Xã Phủ Thông"),
        rules.UnitRef(2, "P01", "Văn phòng HĐND và UBND"),
        rules.UnitRef(3, "P02", "Phòng Kinh tế"),
        rules.UnitRef(4, "X1", "Xã Tân Lập"),
        rules.UnitRef(5, "X2", "Phường Tân Lập"),
    ]
)
HEADER = [
    "STT",
    "Nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
    "Sản phẩm",
]


def test_parse_task_table() -> None:
    rows = [
        ["KẾ HOẠCH CCHC NĂM 2025"],
        [],
        HEADER,
        ["I", "CẢI CÁCH THỂ CHẾ", "", "", "", ""],
        [
            1.0,
            "Rà soát văn bản",
            "Văn phòng HĐND và UBND",
            "phong kinh te; Xã Phủ Thông",
            "31/03/2025",
            "Báo cáo",
        ],
        [2, "Tuyên truyền CCHC", "P02", "", "Thường xuyên", "Tin bài"],
        [3, "Số hóa hồ sơ", "Phủ Thông", "", datetime(2025, 9, 30), ""],
        [4, "Khảo sát", "Văn phòng HĐND và UBND", "", 45930.0, ""],
        [5, "Giao ban", "P01", "", "Thường xuyên, rà soát 30/06/2025", ""],
    ]
    tasks = rules.parse_task_table(rows, UNITS, default_review=date(2025, 12, 15))
    assert [t.row for t in tasks] == [5, 6, 7, 8, 9]
    assert tasks[0].lead_id == 2 and tasks[0].coordinating_ids == (3, 1)
    assert tasks[0].deadline == date(2025, 3, 31)
    assert (tasks[1].ongoing, tasks[1].review_on, tasks[1].deadline) == (
        True,
        date(2025, 12, 15),
        None,
    )
    assert tasks[2].lead_id == 1 and tasks[2].deadline == date(2025, 9, 30)
    assert tasks[3].deadline == date(2025, 9, 30)  # Excel serial 45930
    assert tasks[4].review_on == date(2025, 6, 30)
    assert [t.position for t in tasks] == [1, 2, 3, 4, 5]


def test_parse_task_table_collects_every_error() -> None:
    rows = [
        HEADER,
        [1, "", "P01", "", "31/03/2025", ""],
        [2, "Việc A", "Sở Không Có", "", "31/02/2025", ""],
        [3, "Việc B", "Tân Lập", "", "sớm", ""],
    ]
    with pytest.raises(rules.TableErrors) as info:
        rules.parse_task_table(rows, UNITS, default_review=date(2025, 12, 15))
    assert info.value.errors == [
        "Dòng 2, cột B (Nhiệm vụ): thiếu nội dung nhiệm vụ",
        "Dòng 3, cột C (Cơ quan chủ trì): không tìm thấy đơn vị “Sở Không Có” "
        "trong phạm vi kế hoạch",
        "Dòng 3, cột E (Thời gian hoàn thành): ngày không tồn tại: '31/02/2025'",
        "Dòng 4, cột C (Cơ quan chủ trì): “Tân Lập” trùng tên nhiều đơn vị (X1, X2): ghi mã đơn vị",
        "Dòng 4, cột E (Thời gian hoàn thành): không phải ngày dạng dd/mm/yyyy: 'sớm'",
    ]


def test_parse_task_table_without_header_or_column() -> None:
    with pytest.raises(rules.TableErrors, match="Không thấy dòng tiêu đề"):
        rules.parse_task_table([["a", "b"]], UNITS, default_review=D)
    with pytest.raises(rules.TableErrors, match=r"Dòng 1: thiếu cột Thời gian hoàn thành"):
        rules.parse_task_table([HEADER[:4]], UNITS, default_review=D)
    with pytest.raises(rules.TableErrors, match="không có nhiệm vụ"):
        rules.parse_task_table([HEADER], UNITS, default_review=D)


def test_task_table_round_trip() -> None:
    lines = [
        TaskLine(
            1,
            "Rà soát văn bản",
            "Văn phòng HĐND và UBND",
            ["Phòng Kinh tế"],
            date(2025, 3, 31),
            "31/03/2025",
            "Báo cáo",
            "đang thực hiện",
            "quá hạn",
        ),
        TaskLine(
            2,
            "Tuyên truyền",
            "Phòng Kinh tế",
            [],
            None,
            rules.when_text(None, True, date(2025, 12, 15)),
            "",
            "đang thực hiện",
            "đang thực hiện",
        ),
    ]
    data = write_task_table("Kế hoạch", lines)
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(data))
        .get_sheet_by_index(0)
        .to_python(skip_empty_area=False)
    )
    tasks = rules.parse_task_table(rows, UNITS, default_review=date(2025, 1, 1))
    assert [(t.title, t.lead_id, t.coordinating_ids, t.deadline, t.review_on) for t in tasks] == [
        ("Rà soát văn bản", 2, (3,), date(2025, 3, 31), None),
        ("Tuyên truyền", 3, (), None, date(2025, 12, 15)),
    ]


def test_figures_are_numbers_in_the_workbook() -> None:
    data = write_figures(
        "Báo cáo quý I",
        [
            FigureColumn("a", "Tỷ lệ", "percent"),
            FigureColumn("b", "Có tổ", "yes_no"),
            FigureColumn("c", "Số", "integer"),
        ],
        [
            FigureRow(
                "01969",
                "Xã Phủ Thông",
                "trễ hạn",
                date(2025, 3, 20),
                {"a": Decimal("73.63"), "b": True, "c": Decimal(926)},
            )
        ],
    )
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[3][:4] == ["01969", "Xã Phủ Thông", "trễ hạn", date(2025, 3, 20)]
    assert rows[3][4:] == [73.63, "Có", 926]


def test_column_letters() -> None:
    assert [rules.column_letter(i) for i in (0, 4, 25, 26)] == ["A", "E", "Z", "AA"]
