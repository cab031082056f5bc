"""Index-set import/publish, immutability, xlsx, KPI values and the commands."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.core.indexset import IndexSetError, check, load_set
from cchc.frameworks import kpi
from cchc.frameworks.models import (
    Criterion,
    CriterionMapping,
    FrozenSetError,
    IndexSet,
    KpiValueRow,
)
from cchc.frameworks.services import definition_of, indexset_import, indexset_publish
from cchc.frameworks.xlsx import export_xlsx, read_xlsx
from cchc.units.models import Unit

pytestmark = pytest.mark.django_db
SETS = Path(__file__).resolve().parents[2] / "cchc" / "frameworks" / "sets"

OLD = """\
code: PAR-T
name: Thử
kind: PAR
year: 2023
version: 1
max_points: 10
nodes:
  - {code: A, title: Kế hoạch, max: 4, rule: {type: timeliness, on_time: 4, late: 2}}
  - {code: B, title: Báo cáo, max: 6}
"""

NEW = """\
code: PAR-T-2024
name: Thử 2024
kind: PAR
year: 2024
previous: PAR-T
max_points: 10
nodes:
  - {code: A1, title: Kế hoạch, max: 4, maps_from: {kind: same, codes: [A]}}
  - {code: B1, title: Báo cáo quý, max: 3, maps_from: {kind: split, codes: [B]}}
  - {code: B2, title: Báo cáo năm, max: 3, maps_from: {kind: split, codes: [B]}}
