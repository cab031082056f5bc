"""The dossier import pipeline against the real unit table and a real store."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cchc.dossiers import importing
from cchc.dossiers.models import DossierImport, ImportStatus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers"
CANON = "source_system,dossier_code,unit_code,channel,received_at,due_at,finished_at,status\n"

pytestmark = pytest.mark.django_db


@pytest.fixture
def store_dir(settings: Any, tmp_path: Path) -> Path:
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    return settings.CCHC_DOSSIER_STORE


def _record(name: str, profile: str = "canonical") -> DossierImport:
    return DossierImport.objects.create(
        file_name=name, profile=profile, import_id=importing.new_import_id(), status="running"
    )


def _manifest(store_dir: Path) -> str:
    path = store_dir / "manifest.json"
    return path.read_text() if path.exists() else ""


def test_vendor_file_every_mapping_rule(units_extract: Any, store_dir: Path) -> None:
    data = (FIXTURES / "vendor_sample.csv").read_bytes()
    prepared = importing.prepare(data, "vendor_sample.csv", "motcua_mau")
    assert prepared.errors == [] and prepared.message == ""
    assert prepared.ignored_columns == ["Ghi chú nội bộ"]
    rows = {r["dossier_code"]: r for r in prepared.preview}
    assert {c: rows[c]["unit_code"] for c in rows} == {f"VS-00{i}": "01990" for i in range(1, 9)}
    assert [rows[f"VS-00{i}"]["channel"] for i in range(1, 9)] == [
        "online_full",
        "online_partial",
        "online_full",
        "online_partial",
        "direct",
        "postal",
        "postal",
        "direct",
    ]
    assert [rows[f"VS-00{i}"]["status"] for i in range(1, 9)] == [
        "finished",
        "finished",
        "finished",
        "in_progress",
        "rejected",
        "withdrawn",
        "finished",
        "finished",
    ]
    assert rows["VS-001"]["source_system"] == "MOTCUA-MAU"
    assert rows["VS-001"]["digitized"] == "x"
    record = importing.run_import(_record("vendor_sample.csv", "motcua_mau"), data)
    assert (record.status, record.rows, record.inserted, record.updated) == ("done", 8, 8, 0)
    again = importing.run_import(_record("vendor_sample.csv", "motcua_mau"), data)
    assert (again.inserted, again.updated) == (0, 8)  # re-import updates, never duplicates


def test_vendor_errors_listed_with_places_and_values_once(
    units_extract: Any, store_dir: Path
) -> None:
    data = (FIXTURES / "vendor_errors.csv").read_bytes()
    before = _manifest(store_dir)
    record = importing.run_import(_record("vendor_errors.csv", "motcua_mau"), data)
    assert record.status == ImportStatus.REJECTED
    assert _manifest(store_dir) == before
    assert record.unmatched == {
        "Hình thức nộp": ["Qua Zalo"],
        "Đơn vị tiếp nhận": ["99999"],
    }
    got = {(e["place"], e["column"], e["value"]) for e in record.errors}
    assert ("dòng 3", "Đơn vị tiếp nhận", "99999") in got
    assert ("dòng 4", "Hình thức nộp", "Qua Zalo") in got
    assert ("dòng 5", "Ngày hẹn trả", "14/01/2022") in got
    assert ("dòng 6", "Ngày tiếp nhận", "31/02/2022 10:00") in got
    assert ("dòng 8", "Mã hồ sơ", "VE-001") in got
    dup = next(e for e in record.errors if e["value"] == "VE-001")
    assert dup["reason"] == "mã hồ sơ bị lặp trong tệp (đã có ở dòng 2)"
    unknown = next(e for e in record.errors if e["value"] == "99999")
    assert unknown["reason"] == "không tìm thấy đơn vị “99999” (danh mục áp dụng trước 01/07/2025)"
    assert record.error_total == len(record.errors) == 6
    report = importing.error_report_rows(record)
    assert report[0] == ["Vị trí", "Cột", "Giá trị", "Lý do"]


def test_legacy_code_after_reform_is_an_error(units_extract: Any, store_dir: Path) -> None:
    data = (CANON + "S,A1,01990,direct,2025-08-01 08:00,2025-08-05,,in_progress\n").encode()
    prepared = importing.prepare(data, "a.csv", "canonical")
    assert [e["reason"] for e in prepared.errors] == [
        "mã 01990 không có trong danh mục đơn vị áp dụng cho hồ sơ tiếp nhận từ 01/07/2025 "
        "(chỉ có ở danh mục cũ)"
    ]
    data = (CANON + "S,A1,01969,direct,2025-08-01 08:00,2025-08-05,,in_progress\n").encode()
    assert importing.prepare(data, "a.csv", "canonical").ok


def test_permission_per_unit(units_extract: Any, store_dir: Path, make_user: Any) -> None:
    from cchc.units.models import Unit

    phu_thong = Unit.objects.get(code="01969", hierarchy="2025")
    officer = make_user("xa", role="unit_officer", unit=phu_thong)
    legacy_pt = "S,A1,01969,direct,2022-08-01 08:00,2022-08-05,,in_progress\n"  # TT Phủ Thông
    # Lục Bình (legacy) went into Xã Phủ Thông: its officer may import its history.
    luc_binh = "S,A2,01990,direct,2022-08-01 08:00,2022-08-05,,in_progress\n"
    ha_tinh = Unit.objects.filter(hierarchy="2025", level=3, parent__code="42").first()
    assert ha_tinh is not None
    other = f"S,A3,{ha_tinh.code},direct,2025-08-01 08:00,2025-08-05,,in_progress\n"
    data = (CANON + legacy_pt + luc_binh + other).encode()
    prepared = importing.prepare(data, "a.csv", "canonical", user=officer)
    assert [(e["place"], e["reason"]) for e in prepared.errors] == [
        ("dòng 4", f"bạn không có quyền nhập hồ sơ của đơn vị {ha_tinh.code}")
    ]


@pytest.mark.parametrize(
    ("data", "name", "profile", "message"),
    [
        (b"", "a.csv", "canonical", "Tệp rỗng"),
        (CANON.encode(), "a.csv", "canonical", "không có dòng dữ liệu"),
        (
            b"M\xb8 h\xe5 s\xac,\xa7\xa1n v\xfb ti\xd5p nh\xcbn,Tr\xd6c ti\xd5p\n",
            "a.csv",
            "motcua_mau",
            "TCVN3",
        ),
        ((CANON + "S,A1,01990,dir").encode(), "a.csv", "canonical", "Dòng 2: có 4 cột"),
        (b"PK\x03\x04broken", "a.xlsx", "canonical", "xlsx hỏng"),
        (b"x", "a.csv", "khong-co", "Không có hồ sơ ánh xạ"),
    ],
)
def test_bad_input_refused_store_unchanged(
    units_extract: Any, store_dir: Path, data: bytes, name: str, profile: str, message: str
) -> None:
    importing.run_import(
        _record("seed.csv"), (CANON + "S,OK,01990,direct,2022-01-03,2022-01-05,,\n").encode()
    )
    before = _manifest(store_dir)
    record = importing.run_import(_record(name, profile), data)
    assert record.status == ImportStatus.REJECTED
    assert message in record.message
    assert _manifest(store_dir) == before


def test_other_encoding_utf16_and_cp1258(units_extract: Any, store_dir: Path) -> None:
    text = CANON + "S,U1,01990,direct,2022-01-03 08:00,2022-01-05,,\n"
    assert (
        importing.prepare(("\ufeff" + text).encode("utf-16-le"), "a.csv", "canonical").encoding
        == "utf-16"
    )
    vendor = (
        "Mã hồ sơ;Đơn vị tiếp nhận;Ngày tiếp nhận;Ngày hẹn trả;Hình thức nộp\n"
        "V1;01990;3/1/2022;5/1/2022;Truc tiep\n"
    )
    from tests.unit.test_dossier_import_reading import to_cp1258

    prepared = importing.prepare(to_cp1258(vendor), "v.csv", "motcua_mau")
    assert prepared.encoding == "cp1258" and prepared.ok


def test_every_row_wrong_is_capped(units_extract: Any, store_dir: Path) -> None:
    lines = "".join(f"S,B{i},01990,teleport,2022-01-03,2022-01-05,,\n" for i in range(3000))
    record = importing.run_import(_record("bad.csv"), (CANON + lines).encode())
    assert record.status == ImportStatus.REJECTED
    assert record.error_total == 3000 and len(record.errors) == importing.MAX_ERRORS
    assert _manifest(store_dir) == ""


def test_cli_import_dry_run_and_report_json(
    units_extract: Any, store_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "v.csv"
    path.write_bytes((FIXTURES / "vendor_sample.csv").read_bytes())
    out = io.StringIO()
    call_command("dossiers_import", str(path), "--profile", "motcua_mau", "--dry-run", stdout=out)
    assert "8 dòng hợp lệ" in out.getvalue() and _manifest(store_dir) == ""
    call_command("dossiers_import", str(path), "--profile", "motcua_mau", stdout=out)
    assert "Đã gộp" not in out.getvalue()  # a first import writes the months whole
    # The same file again: every row an update, kept in delta files until folded.
    out = io.StringIO()
    call_command(
        "dossiers_import", str(path), "--profile", "motcua_mau", "--no-compact", stdout=out
    )
    assert "0 mới, 8 cập nhật" in out.getvalue() and "Đã gộp" not in out.getvalue()
    assert importing.store().open().deltas > 0
    out = io.StringIO()
    call_command("dossiers_import", str(path), "--profile", "motcua_mau", stdout=out)
    assert "0 mới, 8 cập nhật" in out.getvalue() and "Đã gộp các tệp bổ sung" in out.getvalue()
    assert importing.store().open().deltas == 0 and importing.store().open().rows == 8
    out = io.StringIO()
    call_command(
        "dossiers_report",
        "--unit",
        "01990@legacy",
        "--from",
        "15/12/2021",
        "--to",
        "14/01/2022",
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["rows"][0]["counts"]["received_total"] == 0
    out = io.StringIO()
    call_command(
        "dossiers_report",
        "--unit",
        "063@legacy",
        "--preset",
        "month",
        "--year",
        "2022",
        "--number",
        "2",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["period"] == {
        "start": "2022-01-15",
        "end": "2022-02-14",
        "label": data["period"]["label"],
    }
    row = next(r for r in data["rows"] if r["key"] == "01990@legacy")
    counts = row["counts"]
    assert (counts["received_total"], counts["new_online_full"], counts["new_online_partial"]) == (
        8,
        2,
        2,
    )
    assert (counts["rejected"], counts["withdrawn"], counts["in_progress_total"]) == (1, 1, 1)
    assert counts["resolved_total"] == 5 and counts["late"] == 1
    with pytest.raises(CommandError, match="bị từ chối"):
        bad = tmp_path / "e.csv"
        bad.write_bytes((FIXTURES / "vendor_errors.csv").read_bytes())
        call_command("dossiers_import", str(bad), "--profile", "motcua_mau")


def test_synth_command_same_seed_same_bytes(units_extract: Any, tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (a, b):
        call_command(
            "dossiers_synth",
            "--rows",
            "500",
            "--years",
            "1",
            "--seed",
            "3",
            "--units",
            "063@legacy",
            "--out",
            str(path),
            stdout=io.StringIO(),
        )
    assert a.read_bytes() == b.read_bytes()
    assert a.read_text().count("\n") == 501


# --- the one-pass path of a canonical UTF-8 CSV on disk ------------------------------------


def _cells(record: DossierImport) -> list[tuple[str, str, str]]:
    return sorted((e["place"], e["column"], e["value"]) for e in record.errors)


def test_file_on_disk_goes_in_one_pass_with_the_same_errors(
    units_extract: Any, store_dir: Path, make_user: Any, tmp_path: Path
) -> None:
    """A canonical UTF-8 CSV given by path is checked by the store alone (units included)
    and meets the errors the Python path reports for the same bytes."""
    from cchc.units.models import Unit

    officer = make_user(
        "xa", role="unit_officer", unit=Unit.objects.get(code="01969", hierarchy="2025")
    )
    ha_tinh = Unit.objects.filter(hierarchy="2025", level=3, parent__code="42").first()
    assert ha_tinh is not None
    rows = [
        "S,A1,01969,direct,2022-08-01 08:00,2022-08-05,,in_progress",  # TT Phủ Thông (legacy)
        "S,A2,01990,direct,2022-08-01 08:00,2022-08-05,,in_progress",  # Lục Bình → Phủ Thông
        f"S,A3,{ha_tinh.code},direct,2025-08-01 08:00,2025-08-05,,in_progress",  # not hers
        "S,A4,01990,direct,2025-08-01 08:00,2025-08-05,,in_progress",  # legacy code after 1/7
        "S,A5,99999,direct,2022-08-01 08:00,2022-08-05,,in_progress",  # no such unit
        "S,A6,01969,fax,2025-08-01 08:00,2025-07-05,2025-08-02,finished",  # channel, due
        "S,A1,01969,direct,2022-08-01 08:00,2022-08-05,,in_progress",  # duplicate key
    ]
    data = (CANON + "\n".join(rows) + "\n").encode()
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    assert importing.fast_header(path, "canonical", "") is not None
    fast = importing.run_import(_record("a.csv"), path, user=officer)
    slow = importing.run_import(_record("a.csv"), data, user=officer)
    assert fast.status == slow.status == ImportStatus.REJECTED
    # The same cells (the Python path words a bad channel as a profile value).
    assert _cells(fast) == _cells(slow) and fast.error_total == slow.error_total == 6
    assert [(e["place"], e["column"], e["reason"]) for e in fast.errors] == [
        ("dòng 4", "unit_code", f"bạn không có quyền nhập hồ sơ của đơn vị {ha_tinh.code}"),
        (
            "dòng 5",
            "unit_code",
            "mã 01990 không có trong danh mục đơn vị áp dụng cho hồ sơ tiếp nhận từ "
            "01/07/2025 (chỉ có ở danh mục cũ)",
        ),
        (
            "dòng 6",
            "unit_code",
            "không tìm thấy đơn vị “99999” (danh mục áp dụng trước 01/07/2025)",
        ),
        (
            "dòng 7",
            "channel",
            "kênh tiếp nhận không hợp lệ (direct, online_full, online_partial, postal)",
        ),
        ("dòng 7", "due_at", "hạn trả kết quả trước ngày tiếp nhận"),
        ("dòng 8", "dossier_code", "mã hồ sơ bị lặp trong tệp (đã có ở dòng 2)"),
    ]
    assert _manifest(store_dir) == ""
    path.write_bytes((CANON + "\n".join(rows[:2]) + "\n").encode())
    done = importing.run_import(_record("a.csv"), path, user=officer)
    assert (done.status, done.rows, done.inserted) == (ImportStatus.DONE, 2, 2)
    assert done.phase == "xong" and done.progress == 100


def test_file_on_disk_in_another_encoding_or_legacy_font(
    units_extract: Any, store_dir: Path, tmp_path: Path
) -> None:
    from tests.unit.test_dossier_import_reading import to_cp1258

    text = CANON + "S,Ư1,01990,direct,2022-01-03 08:00,2022-01-05,,\n"
    # Windows-1258 (not UTF-8 at all): the Python path decodes it.
    path = tmp_path / "cp.csv"
    path.write_bytes(to_cp1258(text))
    assert importing.fast_header(path, "canonical", "") is None
    record = importing.run_import(_record("cp.csv"), path)
    assert (record.status, record.rows) == (ImportStatus.DONE, 1)
    # UTF-8 for the first 64 KiB, then one cp1258 byte: DuckDB refuses, Python decodes.
    filler = "".join(f"S,F{i:06d},01990,direct,2022-01-03,2022-01-05,,\n" for i in range(2000))
    path = tmp_path / "late.csv"
    path.write_bytes(
        (CANON + filler).encode()
        + "S,L\u00e91,01990,direct,2022-01-03,2022-01-05,,\n".encode("cp1258")
    )
    assert importing.fast_header(path, "canonical", "") is not None
    record = importing.run_import(_record("late.csv"), path)
    assert (record.status, record.rows) == (ImportStatus.DONE, 2001)
    # Valid UTF-8 whose letters come from a TCVN3 (.Vn font) file: refused, store unchanged.
    before = _manifest(store_dir)
    tcvn3 = b"Tr\xd6c ti\xd5p nh\xcbn h\xe5 s\xac".decode("latin-1")
    path = tmp_path / "tcvn3.csv"
    path.write_text(
        "source_system,dossier_code,unit_code,sector,channel,received_at,due_at\n"
        f"S,T1,01990,{tcvn3},direct,2022-01-03,2022-01-05\n",
        encoding="utf-8",
    )
    record = importing.run_import(_record("tcvn3.csv"), path)
    assert record.status == ImportStatus.REJECTED and "TCVN3" in record.message
    assert _manifest(store_dir) == before


def test_xlsx_error_found_only_by_the_store_is_placed_on_its_sheet_row(
    units_extract: Any, store_dir: Path
) -> None:
    """The real import checks an xlsx once, in the store: its errors still name the sheet
    and row, exactly as the preview does."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Hồ sơ"
    sheet.append(CANON.strip().split(","))
    sheet.append(["S", "X1", "01990", "direct", "2022-01-03 08:00", "2022-01-05", "", ""])
    sheet.append(["S", "X2", "01990", "direct", "2022-01-10 08:00", "2022-01-05", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    preview = importing.prepare(data, "a.xlsx", "canonical")
    record = importing.run_import(_record("a.xlsx"), data)
    assert record.status == ImportStatus.REJECTED
    expected = [("trang Hồ sơ, dòng 3", "due_at", "hạn trả kết quả trước ngày tiếp nhận")]
    assert [(e["place"], e["column"], e["reason"]) for e in record.errors] == expected
    assert [(e["place"], e["column"], e["reason"]) for e in preview.errors] == expected
    assert _manifest(store_dir) == ""


def _vendor_xlsx(rows: list[list[object]], merge: bool = False) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Hồ sơ")
    start = 0
    if merge:
        sheet.merge_range(0, 0, 0, 1, "Ngày")
        start = 1
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(start + r, c, value)
    book.close()
    return buffer.getvalue()


VENDOR_HEADER = ["Mã hồ sơ", "Đơn vị tiếp nhận", "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả"]


def test_xlsx_vendor_values_units_and_errors_by_sheet_row(
    units_extract: Any, store_dir: Path
) -> None:
    """The xlsx path maps in DuckDB: vendor values once per distinct value, units by the
    received date, unmatched values listed once, every error on its sheet row."""
    data = _vendor_xlsx(
        [
            VENDOR_HEADER,
            ["X1", "01990", "Mức độ 4", "3/1/2022", 44571.0],
            [None, None, None, None, None],
            ["X2", "99999", "Qua Zalo", "2022-01-03 08:00", "2022-01-05"],
            ["X3", "99999", "Qua Zalo", "2022-01-10 08:00", "2022-01-05"],
            ["X4", "01990", "Trực tiếp", "2025-08-01 08:00", "2025-08-05"],
        ]
    )
    prepared = importing.prepare(data, "a.xlsx", "motcua_mau", source="MAU")
    assert prepared.rows == 4 and prepared.encoding == "xlsx"
    assert [(p["dossier_code"], p["channel"], p["received_at"]) for p in prepared.preview] == [
        ("X1", "online_full", "3/1/2022"),
        ("X2", "direct", "2022-01-03 08:00"),
        ("X3", "direct", "2022-01-10 08:00"),
        ("X4", "direct", "2025-08-01 08:00"),
    ]
    assert prepared.unmatched == {
        "Hình thức nộp": ["Qua Zalo"],
        "Đơn vị tiếp nhận": ["99999", "01990"],
    }
    assert [(e["place"], e["column"], e["value"]) for e in prepared.errors] == [
        ("trang Hồ sơ, dòng 4", "Hình thức nộp", "Qua Zalo"),
        ("trang Hồ sơ, dòng 4", "Đơn vị tiếp nhận", "99999"),
        ("trang Hồ sơ, dòng 5", "Hình thức nộp", "Qua Zalo"),
        ("trang Hồ sơ, dòng 5", "Đơn vị tiếp nhận", "99999"),
        ("trang Hồ sơ, dòng 5", "Ngày hẹn trả", "2022-01-05"),
        ("trang Hồ sơ, dòng 6", "Đơn vị tiếp nhận", "01990"),
    ]
    assert prepared.errors[-1]["reason"] == (
        "mã 01990 không có trong danh mục đơn vị áp dụng cho hồ sơ tiếp nhận từ 01/07/2025 "
        "(chỉ có ở danh mục cũ)"
    )
    assert prepared.error_total == 6
    record = importing.run_import(_record("a.xlsx", "motcua_mau"), data)
    assert record.status == ImportStatus.REJECTED and _manifest(store_dir) == ""
    good = _vendor_xlsx([VENDOR_HEADER, ["X1", "01990", "Mức độ 4", "3/1/2022", 44571.0]])
    record = importing.run_import(_record("g.xlsx", "motcua_mau"), good)
    assert (record.status, record.rows, record.inserted) == ("done", 1, 1)


def test_xlsx_merged_header_and_legacy_font_refused(units_extract: Any, store_dir: Path) -> None:
    merged = _vendor_xlsx(
        [VENDOR_HEADER, ["X1", "01990", "Mức độ 4", "3/1/2022", "5/1/2022"]], True
    )
    prepared = importing.prepare(merged, "m.xlsx", "motcua_mau", source="MAU")
    assert "ô gộp" in prepared.message and prepared.rows == 0
    legacy = [
        [f"Hå s¬ ®· xö lý {n}", "01990", "Mức độ 4", "3/1/2022", "5/1/2022"] for n in range(6)
    ]
    tcvn3 = _vendor_xlsx([VENDOR_HEADER, *legacy])
    prepared = importing.prepare(tcvn3, "t.xlsx", "motcua_mau", source="MAU")
    assert "TCVN3" in prepared.message
