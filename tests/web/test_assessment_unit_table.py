"""The official summary table of one unit (xlsx and docx), read back with openpyxl and
python-docx; an outsider gets 404, a POST 405."""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import Role
from cchc.reports.assessment_unit_table import (
    UnitTable,
    UnitTableRow,
    unit_table_docx,
    unit_table_xlsx,
)
from tests.conftest import PASSWORD, create_user, module_rows
from tests.db.test_assessment_history import build_history_world

D = Decimal
HEADER = [
    ["STT", "Lĩnh vực / Tiêu chí", "Điểm tối đa", "Điểm đánh giá", None, None, "Điểm đạt"],
    [None, None, None, "Tự đánh giá", "Thẩm định", "Điều tra XHH", None],
]


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


@pytest.mark.django_db
def test_unit_table_xlsx(world: SimpleNamespace) -> None:
    from openpyxl import load_workbook

    url = reverse("assessments:unit_table_xlsx", args=[world.asm_pt.pk])
    response = client_for(world.officer).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="bang-tong-hop-hist-2025-{world.pt.key}.xlsx"'.replace("@", "-")
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert {str(r) for r in sheet.merged_cells.ranges} == {
        "A1:H1",
        "A2:H2",
        "A4:A5",
        "B4:B5",
        "C4:C5",
        "D4:F4",
        "G4:G5",
        "H4:H5",
    }
    assert sheet["A1"].value == "BẢNG TỔNG HỢP KẾT QUẢ CHỈ SỐ CCHC 2025 (THỬ)"
    assert sheet["A2"].value == "Xã Phủ Thông · Bộ chỉ số thử 2025"
    assert [[sheet.cell(r, c).value for c in range(1, 8)] for r in (4, 5)] == HEADER
    assert sheet["H4"].value == "Chỉ số (%)"
    rows = [[sheet.cell(r, c).value for c in range(1, 9)] for r in range(6, 13)]
    assert rows == [
        ["I", "Chỉ đạo điều hành", 6, 5, 5, None, 5, None],
        ["I.1", "Kế hoạch và báo cáo CCHC", 3, 2.5, 2.5, None, 2.5, None],
        ["I.2a", "Kiểm tra CCHC", 1.5, 1.5, 1.5, None, 1.5, None],
        ["I.2b", "Xử lý sau kiểm tra", 1.5, 1, 1, None, 1, None],
        ["II", "Thủ tục hành chính", 4, 3, 3, None, 3, None],
        ["II.1", "Công khai và giải quyết TTHC", 4, 3, 3, None, 3, None],
        [None, "Tổng cộng", 10, 8, 8, None, 8, 80],
    ]
    assert sheet.max_row == 12
    assert sheet["C6"].number_format == "0.00" and sheet["H12"].number_format == "0.00"
    assert sheet["B6"].font.b and not sheet["B7"].font.b and sheet["B12"].font.b
    assert (sheet["B6"].alignment.indent, sheet["B7"].alignment.indent) == (0, 1)
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$4:$5"


@pytest.mark.django_db
def test_unit_table_docx(world: SimpleNamespace) -> None:
    from docx import Document
    from docx.shared import Pt

    url = reverse("assessments:unit_table_docx", args=[world.asm_other.pk])
    response = client_for(world.leader).get(url)
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    assert [p.text for p in doc.paragraphs[:2]] == [
        "BẢNG TỔNG HỢP KẾT QUẢ CHỈ SỐ CCHC 2025 (THỬ)",
        "Xã Khác · Bộ chỉ số thử 2025",
    ]
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "STT",
        "Lĩnh vực / Tiêu chí",
        "Điểm tối đa",
        "Điểm đánh giá",
        "Điểm đánh giá",
        "Điểm đánh giá",
        "Điểm đạt",
        "Chỉ số (%)",
    ]
    assert [c.text for c in table.rows[1].cells][3:6] == [
        "Tự đánh giá",
        "Thẩm định",
        "Điều tra XHH",
    ]
    body = [[c.text for c in row.cells] for row in table.rows[2:]]
    assert body == [
        ["I", "Chỉ đạo điều hành", "6,00", "5,50", "5,50", "", "5,50", ""],
        ["I.1", "Kế hoạch và báo cáo CCHC", "3,00", "3,00", "3,00", "", "3,00", ""],
        ["I.2a", "Kiểm tra CCHC", "1,50", "1,00", "1,00", "", "1,00", ""],
        ["I.2b", "Xử lý sau kiểm tra", "1,50", "1,50", "1,50", "", "1,50", ""],
        ["II", "Thủ tục hành chính", "4,00", "3,50", "3,50", "", "3,50", ""],
        ["II.1", "Công khai và giải quyết TTHC", "4,00", "3,50", "3,50", "", "3,50", ""],
        ["", "Tổng cộng", "10,00", "9,00", "9,00", "", "9,00", "90,00"],
    ]
    run = table.rows[3].cells[1].paragraphs[0].runs[0]
    assert run.font.name == "Times New Roman" and run.font.size == Pt(13)
    assert table.rows[2].cells[1].paragraphs[0].runs[0].font.bold
    assert not run.font.bold
    for header in table.rows[:2]:
        assert 'w:tblHeader w:val="true"' in header._tr.xml


