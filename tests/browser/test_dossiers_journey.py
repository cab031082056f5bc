"""A secretariat imports a vendor file (one bad row, then corrected), reads the period report
of xã Lục Bình, drills into a figure and downloads the Excel files.

The fixture tests/fixtures/dossiers/journey_good.csv (profile ``motcua_mau``, Vietnamese
headers, SYNTHETIC data) holds 13 dossiers of xã Lục Bình (01990, Bắc Kạn, legacy). Month
3/2022 in the NĐ 09/2019 convention is 15/02/2022 – 14/03/2022. By hand:

====== =========== ============ =========== ========================================
code   received    due          finished    in month 3/2022
====== =========== ============ =========== ========================================
HS-01  10/02 08:00 17/02        16/02 10:00 carried over; resolved early (16 < 17)
HS-02  01/02 08:00 08/02        10/02 09:00 closed before 15/02: not in the table
HS-03  12/02 09:00 01/03        —           carried over; in progress, overdue
HS-04  15/02 08:00 18/02        18/02 15:00 new online full; on time (date-only due)
HS-05  16/02 09:00 21/02 17:00  21/02 17:30 new online partial (mức độ 3); late, apology
HS-06  20/02 08:00 25/02        23/02 10:00 new direct; early
HS-07  01/03 08:00 04/03        07/03 09:00 new postal; late, no apology
HS-08  05/03 08:00 10/03        09/03 14:00 new online full; early
HS-09  10/03 08:00 20/03        —           new direct; in progress, within deadline
HS-10  11/03 08:00 16/03        15/03 10:00 new online full; finished after the period
                                            end: in progress, within deadline
HS-11  15/03 08:00 18/03        —           received after the period: not in the table
HS-12  25/02 08:00 02/03        28/02 10:00 new direct; rejected (shown apart)
HS-13  14/03 08:00 14/03 17:00  14/03 16:30 new direct; on time (same day, before 17:00)
====== =========== ============ =========== ========================================

Received 11 = new 9 (online full 3, online partial 1, direct 4, postal 1) + carried over 2
= resolved 7 (early 3, on time 2, late 2 of which 1 with an apology letter) + in progress 3
(within 2, overdue 1) + rejected 1. On-time % = 5 / 7 = 71,43 %; online % = 4 / 9 = 44,44 %.
journey_bad.csv is the same file with one impossible due date (31/02/2022) on HS-07.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cchc.accounts.models import Role
from cchc.dossiers import importing
from cchc.dossiers.models import DossierImport
from cchc.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers"
ROW = "#report tr[data-key='01990@legacy']"
# Web table columns in order: received, online full, online partial, direct, postal,
# carried over | resolved, early, on time, late, late with apology | in progress, within,
# overdue | rejected, withdrawn, returned by post | on-time %, online %.
EXPECTED_CELLS = [
    "11", "3", "1", "4", "1", "2",
    "7", "3", "2", "2", "1",
    "3", "2", "1",
    "1", "0", "0",
    "71,43 %", "44,44 %",
]  # fmt: skip
# The official form (xlsx): column → (group header in row 4, column header in row 5, value)
EXPECTED_XLSX = {
    "C": ("Số hồ sơ nhận giải quyết", "Tổng số", 11),
    "D": (None, "Trực tuyến toàn trình", 3),
    "E": (None, "Trực tuyến một phần", 1),
    "F": (None, "Trực tiếp", 4),
    "G": (None, "Bưu chính", 1),
    "H": (None, "Kỳ trước chuyển qua", 2),
    "I": ("Số hồ sơ đã giải quyết", "Tổng số", 7),
    "J": (None, "Trước hạn", 3),
    "K": (None, "Đúng hạn", 2),
    "L": (None, "Quá hạn", 2),
    "M": (None, "Quá hạn có thư xin lỗi", 1),
    "N": ("Số hồ sơ đang giải quyết", "Tổng số", 3),
    "O": (None, "Trong hạn", 2),
    "P": (None, "Quá hạn", 1),
    "Q": ("Từ chối, rút", "Từ chối", 1),
    "R": (None, "Rút hồ sơ", 0),
}


def _upload(page: Any, name: str) -> None:
    page.set_input_files("#id_file", str(FIXTURES / name))
    page.select_option("#id_profile", "motcua_mau")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/dossiers/import/*/")


def _saved(download: Any, folder: Path) -> Path:
    """openpyxl goes by the file extension, which Playwright's temporary path lacks."""
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def _codes(page: Any) -> list[str]:
    return page.locator("#drill tbody tr td:first-child").all_inner_texts()


