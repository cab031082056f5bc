"""Exports of a round (summary table xlsx/docx), the scorecard PDF and the history page,
read back with openpyxl, python-docx and the PDF's text; permissions per role."""

from __future__ import annotations

import copy
import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import Role
from cchc.reports.assessment_pdf import FetchRefused, html_to_pdf, offline_fetcher
from tests.conftest import PASSWORD, create_user, module_rows
from tests.db.test_assessment_history import build_history_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[SimpleNamespace]:
    """The world written once for this module's tests (see tests.conftest.module_rows)."""
    with module_rows(django_db_blocker):
        yield _build_world(create_user)


@pytest.fixture
def world(world_once: SimpleNamespace, db: Any) -> SimpleNamespace:
    return copy.deepcopy(world_once)  # fresh instances for each test, as setUpTestData gives


def _build_world(make_user: Any) -> SimpleNamespace:
    w = build_history_world(make_user)
    w.officer = make_user("off_pt", Role.UNIT_OFFICER, w.pt)
    w.officer_other = make_user("off_other", Role.UNIT_OFFICER, w.other)
    w.appraiser = make_user("appr", Role.APPRAISER, w.tn)
    w.secretariat = make_user("sec", Role.SECRETARIAT, w.tn)
    w.leader = make_user("lead", Role.LEADER, w.tn)
    far = w.tn.__class__.objects.create(
        code="01", hierarchy="2025", name="Thành phố Hà Nội", kind="city", level=1
    )
    w.outsider = make_user("out", Role.SECRETARIAT, far)
    return w


