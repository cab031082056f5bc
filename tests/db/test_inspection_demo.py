"""The demo events of the five seed articles: real facts, idempotent."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from docx import Document

from cchc.followup.models import FollowupItem
from cchc.frameworks.metrics import metrics_sync
from cchc.inspections import demo, services
from cchc.inspections.models import Directive, Finding, Inspection, ObservedMetric
from cchc.reports.notice_docx import build_notice
from cchc.units.loader import load_units
from tests.conftest import module_rows

pytestmark = pytest.mark.django_db


class Out:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines.append(text)


@pytest.fixture(scope="module")
def loaded_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[Out]:
    """The units, metrics and demo events, written once for this module's tests (each test
    in a savepoint: test_demo_twice_changes_nothing's second load is rolled back)."""
    with module_rows(django_db_blocker):
        load_units({"06@legacy", "42", "80@legacy", "01@legacy"})
        metrics_sync()
        out = Out()
        demo.load(out)
        yield out


@pytest.fixture
def loaded(loaded_once: Out, db: Any) -> Out:
    return loaded_once


def _event(title_part: str) -> Inspection:
    return Inspection.objects.get(title__contains=title_part)


def test_demo_facts(loaded: Out) -> None:
    assert loaded.lines[-1].strip() == "sự kiện kiểm tra / events: 5 mới"
    vi = _event("Vi Hương")
    assert (vi.date, vi.half_day, vi.kind) == (date(2022, 9, 21), "pm", "inspection")
    head = vi.team.get(role="head")
    assert (head.name, head.title) == (
        "Nguyễn Duy Luân",
        "Ủy viên Ban Thường vụ Huyện ủy, Phó Chủ tịch UBND huyện",
    )
    assert [(v.name_as_of, v.parent_name_as_of) for v in vi.visits.all()] == [
        ("Xã Vi Hương", "Huyện Bạch Thông")
    ]
    assert vi.planned is not None and "dữ liệu mẫu" in vi.plan.title  # type: ignore[union-attr]

    lb = _event("Lục Bình")
    assert lb.team.get(role="head").name == "Đinh Quang Hưng"  # stray spaces normalised
    assert lb.team.get(role="member").name == ""  # "đại diện các cơ quan, ban ngành huyện"
    assert (lb.period_start, lb.period_end) == (date(2021, 12, 15), date(2022, 9, 19))
    figures = {
        f.metric.code: f.value_decimal or Decimal(0) for f in lb.figures.select_related("metric")
    }
    assert figures == {
        "dossiers_received": Decimal(926),
        "dossiers_carried_over": Decimal(1),
        "dossiers_resolved": Decimal(927),
        "dossiers_resolved_on_time": Decimal(927),
        "dossiers_resolved_late": Decimal(0),
        "dossiers_in_progress": Decimal(0),
        "dossiers_postal_received": Decimal(0),
        "results_postal_returned": Decimal(0),
    }
    assert (
        figures["dossiers_received"] + figures["dossiers_carried_over"]
        == figures["dossiers_resolved"] + figures["dossiers_in_progress"]
    )

    th = _event("Thạch Hà")
    assert th.kind == "appraisal" and th.body.team_head_label == "Tổ trưởng"
    assert th.legal_basis_ref is not None
    assert (th.legal_basis_ref.number, th.legal_basis_ref.date) == (
        "1291/QĐ-UBND",
        date(2022, 6, 23),
    )
    assert [(v.name_as_of, v.parent_name_as_of, v.half_day) for v in th.visits.all()] == [
        ("Xã Thạch Lạc", "Huyện Thạch Hà", "am"),
        ("Xã Thạch Văn", "Huyện Thạch Hà", "am"),
        ("Huyện Thạch Hà", "Tỉnh Hà Tĩnh", "pm"),
    ]
    assert (th.team.get(role="head").name, th.period_text) == (
        "Bùi Quang Dương",
        "6 tháng đầu năm 2022",
    )

    kt = _event("quý I năm 2024")
    assert (kt.kind, kt.date) == ("meeting", date(2024, 3, 18))
    assert "Ngày đăng bài" in kt.date_note
    assert kt.body.committees.count() == 2
    assert kt.team.get(role="head").name == "Nguyễn Văn Vũ"
    kt_figures = {f.metric.code: f.display for f in kt.figures.select_related("metric")}
    assert kt_figures["par_index_points"] == "73,63" and kt_figures["dx_index_points"] == "409,66"
    assert kt_figures["par_index_change"] == "-4,3" and kt_figures["plan_tasks_done"] == "30"
    directive = kt.directives.get()
    items = FollowupItem.objects.for_source(directive)
    assert items.count() == 8  # the eight communes and wards of Kiến Tường
    assert all(
        i.ongoing and i.deadline is None and i.acceptance_label == "verification" for i in items
    )
    assert kt.outline.count() == 8

    tt = _event("Thạch Thất")
    assert (tt.kind, tt.date, tt.half_day, tt.team_name) == (
        "supervision",
        date(2023, 5, 16),
        "am",
        "Đoàn giám sát số 1",
    )
    assert tt.team.get(role="head").name == "Phùng Thị Hồng Hà"
    assert [v.parent_name_as_of for v in tt.visits.all()] == ["Thành phố Hà Nội"]
    assert {f.metric.code: f.display for f in tt.figures.select_related("metric")} == {
        "officials_rotated_8y_pct": "100 %",
        "tthc_one_stop_pct": "100 %",
        "agencies_dms_pct": "100 %",
    }
    # No article gives a deadline: every directive is "thường xuyên", marked as such.
    assert not Directive.objects.filter(deadline__isnull=False).exists()
    assert all("dữ liệu mẫu" in d.note for d in Directive.objects.all())

    # The HĐND notice: its standing committee issues a "kết luận giám sát".
    notice = services.notice_prepare(user=None, event=tt)
    doc = Document(io.BytesIO(build_notice(services.notice_data(tt, notice))))
    assert doc.tables[0].cell(0, 0).paragraphs[1].text == "THƯỜNG TRỰC HĐND THÀNH PHỐ"
    assert doc.tables[0].cell(1, 1).paragraphs[0].text == "Hà Nội, ngày 16 tháng 5 năm 2023"
    texts = [p.text for p in doc.paragraphs]
    assert (
        "Kết luận giám sát công tác cải cách hành chính và chuyển đổi số tại huyện Thạch Thất"
        in texts
    )


def test_demo_twice_changes_nothing(loaded: Out) -> None:
    counts = (
        Inspection.objects.count(),
        Finding.objects.count(),
        Directive.objects.count(),
        FollowupItem.objects.count(),
        ObservedMetric.objects.count(),
    )
    out = Out()
    demo.load(out)
    assert out.lines[-1].strip() == "sự kiện kiểm tra / events: 0 mới"
    assert counts == (
        Inspection.objects.count(),
        Finding.objects.count(),
        Directive.objects.count(),
        FollowupItem.objects.count(),
        ObservedMetric.objects.count(),
    )
    assert counts[0] == 5
