"""The figures of a report request across units as .xlsx (pure writer).

Numbers are written as numbers (Decimal → float only inside the cell, with the number of
decimals shown by the format), dates as dates, yes/no as "Có"/"Không".
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import xlsxwriter


@dataclass(frozen=True)
class FigureColumn:
    code: str
    label: str
    value_type: str  # integer / decimal / percent / text / date / yes_no


@dataclass(frozen=True)
class FigureRow:
    unit_code: str
    unit_name: str
    status: str  # "đúng hạn" / "trễ hạn" / "chưa gửi"
    submitted_on: date | None
    values: dict[str, object]


def write_figures(title: str, columns: Sequence[FigureColumn], rows: Sequence[FigureRow]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Số liệu")
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "vcenter"})
    text = book.add_format({"border": 1})
    day = book.add_format({"border": 1, "num_format": "dd/mm/yyyy"})
    integer = book.add_format({"border": 1, "num_format": "#,##0"})
    decimal = book.add_format({"border": 1, "num_format": "#,##0.00"})
    sheet.write(0, 0, title, bold)
    headers = ["Mã đơn vị", "Đơn vị", "Tình trạng", "Ngày gửi"] + [
        f"{c.label} ({c.code})" for c in columns
    ]
    for col, label in enumerate(headers):
        sheet.write(2, col, label, head)
    for r, row in enumerate(rows, start=3):
        sheet.write_string(r, 0, row.unit_code, text)
        sheet.write_string(r, 1, row.unit_name, text)
        sheet.write_string(r, 2, row.status, text)
        if row.submitted_on is not None:
            sheet.write_datetime(r, 3, row.submitted_on, day)
        else:
            sheet.write_blank(r, 3, None, text)
        for c, column in enumerate(columns, start=4):
            value = row.values.get(column.code)
            if value is None or value == "":
                sheet.write_blank(r, c, None, text)
            elif isinstance(value, bool):
                sheet.write_string(r, c, "Có" if value else "Không", text)
            elif isinstance(value, Decimal | int):
                fmt = integer if column.value_type == "integer" else decimal
                sheet.write_number(r, c, float(value), fmt)
            elif isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            else:
                sheet.write_string(r, c, str(value), text)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, 3, 12)
    sheet.set_column(4, 4 + max(len(columns) - 1, 0), 18)
    sheet.freeze_panes(3, 2)
    book.close()
    return buffer.getvalue()