def client_for(user: Any) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def pdf_text(data: bytes) -> str | None:
    """The PDF's text with pypdf or poppler's pdftotext; None when neither is there."""
    try:
        from pypdf import PdfReader  # type: ignore[import-not-found]
    except ImportError:
        tool = shutil.which("pdftotext")
        if tool is None:
            return None
        done = subprocess.run(
            [tool, "-layout", "-", "-"], input=data, capture_output=True, check=True
        )
        return done.stdout.decode()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_summary_xlsx_numbers_merged_header_and_print_setup(world: SimpleNamespace) -> None:
    from openpyxl import load_workbook

    response = client_for(world.leader).get(
        reverse("assessments:summary_xlsx", args=[world.r25.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="tong-hop-hist-2025.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert merged == {
        "A1:H1",
        "A2:H2",
        "A4:A5",
        "B4:B5",
        "C4:D4",
        "E4:E5",
        "F4:F5",
        "G4:G5",
        "H4:H5",
    }
    assert sheet["A1"].value == "BẢNG TỔNG HỢP KẾT QUẢ CHỈ SỐ CCHC 2025 (THỬ)"
    assert sheet["A2"].value.startswith("Bộ chỉ số thử 2025 · Tỉnh Thái Nguyên · Công bố ngày ")
    header = [sheet.cell(4, c).value for c in range(1, 9)]
    assert header == [
        "STT",
        "Đơn vị",
        "Điểm theo lĩnh vực",
        None,
        "Tổng điểm\n(tối đa 10,00)",
        "Chỉ số (%)",
        "Xếp hạng",
        "Nhóm",
    ]
    assert sheet["C5"].value == "I. Chỉ đạo điều hành\n(tối đa 6,00)"
    assert sheet["D5"].value == "II. Thủ tục hành chính\n(tối đa 4,00)"
    rows = [[sheet.cell(r, c).value for c in range(1, 9)] for r in (6, 7)]
    assert rows == [
        [1, "Xã Khác (dữ liệu giả lập)", 5.5, 3.5, 9, 90, 1, "A"],
        [2, "Xã Phủ Thông (dữ liệu giả lập)", 5, 3, 8, 80, 2, "B"],
    ]
    assert sheet["F6"].number_format == "0.00" and sheet["C6"].number_format == "0.00"
    assert sheet.max_row == 7
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # fitToWidth 1 is the OOXML default, so xlsxwriter leaves the attribute out.
    assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$4:$5"


def test_summary_docx_landscape_times_new_roman(world: SimpleNamespace) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    response = client_for(world.secretariat).get(
        reverse("assessments:summary_docx", args=[world.r24.pk])
    )
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    assert doc.paragraphs[0].text == "BẢNG TỔNG HỢP KẾT QUẢ CHỈ SỐ CCHC 2024 (THỬ)"
    table = doc.tables[0]
    body = [[c.text for c in row.cells] for row in table.rows[2:]]
    assert body == [
        ["1", "Xã Khác (dữ liệu giả lập)", "6,00", "3,50", "9,50", "95,00", "1", "A"],
        ["2", "Thị trấn Phủ Thông (dữ liệu giả lập)", "5,00", "2,50", "7,50", "75,00", "2", ""],
        ["3", "Xã Vi Hương (dữ liệu giả lập)", "3,00", "4,00", "7,00", "70,00", "3", ""],
    ]
    assert table.rows[0].cells[2].text == "Điểm theo lĩnh vực"
    assert [table.rows[1].cells[i].text for i in (2, 3)] == ["I (6,00)", "II (4,00)"]
    runs = [r for p in table.rows[2].cells[1].paragraphs for r in p.runs]
    assert runs[0].font.name == "Times New Roman" and runs[0].font.size == Pt(13)
    assert 'w:tblHeader w:val="true"' in table.rows[1]._tr.xml


def test_scorecard_pdf_text(world: SimpleNamespace) -> None:
    response = client_for(world.officer).get(
        reverse("assessments:scorecard_pdf", args=[world.asm_pt.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    text = pdf_text(data)
    if text is None:
        # .ci/run installs poppler-utils: in CI the text must be read, never skipped.
        assert os.environ.get("CI") != "true", "pdftotext (poppler-utils) missing in CI"
        pytest.skip("neither pypdf nor pdftotext to read the text")
    flat = " ".join(text.split())
    assert "Xã Phủ Thông" in flat
    assert "80,00" in flat and "2/2" in flat
    # Per field: max, self, appraisal, survey, final, lost.
    assert "I Chỉ đạo điều hành 6,00 5,00 5,00 0,00 5,00 1,00" in flat
    assert "II Thủ tục hành chính 4,00 3,00 3,00 0,00 3,00 1,00" in flat
    # The criteria that lost the most, most first.
    assert re.search(r"II\.1 Công khai và giải quyết TTHC 4,00 3,00 1,00", flat)
    assert flat.index("II.1 Công khai") < flat.index("I.1 Kế hoạch")
    assert "Thị trấn Phủ Thông (cũ)" in flat and "Xã Vi Hương (cũ)" in flat


def test_pdf_refuses_external_resources() -> None:
    fetcher = offline_fetcher()
    for url in ("https://example.org/logo.png", "file:///etc/passwd", "ftp://example.org/x"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,abc").read() == b"abc"
    # An external image inside the document is not fetched: the PDF still renders.
    pdf = html_to_pdf('<html><body><p>Xã</p><img src="http://192.0.2.1/x.png"></body></html>')
    assert pdf.startswith(b"%PDF")


def test_history_page_lines(world: SimpleNamespace) -> None:
    c = client_for(world.officer)
    page = c.get(reverse("assessments:history", args=[world.asm_pt.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "HIST-2025 ← HIST-2024" in html
    rows = re.findall(r'<tr id="hl-\d+"><td>(.*?)</td><td class="num">(\d+)</td>', html)
    assert [(re.sub(r"<.*", "", n).strip(), y) for n, y in rows] == [
        ("Xã Phủ Thông", "2025"),
        ("Thị trấn Phủ Thông (cũ)", "2024"),
        ("Xã Vi Hương (cũ)", "2024"),
    ]
    assert html.count("không so sánh") == 2  # predecessors: no invented delta
    # Another unit's history does not exist for this officer, HTMX or not.
    other = reverse("assessments:history", args=[world.asm_other.pk])
    assert c.get(other, HTTP_HX_REQUEST="true").status_code == 404


def test_permission_matrix(world: SimpleNamespace) -> None:
    urls = {
        "summary_xlsx": reverse("assessments:summary_xlsx", args=[world.r25.pk]),
        "summary_docx": reverse("assessments:summary_docx", args=[world.r25.pk]),
        "scorecard_pdf": reverse("assessments:scorecard_pdf", args=[world.asm_pt.pk]),
        "history": reverse("assessments:history", args=[world.asm_pt.pk]),
    }
    expected = {
        "officer": {"summary_xlsx": 200, "summary_docx": 200, "scorecard_pdf": 200, "history": 200},
        "officer_other": {
            "summary_xlsx": 200,
            "summary_docx": 200,
            "scorecard_pdf": 404,
            "history": 404,
        },
        "appraiser": {
            "summary_xlsx": 200,
            "summary_docx": 200,
            "scorecard_pdf": 200,
            "history": 200,
        },
        "secretariat": {
            "summary_xlsx": 200,
            "summary_docx": 200,
            "scorecard_pdf": 200,
            "history": 200,
        },
        "leader": {"summary_xlsx": 200, "summary_docx": 200, "scorecard_pdf": 200, "history": 200},
        "outsider": {
            "summary_xlsx": 404,
            "summary_docx": 404,
            "scorecard_pdf": 404,
            "history": 404,
        },
    }
    got = {}
    for role in expected:
        c = client_for(getattr(world, role))
        got[role] = {name: c.get(url).status_code for name, url in urls.items()}
        # Downloads are GET only: a POST (HTMX or not) is refused.
        assert c.post(urls["summary_xlsx"], HTTP_HX_REQUEST="true").status_code == 405
    assert got == expected
    anonymous = Client().get(urls["history"])
    assert anonymous.status_code == 302
