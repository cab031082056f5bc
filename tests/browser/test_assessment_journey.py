"""A yearly round in Chromium: open → self-assess with evidence → submit → appraisal with a
reason → explanation → appraisal round 2 → publish → ranking and scorecard figures."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from cchc.accounts.models import Role
from cchc.assessments import services
from cchc.assessments.models import Assessment, AssessmentStatus, Result, SignOff
from cchc.frameworks.services import indexset_import
from cchc.units.loader import load_units
from cchc.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n% ke hoach CCHC 2024\n%%EOF\n"

SET_YAML = """
code: JOURNEY-PAR
name: Bộ chỉ số CCHC cấp xã (thử)
kind: PAR
year: 2024
max_points: 10
display: percent
nodes:
  - code: I
    label: I
    title: Công tác chỉ đạo, điều hành
    max: 4
    children:
      - code: I.1
        title: Ban hành kế hoạch CCHC năm
        max: 2
        rule: {type: timeliness, on_time: 2, late: 1, missing: 0}
      - code: I.2
        title: Số cuộc họp của Ban chỉ đạo
        max: 2
        rule:
          type: count_bands
          levels: [{at_least: 4, points: 2}, {at_least: 2, points: 1}]
  - code: II
    label: II
    title: Chuyển đổi số
    max: 6
    children:
      - code: II.1
        title: Tỷ lệ văn bản điện tử có ký số
        max: 6
        rule: {type: ratio}
"""


def _as(page: Any, login: Any, username: str) -> None:
    page.context.clear_cookies()
    login(username)
    expect(page.locator("form[action='/accounts/logout/']")).to_be_attached()


def _row(page: Any, code: str) -> Any:
    return page.locator(f"tr[id='c-{code}']")


def _save(page: Any, code: str, value: str | None, note: str = "") -> Any:
    """Type into one criterion's form and save it (htmx swaps the row in place)."""
    row = _row(page, code)
    if value is not None:
        row.locator("input[name=value]").fill(value)
    row.locator("input[name=note]").fill(note)
    with page.expect_response(re.compile(r"/save/")):
        row.locator("form.crit button").click()
    row = _row(page, code)
    expect(row).to_be_visible()
    return row


