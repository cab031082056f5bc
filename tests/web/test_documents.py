from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from cchc.accounts.models import Role
from cchc.audit.models import AuditEvent
from cchc.documents.filetypes import OLE2_MAGIC, FileTypeError, detect
from cchc.documents.models import DocumentRef, StoredFile
from cchc.documents.services import UploadError, documentref_create, file_store
from tests.conftest import PASSWORD
from tests.web.test_permissions import build_tree

# A PDF with an incremental-update signature-like tail: must come back byte for byte.
SIGNED_PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n"
    b"%%EOF\n/ByteRange [0 120 220 40] /Contents <3082\x00\x01\xff>\r\n%%EOF"
)


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


def _docx() -> bytes:
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Báo cáo khắc phục")
    document.save(buf)
    return buf.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    buf = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "STT"  # type: ignore[index]
    workbook.save(buf)
    return buf.getvalue()


# --- detection by content (no database) --------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("qd.pdf", SIGNED_PDF, "pdf"),
        ("bao-cao.docx", None, "docx"),
        ("bang.xlsx", None, "xlsx"),
        ("cu.doc", OLE2_MAGIC + b"\x00" * 100, "doc"),
        ("cu.xls", OLE2_MAGIC + b"\x00" * 100, "xls"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "png"),
        ("anh.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg"),
        ("so-lieu.csv", "Mã;Điểm\nI.1;7,5\n".encode(), "csv"),
        ("ghi-chu.txt", "Ghi chú".encode("utf-16"), "txt"),
    ],
)
def test_allowed_types(name: str, data: bytes | None, kind: str) -> None:
    if data is None:
        data = _docx() if kind == "docx" else _xlsx()
    assert detect(data, name).kind == kind


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "hoso.pdf",
            b"MZ\x90\x00" + b"\x00" * 60,
            "Loại tệp không được phép: hoso.pdf (tệp chạy Windows",
        ),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n", "(kịch bản lệnh"),
        # The content decides the type and the name must agree with it.
        ("nham-ten.docx", SIGNED_PDF, "không khớp nội dung PDF: đổi đuôi thành .pdf"),
        ("bien-ban.bat", SIGNED_PDF, "không khớp nội dung PDF"),
        ("a.csv", b"\x7fELF\x02\x01", "(tệp chạy Linux"),
        ("setup.doc.msi", OLE2_MAGIC + b"\x00" * 10, "phải có đuôi .doc, .xls, .ppt"),
        ("nen.zip", _zip({"a.txt": b"x"}), "(tệp nén ZIP)"),
        (
            "macro.docm",
            _zip({"[Content_Types].xml": b"<x/>", "word/vbaProject.bin": b"x"}),
            "macro",
        ),
        ("hong.docx", b"PK\x03\x04garbage", "(tệp ZIP hỏng)"),
        ("nhi-phan.txt", b"abc\x00\x01def", "(.txt)"),
        ("trang.html", b"<html></html>", "(.html)"),
        ("khong-duoi", b"plain", "(không có đuôi)"),
    ],
)
def test_refused_types(name: str, data: bytes, message: str) -> None:
    with pytest.raises(FileTypeError) as exc:
        detect(data, name)
    assert message in str(exc.value)


# --- storing ------------------------------------------------------------------------


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
def test_stored_byte_identical_with_hash(media: Path, make_user: Any) -> None:
    user = make_user("u")
    stored = file_store(uploaded=SimpleUploadedFile("QĐ ký số.pdf", SIGNED_PDF), user=user)
    assert stored.read_bytes() == SIGNED_PDF
    assert stored.sha256 == hashlib.sha256(SIGNED_PDF).hexdigest()
    assert stored.size == len(SIGNED_PDF)
    assert (stored.original_name, stored.kind, stored.content_type) == (
        "QĐ ký số.pdf",
        "pdf",
        "application/pdf",
    )
    assert stored.path.is_relative_to(media)
    assert "QĐ" not in stored.storage_name and not stored.storage_name.endswith(".pdf")
    assert AuditEvent.objects.filter(action="file.upload", object_id=str(stored.pk)).count() == 2


@pytest.mark.django_db
def test_dedupe_within_unit(media: Path) -> None:
    tree = build_tree()
    a = file_store(uploaded=SIGNED_PDF, name="a.pdf", unit=tree.pt)
    b = file_store(uploaded=SIGNED_PDF, name="b.pdf", unit=tree.pt)
    c = file_store(uploaded=SIGNED_PDF, name="c.pdf", unit=tree.tn)
    d = file_store(uploaded=SIGNED_PDF, name="d.pdf", unit=tree.pt, dedupe=False)
    assert a.pk == b.pk
    assert len({a.pk, c.pk, d.pk}) == 3
    assert StoredFile.objects.count() == 3


