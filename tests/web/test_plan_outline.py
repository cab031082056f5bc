"""The outline ("đề cương") of an inspection event as an ad-hoc report request."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cchc.accounts.models import Role
from cchc.audit.models import AuditEvent
from cchc.frameworks.models import MetricType
from cchc.inspections import services as inspections
from cchc.inspections.models import BodyKind, EventKind, IssuingBody
from cchc.plans import services
from cchc.plans.models import ReportKind, ReportRequest, Topic
from tests.conftest import PASSWORD
from tests.web.test_permissions import build_tree

pytestmark = pytest.mark.django_db

QUESTIONS = [
    ("I", "Việc ban hành kế hoạch CCHC năm của xã?"),
    ("III", "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn?"),
    ("III", "Việc công khai TTHC tại Bộ phận một cửa?"),
]


@pytest.fixture
def world(make_user: Any) -> SimpleNamespace:
    w = build_tree()
    make_user("xa_pt", role=Role.UNIT_OFFICER, unit=w.pt)
    make_user("xa_khac", role=Role.UNIT_OFFICER, unit=w.other)
    make_user("vp_tn", role=Role.SECRETARIAT, unit=w.tn)
    make_user("td_tn", role=Role.APPRAISER, unit=w.tn)
    make_user("ld_tn", role=Role.LEADER, unit=w.tn)
    make_user("hn", role=Role.SECRETARIAT, unit=w.hn)
    make_user("root", is_superuser=True, is_staff=True)
    body = IssuingBody.objects.create(
        kind=BodyKind.STEERING_COMMITTEE,
        name="Ban Chỉ đạo CCHC tỉnh Thái Nguyên",
        unit=w.tn,
        place="Thái Nguyên",
    )
    w.today = timezone.localdate()
    w.visit_on = w.today + timedelta(days=1)
    w.event = inspections.inspection_create(
        user=None,
        body=body,
        kind=EventKind.INSPECTION,
        title="Kiểm tra CCHC xã Phủ Thông và Xã Khác",
        on=w.visit_on,
        visits=[inspections.Visit(w.pt), inspections.Visit(w.other)],
        topics=["I", "III"],
    )
    w.items = [
        inspections.outline_add(user=None, event=w.event, topic=t, question=q) for t, q in QUESTIONS
    ]
    w.url = f"/plans/requests/from-event/{w.event.pk}/"
    return w


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _create(w: SimpleNamespace, days: str = "3") -> ReportRequest:
    response = _client("vp_tn").post(w.url, {"days": days})
    assert response.status_code == 302
    req = ReportRequest.objects.get(source_inspection_id=w.event.pk)
    assert response["Location"] == f"/plans/reports/{req.pk}/"
    return req


def test_preview_shows_questions_units_and_due_date(world: SimpleNamespace) -> None:
    w = world
    client = _client("vp_tn")
    page = client.get(w.url).content.decode()
    for _topic, question in QUESTIONS:
        assert question in page
    assert "Xã Phủ Thông; Xã Khác" in page
    due = w.visit_on - timedelta(days=3)
    assert f'<td id="due">{due:%d/%m/%Y}</td>' in page
    page = client.get(w.url, {"days": "10"}).content.decode()
    assert f'<td id="due">{w.visit_on - timedelta(days=10):%d/%m/%Y}</td>' in page
    assert 'id="past-due"' in page  # tomorrow's visit minus 10 days is already past
    page = client.get(w.url, {"days": "0"}).content.decode()
    assert 'id="past-due"' not in page
    assert not ReportRequest.objects.exists()  # a preview writes nothing


def test_create_fields_due_date_addressees_and_link(world: SimpleNamespace) -> None:
    w = world
    req = _create(w, days="5")
    assert req.title == "Báo cáo theo đề cương kiểm tra: Kiểm tra CCHC xã Phủ Thông và Xã Khác"
    assert (req.kind, req.topic, req.year) == (ReportKind.AD_HOC, Topic.PAR, w.visit_on.year)
    assert req.issuing_unit == w.tn
    assert req.due_on == w.visit_on - timedelta(days=5)
    assert sorted(req.units.values_list("name", flat=True)) == ["Xã Khác", "Xã Phủ Thông"]
    assert req.source_inspection_id == w.event.pk
    assert req.source_label == (
        f"Theo cuộc kiểm tra “Kiểm tra CCHC xã Phủ Thông và Xã Khác” ngày {w.visit_on:%d/%m/%Y}"
    )
    form = req.current_form()
    assert form is not None and form.version == 1 and form.frozen_at is None
    fields = list(form.fields.order_by("position").values_list("code", "label", "value_type"))
    assert fields == [(str(n), q, MetricType.TEXT) for n, (_t, q) in enumerate(QUESTIONS, 1)]
    audit = AuditEvent.objects.filter(action__startswith="report_request.").order_by("id")
    assert [(a.action, a.field, a.new) for a in audit] == [
        ("report_request.create", "due_on", (w.visit_on - timedelta(days=5)).isoformat()),
        ("report_request.create", "units", 2),
        ("report_request.outline", "inspection", w.event.pk),
        ("report_request.outline", "questions", 3),
    ]
    page = _client("vp_tn").get(f"/plans/reports/{req.pk}/").content.decode()
    assert f'href="/inspections/{w.event.pk}/"' in page
    page = _client("xa_pt").get(f"/plans/reports/{req.pk}/").content.decode()
    assert '<textarea name="fig_1" id="fig_1" rows="3"></textarea>' in page  # a text answer


def test_default_is_three_days_before(world: SimpleNamespace) -> None:
    w = world
    req = _create(w, days="")
    assert req.due_on == w.visit_on - timedelta(days=3)


def test_second_post_redirects_to_the_existing_request(world: SimpleNamespace) -> None:
    w = world
    req = _create(w)
    response = _client("td_tn").post(w.url, {"days": "7"})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/reports/{req.pk}/"
    assert ReportRequest.objects.count() == 1
    assert ReportRequest.objects.get().due_on == w.visit_on - timedelta(days=3)
    page = _client("vp_tn").get(w.url).content.decode()
    assert 'id="existing"' in page and f"/plans/reports/{req.pk}/" in page


def test_bad_days_and_event_without_outline_refused(world: SimpleNamespace) -> None:
    w = world
    client = _client("vp_tn")
    response = client.post(w.url, {"days": "ba"})
    assert response.status_code == 400
    assert (
        "Trường “Số ngày trước ngày kiểm tra”: phải là số nguyên từ 0 đến 90, không phải “ba”."
        in response.content.decode()
    )
    w.event.outline.all().delete()
    response = client.post(w.url, {"days": "3"})
    assert response.status_code == 400
    assert (
        "Cuộc kiểm tra “Kiểm tra CCHC xã Phủ Thông và Xã Khác” chưa có câu hỏi đề cương nào."
        in response.content.decode()
    )
    assert not ReportRequest.objects.exists()
    assert client.get("/plans/requests/from-event/999999/").status_code == 404


def test_answers_on_time_late_and_missing_on_the_event_page(world: SimpleNamespace) -> None:
    w = world
    req = _create(w)  # due the day before yesterday
    event_page = f"/inspections/{w.event.pk}/"
    page = _client("vp_tn").get(event_page).content.decode()
    assert page.count('data-status="missing"') == 2
    # Phủ Thông answered in time (recorded by the service with its date) …
    services.submission_create(
        req=req,
        unit=w.pt,
        user=None,
        figures={"1": "Đã ban hành Kế hoạch số 12/KH-UBND", "3": "Công khai đầy đủ"},
        at=timezone.now() - timedelta(days=4),
    )
    # … Xã Khác answers today through the page: late.
    response = _client("xa_khac").post(
        f"/plans/reports/{req.pk}/submit/",
        {"unit": str(w.other.pk), "note": "", "fig_1": "Chưa ban hành", "fig_2": "97,5%"},
    )
    assert response.status_code == 302
    latest = req.submissions.get(unit=w.other)
    assert latest.figures == {"1": "Chưa ban hành", "2": "97,5%"}
    form = req.current_form()
    assert form is not None and form.frozen_at is not None  # frozen once answered

    page = _client("vp_tn").get(event_page).content.decode()
    block = page[page.index('id="outline-request"') :]
    pt_row = block[block.index('data-unit="01969@2025"') :]
    other_row = block[block.index('data-unit="01990@2025"') :]
    assert pt_row.index('data-status="on_time"') < pt_row.index("</tr>")
    assert other_row.index('data-status="late"') < other_row.index("</tr>")
    assert f"/plans/reports/{req.pk}/?unit={w.pt.pk}" in block
    assert f"/plans/reports/{req.pk}/?unit={w.other.pk}" in block

    # A commune officer sees only its own commune's row.
    page = _client("xa_pt").get(event_page).content.decode()
    block = page[page.index('id="outline-request"') :]
    assert 'data-unit="01969@2025"' in block and 'data-unit="01990@2025"' not in block


def test_event_page_offers_the_request_to_the_organiser_only(world: SimpleNamespace) -> None:
    w = world
    event_page = f"/inspections/{w.event.pk}/"
    page = _client("vp_tn").get(event_page).content.decode()
    assert f'href="{w.url}"' in page
    page = _client("ld_tn").get(event_page).content.decode()
    assert w.url not in page and 'id="outline-request"' not in page


def test_hx_request_gets_the_preview(world: SimpleNamespace) -> None:
    w = world
    response = _client("vp_tn").get(w.url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert QUESTIONS[0][1] in response.content.decode()


MATRIX = {
    # username: (GET, POST)
    "xa_pt": (403, 403),  # commune officer
    "td_tn": (200, 302),  # appraiser of the issuing unit
    "vp_tn": (200, 302),  # secretariat of the issuing unit
    "ld_tn": (403, 403),  # leader: reads only
    "hn": (403, 403),  # outsider (another province's secretariat)
    "root": (200, 302),  # superuser
}


@pytest.mark.parametrize("username", list(MATRIX))
def test_permission_matrix(world: SimpleNamespace, username: str) -> None:
    w = world
    expected_get, expected_post = MATRIX[username]
    client = _client(username)
    assert client.get(w.url).status_code == expected_get
    assert client.post(w.url, {"days": "3"}).status_code == expected_post
    assert ReportRequest.objects.count() == (1 if expected_post == 302 else 0)