def test_assessment_round_journey(
    live_server: Any,
    page: Any,
    login: Any,
    shot: Any,
    make_user: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"
    load_units(frozenset({"19@2025"}))  # Thái Nguyên after the 2025 reorganisation
    province = Unit.objects.get(code="19", hierarchy="2025")
    a = Unit.objects.get(code="01969", hierarchy="2025")
    b = (
        Unit.objects.filter(hierarchy="2025", parent=province, kind="commune")
        .exclude(pk=a.pk)
        .order_by("code")
        .first()
    )
    assert b is not None
    index_set = indexset_import(SET_YAML, filename="journey.yaml", publish=True)
    make_user("tt_tn", Role.SECRETARIAT, province)
    make_user("xa_pt", Role.UNIT_OFFICER, a)
    officer_b = make_user("xa_b", Role.UNIT_OFFICER, b)
    appraiser = make_user("td_tn", Role.APPRAISER, province, first_name="Hội đồng thẩm định")
    url = live_server.url
    today = date.today()

    # 1. The secretariat opens the round for two units and assigns the appraiser.
    _as(page, login, "tt_tn")
    page.goto(f"{url}/assessments/")
    page.click("a.button[href='/assessments/new/']")
    page.fill("#id_code", "par-2024-tn")
    page.fill("#id_name", "Chỉ số CCHC cấp xã năm 2024")
    page.select_option("#id_index_set", str(index_set.pk))
    page.fill("#id_owner_unit", "19@2025")
    page.fill("#id_units", f"01969@2025\n{b.key}")
    for i, name in enumerate(
        ("self", "appraisal_1", "explanation", "appraisal_2", "publication"), start=1
    ):
        page.fill(f"#id_{name}_deadline", (today + timedelta(days=7 * i)).isoformat())
    shot(page, "1-open-form")
    page.click("form.stack button")
    expect(page.locator("h1")).to_have_text("Chỉ số CCHC cấp xã năm 2024")
    page.select_option("#ap_user", str(appraiser.pk))
    page.click("form[action$='/appraisers/'] button")
    expect(page.locator(".messages")).to_contain_text("Đã phân công thẩm định")
    shot(page, "2-round-opened")
    asm = Assessment.objects.get(round__code="par-2024-tn", unit=a)
    asm_b = Assessment.objects.get(round__code="par-2024-tn", unit=b)
    rnd = asm.round

    # 2. Xã Phủ Thông self-assesses every criterion; points appear at once.
    _as(page, login, "xa_pt")
    page.goto(f"{url}/assessments/")
    page.click(f"a[href='/assessments/a/{asm.pk}/']")
    expect(page.locator("#status")).to_have_text("Tự đánh giá")
    expect(_save(page, "I.1", "đúng hạn").locator("strong.pts")).to_have_text("2")
    expect(_save(page, "I.2", "4").locator("strong.pts")).to_have_text("2")
    row = _save(page, "II.1", "9/10", "Văn bản lưu trên hệ thống quản lý văn bản của xã")
    expect(row.locator("strong.pts")).to_have_text("5,4")
    evidence = tmp_path / "ke-hoach-cchc-2024.pdf"
    evidence.write_bytes(PDF)
    for code in ("I.1", "I.2"):
        _row(page, code).locator("input[type=file]").set_input_files(str(evidence))
        _row(page, code).locator("form.evidence-form button").click()
        expect(page.locator(".messages")).to_contain_text(f"cho {code}")
    expect(_row(page, "I.2").locator("ul.evidence a")).to_have_text("ke-hoach-cchc-2024.pdf")
    shot(page, "3-self-assessed")
    page.click("#submit-stage")
    expect(page.locator("#status")).to_have_text("Thẩm định lần 1")
    expect(page.locator("table.criteria input, table.criteria button")).to_have_count(0)
    expect(page.locator("#submit-stage")).to_have_count(0)
    assert SignOff.objects.filter(assessment=asm, stage="self").count() == 1
    shot(page, "4-submitted-locked")

    # The second unit goes through the same stages without a change by the council.
    for code, value in (("I.1", "trễ hạn"), ("I.2", "2"), ("II.1", "5/10")):
        services.score_save(
            user=officer_b,
            assessment=asm_b,
            code=code,
            stage="self",
            value=value,
            note="lưu tại xã",
        )
    services.stage_submit(user=officer_b, assessment=asm_b, stage="self")
    services.stage_submit(user=appraiser, assessment=asm_b, stage="appraisal_1")

    # 3. The appraiser contests II.1: without a reason the row says why it was refused.
    _as(page, login, "td_tn")
    page.goto(f"{url}/assessments/a/{asm.pk}/")
    row = _save(page, "II.1", "6/10")
    expect(row.locator(".errors")).to_have_text(
        "Tiêu chí II.1: điểm thẩm định khác điểm tự đánh giá, phải ghi lý do"
    )
    expect(row.locator("input[name=value]")).to_have_value("6/10")  # nothing typed is lost
    shot(page, "5-reason-required")
    row = _save(page, "II.1", None, "Chỉ 6/10 văn bản có chữ ký số hợp lệ")
    expect(row.locator(".errors")).to_have_count(0)
    expect(row).to_contain_text("3,6")
    page.click("#submit-stage")
    expect(page.locator("#status")).to_have_text("Giải trình")

    # 4. The unit explains the contested criterion; only that one is open.
    _as(page, login, "xa_pt")
    page.goto(f"{url}/assessments/a/{asm.pk}/")
    expect(page.locator("table.criteria form.crit")).to_have_count(1)
    _save(page, "II.1", None, "Đã bổ sung 2 văn bản ký số bị sót khi thống kê")
    shot(page, "6-explanation")
    page.click("#submit-stage")
    expect(page.locator("#status")).to_have_text("Thẩm định lần 2")

    # 5. Appraisal round 2 sets the final points.
    _as(page, login, "td_tn")
    page.goto(f"{url}/assessments/a/{asm.pk}/")
    row = _save(page, "II.1", "8/10", "Chấp nhận một phần giải trình")
    expect(row).to_contain_text("4,8")
    shot(page, "7-appraisal-2")
    page.click("#submit-stage")
    expect(page.locator("#status")).to_have_text("Hoàn thành")

    # 6. The secretariat publishes; the ranking shows the exact figures.
    _as(page, login, "tt_tn")
    page.goto(f"{url}/assessments/{rnd.pk}/")
    page.click("form[action$='/publish/'] button")
    expect(page.locator(".messages")).to_contain_text("Đã công bố kết quả")
    ranking = page.locator("#ranking tbody tr")
    expect(ranking).to_have_count(2)
    # A: 2 + 2 + 8/10 × 6 = 8,8 of 10 → 88,00 % (band B); B: 1 + 1 + 3 = 5 → 50,00 %.
    expect(ranking.nth(0).locator("td")).to_have_text(
        ["1", "Xã Phủ Thông", "88,00", "B", "", "4,00", "4,80"]
    )
    expect(ranking.nth(1).locator("td")).to_have_text(
        ["2", b.name, "50,00", "", "", "2,00", "3,00"]
    )
    bars = page.locator("figure svg rect[data-value]")
    expect(bars).to_have_count(2)
    assert [bars.nth(i).get_attribute("data-value") for i in range(2)] == ["88,00", "50,00"]
    expect(bars.nth(0).locator("title")).to_have_text("Xã Phủ Thông: 88,00")
    shot(page, "8-ranking")

    # 7. The unit's scorecard: index, rank, band, lost points, adjustment and bars.
    page.click("#ranking a:text('Xã Phủ Thông')")
    expect(page.locator("#sc-index")).to_have_text("88,00")
    expect(page.locator("#sc-rank")).to_have_text("1/2")
    expect(page.locator("#sc-band")).to_have_text("B")
    expect(page.locator("#sc-lost")).to_have_text("1,20")
    expect(page.locator("#sc-adjustment")).to_have_text("-0,60")
    fields = page.locator("#fields tbody tr")
    expect(fields.nth(1).locator("td")).to_have_text(
        ["II", "Chuyển đổi số", "6,00", "5,40", "4,80", "0,00", "4,80", "1,20", "3,90", "4,80"]
    )
    expect(page.locator("#lost tbody tr").first.locator("td")).to_have_text(
        ["II.1", "Tỷ lệ văn bản điện tử có ký số", "6,00", "4,80", "1,20"]
    )
    adjustments = page.locator("#adjustments tbody tr")
    expect(adjustments).to_have_count(2)
    expect(adjustments.nth(0).locator("td")).to_have_text(
        ["II.1", "Thẩm định lần 1", "5,40", "3,60", "Chỉ 6/10 văn bản có chữ ký số hợp lệ"]
    )
    expect(adjustments.nth(1).locator("td")).to_have_text(
        ["II.1", "Thẩm định lần 2", "5,40", "4,80", "Chấp nhận một phần giải trình"]
    )
    chart = page.locator("figure svg")
    unit_bars = chart.locator("rect[data-series=unit]")
    assert [unit_bars.nth(i).get_attribute("data-value") for i in range(2)] == ["4,00", "4,80"]
    median = chart.locator("rect[data-series=median]")
    assert [median.nth(i).get_attribute("data-value") for i in range(2)] == ["3,00", "3,90"]
    expect(page.locator("#evidence")).to_contain_text("ke-hoach-cchc-2024.pdf")
    shot(page, "9-scorecard")

    result = Result.objects.get(assessment=asm)
    assert (result.total, result.index, result.rank, result.band) == (
        Decimal("8.8"),
        Decimal("88.00"),
        1,
        "B",
    )
    assert (result.lost, result.adjustment) == (Decimal("1.2"), Decimal("-0.6"))
    asm.refresh_from_db()
    assert (
        asm.status == AssessmentStatus.FINAL and SignOff.objects.filter(assessment=asm).count() == 4
    )