def test_writers_with_survey_and_appraisal() -> None:
    """Pure data: a survey criterion has no self points; the index keeps the set's precision."""
    from docx import Document
    from openpyxl import load_workbook

    rows = [
        UnitTableRow("I", "Lĩnh vực", 0, D("5"), D("3"), D("2.75"), D("1.5"), D("4.25")),
        UnitTableRow("1", "Tự chấm", 1, D("3"), D("3"), D("2.75"), None, D("2.75")),
        UnitTableRow("2", "Khảo sát", 1, D("2"), None, None, D("1.5"), D("1.5")),
    ]
    table = UnitTable(
        title="BẢNG",
        subtitle="Xã A",
        rows=rows,
        total=UnitTableRow("", "", 0, D("5"), D("3"), D("2.75"), D("1.5"), D("4.25")),
        index=D("85.0"),
        index_label="Chỉ số (%)",
        places=1,
    )
    sheet = load_workbook(io.BytesIO(unit_table_xlsx(table))).active
    values = [[sheet.cell(r, c).value for c in range(1, 9)] for r in range(6, 10)]
    assert values == [
        ["I", "Lĩnh vực", 5, 3, 2.75, 1.5, 4.25, None],
        ["1", "Tự chấm", 3, 3, 2.75, None, 2.75, None],
        ["2", "Khảo sát", 2, None, None, 1.5, 1.5, None],
        [None, "Tổng cộng", 5, 3, 2.75, 1.5, 4.25, 85],
    ]
    assert sheet["E6"].number_format == "0.00" and sheet["H9"].number_format == "0.0"
    doc = Document(io.BytesIO(unit_table_docx(table)))
    body = [[c.text for c in row.cells] for row in doc.tables[0].rows[2:]]
    assert body == [
        ["I", "Lĩnh vực", "5,00", "3,00", "2,75", "1,50", "4,25", ""],
        ["1", "Tự chấm", "3,00", "3,00", "2,75", "", "2,75", ""],
        ["2", "Khảo sát", "2,00", "", "", "1,50", "1,50", ""],
        ["", "Tổng cộng", "5,00", "3,00", "2,75", "1,50", "4,25", "85,0"],
    ]


@pytest.mark.django_db
def test_unit_table_permissions(world: SimpleNamespace) -> None:
    own = [
        reverse(f"assessments:unit_table_{ext}", args=[world.asm_pt.pk]) for ext in ("xlsx", "docx")
    ]
    for url in own:
        assert client_for(world.officer).get(url).status_code == 200
        assert client_for(world.officer_other).get(url).status_code == 404
        assert client_for(world.outsider).get(url).status_code == 404
        assert client_for(world.officer).post(url).status_code == 405
        assert Client().get(url).status_code == 302
    missing = reverse("assessments:unit_table_xlsx", args=[world.asm_pt.pk + 1000])
    assert client_for(world.leader).get(missing).status_code == 404
    page = client_for(world.officer).get(reverse("assessments:scorecard", args=[world.asm_pt.pk]))
    assert own[0] in page.content.decode() and own[1] in page.content.decode()