@pytest.mark.django_db
@override_settings(CCHC_MAX_UPLOAD_BYTES=1024 * 1024)
def test_size_limit_in_vietnamese(media: Path) -> None:
    big = b"%PDF-" + b"0" * (1024 * 1024 + 512 * 1024 - 5)
    with pytest.raises(UploadError) as exc:
        file_store(uploaded=SimpleUploadedFile("lon.pdf", big), user=None)
    assert str(exc.value) == "Tệp quá lớn (1,5 MB, tối đa 1 MB): lon.pdf"
    with pytest.raises(UploadError, match=r"Tệp rỗng: rong\.txt"):
        file_store(uploaded=b"", name="rong.txt")
    assert StoredFile.objects.count() == 0
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.django_db
def test_exe_renamed_pdf_refused_and_nothing_written(media: Path) -> None:
    with pytest.raises(UploadError, match=r"Loại tệp không được phép: hoso\.pdf"):
        file_store(uploaded=b"MZ" + b"\x00" * 100, name="C:\\Users\\x\\hoso.pdf")
    assert StoredFile.objects.count() == 0


# --- pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_download_permission_and_vietnamese_name(
    client: Client, media: Path, make_user: Any
) -> None:
    tree = build_tree()
    officer = make_user("xa_pt", role=Role.UNIT_OFFICER, unit=tree.pt)
    make_user("vp_tn", role=Role.SECRETARIAT, unit=tree.tn)
    make_user("hn", role=Role.UNIT_OFFICER, unit=tree.outside)
    make_user("nobody")
    stored = file_store(
        uploaded=SIGNED_PDF, name="Báo cáo khắc phục.pdf", user=officer, unit=tree.pt
    )
    url = f"/files/{stored.pk}/"
    for username in ("hn", "nobody"):
        client.login(username=username, password=PASSWORD)
        assert client.get(url).status_code == 403
    for username in ("xa_pt", "vp_tn"):
        client.login(username=username, password=PASSWORD)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == SIGNED_PDF  # type: ignore[attr-defined]
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            "attachment; filename*=utf-8''" + quote("Báo cáo khắc phục.pdf")
        )
    assert client.get("/files/999999/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # login required


@pytest.mark.django_db
def test_unit_page_upload_with_document_ref(client: Client, media: Path, make_user: Any) -> None:
    tree = build_tree()
    make_user("xa_pt", role=Role.UNIT_OFFICER, unit=tree.pt)
    make_user("ld", role=Role.LEADER, unit=tree.tn)
    make_user("hn", role=Role.UNIT_OFFICER, unit=tree.outside)
    url = f"/files/unit/{tree.pt.pk}/"
    client.login(username="xa_pt", password=PASSWORD)
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("Quyết định 1291.pdf", SIGNED_PDF),
            "number": "1291/QĐ-UBND",
            "date": "12/06/2023",
            "issuer": "UBND huyện Bạch Thông",
            "summary": "Kế hoạch CCHC năm 2023",
        },
    )
    assert response.status_code == 302
    ref = DocumentRef.objects.get()
    assert (ref.number, ref.date.isoformat(), ref.unit, ref.file.original_name) == (  # type: ignore[union-attr]
        "1291/QĐ-UBND",
        "2023-06-12",
        tree.pt,
        "Quyết định 1291.pdf",
    )
    page = client.get(url).content.decode()
    assert "1291/QĐ-UBND" in page and "12/06/2023" in page and "Quyết định 1291.pdf" in page
    # A refused type leaves nothing behind and says why.
    bad = client.post(url, {"file": SimpleUploadedFile("virus.pdf", b"MZ\x00\x00")})
    assert bad.status_code == 200
    assert "Loại tệp không được phép: virus.pdf" in bad.content.decode()
    assert StoredFile.objects.count() == 1
    # A number without a date is refused before anything is stored.
    no_date = client.post(
        url, {"file": SimpleUploadedFile("b.pdf", SIGNED_PDF + b"2"), "number": "5/KH"}
    )
    assert no_date.status_code == 200 and StoredFile.objects.count() == 1
    # The leader reads but cannot upload; an outsider cannot read.
    client.login(username="ld", password=PASSWORD)
    assert client.get(url).status_code == 200
    assert '<form method="post"' not in client.get(url).content.decode()
    assert client.post(url, {"file": SimpleUploadedFile("c.pdf", SIGNED_PDF)}).status_code == 403
    client.login(username="hn", password=PASSWORD)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_my_files_page(client: Client, media: Path, make_user: Any) -> None:
    make_user("u")
    client.login(username="u", password=PASSWORD)
    response = client.post(
        "/files/", {"file": SimpleUploadedFile("ghi chú.txt", "Xin chào".encode())}
    )
    assert response.status_code == 302
    page = client.get("/files/").content.decode()
    assert "ghi chú.txt" in page
    stored = StoredFile.objects.get()
    assert stored.unit is None and stored.kind == "txt"
    assert client.get(f"/files/{stored.pk}/").status_code == 200


@pytest.mark.django_db
def test_documentref_requires_number() -> None:
    from datetime import date

    with pytest.raises(UploadError, match="Thiếu số, ký hiệu văn bản"):
        documentref_create(user=None, number="  ", date=date(2024, 1, 1))
