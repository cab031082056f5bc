"""Plans, tasks and periodic reports through the pages, with the permission matrix."""

from __future__ import annotations

import io
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from cchc.accounts.models import Role
from cchc.audit.models import AuditEvent
from cchc.followup.models import FollowupItem
from cchc.followup.services import item_accept, item_claim_done
from cchc.frameworks.metrics import metrics_sync
from cchc.plans import services
from cchc.plans.models import (
    Plan,
    PlanKind,
    ReportForm,
    ReportKind,
    ReportRequest,
    ReportSubmission,
)
from tests.conftest import PASSWORD
from tests.web.test_permissions import build_tree

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"
HEADER = [
    "STT",
    "Nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
    "Sản phẩm",
]


def xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def world(make_user: Any, settings: Any, tmp_path: Any) -> SimpleNamespace:
    settings.MEDIA_ROOT = tmp_path / "files"
    w = build_tree()
    w.officer = make_user("xa_pt", role=Role.UNIT_OFFICER, unit=w.pt)
    w.secretariat = make_user("vp_tn", role=Role.SECRETARIAT, unit=w.tn)
    w.appraiser = make_user("td_tn", role=Role.APPRAISER, unit=w.tn)
    w.leader = make_user("ld_tn", role=Role.LEADER, unit=w.tn)
    w.outsider = make_user("hn", role=Role.SECRETARIAT, unit=w.hn)
    w.plan = services.plan_create(
        user=None,
        kind=PlanKind.PAR,
        unit=w.pt,
        year=2025,
        title="Kế hoạch CCHC 2025 xã Phủ Thông",
        due_on=date(2025, 7, 31),
    )
    w.task = services.task_create(
        plan=w.plan, user=None, title="Kiện toàn BCĐ", lead_unit=w.pt, deadline=date(2025, 8, 20)
    )
    w.req = services.request_create(
        user=None,
        title="Báo cáo CCHC quý III/2025",
        kind=ReportKind.QUARTER,
        topic="par",
        year=2025,
        issuing_unit=w.tn,
        due_on=date(2025, 9, 14),
        units=[w.pt, w.other],
    )
    return w


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def test_plan_with_tasks_import_and_completion(client: Client, world: SimpleNamespace) -> None:
    w = world
    login(client, "vp_tn")
    response = client.post(
        "/plans/new/",
        {
            "kind": "par",
            "unit": "19@2025",
            "year": "2025",
            "title": "Kế hoạch CCHC tỉnh 2025",
            "due_on": "15/07/2025",
            "number": "12/KH-UBND",
            "issued_on": "10/07/2025",
            "signer": "Chủ tịch",
            "require_subordinates": "on",
            "subordinate_due_on": "31/07/2025",
        },
    )
    assert response.status_code == 302
    province = Plan.objects.get(unit=w.tn)
    assert set(province.required_units.all()) == {w.pt, w.other}
    w.plan.parent = province
    w.plan.save()
    # The commune issues late; the other commune never does.
    login(client, "xa_pt")
    assert (
        client.post(
            f"/plans/{w.plan.pk}/issue/", {"number": "5/KH-UBND", "issued_on": "12/08/2025"}
        ).status_code
        == 302
    )
    assert client.get(f"/plans/{province.pk}/subordinates/").status_code == 403
    login(client, "vp_tn")
    page = client.get(f"/plans/{province.pk}/subordinates/").content.decode()
    assert page.count('data-status="late"') == 2 and page.count('data-status="missing"') == 2

    # A task through the form: a unit outside the plan is refused, by name.
    login(client, "xa_pt")
    bad = client.post(
        f"/plans/{w.plan.pk}/tasks/new/",
        {"title": "Số hóa hồ sơ", "lead": "Xã Khác", "deadline": "30/09/2025"},
    )
    assert bad.status_code == 400
    assert "không tìm thấy đơn vị “Xã Khác” trong phạm vi kế hoạch" in bad.content.decode()
    ok = client.post(
        f"/plans/{w.plan.pk}/tasks/new/",
        {
            "title": "Tuyên truyền",
            "lead": "Phủ Thông",
            "person": "Ông A",
            "ongoing": "on",
            "review_on": "15/12/2025",
            "deliverable": "Tin bài",
            "field_code": "I",
        },
    )
    assert ok.status_code == 302
    item = FollowupItem.objects.get(title="Tuyên truyền")
    assert (
        item.ongoing,
        item.review_on,
        item.person,
        item.issuing_unit,
        item.acceptance_label,
    ) == (
        True,
        date(2025, 12, 15),
        "Ông A",
        w.pt,
        "acceptance",
    )
    assert item.source.plan == w.plan

    # Import: one bad row → nothing is written and every error is named.
    rows = [
        HEADER,
        [1, "Rà soát TTHC", "Xã Phủ Thông", "", "30/10/2025", "Báo cáo"],
        [2, "Số hóa", "Xã Không Có", "", "32/10/2025", ""],
    ]
    before = FollowupItem.objects.count()
    bad = client.post(
        f"/plans/{w.plan.pk}/import/", {"file": SimpleUploadedFile("kh.xlsx", xlsx(rows))}
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Dòng 3, cột C (Cơ quan chủ trì): không tìm thấy đơn vị “Xã Không Có”" in text
    assert (
        "Dòng 3, cột E (Thời gian hoàn thành): ngày không tồn tại: &#x27;32/10/2025&#x27;" in text
    )
    assert FollowupItem.objects.count() == before
    rows[2] = [2, "Số hóa", "01969", "", date(2025, 11, 30), ""]
    good = client.post(
        f"/plans/{w.plan.pk}/import/", {"file": SimpleUploadedFile("kh.xlsx", xlsx(rows))}
    )
    assert good.status_code == 302
    assert list(w.plan.tasks.values_list("position", "item__title")) == [
        (1, "Kiện toàn BCĐ"),
        (2, "Tuyên truyền"),
        (3, "Rà soát TTHC"),
        (4, "Số hóa"),
    ]
    assert AuditEvent.objects.filter(action="plan.tasks_import").count() == 1

    # Export: the same table comes back.
    export = client.get(f"/plans/{w.plan.pk}/export.xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = (
        CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    )
    assert sheet[3][:5] == [1.0, "Kiện toàn BCĐ", "Xã Phủ Thông", "", date(2025, 8, 20)]
    assert sheet[4][4] == "Thường xuyên, rà soát 15/12/2025"

    # Completion: done late when accepted after the deadline; cancelled leave the count.
    first = w.task.item
    item_claim_done(item=first, user=w.officer)
    item_accept(item=first, user=w.officer)
    result = services.plan_completion(w.plan)
    assert (result.fraction, result.done_late) == ("1/4", 1)
    detail = client.get(f"/plans/{w.plan.pk}/").content.decode()
    assert "1/4 (25,00 %)" in detail
    # HTMX: only the task list.
    part = client.get(f"/plans/{w.plan.pk}/?show=overdue", HTTP_HX_REQUEST="true").content.decode()
    assert part.startswith('<div id="tasks">') and "Rà soát TTHC" in part and "<html" not in part


def test_report_request_form_versions_and_late_answer(
    client: Client, world: SimpleNamespace
) -> None:
    w = world
    metrics_sync()
    login(client, "vp_tn")
    response = client.post(
        "/plans/reports/new/",
        {
            "title": "Báo cáo CCHC năm 2025",
            "kind": "annual",
            "topic": "par",
            "year": "2025",
            "issuing_unit": "19@2025",
            "due_on": "14/12/2025",
            "units": "Xã Phủ Thông\nNơi Nào",
        },
    )
    assert response.status_code == 400
    assert "Dòng 2: không tìm thấy đơn vị “Nơi Nào”" in response.content.decode()
    req = w.req
    metric_id = services.Metric.objects.get(code="documents_electronic_pct").pk
    assert (
        client.post(
            f"/plans/reports/{req.pk}/form/", {"metric": metric_id, "value_type": "integer"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/plans/reports/{req.pk}/form/",
            {
                "code": "meetings",
                "label": "Số cuộc họp BCĐ",
                "value_type": "integer",
                "required": "on",
                "min_value": "0",
                "max_value": "12",
            },
        ).status_code
        == 302
    )
    form = req.current_form()
    assert form is not None and list(form.fields.values_list("code", "value_type")) == [
        ("documents_electronic_pct", "percent"),
        ("meetings", "integer"),
    ]

    login(client, "xa_pt")
    bad = client.post(
        f"/plans/reports/{req.pk}/submit/",
        {
            "unit": w.pt.pk,
            "fig_documents_electronic_pct": "120",
            "fig_meetings": "",
            "file": SimpleUploadedFile("bao-cao.pdf", PDF),
        },
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Chỉ tiêu “Số cuộc họp BCĐ” (meetings): bắt buộc nhập." in text
    assert "lớn hơn giá trị tối đa 100" in text
    assert ReportSubmission.objects.count() == 0
    ok = client.post(
        f"/plans/reports/{req.pk}/submit/",
        {
            "unit": w.pt.pk,
            "fig_documents_electronic_pct": "92,5",
            "fig_meetings": "3",
            "file": SimpleUploadedFile("bao-cao.pdf", PDF),
        },
    )
    assert ok.status_code == 302
    sub = ReportSubmission.objects.get()
    assert sub.figures == {"documents_electronic_pct": "92.5", "meetings": "3"}
    # Sent after 14/09/2025: late; the other commune: missing.
    page = client.get(f"/plans/reports/{req.pk}/").content.decode()
    assert page.count('data-status="late"') == 2  # the summary and the commune's row
    assert 'data-status="missing"' not in page.split('id="answers"')[1]  # only its own row
    form.refresh_from_db()
    assert form.frozen_at is not None

    # The secretariat sees both rows; a change now makes version 2.
    login(client, "vp_tn")
    page = client.get(f"/plans/reports/{req.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert page.count('data-status="late"') == 1 and page.count('data-status="missing"') == 1
    client.post(f"/plans/reports/{req.pk}/form/", {"remove": "meetings"})
    assert list(ReportForm.objects.filter(request=req).values_list("version", flat=True)) == [1, 2]
    assert req.current_form().fields.count() == 1  # type: ignore[union-attr]
    assert ReportForm.objects.get(request=req, version=1).fields.count() == 2
    # The figures table keeps numbers as numbers.
    data = client.get(f"/plans/reports/{req.pk}/figures.xlsx").content
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[3][:5] == ["01969", "Xã Phủ Thông", "trễ hạn", timezone.localdate(), 92.5]
    assert rows[4][:3] == ["01990", "Xã Khác", "chưa gửi"]
    # The file is readable by the province, not by an outsider.
    assert client.get(f"/files/{sub.file_id}/").status_code == 200
    login(client, "hn")
    assert client.get(f"/files/{sub.file_id}/").status_code == 403
    # Unit history.
    login(client, "xa_pt")
    history = client.get(f"/plans/units/{w.pt.pk}/").content.decode()
    assert "bao-cao.pdf" in history and "0/1" in history


def test_services_refuse_outsiders(world: SimpleNamespace) -> None:
    w = world
    with pytest.raises(PermissionDenied):
        services.task_create(
            plan=w.plan, user=w.outsider, title="x", lead_unit=w.pt, deadline=date(2025, 9, 1)
        )
    with pytest.raises(PermissionDenied):
        services.request_create(
            user=w.officer,
            title="x",
            kind="quarter",
            topic="par",
            year=2025,
            issuing_unit=w.pt,
            due_on=date(2025, 9, 1),
            units=[w.pt],
        )
    with pytest.raises(services.PlanError, match="không thuộc danh sách"):
        services.submission_create(req=w.req, unit=w.tn, user=w.secretariat, figures={}, file=None)
    with pytest.raises(services.PlanError, match="Cần tệp báo cáo"):
        services.submission_create(req=w.req, unit=w.pt, user=w.officer, figures={}, file=None)


PLAN_URLS = ["detail", "export", "subordinates", "unit"]


def _urls(w: SimpleNamespace) -> dict[str, str]:
    p, r = w.plan.pk, w.req.pk
    return {
        "list": "/plans/",
        "tasks": "/plans/tasks/",
        "reports": "/plans/reports/",
        "create": "/plans/new/",
        "report_create": "/plans/reports/new/",
        "detail": f"/plans/{p}/",
        "export": f"/plans/{p}/export.xlsx",
        "subordinates": f"/plans/{p}/subordinates/",
        "unit": f"/plans/units/{w.pt.pk}/",
        "report_detail": f"/plans/reports/{r}/",
        "report_figures": f"/plans/reports/{r}/figures/",
        "report_figures_xlsx": f"/plans/reports/{r}/figures.xlsx",
    }


# GET status per URL name for: officer, appraiser, secretariat, leader, outsider
GET_MATRIX = {
    "list": (200, 200, 200, 200, 200),
    "tasks": (200, 200, 200, 200, 200),
    "reports": (200, 200, 200, 200, 200),
    "create": (200, 200, 200, 403, 200),
    "report_create": (403, 200, 200, 403, 200),
    "detail": (200, 200, 200, 200, 403),
    "export": (200, 200, 200, 200, 403),
    "subordinates": (200, 200, 200, 200, 403),
    "unit": (200, 200, 200, 200, 403),
    "report_detail": (200, 200, 200, 200, 403),
    "report_figures": (200, 200, 200, 200, 403),
    "report_figures_xlsx": (200, 200, 200, 200, 403),
}
USERS = ("xa_pt", "td_tn", "vp_tn", "ld_tn", "hn")


def test_permission_matrix_get(client: Client, world: SimpleNamespace) -> None:
    urls = _urls(world)
    assert set(urls) == set(GET_MATRIX)
    for index, username in enumerate(USERS):
        login(client, username)
        got = {name: client.get(url).status_code for name, url in urls.items()}
        assert got == {name: codes[index] for name, codes in GET_MATRIX.items()}, username
    client.logout()
    assert client.get(urls["detail"]).status_code == 302  # login first


# POST: officer, appraiser, secretariat, leader, outsider
POST_MATRIX = {
    "task_add": (302, 302, 302, 403, 403),
    "issue": (302, 302, 302, 403, 403),
    "import": (400, 400, 400, 403, 403),
    "report_form": (403, 302, 302, 403, 403),
    "report_submit": (302, 302, 302, 403, 403),
}


def test_permission_matrix_post(client: Client, world: SimpleNamespace) -> None:
    w = world
    p, r = w.plan.pk, w.req.pk
    for index, username in enumerate(USERS):
        login(client, username)
        got = {
            "task_add": client.post(
                f"/plans/{p}/tasks/new/",
                {"title": f"T {username}", "lead": "01969", "deadline": "01/12/2025"},
            ),
            "issue": client.post(
                f"/plans/{p}/issue/", {"number": "1/KH", "issued_on": "01/08/2025"}
            ),
            "import": client.post(
                f"/plans/{p}/import/", {"file": SimpleUploadedFile("a.xlsx", b"not xlsx")}
            ),
            "report_form": client.post(
                f"/plans/reports/{r}/form/",
                {"code": f"c_{index}", "label": "Số", "value_type": "text"},
            ),
            "report_submit": client.post(
                f"/plans/reports/{r}/submit/",
                {
                    "unit": w.pt.pk,
                    "file": SimpleUploadedFile("r.pdf", PDF),
                    "fig_c_1": "x",
                    "fig_c_2": "y",
                },
            ),
        }
        assert {k: v.status_code for k, v in got.items()} == {
            k: c[index] for k, c in POST_MATRIX.items()
        }, username
    assert ReportRequest.objects.get().submissions.count() == 3


def test_list_and_task_lists(client: Client, world: SimpleNamespace) -> None:
    w = world
    login(client, "ld_tn")
    page = client.get("/plans/").content.decode()
    assert "Kế hoạch CCHC 2025 xã Phủ Thông" in page and "0/1 (0,00 %)" in page
    lists = client.get("/plans/tasks/").content.decode()
    assert "Kiện toàn BCĐ" in lists  # overdue since 20/08/2025
    login(client, "hn")
    assert "Kế hoạch CCHC 2025" not in client.get("/plans/").content.decode()
    assert "Báo cáo CCHC quý III" not in client.get("/plans/reports/").content.decode()
    assert w.plan.timeliness_on(date(2025, 8, 1)).value == "missing"
    assert w.plan.timeliness_on(date(2025, 7, 1) + timedelta(days=1)).value == "pending"
