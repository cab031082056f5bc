"""The conclusion notice ("thông báo kết luận") as a Word document, NĐ 30/2020 layout.

Pure python-docx fed with plain data: no text boxes (the two-column header and the
recipients/signer block are borderless tables), A4, margins 20/20/30/15 mm, Times New
Roman 14 pt (13 pt in the header), page numbers at the top centre from page 2. A draft
leaves the number blank for the clerk: ``Số:      /TB-BCĐ``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from cchc.core.dates import format_date, long_date_vi
from cchc.reports.word import set_font

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 13
MOTTO_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NUMBER_GAP = "      "  # where the clerk writes the number by hand or in Word

# The heading of the notice body follows the type of event.
HEADINGS = {
    "inspection": "Kết luận kiểm tra",
    "supervision": "Kết luận giám sát",
    "appraisal": "Kết luận kiểm tra, thẩm định",
    "meeting": "Kết luận hội nghị",
}


@dataclass(frozen=True)
class NoticeDirective:
    text: str
    addressees: str
    deadline: date | None = None
    review_on: date | None = None  # with no deadline: "thường xuyên"


@dataclass(frozen=True)
class NoticeData:
    kind: str
    superior: str
    issuer: str
    symbol: str
    place: str
    date: date
    subject: str
    intro: str = ""
    achievements: Sequence[str] = ()
    shortcomings: Sequence[str] = ()
    remediation: Sequence[str] = ()
    directives: Sequence[NoticeDirective] = ()
    recipients: Sequence[str] = ()
    signer_lines: Sequence[str] = ()
    signer_name: str = ""
    number: str = ""  # blank in a draft
    draft: bool = True
    extra: dict[str, str] = field(default_factory=dict)


def heading_for(kind: str) -> str:
    """``"supervision"`` → ``"Kết luận giám sát"``."""
    return HEADINGS.get(kind, HEADINGS["inspection"])


def subject_for(kind: str, what: str, where: str) -> str:
    """The line under "THÔNG BÁO": ``Kết luận giám sát công tác … tại huyện Thạch Thất``."""
    text = heading_for(kind)
    if what:
        text += f" {what}"
    if where:
        text += f" tại {where}"
    return text


def number_line(number: str, symbol: str) -> str:
    """``Số: 12/TB-BCĐ``, or with the number left blank ``Số:      /TB-BCĐ``."""
    number = number.strip()
    if number:
        return f"Số: {number}"
    return f"Số:{NUMBER_GAP}/TB-{symbol}"


def when_text(deadline: date | None, review_on: date | None) -> str:
    """``Thời hạn: 30/09/2022`` or ``Thời hạn: thường xuyên (rà soát ngày 30/11/2023)``."""
    if deadline is not None:
        return f"Thời hạn: {format_date(deadline)}"
    if review_on is not None:
        return f"Thời hạn: thường xuyên (rà soát ngày {format_date(review_on)})"
    return "Thời hạn: thường xuyên"


def signer_lines_for(collective: str, head_title: str, deputy_title: str = "") -> list[str]:
    """``TM. BAN CHỈ ĐẠO / KT. TRƯỞNG BAN / PHÓ TRƯỞNG BAN`` (a deputy signing)."""
    lines = [f"TM. {collective.upper()}"] if collective else []
    if deputy_title:
        lines += [f"KT. {head_title.upper()}", deputy_title.upper()]
    else:
        lines.append(head_title.upper())
    return lines


_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]


def sections_of(data: NoticeData) -> list[tuple[str, list[str]]]:
    """The body's numbered sections: (heading, paragraphs); empty ones left out."""
    directive_lines = [
        f"{i}. {d.text.rstrip('. ')}. Đơn vị thực hiện: {d.addressees}. "
        f"{when_text(d.deadline, d.review_on)}."
        for i, d in enumerate(data.directives, start=1)
    ]
    parts = [
        ("KẾT QUẢ ĐẠT ĐƯỢC", [f"- {t}" for t in data.achievements]),
        ("TỒN TẠI, HẠN CHẾ", [f"- {t}" for t in data.shortcomings]),
        ("KẾT QUẢ KHẮC PHỤC TỒN TẠI, HẠN CHẾ ĐÃ CHỈ RA", [f"- {t}" for t in data.remediation]),
        ("NHIỆM VỤ, CHỈ ĐẠO THỜI GIAN TỚI", directive_lines),
    ]
    kept = [(title, lines) for title, lines in parts if lines]
    return [(f"{_ROMAN[i]}. {title}", lines) for i, (title, lines) in enumerate(kept)]


# --- low-level helpers ---------------------------------------------------------------


def _font(run: object, size: int, bold: bool = False, italic: bool = False) -> None:
    set_font(run, size=size, bold=bold, italic=italic, name=FONT)


