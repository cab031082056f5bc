"""Plan → record for two units → draft notice → signed notice → remediation → verification."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from cchc.accounts.models import Role
from cchc.followup.models import FollowupItem
from cchc.frameworks.metrics import metrics_sync
from cchc.inspections.models import BodyKind, ConclusionNotice, Inspection, IssuingBody
from tests.web.test_permissions import build_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"


def _logout(page: Any) -> None:
    page.context.clear_cookies()


def test_inspection_journey(
    live_server: Any,
    page: Any,
    login: Any,
    shot: Any,
    make_user: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"
    metrics_sync()
    w = build_tree()
    make_user("vp_tn", role=Role.SECRETARIAT, unit=w.tn)
    make_user("xa_pt", role=Role.UNIT_OFFICER, unit=w.pt)
    body = IssuingBody.objects.create(
        kind=BodyKind.STEERING_COMMITTEE,
        name="Ban Chỉ đạo CCHC và CĐS tỉnh Thái Nguyên",
        unit=w.tn,
        superior="UBND tỉnh Thái Nguyên",
        place="Thái Nguyên",
        signer_collective="Ban chỉ đạo",
    )
    url = live_server.url

    # 1. Plan an event.
    login("vp_tn")
    page.goto(f"{url}/inspections/")
    page.click("a[href='/inspections/plans/new/']")
    page.select_option("#id_body", str(body.pk))
    page.fill("#id_year", "2025")
    page.fill("#id_title", "Kế hoạch kiểm tra CCHC năm 2025")
    page.fill("#id_decision_number", "25/QĐ-BCĐ")
    page.fill("#id_decision_date", "01/08/2025")
    page.click("form.stack button")
    page.fill("#id_unit_codes", "01969@2025, 01990@2025")
    page.fill("#id_planned_date", "10/09/2025")
    page.check("input[name=topics][value=III]")
    page.check("input[name=topics][value=DX]")
    page.click("#add-planned button")
    shot(page, "1-plan")

    # 2. Record it for the two units: two shortcomings and a directive to both.
    page.click("a.button[href*='planned=']")
    page.fill("#id_title", "Kiểm tra CCHC và CĐS tại hai xã")
    page.click("form.stack button")
    event = Inspection.objects.get(title="Kiểm tra CCHC và CĐS tại hai xã")
    for text, field in (
        ("Tỷ lệ hồ sơ trực tuyến toàn trình thấp", "VII"),
        ("Tổ công nghệ số cộng đồng chưa hoạt động", "DX"),
    ):
        page.select_option("#id_finding-kind", "shortcoming")
        page.select_option("#id_finding-field_code", field)
        page.fill("#id_finding-text", text)
        page.check(f"input[name=finding-units][value='{w.pt.pk}']")
        page.check(f"input[name=finding-units][value='{w.other.pk}']")
        page.click("#form-finding button")
    page.fill("#id_directive-text", "Tuyên truyền dịch vụ công trực tuyến tới từng thôn")
    page.check(f"input[name=directive-units][value='{w.pt.pk}']")
    page.check(f"input[name=directive-units][value='{w.other.pk}']")
    page.fill("#id_directive-deadline", "31/12/2030")
    page.select_option("#id_directive-field_code", "VII")
    page.click("#form-directive button")
    assert page.locator("ul.shortcomings li").count() == 2
    assert page.locator("tr.directive td.aggregate").inner_text() == "0/2"
    shot(page, "2-recorded")

    # 3. The draft notice.
    page.click("#notice ~ form button")
    with page.expect_download() as info:
        page.click("a[href$='draft.docx']")
    draft = Document(io.BytesIO(Path(info.value.path()).read_bytes()))
    texts = [p.text for p in draft.paragraphs]
    assert draft.tables[0].cell(1, 0).paragraphs[0].text == "Số:      /TB-BCĐ"
    assert (
        "1. Tuyên truyền dịch vụ công trực tuyến tới từng thôn. Đơn vị thực hiện: "
        "Xã Phủ Thông; Xã Khác. Thời hạn: 31/12/2030." in texts
    )

    # 4. The signed notice.
    signed = tmp_path / "tb-signed.pdf"
    signed.write_bytes(PDF)
    page.fill("#id_number", "31/TB-BCĐ")
    page.fill("#id_signed_on", "15/09/2025")
    page.fill("#id_signed_by", "Lê Thị C")
    page.set_input_files("#id_file", str(signed))
    page.click("form[action$='/notice/sign/'] button")
    assert page.locator("a[href$='signed.pdf']").count() == 1
    assert ConclusionNotice.objects.get(inspection=event).number == "31/TB-BCĐ"
    shot(page, "3-signed")

    # 5. The Phủ Thông officer reports the directive done with a file.
    _logout(page)
    login("xa_pt")
    page.goto(f"{url}/inspections/unit/{w.pt.pk}/")
    assert page.locator("#open-items tbody tr").count() == 1
    page.click("#open-items a")
    evidence = tmp_path / "bien-ban-tuyen-truyen.pdf"
    evidence.write_bytes(PDF + b"\n% evidence")
    page.fill("#id_text", "Đã tổ chức tuyên truyền tại 12 thôn")
    page.set_input_files("#claim_files", str(evidence))
    page.click("form[action$='/claim/'] button")
    assert page.locator("a", has_text="bien-ban-tuyen-truyen.pdf").count() == 1
    shot(page, "4-claimed")

    # 6. The inspecting body verifies ("xác minh").
    _logout(page)
    login("vp_tn")
    item = FollowupItem.objects.get(lead_unit=w.pt)
    page.goto(f"{url}/followup/{item.pk}/")
    page.click("form[action$='/accept/'] button")
    item.refresh_from_db()
    assert item.status == "accepted"

    # 7. The dashboard and the open items change.
    page.goto(f"{url}/inspections/dashboard/?year=2025")
    rows = {
        row.locator("td").nth(0).inner_text(): row.locator("td").nth(4).inner_text()
        for row in page.locator("#per-unit tbody tr").all()
    }
    assert rows == {"Xã Khác": "0/1", "Xã Phủ Thông": "1/1"}
    assert page.locator("#held td").nth(0).inner_text() == "1"
    shot(page, "5-dashboard")
    page.goto(f"{url}/inspections/{event.pk}/")
    assert page.locator("tr.directive td.aggregate").inner_text() == "1/2"
    page.goto(f"{url}/inspections/unit/{w.pt.pk}/")
    assert page.locator("#open-items tbody tr td.muted").count() == 1  # nothing open
    page.goto(f"{url}/inspections/unit/{w.other.pk}/")
    assert page.locator("#open-items tbody tr").count() == 1
    assert "Tuyên truyền dịch vụ công" in page.locator("#open-items").inner_text()
    shot(page, "6-other-unit")
