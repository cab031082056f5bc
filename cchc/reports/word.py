"""Small python-docx helpers shared by the Word writers (official documents use Times New
Roman; Vietnamese needs the font set for every script, not only ASCII)."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

TIMES = "Times New Roman"
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def set_font(
    run: object, *, size: int, bold: bool = False, italic: bool = False, name: str = TIMES
) -> None:
    """Font of a run for every script (ascii, hAnsi, cs, eastAsia)."""
    font = run.font  # type: ignore[attr-defined]
    font.name = name
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    rpr = run._element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)  # rFonts comes first in rPr
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def fill_cell(
    cell: _Cell,
    text: str,
    *,
    size: int,
    bold: bool = False,
    align: str = "left",
    indent: int = 0,
) -> None:
    """Write ``text`` into a table cell's first paragraph (indent in steps of 4 mm)."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = _ALIGN[align]
    if indent:
        paragraph.paragraph_format.left_indent = Mm(4 * indent)
    set_font(paragraph.add_run(text), size=size, bold=bold)


def repeat_header(row: object) -> None:
    """Repeat a table row at the top of every page."""
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)
