"""The official summary table of a round ("Bảng tổng hợp kết quả"), as xlsx and docx.

The layout provinces publish: STT | Đơn vị | points per field | Tổng điểm | Chỉ số |
Xếp hạng | Nhóm, under merged title rows, with a two-row header (the field columns grouped
under "Điểm theo lĩnh vực", each field with its maximum). Plain data in, bytes out.

xlsx: numbers are numbers with number formats (the index with the set's display precision,
points with at least two decimals), A4 landscape, fit to one page wide, header rows
repeated on every printed page. docx: A4 landscape, Times New Roman 13, header rows
repeated.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.table import _Cell

from cchc.core.numbers import format_number
from cchc.reports.word import fill_cell, repeat_header, set_font

FONT = "Times New Roman"
FONT_PT = 13
TITLE_ROWS = 3  # title, subtitle, blank: the header starts on the 4th row
FIELD_GROUP = "Điểm theo lĩnh vực"
FIXED_HEADERS = ("Tổng điểm", "Chỉ số", "Xếp hạng", "Nhóm")


@dataclass(frozen=True)
class SummaryField:
    label: str  # STT as printed: I, II …
    title: str
    max: Decimal


@dataclass(frozen=True)
class SummaryRow:
    unit: str
    fields: Sequence[Decimal]  # final points per field, in the order of ``SummaryTable.fields``
    total: Decimal
    index: Decimal  # as displayed (rounded to the set's precision)
    rank: int | None
    band: str
    note: str = ""  # "đã điều chỉnh", "dữ liệu giả lập"


@dataclass(frozen=True)
class SummaryTable:
    title: str  # "BẢNG TỔNG HỢP KẾT QUẢ …"
    subtitle: str  # the round, the set and its legal basis
    fields: Sequence[SummaryField]
    rows: Sequence[SummaryRow]
    max_total: Decimal
    index_label: str = "Chỉ số"  # "Chỉ số (%)" for a percent display
    places: int = 2  # the set's display precision

    @property
    def columns(self) -> int:
        return 2 + len(self.fields) + len(FIXED_HEADERS)

    @property
    def point_places(self) -> int:
        return max(self.places, 2)


def _field_header(f: SummaryField, places: int) -> str:
    head = f"{f.label}. {f.title}" if f.label else f.title
    return f"{head}\n(tối đa {format_number(f.max, places)})"


def _number_format(places: int) -> str:
    return "0." + "0" * places if places else "0"


def summary_xlsx(table: SummaryTable) -> bytes:
    """The summary table as one worksheet; the first data row is row ``TITLE_ROWS + 3``."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Tổng hợp")
    base = {"font_name": FONT, "font_size": 12}
    title = book.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
    subtitle = book.add_format({**base, "italic": True, "align": "center", "text_wrap": True})
    head = book.add_format(
        {
            **base,
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )
    text = book.add_format({**base, "border": 1, "valign": "top", "text_wrap": True})
    centre = book.add_format({**base, "border": 1, "valign": "top", "align": "center"})
    points = book.add_format(
        {**base, "border": 1, "valign": "top", "num_format": _number_format(table.point_places)}
    )
    index = book.add_format(
        {
            **base,
            "border": 1,
            "valign": "top",
            "bold": True,
            "num_format": _number_format(table.places),
        }
    )
    last = table.columns - 1
    nf = len(table.fields)
    sheet.merge_range(0, 0, 0, last, table.title, title)
    sheet.merge_range(1, 0, 1, last, table.subtitle, subtitle)
    h1, h2 = TITLE_ROWS, TITLE_ROWS + 1
    sheet.merge_range(h1, 0, h2, 0, "STT", head)
    sheet.merge_range(h1, 1, h2, 1, "Đơn vị", head)
    if nf > 1:
        sheet.merge_range(h1, 2, h1, 1 + nf, FIELD_GROUP, head)
    elif nf == 1:
        sheet.write(h1, 2, FIELD_GROUP, head)
    for i, f in enumerate(table.fields):
        sheet.write(h2, 2 + i, _field_header(f, table.point_places), head)
    fixed = list(FIXED_HEADERS)
    fixed[0] = f"Tổng điểm\n(tối đa {format_number(table.max_total, table.point_places)})"
    fixed[1] = table.index_label
    for j, name in enumerate(fixed):
        sheet.merge_range(h1, 2 + nf + j, h2, 2 + nf + j, name, head)
    first = TITLE_ROWS + 2
    for n, row in enumerate(table.rows):
        r = first + n
        sheet.write_number(r, 0, n + 1, centre)
        sheet.write(r, 1, row.unit + (f" ({row.note})" if row.note else ""), text)
        for i, value in enumerate(row.fields):
            sheet.write_number(r, 2 + i, float(value), points)
        sheet.write_number(r, 2 + nf, float(row.total), points)
        sheet.write_number(r, 3 + nf, float(row.index), index)
        if row.rank is None:
            sheet.write_blank(r, 4 + nf, None, centre)
        else:
            sheet.write_number(r, 4 + nf, row.rank, centre)
        sheet.write(r, 5 + nf, row.band, centre)
    sheet.set_row(h2, 48)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 1 + nf, 14)
    sheet.set_column(2 + nf, 5 + nf, 10)
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    sheet.repeat_rows(h1, h2)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.freeze_panes(first, 2)
    book.close()
    return out.getvalue()