def _para(
    container: object,
    text: str,
    *,
    size: int = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    before: int = 0,
    after: int = 0,
    first_indent: float | None = None,
) -> Paragraph:
    paragraph: Paragraph = container.add_paragraph()  # type: ignore[attr-defined]
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if first_indent is not None:
        fmt.first_line_indent = Cm(first_indent)
    if text:
        _font(paragraph.add_run(text), size, bold, italic)
    return paragraph


def _rule(container: object, left_cm: float, right_cm: float) -> Paragraph:
    """A short horizontal line: an empty paragraph with a top border, indented."""
    paragraph = _para(container, "", size=2, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph.paragraph_format.left_indent = Cm(left_cm)
    paragraph.paragraph_format.right_indent = Cm(right_cm)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    ppr.append(borders)
    return paragraph


def _borderless(table: object) -> None:
    tbl = table._tbl  # type: ignore[attr-defined]
    tblpr = tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tblpr.append(borders)


def _widths(table: object, *widths: object) -> None:
    """Column widths in the grid and in every cell (LibreOffice reads the grid, Word both)."""
    for column, width in zip(table.columns, widths, strict=True):  # type: ignore[attr-defined]
        column.width = width
    for row in table.rows:  # type: ignore[attr-defined]
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _cell_first(cell: _Cell) -> _Cell:
    # A new cell holds one empty paragraph; remove it so add_paragraph starts clean.
    for paragraph in list(cell.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    return cell


def _page_number_header(section: object) -> None:
    """Page numbers at the top centre, not on the first page (NĐ 30/2020)."""
    section.different_first_page_header_footer = True  # type: ignore[attr-defined]
    header = section.header  # type: ignore[attr-defined]
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _font(run, BODY_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
            if kind == "separate":
                placeholder = OxmlElement("w:t")
                placeholder.text = "2"
                run._r.append(placeholder)


# --- the document --------------------------------------------------------------------


def build_notice(data: NoticeData) -> bytes:
    """The notice as .docx bytes."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    normal = document.styles["Normal"]
    normal.font.name = FONT  # type: ignore[attr-defined]
    normal.font.size = Pt(BODY_PT)  # type: ignore[attr-defined]
    _page_number_header(section)
    core = document.core_properties
    core.title = f"{'Dự thảo - ' if data.draft else ''}{data.subject}"[:250]
    core.author = data.issuer

    # 16,5 cm of text width: the motto line (12 pt bold) needs about 10 cm on one line.
    left_w, right_w = Cm(6.0), Cm(10.5)
    header = document.add_table(rows=2, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    header.autofit = False
    _borderless(header)
    _widths(header, left_w, right_w)
    body_cell = _cell_first(header.cell(0, 0))
    if data.superior:
        _para(body_cell, data.superior.upper(), size=HEADER_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(
        body_cell, data.issuer.upper(), size=HEADER_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    _rule(body_cell, 1.8, 1.8)
    nation_cell = _cell_first(header.cell(0, 1))
    _para(nation_cell, MOTTO_NATION, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(nation_cell, MOTTO, size=HEADER_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(nation_cell, 2.6, 2.6)
    number_cell = _cell_first(header.cell(1, 0))
    _para(
        number_cell,
        number_line(data.number, data.symbol),
        size=HEADER_PT,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        before=4,
    )
    date_cell = _cell_first(header.cell(1, 1))
    _para(
        date_cell,
        long_date_vi(data.place, data.date),
        size=BODY_PT,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        before=4,
    )

    if data.draft:
        _para(document, "DỰ THẢO", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=6)
    _para(
        document, "THÔNG BÁO", size=BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=18
    )
    _para(document, data.subject, size=BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(document, 6.0, 6.0)
    if data.intro:
        for line in data.intro.splitlines():
            if line.strip():
                _para(document, line.strip(), first_indent=1.0, after=6)
    for heading, lines in sections_of(data):
        _para(document, heading, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=6, after=6)
        for line in lines:
            _para(document, line, first_indent=1.0, after=6)
    _para(
        document,
        f"Trên đây là {heading_for(data.kind)[0].lower()}{heading_for(data.kind)[1:]}"
        f" của {data.issuer}, đề nghị các cơ quan, đơn vị liên quan biết, thực hiện./.",
        first_indent=1.0,
        after=12,
    )

    footer = document.add_table(rows=1, cols=2)
    footer.autofit = False
    _borderless(footer)
    _widths(footer, Cm(7.5), Cm(9.0))
    to_cell = _cell_first(footer.cell(0, 0))
    _para(to_cell, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for i, recipient in enumerate(data.recipients):
        end = ";" if i < len(data.recipients) - 1 else "."
        _para(to_cell, f"- {recipient.rstrip(';.')}{end}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    sign_cell = _cell_first(footer.cell(0, 1))
    for line in data.signer_lines:
        _para(sign_cell, line.upper(), size=BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for _blank in range(4):
        _para(sign_cell, "", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    if data.signer_name:
        _para(sign_cell, data.signer_name, size=BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
