"""Decoding, separators, xlsx sheets and profile mapping of dossier imports (pure)."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
import xlsxwriter

from cchc.analytics import mapping
from cchc.dossiers import profiles, reading

HEADER = "Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận\n"


def test_utf8_with_and_without_bom_and_nfc() -> None:
    nfd = "Ho\u0300a".encode()  # "Hòa" decomposed
    assert reading.decode(nfd) == ("Hòa", "utf-8")
    assert reading.decode(b"\xef\xbb\xbf" + "Hòa".encode())[0] == "Hòa"


def test_utf16_by_bom() -> None:
    text, enc = reading.decode("\ufeffMã hồ sơ;Ngày".encode("utf-16-le").join([b"\xff\xfe", b""]))
    assert text.endswith("Mã hồ sơ;Ngày") and enc == "utf-16"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters plus combining tones."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(m for m in parts if m in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in tones))
            out += (base + tones).encode("cp1258")
    return out


def test_cp1258_fallback() -> None:
    data = to_cp1258("Mã hồ sơ,Đơn vị tiếp nhận,Hình thức nộp\nA1,01990,Trực tiếp\n")
    text, enc = reading.decode(data)
    assert enc == "cp1258"
    assert "Đơn vị tiếp nhận" in text and "Trực tiếp" in text


def test_tcvn3_refused_with_advice() -> None:
    # "Mã hồ sơ, Đơn vị tiếp nhận, Trực tiếp" typed in TCVN3 (ABC) bytes.
    tcvn3 = b"M\xb8 h\xe5 s\xac,\xa7\xa1n v\xfb ti\xd5p nh\xcbn,Tr\xd6c ti\xd5p\n"
    with pytest.raises(reading.ReadError, match=r"TCVN3.*Unicode"):
        reading.decode(tcvn3)


def test_vni_refused() -> None:
    vni = "Maõ hoà sô,Ñôn vò tieáp nhaän,Tröïc tieáp\n".encode("cp1252")
    with pytest.raises(reading.ReadError, match="VNI"):
        reading.decode(vni)


def test_vietnamese_text_is_not_a_legacy_font() -> None:
    assert reading.legacy_font("Xã Lục Bình, huyện Bạch Thông – “Trực tuyến toàn trình”") is None
    assert reading.is_vietnamese_char("ữ") and not reading.is_vietnamese_char("ä")


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_separator_sniffed(sep: str) -> None:
    text = sep.join(["Mã hồ sơ", '"Đơn vị, tiếp nhận"', "Ngày"]) + "\n" + sep.join("abc") + "\n"
    sheet = reading.read_csv_text(text)
    assert len(sheet.header) == 3 and sheet.rows == [("dòng 2", ["a", "b", "c"])]


def test_truncated_csv_row_refused() -> None:
    with pytest.raises(reading.ReadError, match="Dòng 3: có 2 cột"):
        reading.read_csv_text(HEADER + "A1,01990,1/1/2022\nA2,01990")


def test_unterminated_quote_refused() -> None:
    with pytest.raises(reading.ReadError, match="CSV hỏng"):
        reading.read_csv_text(HEADER + 'A1,"01990,1/1/2022\n')


def test_empty_file_refused() -> None:
    with pytest.raises(reading.ReadError, match="Tệp rỗng"):
        reading.read_file(b"", "x.csv")
    with pytest.raises(reading.ReadError, match="Tệp rỗng"):
        reading.read_file(b"\n\n", "x.csv")


def _xlsx(sheets: dict[str, list[list[object]]], merge: bool = False) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        if merge:
            ws.merge_range(0, 0, 0, 1, "Ngày")
            rows = [[], *rows]
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and not (merge and r == 0):
                    ws.write(r, c, value)
    book.close()
    return buffer.getvalue()


def _workbook(data: bytes, tmp_path: Path) -> mapping.Workbook:
    sheets = reading.read_xlsx_tables(data)
    return mapping.Workbook([mapping.Table(s.name, s.table, s.first_row) for s in sheets], tmp_path)


def test_xlsx_all_sheets_with_the_same_header(tmp_path: Path) -> None:
    header = ["Mã hồ sơ", "Ngày tiếp nhận", "Số lần"]
    data = _xlsx({"A": [header, ["X1", 44576.5, 2.0]], "B": [header, ["X2", "1/1/2022", 0]]})
    with _workbook(data, tmp_path) as book:
        assert book.header == header
        assert book.con.execute("SELECT s, r, c0, c1, c2 FROM rows ORDER BY rowid").fetchall() == [
            (0, 2, "X1", "44576.5", "2"),
            (1, 2, "X2", "1/1/2022", "0"),
        ]
        assert [(s.sheet, s.row, s.line) for s in book.segments()] == [("A", 2, 2), ("B", 2, 3)]


def test_xlsx_sheets_with_different_headers_refused(tmp_path: Path) -> None:
    data = _xlsx({"A": [["Mã hồ sơ"], ["X"]], "B": [["Khác"], ["Y"]]})
    with pytest.raises(mapping.MappingError, match="Trang B có tiêu đề khác"):
        _workbook(data, tmp_path)


def test_xlsx_merged_header_found() -> None:
    data = _xlsx({"A": [["tiếp nhận", "hẹn trả"], ["1/1/2022", "2/1/2022"]]}, merge=True)
    (sheet,) = reading.read_xlsx_tables(data)
    assert sheet.merged_tops == (1,) and sheet.first_row == 1
    assert "ô gộp" in reading.merged_header_message(sheet.name)


def test_truncated_xlsx_refused() -> None:
    data = _xlsx({"A": [["Mã hồ sơ"], ["X"]]})
    with pytest.raises(reading.ReadError, match="xlsx"):
        reading.read_xlsx_tables(data[: len(data) // 2])
    with pytest.raises(reading.ReadError, match="xlsx"):
        reading.read_file(data[: len(data) // 2].removeprefix(b"PK"), "f.xlsx")


def test_profile_headers_and_values_with_or_without_diacritics() -> None:
    vendor = profiles.load("motcua_mau")
    mapping = vendor.map_header(
        [
            "MA HO SO",
            "Đơn vị tiếp nhận",
            "Ngày tiếp nhận",
            "Ngay hen tra",
            "Hình thức nộp",
            "Số hoá",
            "X",
        ]
    )
    assert mapping.errors == []
    assert mapping.index["dossier_code"] == 0 and mapping.index["digitized"] == 5
    assert mapping.ignored == ["X"]
    assert vendor.map_value("channel", "Trực tuyến toàn trình") == "online_full"
    assert vendor.map_value("channel", "truc tuyen toan trinh") == "online_full"
    assert vendor.map_value("channel", "Mức độ 4") == "online_full"
    assert vendor.map_value("channel", "muc do 3") == "online_partial"
    assert vendor.map_value("channel", "Bưu chính") == "postal"
    assert vendor.map_value("channel", "Qua Zalo") is None
    assert vendor.map_value("status", "Hoàn thành") == "finished"
    assert vendor.unit_alias("ubnd xa luc binh") == "01990"
    assert vendor.synthetic


def test_profile_missing_required_columns_named() -> None:
    mapping = profiles.load("motcua_mau").map_header(["Mã hồ sơ", ""])
    assert any("không có tên" in e for e in mapping.errors)
    assert any("Thiếu cột bắt buộc received_at" in e for e in mapping.errors)


def test_canonical_profile_strict() -> None:
    mapping = profiles.load("canonical").map_header(
        ["source_system", "dossier_code", "unit_code", "channel", "received_at", "due_at", "xyz"]
    )
    assert mapping.errors == ["Cột “xyz” không thuộc định dạng chuẩn"]


def test_unknown_profile() -> None:
    with pytest.raises(
        profiles.ProfileError, match=r"Không có hồ sơ ánh xạ.*canonical, motcua_mau"
    ):
        profiles.load("khong-co")


def test_xlsx_tables_first_row_and_merged_tops() -> None:
    data = _xlsx({"A": [[], [], ["Mã hồ sơ", "Ngày"], ["X1", 44576.5]]})
    (sheet,) = reading.read_xlsx_tables(data)
    assert (sheet.name, sheet.first_row, sheet.merged_tops) == ("A", 3, ())
    merged = _xlsx({"A": [["tiếp nhận", "hẹn trả"], ["1/1/2022", "2/1/2022"]]}, merge=True)
    (sheet,) = reading.read_xlsx_tables(merged)
    assert (sheet.first_row, sheet.merged_tops) == (1, (1,))


def test_xlsx_tables_truncated_refused() -> None:
    data = _xlsx({"A": [["Mã hồ sơ"], ["X"]]})
    with pytest.raises(reading.ReadError, match="xlsx hỏng"):
        reading.read_xlsx_tables(data[: len(data) // 2])
