"""The official summary table of one unit in a round, as xlsx and docx.

STT | Lĩnh vực / Tiêu chí | Điểm tối đa | Tự đánh giá | Thẩm định | Điều tra XHH |
Điểm đạt | Chỉ số: one row per field, criterion and sub-criterion in tree order, then the
total row with the index in the last column. Plain data in, bytes out.

xlsx: merged title rows, a two-row header (the three sources grouped under "Điểm đánh
giá"), numbers as numbers with number formats (the index with the set's display
precision, points with at least two decimals), titles indented by level, field rows bold,
A4 portrait fit to one page wide, header rows repeated. docx: the same table in Times New
Roman 13 with the header rows repeated.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.table import _Cell
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from cchc.core.numbers import format_number
from cchc.reports.word import fill_cell, repeat_header, set_font

FONT = "Times New Roman"
FONT_PT = 13
COLUMNS = 8
HEADER_ROW = 4  # title, subtitle, blank: the header takes rows 4 and 5 (1-based)
SOURCE_GROUP = "Điểm đánh giá"
SOURCES = ("Tự đánh giá", "Thẩm định", "Điều tra XHH")
TOTAL_LABEL = "Tổng cộng"


@dataclass(frozen=True)
class UnitTableRow:
    label: str  # STT as printed: I, 1, 1.1, a
    title: str
    level: int  # 0 for a field, 1 for its criteria, …
    max: Decimal
    self: Decimal | None  # None: no self-assessed criterion under this node
    appraisal: Decimal | None  # None: no appraised (self or computed) criterion under it
    survey: Decimal | None  # None: no survey criterion under it
    final: Decimal


@dataclass(frozen=True)
class UnitTable:
    title: str  # "BẢNG TỔNG HỢP KẾT QUẢ …"
    subtitle: str  # the unit as named in the round, the set
    rows: Sequence[UnitTableRow]
    total: UnitTableRow  # the sums; its label and title are not printed
    index: Decimal  # as displayed (rounded to the set's precision)
    index_label: str = "Chỉ số"
    places: int = 2  # the set's display precision

    @property
    def point_places(self) -> int:
        return max(self.places, 2)

    @property
    def headers(self) -> tuple[str, ...]:
        return ("STT", "Lĩnh vực / Tiêu chí", "Điểm tối đa", *SOURCES, "Điểm đạt", self.index_label)


def _values(row: UnitTableRow) -> list[Decimal | None]:
    return [row.max, row.self, row.appraisal, row.survey, row.final]


def _number_format(places: int) -> str:
    return "0." + "0" * places if places else "0"


# -- Excel ---------------------------------------------------------------------------------


def _style(
    sheet: Worksheet,
    row: int,
    col: int,
    value: object,
    *,
    bold: bool = False,
    horizontal: str = "left",
    indent: int = 0,
    number_format: str = "",
) -> None:
    thin = Side(style="thin")
    cell = sheet.cell(row, col, value)
    cell.font = Font(name=FONT, size=12, bold=bold)
    cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    cell.alignment = Alignment(
        horizontal=horizontal, vertical="center", wrap_text=True, indent=indent
    )
    if number_format:
        cell.number_format = number_format


def unit_table_xlsx(table: UnitTable) -> bytes:
    """The table as one worksheet; the first data row is row ``HEADER_ROW + 2`` (1-based)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Bảng tổng hợp"
    for r, (text, size, bold, italic) in enumerate(
        ((table.title, 14, True, False), (table.subtitle, 12, False, True)), start=1
    ):
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=COLUMNS)
        cell = sheet.cell(r, 1, text)
        cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    h1, h2 = HEADER_ROW, HEADER_ROW + 1
    headers = table.headers
    for col, text in enumerate(headers, start=1):
        if 4 <= col <= 6:
            continue
        _style(sheet, h1, col, text, bold=True, horizontal="center")
        _style(sheet, h2, col, None, bold=True, horizontal="center")
        sheet.merge_cells(start_row=h1, start_column=col, end_row=h2, end_column=col)
    for col in (4, 5, 6):
        _style(sheet, h1, col, SOURCE_GROUP if col == 4 else None, bold=True, horizontal="center")
        _style(sheet, h2, col, headers[col - 1], bold=True, horizontal="center")
    sheet.merge_cells(start_row=h1, start_column=4, end_row=h1, end_column=6)
    points = _number_format(table.point_places)
    r = h2
    for r, row in enumerate(table.rows, start=h2 + 1):
        bold = row.level == 0
        _style(sheet, r, 1, row.label, bold=bold, horizontal="center")
        _style(sheet, r, 2, row.title, bold=bold, indent=row.level)
        for col, value in enumerate(_values(row), start=3):
            shown = None if value is None else value
            _style(sheet, r, col, shown, bold=bold, horizontal="right", number_format=points)
        _style(sheet, r, 8, None)
    last = r + 1
    _style(sheet, last, 1, None, bold=True)
    _style(sheet, last, 2, TOTAL_LABEL, bold=True, horizontal="center")
    for col, value in enumerate(_values(table.total), start=3):
        _style(sheet, last, col, value, bold=True, horizontal="right", number_format=points)
    _style(
        sheet,
        last,
        8,
        table.index,
        bold=True,
        horizontal="right",
        number_format=_number_format(table.places),
    )
    sheet.row_dimensions[1].height = 36
    sheet.row_dimensions[2].height = 32
    for letter, width in zip("ABCDEFGH", (6, 44, 10, 10, 10, 10, 10, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    sheet.print_title_rows = f"{h1}:{h2}"
    sheet.freeze_panes = sheet.cell(h2 + 1, 3)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- Word ----------------------------------------------------------------------------------


def _font(run: object, *, bold: bool = False, italic: bool = False) -> None:
    set_font(run, size=FONT_PT, bold=bold, italic=italic)


def _cell(
    cell: _Cell, text: str, *, bold: bool = False, align: str = "left", indent: int = 0
) -> None:
    fill_cell(cell, text, size=FONT_PT, bold=bold, align=align, indent=indent)


def unit_table_docx(table: UnitTable) -> bytes:
    """The same table for a Word report: A4 portrait, Times New Roman 13."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(15)
    section.top_margin = section.bottom_margin = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = FONT  # type: ignore[attr-defined]
    normal.font.size = Pt(FONT_PT)  # type: ignore[attr-defined]
    for text, bold, italic in ((table.title, True, False), (table.subtitle, False, True)):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(text), bold=bold, italic=italic)
    grid = doc.add_table(rows=2, cols=COLUMNS)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    top, second = grid.rows[0], grid.rows[1]
    headers = table.headers
    for col in (0, 1, 2, 6, 7):
        _cell(top.cells[col].merge(second.cells[col]), headers[col], bold=True, align="center")
    _cell(top.cells[3].merge(top.cells[5]), SOURCE_GROUP, bold=True, align="center")
    for col in (3, 4, 5):
        _cell(second.cells[col], headers[col], bold=True, align="center")
    for row_ in (top, second):
        for head in row_.cells:
            head.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        repeat_header(row_)
    pp = table.point_places
    for row in table.rows:
        bold = row.level == 0
        cells = grid.add_row().cells
        _cell(cells[0], row.label, bold=bold, align="center")
        _cell(cells[1], row.title, bold=bold, indent=row.level)
        for col, value in enumerate(_values(row), start=2):
            text = "" if value is None else format_number(value, pp)
            _cell(cells[col], text, bold=bold, align="right")
    cells = grid.add_row().cells
    _cell(cells[1], TOTAL_LABEL, bold=True, align="center")
    for col, value in enumerate(_values(table.total), start=2):
        text = "" if value is None else format_number(value, pp)
        _cell(cells[col], text, bold=True, align="right")
    _cell(cells[7], format_number(table.index, table.places), bold=True, align="right")
    # 170 mm between the margins.
    widths = [Mm(w) for w in (14, 60, 16, 16, 16, 16, 16, 16)]
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    for r in grid.rows:
        for cell, width in zip(r.cells, widths, strict=True):
            cell.width = width
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
