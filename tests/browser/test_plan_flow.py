"""A plan from creation to accepted tasks, and a late periodic report, in Chromium."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cchc.accounts.models import Role
from cchc.core.indexset import parse_set
from cchc.core.scoring import compile_set, entry_from_value
from cchc.frameworks import kpi
from cchc.frameworks.kpi import KpiQuery
from cchc.plans import services
from cchc.plans.models import Plan, ReportKind
from tests.web.test_permissions import build_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"
SAMPLE = Path(__file__).resolve().parents[2] / "cchc/frameworks/sets/par-commune-sample.yaml"


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["KẾ HOẠCH CCHC NĂM 2025"])
    sheet.append(
        [
            "STT",
            "Nhiệm vụ",
            "Cơ quan chủ trì",
            "Cơ quan phối hợp",
            "Thời gian hoàn thành",
            "Sản phẩm",
        ]
    )
    sheet.append([1, "Số hóa hồ sơ tồn của các xã cũ", "01969", "", "30/12/2026", "Kho dữ liệu số"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _criterion(unit_id: int) -> tuple[Any, Decimal]:
    node = compile_set(parse_set(SAMPLE.read_text(encoding="utf-8")).definition).node("I.1.2")
    value = kpi.evaluate(
        "plan.completion_rate", KpiQuery(unit_id, 2025, date(2025, 1, 1), date.today())
    )
    assert value is not None
    return value.value, entry_from_value(node, value.value)[0].points


def _switch(page: Any, login: Any, username: str) -> None:
    page.context.clear_cookies()
    login(username)


def test_plan_tasks_acceptance_and_late_report(
    live_server: Any, page: Any, login: Any, shot: Any, make_user: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"
    w = build_tree()
    make_user("vp_tn", role=Role.SECRETARIAT, unit=w.tn)
    make_user("xa_pt", role=Role.UNIT_OFFICER, unit=w.pt)
    req = services.request_create(
        user=None,
        title="Báo cáo CCHC quý III năm 2025",
        kind=ReportKind.QUARTER,
        topic="par",
        year=2025,
        issuing_unit=w.tn,
        due_on=date(2025, 9, 14),
        units=[w.pt, w.other],
    )
    url = live_server.url

    # 1. The secretariat creates the commune's plan and a task with the "5 rõ".
    login("vp_tn")
    page.goto(f"{url}/plans/new/")
    page.select_option("#id_kind", "par")
    page.fill("#id_unit", "01969@2025")
    page.fill("#id_year", "2025")
    page.fill("#id_title", "Kế hoạch CCHC năm 2025 của Xã Phủ Thông")
    page.fill("#id_due_on", "31/07/2025")
    page.fill("#id_number", "15/KH-UBND")
    page.fill("#id_issued_on", "28/07/2025")
    page.click("form.card button")
    page.wait_for_url("**/plans/*/")
    plan = Plan.objects.get()
    page.fill("#task-form [name=title]", "Kiện toàn Ban chỉ đạo CCHC xã")
    page.fill("#task-form [name=lead]", "Xã Phủ Thông")
    page.fill("#task-form [name=person]", "Văn phòng UBND xã")
    page.fill("#task-form [name=deadline]", "31/12/2026")
    page.fill("#task-form [name=deliverable]", "Quyết định kiện toàn")
    page.click("#task-form button")
    page.wait_for_load_state()

    # 2. The rest of the table comes from Excel.
    page.set_input_files(
        "#import-form [name=file]",
        files=[
            {"name": "nhiem-vu.xlsx", "mimeType": "application/octet-stream", "buffer": _xlsx()}
        ],
    )
    page.click("#import-form button")
    page.wait_for_load_state()
    assert page.locator("#completion").inner_text().startswith("0/2")
    assert _criterion(w.pt.pk) == (Decimal(0), Decimal(0))
    shot(page, "plan-imported")

    # 3. The commune reports progress with a file, then reports both tasks done.
    _switch(page, login, "xa_pt")
    for n, item in enumerate(services.plan_items(plan).order_by("plan_task__position")):
        page.goto(f"{url}/followup/{item.pk}/")
        if n == 0:
            page.fill('form[action$="/update/"] textarea', "Đã trình dự thảo quyết định")
            page.set_input_files(
                'form[action$="/update/"] input[type=file]',
                files=[{"name": "du-thao.pdf", "mimeType": "application/pdf", "buffer": PDF}],
            )
            page.click('form[action$="/update/"] button')
            page.wait_for_load_state()
            assert page.get_by_text("du-thao.pdf").count() == 1
        page.fill('form[action$="/claim/"] textarea', "Đã hoàn thành")
        page.click('form[action$="/claim/"] button')
        page.wait_for_load_state()
    shot(page, "task-claimed")

    # 4. The secretariat accepts ("nghiệm thu"); the rate and the criterion change.
    _switch(page, login, "vp_tn")
    for item in services.plan_items(plan):
        page.goto(f"{url}/followup/{item.pk}/")
        page.click('form[action$="/accept/"] button')
        page.wait_for_load_state()
    page.goto(f"{url}/plans/{plan.pk}/")
    assert page.locator("#completion").inner_text().startswith("2/2 (100,00 %)")
    assert _criterion(w.pt.pk) == (Decimal(100), Decimal(2))
    shot(page, "plan-accepted")

    # 5. The commune answers a report after its due date: late.
    _switch(page, login, "xa_pt")
    page.goto(f"{url}/plans/reports/{req.pk}/")
    page.set_input_files(
        "#submit-form [name=file]",
        files=[
            {"name": "bao-cao-quy-3.pdf", "mimeType": "application/pdf", "buffer": PDF + b"\n%q3"}
        ],
    )
    page.click("#submit-form button")
    page.wait_for_url(f"**/plans/reports/{req.pk}/")
    assert page.get_by_text("bao-cao-quy-3.pdf").count() == 1
    row = page.locator("#answers tbody tr", has_text="Xã Phủ Thông")
    assert row.locator("[data-status=late]").count() == 1
    _switch(page, login, "vp_tn")
    page.goto(f"{url}/plans/reports/{req.pk}/")
    assert page.locator("#answers [data-status=missing]").count() == 1
    shot(page, "report-late")
