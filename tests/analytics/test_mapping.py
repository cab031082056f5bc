"""The workbook mapping in DuckDB (cchc.analytics.mapping): cleaning, header, blank rows,
value and unit maps joined per distinct value, errors and places."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import fastexcel
import pytest
import xlsxwriter

from cchc.analytics import mapping


def _sheets(sheets: dict[str, list[list[object]]]) -> list[mapping.Table]:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
    book.close()
    reader = fastexcel.read_excel(buffer.getvalue())
    return [
        mapping.Table(
            n, reader.load_sheet(n, header_row=None, dtypes="string", schema_sample_rows=None)
        )
        for n in reader.sheet_names
    ]


HEADER = ["Mã", "Đơn vị", "Kênh", "Ngày nhận", "Hẹn", "Số ngày"]


def test_rows_cleaned_blank_rows_dropped_places_by_sheet_row(tmp_path: Path) -> None:
    tables = _sheets(
        {
            "A": [
                HEADER,
                ["  X1 ", "U1", "Mức độ 4", "1/6/2025", "2025-06-03", 2.0],
                [None, "  ", None, None, None, None],
                ["X2", "Xã Hoà", "qua zalo", 45839.5, "5/7/2025", 1.5],
            ],
            "B": [HEADER, ["X3", "U1", "Trực tiếp", "2025-07-02 08:00", "2025-07-04", None]],
        }
    )
    with mapping.Workbook(tables, tmp_path) as book:
        assert book.header == HEADER
        assert book.rows == 3
        assert book.header_rows == {"A": 1, "B": 1}
        assert book.distinct(2) == ["Mức độ 4", "qua zalo", "Trực tiếp"]
        assert sorted(book.distinct_units(1, 3)) == [("U1", False), ("U1", True), ("Xã Hoà", False)]
        assert book.segments() == [
            mapping.Segment(2, "A", 2, 1),
            mapping.Segment(3, "A", 4, 1),
            mapping.Segment(4, "B", 2, 1),
        ]
        spec = mapping.Spec(
            columns={
                "dossier_code": 0,
                "unit_code": 1,
                "channel": 2,
                "received_at": 3,
                "due_at": 4,
                "supplement_days": 5,
            },
            names={"unit_code": "Đơn vị", "channel": "Kênh"},
            fixed_source="VENDOR",
            values={
                "channel": {"Mức độ 4": "online_full", "qua zalo": None, "Trực tiếp": "direct"}
            },
            unknown={"channel": "không biết"},
            units={
                ("U1", True): ("01990", ""),
                ("U1", False): ("", "không có quyền"),
                ("Xã Hoà", False): ("01969", ""),
            },
        )
        written = book.write_csv(tmp_path / "out.csv", spec)
    assert written.rows == 3
    assert written.errors == [
        (3, "Kênh", "qua zalo", "không biết"),
        (4, "Đơn vị", "U1", "không có quyền"),
    ]
    assert written.error_total == 2
    assert written.unmatched == {"Kênh": ["qua zalo"], "Đơn vị": ["U1"]}
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [
        (r["source_system"], r["dossier_code"], r["unit_code"], r["channel"]) for r in rows
    ] == [
        ("VENDOR", "X1", "01990", "online_full"),
        ("VENDOR", "X2", "01969", "direct"),  # unknown channel: a valid stand-in, reported
        ("VENDOR", "X3", "U1", "direct"),
    ]
    assert [(r["received_at"], r["supplement_days"]) for r in rows] == [
        ("1/6/2025", "2"),
        ("45839.5", "1.5"),  # an Excel serial typed as a number: the store reads it
        ("2025-07-02 08:00", ""),
    ]
    assert written.preview[0]["dossier_code"] == "X1" and len(written.preview) == 3


def test_header_below_blank_rows_and_data_outside_header(tmp_path: Path) -> None:
    tables = _sheets({"S": [[], [], ["a", "b"], ["1", "2"], [], ["3", "4", "x"]]})
    tables = [mapping.Table("S", tables[0].data, first_row=3)]  # a reader skips empty rows
    with pytest.raises(mapping.MappingError, match=r"Trang S, dòng 6: có dữ liệu ngoài"):
        mapping.Workbook(tables, tmp_path)


def test_sheets_with_other_headers_refused(tmp_path: Path) -> None:
    tables = _sheets({"A": [["a"], ["1"]], "B": [["b"], ["2"]]})
    with pytest.raises(mapping.MappingError, match="Trang B có tiêu đề khác trang A"):
        mapping.Workbook(tables, tmp_path)


def test_non_ascii_text_for_the_legacy_font_test(tmp_path: Path) -> None:
    tables = _sheets({"A": [["Mã", "Tên"], ["X1", "Hå s¬"], ["X2", "abc"], ["X3", "Hå s¬"]]})
    with mapping.Workbook(tables, tmp_path) as book:
        assert book.non_ascii_text() == "Mã\nTên\nHå s¬"


def test_date_cells_with_milliseconds_cut_to_the_second(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("A")
    stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    ws.write_row(0, 0, ["code", "received"])
    ws.write(1, 0, "X1")
    ws.write_datetime(1, 1, datetime(2024, 1, 1, 8, 0, 0, 500000), stamp)
    ws.write(2, 0, "X2")
    ws.write_number(2, 1, 45292.333333333336, stamp)
    book.close()
    reader = fastexcel.read_excel(buffer.getvalue())
    sheet = reader.load_sheet(0, header_row=None, dtypes="string", schema_sample_rows=None)
    with mapping.Workbook([mapping.Table("A", sheet)], tmp_path) as wb:
        written = wb.write_csv(
            tmp_path / "o.csv", mapping.Spec(columns={"dossier_code": 0, "received_at": 1})
        )
    assert [p["received_at"] for p in written.preview] == [
        "2024-01-01 08:00:00",
        "2024-01-01 08:00:00",
    ]