"""


def test_import_stores_draft_criteria_and_is_idempotent() -> None:
    index_set = indexset_import(SETS / "par-commune-sample.yaml")
    assert (index_set.status, index_set.version, index_set.is_sample) == ("draft", 1, True)
    assert index_set.max_points == Decimal(100)
    assert len(index_set.sha256) == 64
    assert index_set.source_yaml.startswith("# MẪU")
    assert index_set.criteria.count() == 42
    leaf = index_set.criteria.get(code="I.1.2")
    assert (leaf.level, leaf.parent.code, leaf.kpi, leaf.method) == (  # type: ignore[union-attr]
        3,
        "I.1",
        "plan.completion_rate",
        "computed",
    )
    penalty = index_set.criteria.get(code="III.6")
    assert (penalty.method, penalty.cap, penalty.max_points) == ("deduction", Decimal(1), 0)
    assert indexset_import(SETS / "par-commune-sample.yaml").pk == index_set.pk


def test_mappings_need_the_previous_set() -> None:
    with pytest.raises(IndexSetError, match="bộ năm trước 'PAR-T' chưa được nạp"):
        indexset_import(NEW)
    indexset_import(OLD)
    new = indexset_import(NEW)
    rows = CriterionMapping.objects.filter(criterion__index_set=new).order_by("criterion__code")
    assert [(m.criterion.code, m.previous.code, m.kind) for m in rows] == [
        ("A1", "A", "same"),
        ("B1", "B", "split"),
        ("B2", "B", "split"),
    ]
    with pytest.raises(IndexSetError, match="'Z' không có trong bộ trước"):
        indexset_import(NEW.replace("codes: [A]", "codes: [Z]").replace("PAR-T-2024", "X"))


def test_published_set_is_frozen_and_corrected_by_a_new_version() -> None:
    first = indexset_import(OLD)
    indexset_publish(first)
    first.refresh_from_db()
    assert first.is_published and first.published_at is not None
    first.name = "changed"
    with pytest.raises(FrozenSetError):
        first.save()
    with pytest.raises(FrozenSetError):
        first.delete()
    with pytest.raises(FrozenSetError):
        IndexSet.objects.filter(pk=first.pk).update(name="x")
    with pytest.raises(FrozenSetError):
        IndexSet.objects.filter(pk=first.pk).delete()
    criterion = first.criteria.get(code="A")
    criterion.title = "x"
    with pytest.raises(FrozenSetError):
        criterion.save()
    with pytest.raises(FrozenSetError):
        criterion.delete()
    with pytest.raises(FrozenSetError):
        indexset_publish(first)
    with pytest.raises(IndexSetError, match="đã ban hành, không sửa được"):
        indexset_import(OLD.replace("name: Thử", "name: Thử lại"))
    second = indexset_import(OLD.replace("version: 1", "version: 2"))
    assert second.supersedes_id == first.pk
    assert IndexSet.objects.get(pk=first.pk).name == "Thử"


def test_reimporting_a_changed_draft_replaces_it() -> None:
    first = indexset_import(OLD)
    second = indexset_import(OLD.replace("title: Báo cáo,", "title: Báo cáo định kỳ,"))
    assert not IndexSet.objects.filter(pk=first.pk).exists()
    assert second.criteria.get(code="B").title == "Báo cáo định kỳ"


def test_bad_file_saves_nothing() -> None:
    with pytest.raises(IndexSetError):
        indexset_import(OLD.replace("max: 6", "max: 7"))
    assert not IndexSet.objects.exists() and not Criterion.objects.exists()


# -- xlsx ----------------------------------------------------------------------------------


def bare_sheet() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["BỘ CHỈ SỐ CCHC CẤP XÃ NĂM 2024"])
    sheet.append(["STT", "Lĩnh vực / Tiêu chí", "Điểm tối đa", "Cách chấm", "Tài liệu kiểm chứng"])
    sheet.append(["I", "Công tác chỉ đạo, điều hành", 3, None, None])
    sheet.append(["1", "Kế hoạch CCHC", 2, None, None])
    sheet.append(["1.1", "Ban hành kế hoạch", 1, "Đúng hạn 1; trễ 0,5", "Kế hoạch"])
    sheet.append(["1.2", "Thực hiện kế hoạch", 1, "Trên 90 % được 1", None])
    sheet.append(["2", "Tuyên truyền", 1, None, None])
    sheet.append(["a", "Tuyên truyền trên loa", 0.5, "Có 0,5", None])
    sheet.append(["b", "Tuyên truyền trên mạng", 0.5, "Có 0,5", None])
    sheet.append(["II", "Văn bản QPPL", 2, "Chấm theo thực tế", None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_bare_published_sheet_infers_levels() -> None:
    loaded = read_xlsx(bare_sheet(), "par-xa.xlsx", {"year": 2024, "kind": "PAR"})
    definition = loaded.definition
    tree = [(n.code, level, n.max) for n, _p, level in definition.walk()]
    assert tree == [
        ("I", 1, Decimal(3)),
        ("I.1", 2, Decimal(2)),
        ("I.1.1", 3, Decimal(1)),
        ("I.1.2", 3, Decimal(1)),
        ("I.2", 2, Decimal(1)),
        ("I.2.a", 3, Decimal("0.5")),
        ("I.2.b", 3, Decimal("0.5")),
        ("II", 1, Decimal(2)),
    ]
    assert (definition.code, definition.max_points) == ("PAR-XA", Decimal(5))
    leaf = definition.by_code()["I.1.1"]
    assert (leaf.guidance, leaf.evidence, leaf.rule) == ("Đúng hạn 1; trễ 0,5", "Kế hoạch", None)
    stored = indexset_import(bare_sheet(), filename="par-xa.xlsx", overrides={"year": 2024})
    assert stored.criteria.count() == 8
    out = io.StringIO()
    call_command(
        "frameworks_import", str(_write(bare_sheet(), "x.xlsx")), "--year", "2024", stdout=out
    )
    assert "criteria still needing a machine rule: I.1.1, I.1.2, I.2.a, I.2.b, II" in out.getvalue()


def test_bare_sheet_errors_name_the_row() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["STT", "Lĩnh vực / Tiêu chí", "Điểm tối đa"])
    sheet.append(["I", "A", 3])
    sheet.append(["1", "a", 1])
    sheet.append(["2", "b", 1])
    sheet.append(["x?", "c", 1])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(IndexSetError) as info:
        read_xlsx(out.getvalue(), "t.xlsx", {"year": 2024})
    assert str(info.value.issues[0]).startswith("t.xlsx:5: không nhận ra cấp từ STT 'x?'")
    sheet.delete_rows(5)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(IndexSetError) as info:
        check(read_xlsx(out.getvalue(), "t.xlsx", {"year": 2024}))
    assert [str(i) for i in info.value.issues] == [
        "t.xlsx:2: I: tổng điểm tiêu chí con (2) khác điểm tối đa (3) / "
        "children add up to 2, not max 3",
    ]


@pytest.mark.parametrize("name", [p.name for p in sorted(SETS.glob("*.yaml"))])
def test_xlsx_round_trip(name: str) -> None:
    definition = load_set((SETS / name).read_text(encoding="utf-8")).definition
    again = read_xlsx(export_xlsx(definition), name + ".xlsx").definition
    assert again == definition


def test_export_has_the_five_published_columns_then_machine_columns() -> None:
    from python_calamine import CalamineWorkbook

    definition = load_set((SETS / "service-766.yaml").read_text(encoding="utf-8")).definition
    book = CalamineWorkbook.from_filelike(io.BytesIO(export_xlsx(definition)))
    rows = book.get_sheet_by_name("Bộ chỉ số").to_python()
    assert rows[0] == [
        "STT",
        "Lĩnh vực / Tiêu chí",
        "Điểm tối đa",
        "Cách chấm",
        "Tài liệu kiểm chứng",
        "Mã",
        "Phương pháp",
        "Quy tắc",
        "Tham số",
    ]
    assert rows[1][:3] == ["1", "Công khai, minh bạch", 18.0]
    assert rows[8][3].startswith("Tỷ lệ đạt từ 50 %: 22 điểm")
    assert json.loads(rows[8][8])["kpi"] == "dossier.online_rate"


# -- KPI registry and value tables ---------------------------------------------------------


def make_unit(code: str, hierarchy: str, name: str) -> Unit:
    return Unit.objects.create(
        hierarchy=hierarchy,
        code=code,
        name=name,
        kind="commune",
        level=3,
        sort_key=name.lower(),
        search_key=name.lower(),
        valid_from=date(2025, 7, 1) if hierarchy == "2025" else None,
        valid_to=date(2025, 6, 30) if hierarchy == "legacy" else None,
    )


def test_kpi_values_import_all_or_nothing() -> None:
    phu_thong = make_unit("01969", "2025", "Xã Phủ Thông")
    make_unit("01969", "legacy", "Thị trấn Phủ Thông")
    good = (
        "kpi;unit;year;value\n"
        "dossier.on_time_rate;01969;2025;98,5\n"
        "plan.completion_rate;01969@2025;2025;85\n"
    )
    assert kpi.kpi_values_import(good, source_note="báo cáo") == 2
    row = KpiValueRow.objects.get(kpi="dossier.on_time_rate")
    assert (row.unit_id, row.value, row.source_note) == (phu_thong.pk, "98,5", "báo cáo")
    bad = (
        "kpi,unit,year,value\n"
        "dossier.on_time_rate,01969,2025,99\n"
        "dossier.online_rate,99999,2025,10\n"
        "dossier.online_rate,01969,20x5,10\n"
        "dossier.online_rate,01969,2025,-3\n"
    )
    with pytest.raises(kpi.KpiImportError) as info:
        kpi.kpi_values_import(bad)
    assert info.value.errors == [
        "Dòng 3: Mã 99999: không tìm thấy đơn vị",
        "Dòng 4: năm '20x5' không hợp lệ",
        "Dòng 5: giá trị -3 âm",
    ]
    assert KpiValueRow.objects.get(kpi="dossier.on_time_rate").value == "98,5"


def test_registry_prefers_providers_then_imported_values() -> None:
    unit = make_unit("01969", "2025", "Xã Phủ Thông")
    query = kpi.KpiQuery(unit.pk, 2025, date(2025, 1, 1), date(2025, 12, 31))
    assert kpi.evaluate("test.rate", query) is None
    KpiValueRow.objects.create(kpi="test.rate", unit=unit, year=2025, value="45")
    imported = kpi.evaluate("test.rate", query)
    assert imported is not None and imported.value == Decimal(45)

    def provider(q: kpi.KpiQuery) -> kpi.KpiValue | None:
        return kpi.KpiValue(Decimal("12.5"), "12,5 %", f"/dossiers/?unit={q.unit_id}", "")

    kpi.register("test.rate", label="Tỷ lệ thử", provider=provider)
    try:
        found = kpi.lookup("test.rate")
        assert found is not None and found.label == "Tỷ lệ thử"
        value = kpi.evaluate("test.rate", query)
        assert value is not None and value.display == "12,5 %"
    finally:
        kpi.unregister("test.rate")


# -- commands ------------------------------------------------------------------------------


def _write(content: bytes | str, name: str) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="cchc-fw-"))
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_validate_command() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("frameworks_validate", *[str(p) for p in sorted(SETS.glob("*.yaml"))], stdout=out)
    assert out.getvalue().count(": OK — ") == 4
    bad = _write(OLD.replace("on_time: 4", "on_time: 5"), "bad.yaml")
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("frameworks_validate", str(bad), stdout=out, stderr=err)
    assert err.getvalue().strip() == (
        f"{bad}:8: A: quy tắc cho điểm từ 0 đến 5, ngoài khoảng [0; 4] / "
        "rule yields 0..5, outside [0, 4]"
    )
    old, new = _write(OLD, "old.yaml"), _write(NEW, "new.yaml")
    call_command("frameworks_validate", str(old), str(new), stdout=out)


def test_score_command_thai_nguyen_and_da_nang() -> None:
    csv = _write(
        "code;points\nG1.1;15,67\nG2.1;19,31\nG3.1;17,49\nG4.1;17,86\nG5.1;16,64\n", "tn.csv"
    )
    out = io.StringIO()
    call_command("score", str(SETS / "service-766.yaml"), "--inputs", str(csv), stdout=out)
    text = out.getvalue()
    assert "  1 Công khai, minh bạch: 15,67 / 18,00" in text
    assert "Tổng điểm: 86,97 / 100,00" in text
    dn = _write(
        "code,value\nDTI.1,1.0000\nDTI.2,0.9000\nDTI.3,0.8253\nDTI.4,0.8487\nDTI.5,0.7578\n"
        "DTI.7,0.8575\nDTI.8,0.7836\nDTI.9,0.5197\n",
        "dn.csv",
    )
    out = io.StringIO()
    call_command(
        "score", str(SETS / "dti-province-922.yaml"), "--inputs", str(dn), "--json", stdout=out
    )
    payload = json.loads(out.getvalue())
    assert (payload["total"], payload["shown"], payload["display"]) == (
        "800.1750",
        "0.8002",
        "ratio",
    )


def test_score_command_rejects_garbage_with_row_numbers() -> None:
    csv = _write("code,value\nI.1.1,đúng hạn\nI.5,ba\n,1\nI.3,1\n", "bad.csv")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 lỗi"):
        call_command(
            "score", str(SETS / "par-commune-sample.yaml"), "--inputs", str(csv), stderr=err
        )
    assert err.getvalue().splitlines() == [
        f"{csv}:3: tiêu chí I.5: số lần 'ba' không phải là số",
        f"{csv}:4: thiếu mã tiêu chí / missing criterion code",
    ]


def test_import_export_publish_commands() -> None:
    out = io.StringIO()
    call_command("frameworks_import", str(SETS / "service-766.yaml"), stdout=out)
    assert "QD766 v1: 10 tiêu chí, dự thảo" in out.getvalue()
    call_command("frameworks_publish", "QD766", stdout=out)
    assert IndexSet.objects.get(code="QD766").is_published
    with pytest.raises(CommandError, match="no draft"):
        call_command("frameworks_publish", "QD766", stdout=out)
    target = _write("", "out.xlsx")
    call_command("frameworks_export", "QD766", "--xlsx", str(target), stdout=out)
    assert (
        definition_of(IndexSet.objects.get(code="QD766"))
        == read_xlsx(target.read_bytes(), "out.xlsx").definition
    )
    yaml_out = _write("", "out.yaml")
    call_command("frameworks_export", "QD766", "--yaml", str(yaml_out), stdout=out)
    assert load_set(yaml_out.read_text(encoding="utf-8")).definition.code == "QD766"
