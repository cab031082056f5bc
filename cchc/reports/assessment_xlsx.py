"""Excel writers of assessment rounds, fed with plain data (no Django).

Cells hold numbers with number formats, never "73,63" strings; A4, header rows repeated.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter

NUMBER = "#,##0.00"


@dataclass(frozen=True)
class RankingRow:
    rank: int | None
    unit: str
    parent: str
    index: Decimal
    total: Decimal
    max_total: Decimal
    band: str
    previous: Decimal | None
    fields: Sequence[Decimal]
    note: str = ""


def ranking_xlsx(
    *, title: str, field_labels: Sequence[str], rows: Sequence[RankingRow], places: int = 2
) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Xếp hạng")
    bold = book.add_format({"bold": True, "text_wrap": True, "border": 1, "valign": "top"})
    num = book.add_format({"num_format": "0." + "0" * places if places else "0", "border": 1})
    text = book.add_format({"border": 1})
    header = [
        "Hạng",
        "Đơn vị",
        "Trực thuộc",
        "Chỉ số",
        "Điểm đạt",
        "Điểm tối đa",
        "Nhóm",
        "Năm trước",
        "Tăng/giảm",
        *field_labels,
        "Ghi chú",
    ]
    sheet.write(0, 0, title, book.add_format({"bold": True, "font_size": 13}))
    for col, name in enumerate(header):
        sheet.write(2, col, name, bold)
    for r, row in enumerate(rows, start=3):
        sheet.write_number(r, 0, row.rank or 0, text) if row.rank else sheet.write(r, 0, "", text)
        sheet.write(r, 1, row.unit, text)
        sheet.write(r, 2, row.parent, text)
        sheet.write_number(r, 3, float(row.index), num)
        sheet.write_number(r, 4, float(row.total), num)
        sheet.write_number(r, 5, float(row.max_total), num)
        sheet.write(r, 6, row.band, text)
        if row.previous is not None:
            sheet.write_number(r, 7, float(row.previous), num)
            sheet.write_number(r, 8, float(row.index - row.previous), num)
        else:
            sheet.write(r, 7, "", text)
            sheet.write(r, 8, "", text)
        for c, value in enumerate(row.fields, start=9):
            sheet.write_number(r, c, float(value), num)
        sheet.write(r, 9 + len(row.fields), row.note, text)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 2, 28)
    sheet.set_column(3, 8 + len(field_labels), 11)
    sheet.set_column(9 + len(field_labels), 9 + len(field_labels), 24)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.repeat_rows(2)
    sheet.fit_to_pages(1, 0)
    sheet.freeze_panes(3, 2)
    book.close()
    return out.getvalue()


@dataclass(frozen=True)
class FormRow:
    code: str
    label: str
    title: str
    max: Decimal
    method: str
    rule: str  # the rule in plain words
    value: str
    points: Decimal | None
    note: str
    evidence: str
    level: int
    is_leaf: bool


@dataclass(frozen=True)
class FormSheet:
    title: str
    round_code: str
    unit_key: str
    rows: Sequence[FormRow] = field(default_factory=list)


FORM_HEADER = (
    "Mã",
    "STT",
    "Tiêu chí",
    "Điểm tối đa",
    "Cách chấm",
    "Giá trị báo cáo",
    "Điểm (tính theo quy tắc)",
    "Giải thích / ghi chú",
    "Tài liệu kiểm chứng",
)
FORM_FIRST_ROW = 5  # 1-based Excel row of the first criterion


def self_assessment_xlsx(sheet_data: FormSheet) -> bytes:
    """One row per criterion: the unit fills column F (and H), points follow by formula.

    Column G holds the points the system computed when the form was downloaded; leaf rows
    of groups are summed by SUM formulas, so the sheet reads as the official table.
    """
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Tự đánh giá")
    bold = book.add_format({"bold": True, "text_wrap": True, "border": 1, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "border": 1, "valign": "top"})
    group = book.add_format({"bold": True, "text_wrap": True, "border": 1, "bg_color": "#EEF2F6"})
    num = book.add_format({"num_format": "0.00", "border": 1, "valign": "top"})
    gnum = book.add_format({"num_format": "0.00", "border": 1, "bold": True, "bg_color": "#EEF2F6"})
    entry = book.add_format({"border": 1, "bg_color": "#FFF8DC", "valign": "top"})
    sheet.write(0, 0, sheet_data.title, book.add_format({"bold": True, "font_size": 13}))
    sheet.write(1, 0, "Đợt")
    sheet.write(1, 1, sheet_data.round_code)
    sheet.write(2, 0, "Đơn vị")
    sheet.write(2, 1, sheet_data.unit_key)
    for col, name in enumerate(FORM_HEADER):
        sheet.write(3, col, name, bold)
    # Row of each code, to sum children by formula.
    rows = list(sheet_data.rows)
    excel_row = {r.code: FORM_FIRST_ROW + i for i, r in enumerate(rows)}
    children: dict[str, list[str]] = {}
    stack: list[FormRow] = []
    for r in rows:
        while stack and stack[-1].level >= r.level:
            stack.pop()
        if stack:
            children.setdefault(stack[-1].code, []).append(r.code)
        stack.append(r)
    for i, r in enumerate(rows):
        x = FORM_FIRST_ROW - 1 + i
        fmt = wrap if r.is_leaf else group
        sheet.write(x, 0, r.code, fmt)
        sheet.write(x, 1, r.label, fmt)
        sheet.write(x, 2, r.title, fmt)
        sheet.write_number(x, 3, float(r.max), num if r.is_leaf else gnum)
        sheet.write(x, 4, r.rule, fmt)
        if r.is_leaf:
            sheet.write(x, 5, r.value, entry)
            if r.points is None:
                sheet.write_blank(x, 6, None, num)
            else:
                sheet.write_number(x, 6, float(r.points), num)
            sheet.write(x, 7, r.note, entry)
            sheet.write(x, 8, r.evidence, wrap)
        else:
            cells = ",".join(f"G{excel_row[c]}" for c in children.get(r.code, []))
            sheet.write_formula(x, 6, f"=SUM({cells})" if cells else "=0", gnum)
            for col in (5, 7, 8):
                sheet.write_blank(x, col, None, group)
    total_row = FORM_FIRST_ROW - 1 + len(rows)
    tops = [r.code for r in rows if r.level == 1]
    sheet.write(total_row, 2, "Tổng cộng", bold)
    sheet.write_formula(
        total_row, 6, "=SUM(" + ",".join(f"G{excel_row[c]}" for c in tops) + ")", gnum
    )
    for col, width in enumerate((9, 6, 48, 9, 36, 18, 12, 30, 30)):
        sheet.set_column(col, col, width)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.repeat_rows(3)
    sheet.fit_to_pages(1, 0)
    sheet.freeze_panes(4, 3)
    book.close()
    return out.getvalue()
