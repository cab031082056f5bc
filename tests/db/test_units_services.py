"""Resolving codes, hierarchy selectors, lineage and the CSV import of local units."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.core.lineage import attribute
from cchc.units.importer import UnitImportError, import_local_units
from cchc.units.models import Unit
from cchc.units.services import (
    UnitResolutionError,
    ancestors,
    lineage_map,
    predecessors,
    resolve_unit,
    subtree_ids,
    successors,
)

pytestmark = pytest.mark.django_db


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def units(units_extract: Any) -> None:
    pass


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("99999", "Mã 99999: không tìm thấy đơn vị"),
        (
            "01969@2024",
            "Mã 01969@2024: hệ thống “2024” không hợp lệ; dùng @legacy, @2025 hoặc @local",
        ),
        ("01975@2025", "Mã 01975@2025: không tìm thấy đơn vị"),
        ("", "Thiếu mã đơn vị"),
    ],
)
def test_resolution_errors(units: None, code: str, message: str) -> None:
    with pytest.raises(UnitResolutionError) as exc:
        resolve_unit(code)
    assert str(exc.value) == message
    assert isinstance(exc.value, ValueError)


def test_date_outside_the_only_hierarchy(units: None) -> None:
    with pytest.raises(UnitResolutionError) as exc:
        resolve_unit("01975", as_of=date(2025, 7, 1))
    assert str(exc.value) == (
        "Mã 01975: không tìm thấy đơn vị hiệu lực ngày 01/07/2025 "
        "(mã này chỉ có: Xã Vi Hương (01975@legacy, đến 30/06/2025))"
    )


def test_ancestors_follow_dated_parents(units: None) -> None:
    vi_huong = resolve_unit("01975@legacy")
    assert [a.name for a in ancestors(vi_huong)] == ["Tỉnh Bắc Kạn", "Huyện Bạch Thông"]
    thach_lac = resolve_unit("18622@legacy")
    assert [a.name for a in ancestors(thach_lac, date(2022, 1, 1))] == [
        "Tỉnh Hà Tĩnh",
        "Huyện Thạch Hà",
    ]
    assert [a.name for a in ancestors(thach_lac, date(2025, 1, 1))] == [
        "Tỉnh Hà Tĩnh",
        "Thành phố Hà Tĩnh",
    ]
    assert [a.name for a in ancestors(resolve_unit("01969@2025"))] == ["Tỉnh Thái Nguyên"]
    thach_van = resolve_unit("18631@legacy")  # inspected with Thạch Hà on 21/07/2022
    assert thach_van.name == "Xã Thạch Văn"
    assert [a.name for a in ancestors(thach_van, date(2022, 7, 21))][-1] == "Huyện Thạch Hà"


def test_subtree_ids_in_one_query(units: None) -> None:
    bac_kan = resolve_unit("06@legacy")
    bach_thong = resolve_unit("063@legacy")
    with CaptureQueriesContext(connection) as ctx:
        province = subtree_ids(bac_kan)
        district = subtree_ids(bach_thong)
    assert len(ctx.captured_queries) == 2
    assert len(province) == 1 + 8 + 108
    assert len(district) == 1 + Unit.objects.filter(parent=bach_thong).count()
    assert resolve_unit("01975@legacy").pk in district
    assert len(subtree_ids(resolve_unit("19@2025"))) == 1 + 92


def test_predecessors_and_successors(units: None) -> None:
    phu_thong = resolve_unit("01969@2025")
    got = [(link.unit.key, link.kind) for link in predecessors(phu_thong)]
    assert got == [
        ("063@legacy", "dissolved_into"),
        ("01969@legacy", "merge"),
        ("01990@legacy", "merge"),
        ("01993@legacy", "merge"),
        ("01975@legacy", "merge"),
    ]
    assert [
        (s.unit.key, s.kind, s.is_default) for s in successors(resolve_unit("01975@legacy"))
    ] == [("01969@2025", "merge", True)]
    assert [s.unit.name for s in successors(resolve_unit("06@legacy"))] == ["Tỉnh Thái Nguyên"]


def test_divided_commune_has_one_default_successor(units: None) -> None:
    divided = [
        u
        for u in Unit.objects.filter(hierarchy="legacy", level=3, successor_links__kind="split")
        .distinct()
        .order_by("code")
    ]
    assert len(divided) == 2  # in the extract, both ends loaded
    links = successors(divided[0])
    assert len(links) >= 2
    assert sum(link.is_default for link in links) == 1
    assert links[0].is_default  # the default comes first


def test_lineage_map_feeds_attribution(units: None) -> None:
    records = ["01975@legacy", "01990@legacy", "01990@legacy", "01969@2025"]
    result = attribute(records, lineage_map(set(records)), date(2025, 12, 31))
    assert set(result.mapping.values()) == {"01969@2025"}
    assert result.divided_count == 0


def test_show_command_text_and_json(units: None) -> None:
    out = StringIO()
    call_command("units_show", "01969", stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == "Thị trấn Phủ Thông (01969@legacy, đến 30/06/2025) [Thị trấn]"
    assert "  Trực thuộc: Tỉnh Bắc Kạn › Huyện Bạch Thông" in text
    assert "Xã Phủ Thông (01969@2025, từ 01/07/2025) [Xã]" in text
    assert "    Xã Vi Hương (01975@legacy, sáp nhập, 01/07/2025)" in text
    out = StringIO()
    call_command("units_show", "18622", "--as-of", "01/06/2022", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["as_of_match"] == "18622@legacy"
    assert [a["name"] for a in data["units"][0]["ancestors"]] == ["Tỉnh Hà Tĩnh", "Huyện Thạch Hà"]
    with pytest.raises(CommandError, match="Mã 77777: không tìm thấy đơn vị"):
        call_command("units_show", "77777", stdout=StringIO())


CSV_OK = (
    "code,name,kind,parent\n"
    "SNV-TN,Sở  Nội vụ tỉnh Thái Nguyên,department,19@2025\n"
    "TTPVHCC-TN,Trung tâm Phục vụ hành chính công tỉnh,Trung tâm phục vụ hành chính công,19\n"
    "PNV-BT,Phòng Nội vụ huyện Bạch Thông,department,063\n"
    "TCT,Tổ công tác,other,SNV-TN\n"
)


def test_import_local_units_and_reimport_is_unchanged(units: None, tmp_path: Path) -> None:
    result = import_local_units(CSV_OK.encode())
    assert result.created == ["SNV-TN@local", "TTPVHCC-TN@local", "PNV-BT@local", "TCT@local"]
    snv = resolve_unit("SNV-TN")
    assert (snv.name, snv.kind, snv.parent.key if snv.parent else None, snv.level) == (
        "Sở Nội vụ tỉnh Thái Nguyên",
        "department",
        "19@2025",
        1,
    )
    assert resolve_unit("TCT").parent == snv
    assert resolve_unit("TTPVHCC-TN").kind == "service_centre"
    assert snv.pk in subtree_ids(resolve_unit("19@2025"))
    path = tmp_path / "don-vi.csv"
    path.write_text(CSV_OK.replace(",", ";"), encoding="utf-8-sig")
    out = StringIO()
    call_command("units_import", str(path), stdout=out)
    assert out.getvalue().strip() == "don-vi.csv: 0 đơn vị mới, 0 cập nhật, 4 không đổi"


def test_import_is_all_or_nothing_with_line_numbers(units: None) -> None:
    bad = (
        "code,name,kind,parent\n"
        "SNV,Sở Nội vụ,department,19@2025\n"
        "X1,,department,\n"
        "X2,Ban Y,hội đồng,\n"
        "SNV,Trùng,department,\n"
        "X3,Phòng Z,department,01969\n"
    )
    with pytest.raises(UnitImportError) as exc:
        import_local_units(bad.encode())
    assert exc.value.errors == [
        "Dòng 3, cột name: thiếu tên đơn vị",
        "Dòng 4, cột kind: loại “hội đồng” không hợp lệ (dùng một trong: department, "
        "vertical_agency, service_centre, public_service_unit, other)",
        "Dòng 5, cột code: mã “SNV” trùng với dòng 2",
        "Dòng 6, cột parent: Mã 01969 ứng với 2 đơn vị: Thị trấn Phủ Thông (01969@legacy, "
        "đến 30/06/2025) và Xã Phủ Thông (01969@2025, từ 01/07/2025); ghi rõ @legacy hoặc "
        "@2025 hoặc ngày",
    ]
    assert not Unit.objects.filter(hierarchy="local").exists()


def test_import_rejects_missing_columns_and_non_utf8() -> None:
    with pytest.raises(UnitImportError) as exc:
        import_local_units(b"code;name\nA;B\n")
    assert exc.value.errors == ["Dòng 1: thiếu cột kind, parent"]
    with pytest.raises(UnitImportError) as exc:
        import_local_units(b"code,name,kind,parent\nA,S\xf4 N\xe0,department,\n")
    assert exc.value.errors == ["Tệp không phải UTF-8: hãy lưu lại bằng Excel với “CSV UTF-8”"]


def test_import_command_reports_errors(units: None, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("code,name,kind,parent\nA,Sở A,department,99\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("units_import", str(path), stdout=StringIO())
    assert str(exc.value) == (
        "x.csv: không nhập gì.\nDòng 2, cột parent: Mã 99: không tìm thấy đơn vị"
    )
