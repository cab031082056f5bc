"""Recognise an uploaded file by its content, never by its name alone.

Allowed: PDF, Office Open XML (docx, xlsx, pptx — ZIP archives with the right parts),
legacy Office (doc, xls, ppt — OLE2 compound files, told apart by the extension),
PNG, JPEG, and plain text (csv, txt) in UTF-8 or UTF-16 with a BOM. Everything else,
executables first of all, is refused. Pure Python: no Django.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath


class FileTypeError(ValueError):
    """The content is not an allowed type; the message is Vietnamese."""


@dataclass(frozen=True)
class FileType:
    kind: str  # pdf, docx, xlsx, pptx, doc, xls, ppt, png, jpeg, csv, txt
    content_type: str


PDF = FileType("pdf", "application/pdf")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PPTX = FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation")
DOC = FileType("doc", "application/msword")
XLS = FileType("xls", "application/vnd.ms-excel")
PPT = FileType("ppt", "application/vnd.ms-powerpoint")
PNG = FileType("png", "image/png")
JPEG = FileType("jpeg", "image/jpeg")
CSV = FileType("csv", "text/csv")
TXT = FileType("txt", "text/plain")

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_OLE2_BY_EXT = {".doc": DOC, ".xls": XLS, ".ppt": PPT}
_TEXT_BY_EXT = {".csv": CSV, ".txt": TXT}
_EXECUTABLE_MAGIC = (
    (b"MZ", "tệp chạy Windows (EXE/DLL)"),
    (b"\x7fELF", "tệp chạy Linux (ELF)"),
    (b"#!", "kịch bản lệnh (script)"),
    (b"\xca\xfe\xba\xbe", "tệp chạy macOS/Java"),
    (b"\xcf\xfa\xed\xfe", "tệp chạy macOS"),
)


def _extension(name: str) -> str:
    return PurePath(name).suffix.lower()


def _office_open_xml(data: bytes, name: str) -> FileType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileTypeError(f"Loại tệp không được phép: {name} (tệp ZIP hỏng)") from exc
    if "[Content_Types].xml" not in names:
        raise FileTypeError(f"Loại tệp không được phép: {name} (tệp nén ZIP)")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise FileTypeError(f"Loại tệp không được phép: {name} (tài liệu có macro)")
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    if any(n.startswith("ppt/") for n in names):
        return PPTX
    raise FileTypeError(f"Loại tệp không được phép: {name} (tệp nén ZIP)")


def _is_text(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError:
            return False
        return True
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_EXTENSIONS = {
    "pdf": {"pdf"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
    "pptx": {"pptx"},
    "doc": {"doc"},
    "xls": {"xls"},
    "ppt": {"ppt"},
    "png": {"png"},
    "jpeg": {"jpg", "jpeg"},
    "csv": {"csv"},
    "txt": {"txt"},
}


def detect(data: bytes, name: str) -> FileType:
    """The type of ``data`` by its content; raise :class:`FileTypeError` if not allowed.

    The name's extension must agree with the content, so a PDF cannot be stored (and later
    downloaded and opened) as ``minutes.bat`` or ``page.html``.
    """
    filetype = _detect(data, name)
    ext = _extension(name).lstrip(".")
    if ext not in _EXTENSIONS[filetype.kind]:
        shown = f".{ext}" if ext else "không có đuôi"
        wanted = ", ".join(f".{e}" for e in sorted(_EXTENSIONS[filetype.kind]))
        raise FileTypeError(
            f"Tên tệp {name} ({shown}) không khớp nội dung {filetype.kind.upper()}: "
            f"đổi đuôi thành {wanted}"
        )
    return filetype


def _detect(data: bytes, name: str) -> FileType:
    ext = _extension(name)
    for magic, label in _EXECUTABLE_MAGIC:
        if data.startswith(magic):
            raise FileTypeError(f"Loại tệp không được phép: {name} ({label})")
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(ZIP_MAGIC):
        return _office_open_xml(data, name)
    if data.startswith(OLE2_MAGIC):
        if ext in _OLE2_BY_EXT:
            return _OLE2_BY_EXT[ext]
        raise FileTypeError(
            f"Loại tệp không được phép: {name} (tệp Office cũ phải có đuôi .doc, .xls, .ppt)"
        )
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if ext in _TEXT_BY_EXT and _is_text(data):
        return _TEXT_BY_EXT[ext]
    shown = ext or "không có đuôi"
    raise FileTypeError(f"Loại tệp không được phép: {name} ({shown})")
