"""The task table of a plan as .xlsx, in the layout units already use (pure writer).

STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành | Sản phẩm, plus
the status columns the product adds. The file can be imported back: the import reads the
first six columns by their titles and ignores the others.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import xlsxwriter

from cchc.core.plans import COLUMNS


@dataclass(frozen=True)
class TaskLine:
    position: int
    title: str
    lead: str
    coordinating: Sequence[str]
    deadline: date | None
    when_text: str  # "Thường xuyên, rà soát …" for ongoing tasks
    deliverable: str
    status: str
    outcome: str


def write_task_table(title: str, lines: Sequence[TaskLine]) -> bytes:
    """One sheet: a title row, the header row, one row per task; dates as real dates."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Nhiệm vụ")
    bold = book.add_format({"bold": True, "font_name": "Times New Roman", "font_size": 12})
    head = book.add_format(
        {"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    )
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    when = book.add_format({"border": 1, "num_format": "dd/mm/yyyy", "valign": "top"})
    sheet.write(0, 0, title, bold)
    headers = [label for _, label in COLUMNS] + ["Trạng thái", "Kết quả"]
    for col, text in enumerate(headers):
        sheet.write(2, col, text, head)
    for row, line in enumerate(lines, start=3):
        sheet.write_number(row, 0, line.position, cell)
        sheet.write_string(row, 1, line.title, cell)
        sheet.write_string(row, 2, line.lead, cell)
        sheet.write_string(row, 3, "; ".join(line.coordinating), cell)
        if line.deadline is not None:
            sheet.write_datetime(row, 4, line.deadline, when)
        else:
            sheet.write_string(row, 4, line.when_text, cell)
        sheet.write_string(row, 5, line.deliverable, cell)
        sheet.write_string(row, 6, line.status, cell)
        sheet.write_string(row, 7, line.outcome, cell)
    for col, width in enumerate((6, 50, 28, 28, 18, 30, 18, 16)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(3, 0)
    book.close()
    return buffer.getvalue()
