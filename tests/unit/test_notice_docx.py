"""The conclusion notice read back with python-docx: layout, header, body, signer."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from cchc.reports.notice_docx import (
    NoticeData,
    NoticeDirective,
    build_notice,
    heading_for,
    number_line,
    sections_of,
    signer_lines_for,
    subject_for,
    when_text,
)


def _data(**kw: object) -> NoticeData:
    values: dict[str, object] = {
        "kind": "inspection",
        "superior": "UBND huyện Bạch Thông",
        "issuer": "Ban Chỉ đạo CCHC và CĐS huyện",
        "symbol": "BCĐ",
        "place": "Bạch Thông",
        "date": date(2024, 2, 5),
        "subject": subject_for("inspection", "công tác cải cách hành chính", "xã Vi Hương"),
        "intro": "Ngày 21/9/2022, Đoàn kiểm tra làm việc tại xã Vi Hương.",
        "achievements": ["Thực hiện nghiêm quy chế làm việc"],
        "shortcomings": ["Không duy trì được kết quả xã thông minh giai đoạn 1"],
        "directives": [
            NoticeDirective(
                "Rà soát thiết bị đã đầu tư", "UBND xã Vi Hương", deadline=date(2024, 3, 31)
            ),
            NoticeDirective(
                "Đẩy mạnh tuyên truyền", "UBND xã Vi Hương", review_on=date(2024, 6, 30)
            ),
        ],
        "recipients": ["UBND xã Vi Hương", "Thành viên BCĐ", "Lưu: VT"],
        "signer_lines": signer_lines_for("Ban chỉ đạo", "Trưởng ban", "Phó Trưởng ban"),
        "signer_name": "Nguyễn Duy Luân",
    }
    values.update(kw)
    return NoticeData(**values)  # type: ignore[arg-type]


def _texts(cell: object) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text]  # type: ignore[attr-defined]


def test_pure_helpers() -> None:
    assert number_line("", "BCĐ") == "Số:      /TB-BCĐ"
    assert number_line("12/TB-BCĐ", "BCĐ") == "Số: 12/TB-BCĐ"
    assert when_text(date(2022, 9, 30), None) == "Thời hạn: 30/09/2022"
    assert when_text(None, date(2023, 11, 30)) == "Thời hạn: thường xuyên (rà soát ngày 30/11/2023)"
    assert signer_lines_for("Ban chỉ đạo", "Trưởng ban", "Phó Trưởng ban") == [
        "TM. BAN CHỈ ĐẠO",
        "KT. TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
    ]
    assert signer_lines_for("Ban chỉ đạo", "Trưởng ban") == ["TM. BAN CHỈ ĐẠO", "TRƯỞNG BAN"]
    assert heading_for("supervision") == "Kết luận giám sát"
    assert heading_for("meeting") == "Kết luận hội nghị"
    assert subject_for("supervision", "công tác CCHC", "huyện Thạch Thất") == (
        "Kết luận giám sát công tác CCHC tại huyện Thạch Thất"
    )
    # Empty sections are left out and the rest renumbered.
    titles = [t for t, _ in sections_of(_data(achievements=[]))]
    assert titles == ["I. TỒN TẠI, HẠN CHẾ", "II. NHIỆM VỤ, CHỈ ĐẠO THỜI GIAN TỚI"]


def test_docx_read_back() -> None:
    doc = Document(io.BytesIO(build_notice(_data())))
    section = doc.sections[0]

    def mm(*values: object) -> list[int]:
        return [round(v.mm) for v in values]  # type: ignore[attr-defined]

    assert mm(section.page_width, section.page_height) == [210, 297]  # A4
    assert mm(section.top_margin, section.bottom_margin) == [20, 20]
    assert mm(section.left_margin, section.right_margin) == [30, 15]
    # Page numbers from page 2: a different (empty) first-page header, PAGE in the others.
    assert section.different_first_page_header_footer is True
    assert "PAGE" in section.header._element.xml
    assert section.first_page_header.paragraphs[0].text == ""
    # No text boxes anywhere.
    assert "txbxContent" not in doc.element.xml
    assert doc.styles["Normal"].font.name == "Times New Roman"

    header, footer = doc.tables
    assert 'w:val="nil"' in header._tbl.tblPr.xml  # borderless
    assert _texts(header.cell(0, 0)) == ["UBND HUYỆN BẠCH THÔNG", "BAN CHỈ ĐẠO CCHC VÀ CĐS HUYỆN"]
    assert header.cell(0, 0).paragraphs[1].runs[0].bold is True
    nation = header.cell(0, 1).paragraphs
    assert nation[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and nation[0].runs[0].bold
    assert nation[1].text == "Độc lập - Tự do - Hạnh phúc"
    assert nation[2]._p.pPr.find(qn("w:pBdr")) is not None  # the rule under the motto
    assert _texts(header.cell(1, 0)) == ["Số:      /TB-BCĐ"]
    date_para = header.cell(1, 1).paragraphs[0]
    assert date_para.text == "Bạch Thông, ngày 05 tháng 02 năm 2024"
    assert date_para.runs[0].italic is True

    body = [p.text for p in doc.paragraphs if p.text]
    assert body[:3] == [
        "DỰ THẢO",
        "THÔNG BÁO",
        "Kết luận kiểm tra công tác cải cách hành chính tại xã Vi Hương",
    ]
    assert "I. KẾT QUẢ ĐẠT ĐƯỢC" in body
    assert "II. TỒN TẠI, HẠN CHẾ" in body
    assert "III. NHIỆM VỤ, CHỈ ĐẠO THỜI GIAN TỚI" in body
    assert "- Không duy trì được kết quả xã thông minh giai đoạn 1" in body
    assert (
        "1. Rà soát thiết bị đã đầu tư. Đơn vị thực hiện: UBND xã Vi Hương. "
        "Thời hạn: 31/03/2024." in body
    )
    assert (
        "2. Đẩy mạnh tuyên truyền. Đơn vị thực hiện: UBND xã Vi Hương. "
        "Thời hạn: thường xuyên (rà soát ngày 30/06/2024)." in body
    )
    runs = [r for p in doc.paragraphs for r in p.runs if r.text]
    assert {r.font.name for r in runs} == {"Times New Roman"}
    assert {r.font.size for r in runs} <= {Pt(12), Pt(13), Pt(14)}

    assert _texts(footer.cell(0, 0)) == [
        "Nơi nhận:",
        "- UBND xã Vi Hương;",
        "- Thành viên BCĐ;",
        "- Lưu: VT.",
    ]
    assert _texts(footer.cell(0, 1)) == [
        "TM. BAN CHỈ ĐẠO",
        "KT. TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
        "Nguyễn Duy Luân",
    ]


def test_templates_follow_the_event_type() -> None:
    supervision = _data(
        kind="supervision",
        superior="HĐND Thành phố Hà Nội",
        issuer="Thường trực HĐND Thành phố",
        symbol="HĐND",
        subject=subject_for("supervision", "công tác CCHC", "huyện Thạch Thất"),
        number="35/TB-HĐND",
        draft=False,
    )
    doc = Document(io.BytesIO(build_notice(supervision)))
    body = [p.text for p in doc.paragraphs if p.text]
    assert body[0] == "THÔNG BÁO"  # no "DỰ THẢO" once signed
    assert body[1] == "Kết luận giám sát công tác CCHC tại huyện Thạch Thất"
    assert doc.tables[0].cell(0, 0).paragraphs[1].text == "THƯỜNG TRỰC HĐND THÀNH PHỐ"
    assert doc.tables[0].cell(1, 0).paragraphs[0].text == "Số: 35/TB-HĐND"
    meeting = _data(kind="meeting", subject=subject_for("meeting", "của Ban Chỉ đạo", ""))
    text = [p.text for p in Document(io.BytesIO(build_notice(meeting))).paragraphs]
    assert "Kết luận hội nghị của Ban Chỉ đạo" in text
    assert any(t.startswith("Trên đây là kết luận hội nghị") for t in text)
