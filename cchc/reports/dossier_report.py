"""The period report of dossiers as the official form: xlsx (xlsxwriter) and docx.

Fed with plain data (``Report.to_json()`` of cchc.analytics plus a title): two header
rows with merged group cells, numbers as numbers, A4 landscape fitted to the page width,
header rows repeated on every printed page. Imports only cchc.core.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from cchc.core.numbers import format_number, format_percent

# (group title, [(count name or pct name, column title)])
COLUMNS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Số hồ sơ nhận giải quyết",
        [
            ("received_total", "Tổng số"),
            ("new_online_full", "Trực tuyến toàn trình"),
            ("new_online_partial", "Trực tuyến một phần"),
            ("new_direct", "Trực tiếp"),
            ("new_postal", "Bưu chính"),
            ("carried_over", "Kỳ trước chuyển qua"),
        ],
    ),
    (
        "Số hồ sơ đã giải quyết",
        [
            ("resolved_total", "Tổng số"),
            ("early", "Trước hạn"),
            ("on_time", "Đúng hạn"),
            ("late", "Quá hạn"),
            ("late_with_apology", "Quá hạn có thư xin lỗi"),
        ],
    ),
    (
        "Số hồ sơ đang giải quyết",
        [
            ("in_progress_total", "Tổng số"),
            ("in_progress_within", "Trong hạn"),
            ("in_progress_overdue", "Quá hạn"),
        ],
    ),
    ("Từ chối, rút", [("rejected", "Từ chối"), ("withdrawn", "Rút hồ sơ")]),
    ("Tỷ lệ (%)", [("on_time_pct", "Đúng hạn"), ("online_pct", "Trực tuyến")]),
    ("", [("returned_by_post", "Trả qua bưu chính")]),
]
FLAT = [(name, title) for _, cols in COLUMNS for name, title in cols]


def _value(row: dict[str, Any], name: str) -> int | Decimal | None:
    if name.endswith("_pct"):
        raw = row.get(name)
        return None if raw is None else Decimal(str(raw))
    return int(row["counts"][name])


def report_xlsx(data: dict[str, Any], title: str, footnotes: list[str]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Bao cao")
    bold = book.add_format({"bold": True, "font_name": "Times New Roman", "font_size": 13})
    head = book.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "font_name": "Times New Roman",
            "font_size": 11,
        }
    )
    text = book.add_format({"border": 1, "font_name": "Times New Roman", "font_size": 11})
    text_bold = book.add_format(
        {"border": 1, "bold": True, "font_name": "Times New Roman", "font_size": 11}
    )
    num = book.add_format({"border": 1, "num_format": "#,##0", "font_name": "Times New Roman"})
    pct = book.add_format({"border": 1, "num_format": "0.00", "font_name": "Times New Roman"})
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(0.4, 0.4, 0.6, 0.6)
    period = data["period"]
    sheet.write(0, 0, title, bold)
    sheet.write(1, 0, f"Kỳ báo cáo: {period['label']} ({period['start']} – {period['end']})")
    top, second = 3, 4
    sheet.merge_range(top, 0, second, 0, "STT", head)
    sheet.merge_range(top, 1, second, 1, "Đơn vị" if data["by"] == "unit" else "Lĩnh vực", head)
    col = 2
    for group, cols in COLUMNS:
        if len(cols) > 1:
            sheet.merge_range(top, col, top, col + len(cols) - 1, group, head)
            for offset, (_, name) in enumerate(cols):
                sheet.write(second, col + offset, name, head)
        else:
            sheet.merge_range(top, col, second, col, cols[0][1], head)
        col += len(cols)
    sheet.repeat_rows(top, second)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 34)
    sheet.set_column(2, col - 1, 10)
    sheet.set_row(second, 45)
    for i, row in enumerate(data["rows"], start=1):
        r = second + i
        sheet.write_number(r, 0, i, num)
        label = ("   " * int(row["depth"])) + str(row["name"])
        sheet.write_string(r, 1, label, text_bold if row["has_children"] else text)
        for j, (name, _) in enumerate(FLAT):
            value = _value(row, name)
            if value is None:
                sheet.write_blank(r, 2 + j, None, pct)
            elif name.endswith("_pct"):
                sheet.write_number(r, 2 + j, float(round(Decimal(value), 2)), pct)
            else:
                sheet.write_number(r, 2 + j, int(value), num)
    r = second + len(data["rows"]) + 2
    for note in footnotes:
        sheet.write(r, 0, note)
        r += 1
    book.close()
    return buffer.getvalue()


def report_docx(data: dict[str, Any], title: str, footnotes: list[str]) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(12))
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"  # type: ignore[attr-defined]
    style.font.size = Pt(9)  # type: ignore[attr-defined]
    doc.add_heading(title, level=1)
    period = data["period"]
    doc.add_paragraph(f"Kỳ báo cáo: {period['label']}")
    table = doc.add_table(rows=2, cols=2 + len(FLAT))
    table.style = "Table Grid"
    hdr, sub = table.rows[0].cells, table.rows[1].cells
    hdr[0].merge(sub[0]).text = "STT"
    hdr[1].merge(sub[1]).text = "Đơn vị" if data["by"] == "unit" else "Lĩnh vực"
    col = 2
    for group, cols in COLUMNS:
        if len(cols) > 1:
            hdr[col].merge(hdr[col + len(cols) - 1]).text = group
            for offset, (_, name) in enumerate(cols):
                sub[col + offset].text = name
        else:
            hdr[col].merge(sub[col]).text = cols[0][1]
        col += len(cols)
    for i, row in enumerate(data["rows"], start=1):
        cells = table.add_row().cells
        cells[0].text = str(i)
        cells[1].text = ("  " * int(row["depth"])) + str(row["name"])
        for j, (name, _) in enumerate(FLAT):
            value = _value(row, name)
            if value is None:
                cells[2 + j].text = ""
            elif name.endswith("_pct"):
                cells[2 + j].text = format_percent(Decimal(value)).rstrip(" %")
            else:
                cells[2 + j].text = format_number(int(value))
    for note in footnotes:
        doc.add_paragraph(note)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