def test_dossiers_journey(
    live_server: Any,
    page: Any,
    login: Any,
    shot: Any,
    make_user: Any,
    units_extract: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    # The secretariat of Thái Nguyên (2025), which took in the former Bắc Kạn province: it
    # may import and read the legacy units that became part of it.
    make_user("vp_tn", role=Role.SECRETARIAT, unit=Unit.objects.get(code="19", hierarchy="2025"))
    url = live_server.url

    # 1. Upload the vendor file with one bad row: the preview names row and column in
    #    Vietnamese, offers no confirmation, and nothing is stored.
    login("vp_tn")
    page.goto(f"{url}/dossiers/")
    page.click("a[href='/dossiers/import/']")
    _upload(page, "journey_bad.csv")
    assert page.locator("h2").first.inner_text() == "1 lỗi — chưa nạp dòng nào"
    errors = page.locator("#errors tbody tr")
    assert errors.count() == 1
    place, column, value, reason = errors.first.locator("td").all_inner_texts()
    assert (place, column, value) == ("dòng 8", "Ngày hẹn trả", "31/02/2022")
    assert reason == "ngày giờ không hợp lệ"
    assert page.locator("#confirm").count() == 0
    assert DossierImport.objects.get().status == "rejected"
    assert importing.store().open().rows == 0
    shot(page, "1-preview-error")

    # 2. Upload the corrected file: a clean preview with the confirm button.
    page.click("a.button.secondary[href='/dossiers/import/']")
    _upload(page, "journey_good.csv")
    assert page.locator("#errors").count() == 0
    assert page.locator("form p").inner_text().startswith("Cả 13 dòng đều hợp lệ.")
    assert importing.store().open().rows == 0
    shot(page, "2-preview-ok")

    # 3. Confirm: the job runs (immediate backend in tests); the progress page ends done.
    page.click("#confirm")
    page.wait_for_selector("#import-done")
    assert page.locator("#import-done").inner_text() == "Đã nạp 13 dòng: 13 mới, 0 cập nhật."
    assert importing.store().open().rows == 13
    shot(page, "3-import-done")

    # 4. The period report of xã Lục Bình for month 3/2022 (15/02 – 14/03/2022).
    page.click("#progress a[href='/dossiers/report/']")
    page.fill("input[name=unit]", "01990@legacy")
    page.select_option("select[name=preset]", "month")
    page.fill("input[name=year]", "2022")
    page.fill("input[name=number]", "3")
    page.click("form.no-print button[type=submit]")
    page.wait_for_selector(ROW)
    assert "15/02/2022 – 14/03/2022" in page.locator("main, body").first.inner_text()
    row = page.locator(ROW)
    assert row.locator("td").first.inner_text() == "Xã Lục Bình"
    cells = row.locator("td.num").all_inner_texts()
    assert cells == EXPECTED_CELLS
    assert row.locator(".badge.good").count() == 1
    report_url = page.url
    shot(page, "4-report")

    # 5. Drill-down: the dossiers behind "late" and behind "carried over".
    row.locator("a[href$='figure=late']").click()
    page.wait_for_selector("#drill")
    assert page.locator("#drill-total").inner_text() == "2"
    assert sorted(_codes(page)) == ["HS-05", "HS-07"]
    shot(page, "5-drill-late")

    # 6. The drill-down list as xlsx.
    with page.expect_download() as info:
        page.click("#export")
    assert info.value.suggested_filename == "ho-so-late-20220215-20220314.xlsx"
    book = openpyxl.load_workbook(_saved(info.value, tmp_path))
    sheet = book.active
    assert sheet is not None and sheet.max_row == 3
    assert [c.value for c in sheet[1]][:2] == ["Mã hồ sơ", "Hệ thống"]
    assert sorted(sheet.cell(r, 1).value for r in (2, 3)) == ["HS-05", "HS-07"]
    assert {sheet.cell(r, 2).value for r in (2, 3)} == {"MOTCUA-MAU"}

    page.goto(report_url)
    page.locator(ROW).locator("a[href$='figure=carried_over']").click()
    page.wait_for_selector("#drill")
    assert sorted(_codes(page)) == ["HS-01", "HS-03"]
    page.goto(report_url)
    page.locator(ROW).locator("a[href$='figure=in_progress_total']").click()
    page.wait_for_selector("#drill")
    assert sorted(_codes(page)) == ["HS-03", "HS-09", "HS-10"]
    shot(page, "6-drill-in-progress")

    # 7. The report as the official form: two header rows, numbers as numbers.
    page.goto(report_url)
    with page.expect_download() as info:
        page.click("a[href$='format=xlsx']")
    assert info.value.suggested_filename == "bao-cao-ho-so-20220215-20220314.xlsx"
    form = openpyxl.load_workbook(_saved(info.value, tmp_path)).active
    assert form is not None
    assert (form["A4"].value, form["B4"].value) == ("STT", "Đơn vị")
    assert form["B6"].value == "Xã Lục Bình" and form["A6"].value == 1
    for col, (group, title, number) in EXPECTED_XLSX.items():
        if group is not None:
            assert form[f"{col}4"].value == group, col
        assert form[f"{col}5"].value == title, col
        value = form[f"{col}6"].value
        assert type(value) is int and value == number, col
    on_time, online = form["S6"].value, form["T6"].value
    assert isinstance(on_time, float) and isinstance(online, float)
    assert (Decimal(str(on_time)), Decimal(str(online))) == (Decimal("71.43"), Decimal("44.44"))
    assert form["A7"].value is None  # one unit, one row