# -- Word ----------------------------------------------------------------------------------


def _font(run: object, *, bold: bool = False, italic: bool = False, size: int = FONT_PT) -> None:
    set_font(run, size=size, bold=bold, italic=italic)


def _cell(cell: _Cell, text: str, *, bold: bool = False, align: str = "left") -> None:
    fill_cell(cell, text, size=FONT_PT, bold=bold, align=align)


def summary_docx(table: SummaryTable) -> bytes:
    """The same table for a Word report: landscape A4, Times New Roman 13."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin = section.bottom_margin = Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT  # type: ignore[attr-defined]
    normal.font.size = Pt(FONT_PT)  # type: ignore[attr-defined]
    for text, bold, italic in ((table.title, True, False), (table.subtitle, False, True)):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(text), bold=bold, italic=italic)
    nf = len(table.fields)
    grid = doc.add_table(rows=2, cols=table.columns)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    top, second = grid.rows[0], grid.rows[1]
    fixed = list(FIXED_HEADERS)
    fixed[0] = f"Tổng điểm (tối đa {format_number(table.max_total, table.point_places)})"
    fixed[1] = table.index_label
    spans = [(0, "STT"), (1, "Đơn vị")] + [(2 + nf + j, t) for j, t in enumerate(fixed)]
    for col, text in spans:
        merged = top.cells[col].merge(second.cells[col])
        _cell(merged, text, bold=True, align="center")
    if nf:
        group = top.cells[2].merge(top.cells[1 + nf]) if nf > 1 else top.cells[2]
        _cell(group, FIELD_GROUP, bold=True, align="center")
    for i, f in enumerate(table.fields):
        label = f.label or f.title
        _cell(
            second.cells[2 + i],
            f"{label} ({format_number(f.max, table.point_places)})",
            bold=True,
            align="center",
        )
    repeat_header(top)
    repeat_header(second)
    pp = table.point_places
    for n, row in enumerate(table.rows):
        cells = grid.add_row().cells
        _cell(cells[0], str(n + 1), align="center")
        _cell(cells[1], row.unit + (f" ({row.note})" if row.note else ""))
        for i, value in enumerate(row.fields):
            _cell(cells[2 + i], format_number(value, pp), align="right")
        _cell(cells[2 + nf], format_number(row.total, pp), align="right")
        _cell(cells[3 + nf], format_number(row.index, table.places), bold=True, align="right")
        _cell(cells[4 + nf], "" if row.rank is None else str(row.rank), align="center")
        _cell(cells[5 + nf], row.band, align="center")
    # Fill the 267 mm between the margins: fixed columns first, the fields share the rest.
    fixed_mm = [12, 70, 30, 24, 20, 16]
    field_mm = max(18, (267 - sum(fixed_mm)) // nf) if nf else 0
    widths = [Mm(12), Mm(70)] + [Mm(field_mm)] * nf + [Mm(30), Mm(24), Mm(20), Mm(16)]
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=False):
        column.width = width
    for r in grid.rows:
        for cell, width in zip(r.cells, widths, strict=False):
            cell.width = width
    if nf:
        legend = doc.add_paragraph()
        _font(
            legend.add_run(
                "Lĩnh vực: " + "; ".join(f"{f.label}. {f.title}" for f in table.fields) + "."
            ),
            italic=True,
            size=11,
        )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
