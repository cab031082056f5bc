"""Reading vendor files before anything reaches DuckDB: decoding, separators, xlsx sheets.

Decoding (docs/DOSSIER_IMPORT.md): a UTF-8 BOM → UTF-8; a UTF-16 BOM → UTF-16; else
strict UTF-8; else Windows-1258 (``cp1258``); then NFC. Text typed in the legacy TCVN3
(ABC) or VNI fonts decodes to letters Vietnamese never uses ("Vieät", "Hå s¬"): it is
refused with advice, never imported as garbage. DuckDB only ever reads the UTF-8
canonical file the app writes afterwards. Pure Python: no Django.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import html
import io
import posixpath
import re
import threading
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_FIELD = 10_000


class ReadError(ValueError):
    """The file cannot be read at all; the message is Vietnamese and says what to do."""


@dataclass(frozen=True)
class Sheet:
    """One table of the file: its header and rows, each row with its place for messages."""

    name: str
    header: list[str]
    rows: list[tuple[str, list[str]]]  # (place: "dòng 5" / "Sheet2, dòng 5", cells)
    stripped: bool = False  # every cell stripped already (xlsx: ``cell_text``)


# --- decoding ---------------------------------------------------------------------------

_VOWELS = set("aeiouyAEIOUY")
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_MODIFIERS = {
    "\u0302": set("aeoAEO"),  # circumflex: â ê ô
    "\u0306": set("aA"),  # breve: ă
    "\u031b": set("ouOU"),  # horn: ơ ư
}
_PUNCTUATION = set("–—“”‘’…•°²³×≤≥€«»·\u00a0\u200b\ufeff№")


def is_vietnamese_char(ch: str) -> bool:
    """ASCII, đ/Đ, a Vietnamese letter with its marks, or common typographic punctuation."""
    if ch < "\u0080" or ch in "đĐ" or ch in _PUNCTUATION:
        return True
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if not marks or base not in _VOWELS:
        return False
    tones = [m for m in marks if m in _TONES]
    mods = [m for m in marks if m in _MODIFIERS]
    if len(tones) > 1 or len(mods) > 1 or len(tones) + len(mods) != len(marks):
        return False
    return not mods or base in _MODIFIERS[mods[0]]


_VNI_PAIR = re.compile(r"[aeiouyAEIOUY][øùûõïöäëåæçñâêô]")


def legacy_font(text: str) -> str | None:
    """``"TCVN3"`` or ``"VNI"`` when the text looks typed in a legacy font, else None."""
    sample = text[:200_000]
    foreign = sum(1 for ch in sample if not is_vietnamese_char(ch) and not ch.isspace())
    if foreign < 3:
        return None
    non_ascii = sum(1 for ch in sample if ch >= "\u0080")
    if foreign * 5 < non_ascii:
        return None
    return "VNI" if len(_VNI_PAIR.findall(sample)) * 2 >= foreign else "TCVN3"


def decode(data: bytes) -> tuple[str, str]:
    """(text in NFC, encoding name); raise ReadError for legacy fonts and binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
        text = _strict(body, "utf-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
        text = _strict(data, "utf-16")
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("cp1258", errors="replace"), "cp1258"
    if "\x00" in text:
        raise ReadError(
            "Tệp không phải văn bản CSV (có byte 0): hãy lưu lại từ Excel dưới dạng "
            "CSV UTF-8 hoặc xlsx"
        )
    text = unicodedata.normalize("NFC", text)
    font = legacy_font(text)
    if font is not None:
        raise ReadError(legacy_font_message(font))
    return text, encoding


def legacy_font_message(font: str) -> str:
    return (
        f"Tệp được gõ bằng bảng mã cũ {font} (phông chữ .Vn/VNI), không phải Unicode: "
        "hãy chuyển sang Unicode bằng công cụ chuyển mã (ví dụ Unikey → Công cụ → "
        f"Chuyển mã, nguồn {font}, đích Unicode) rồi nạp lại"
    )


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"Tệp có dấu BOM {encoding.upper()} nhưng nội dung hỏng ở byte {exc.start}: "
            "tệp bị cắt cụt hoặc sai bảng mã; hãy xuất lại tệp"
        ) from exc


# --- CSV ----------------------------------------------------------------------------------


def sniff_delimiter(text: str) -> str:
    """``,`` ``;`` or tab: the one most frequent outside quotes in the header line."""
    first = ""
    for line in text.splitlines():
        if line.strip():
            first = line
            break
    outside = re.sub(r'"[^"]*"', "", first)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_csv_text(text: str) -> Sheet:
    """The rows of a decoded CSV; raise ReadError on broken quoting or ragged rows."""
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[str, list[str]]] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            line = reader.line_num
            if header is None:
                if not any(c.strip() for c in cells):
                    continue
                header = [c.strip() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise ReadError(
                    f"Dòng {line}: có {len(cells)} cột, tiêu đề có {len(header)} cột "
                    "(tệp bị cắt cụt, sai dấu phân cách hoặc thiếu dấu nháy kép)"
                )
            rows.append((f"dòng {line}", cells))
    except csv.Error as exc:
        raise ReadError(
            f"Dòng {reader.line_num}: CSV hỏng ({exc}); tệp bị cắt cụt hoặc thiếu dấu nháy kép"
        ) from exc
    if header is None:
        raise ReadError("Tệp rỗng: không có dòng tiêu đề")
    return Sheet("", header, rows)


# --- helpers ---------------------------------------------------------------------------


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Cyclic garbage collection paused while millions of rows are built.

    The rows are lists and tuples of strings, never cycles; each collection pass would walk
    all of them (several seconds per 300,000 rows). Reference counting still frees memory."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_file(data: bytes, name: str) -> tuple[list[Sheet], str]:
    """The table of an uploaded text file and how it was decoded (for the preview); an xlsx
    is read by ``read_xlsx_tables`` (importing.prepare_xlsx)."""
    if not data:
        raise ReadError(f"Tệp rỗng: {name}")
    if data.startswith(b"PK\x03\x04"):
        raise ReadError(f"Tệp {name} là xlsx: đọc bằng read_xlsx_tables")
    if name.lower().endswith((".xlsx", ".xls")):
        raise ReadError(f"Tệp {name} không phải xlsx hợp lệ (tệp hỏng hoặc cắt cụt)")
    text, encoding = decode(data)
    return [read_csv_text(text)], encoding


def iter_rows(sheets: list[Sheet]) -> Iterator[tuple[str, list[str]]]:
    for sheet in sheets:
        yield from sheet.rows


# --- xlsx as Arrow (fastexcel): no Python object per cell ---------------------------------


class MergeScan:
    """The top rows of every sheet's merged cell ranges, read in a thread.

    The ranges follow ``</sheetData>``: the sheet's whole XML is inflated (a second or so
    for 300,000 rows). fastexcel holds the GIL while it parses, so the scan runs while
    DuckDB (which releases the GIL) maps the rows."""

    def __init__(self, book: zipfile.ZipFile, paths: dict[str, str]) -> None:
        self._found: dict[str, tuple[int, ...] | BaseException] = {}
        self._thread = threading.Thread(target=self._scan, args=(book, paths), daemon=True)
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        """Start the scan (once). Start it after DuckDB has scanned the Arrow data: that
        scan takes the GIL for each batch and would wait on this thread's."""
        with self._lock:
            if not self._started:
                self._started = True
                self._thread.start()

    def _scan(self, book: zipfile.ZipFile, paths: dict[str, str]) -> None:
        for name, part in paths.items():
            try:
                self._found[name] = _merged_tops(book, part)
            except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
                self._found[name] = exc

    def tops(self, name: str) -> tuple[int, ...]:
        self.start()
        self._thread.join()
        found = self._found.get(name, ())
        if isinstance(found, BaseException):
            raise ReadError(f"Trang {name}: không đọc được ({found})")
        return found


@dataclass(frozen=True)
class XlsxSheet:
    """One sheet read by fastexcel: its cells as an Arrow object (every column text) and
    the sheet row of its first row (a reader skips leading empty rows)."""

    name: str
    table: Any
    first_row: int
    scan: MergeScan

    @property
    def merged_tops(self) -> tuple[int, ...]:
        """Top rows of the sheet's merged cell ranges (waits for the scan)."""
        return self.scan.tops(self.name)


_XML_HEAD = 1 << 16
_CELL_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)[\s>]")
_CELL_ROW = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"[A-Z]+(\d+)\"")
_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\s[^>]*?\br=\"(\d+)\"")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?\bref=\"[A-Z]+(\d+)")
_SHEET = re.compile(r"<(?:\w+:)?sheet\s([^>]*)>")
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\s([^>]*)>")
_ATTRIBUTE = re.compile(r"([\w:]+)\s*=\s*\"([^\"]*)\"")


def _attributes(tag: str) -> dict[str, str]:
    """The attributes of one XML start tag, by local name, unescaped."""
    return {k.split(":")[-1]: html.unescape(v) for k, v in _ATTRIBUTE.findall(tag)}


def _sheet_paths(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part in the package (xl/workbook.xml and its relationships;
    read with regular expressions: no XML parser on untrusted input)."""
    workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        found = _attributes(tag)
        targets[found.get("Id", "")] = found.get("Target", "")
    paths: dict[str, str] = {}
    for tag in _SHEET.findall(workbook):
        found = _attributes(tag)
        target = targets.get(found.get("id", ""), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        paths[found.get("name", "")] = posixpath.normpath(path)
    return paths


def _first_row(book: zipfile.ZipFile, part: str) -> int:
    """The row of the first cell with a value (the first ``<v>`` or ``<is>`` and the cell
    or row it belongs to), from the head of the sheet's XML."""
    head = b""
    with book.open(part) as handle:
        while len(head) < _XML_HEAD * 64 and (chunk := handle.read(_XML_HEAD)):
            head += chunk
            value = _CELL_VALUE.search(head)
            if value is not None:
                before = head[: value.start()]
                cells = list(_CELL_ROW.finditer(before))
                rows = list(_ROW_NUMBER.finditer(before))
                found = cells[-1] if cells else rows[-1] if rows else None
                return int(found[1]) if found else 1
    return 1


def _merged_tops(book: zipfile.ZipFile, part: str) -> tuple[int, ...]:
    carry = b""
    tail: bytes | None = None
    with book.open(part) as handle:
        while chunk := handle.read(1 << 20):
            if tail is not None:
                tail += chunk
                continue
            buffer = carry + chunk
            at = buffer.find(b"</sheetData>")
            if at < 0:
                at = buffer.find(b"<sheetData/>")
            if at >= 0:
                tail = buffer[at:]
            else:
                carry = buffer[-16:]
    return tuple(int(m[1]) for m in _MERGE.finditer(tail or b""))


def read_xlsx_tables(data: bytes) -> list[XlsxSheet]:
    """Every sheet of a workbook as Arrow text columns (fastexcel) with its first row; the
    merged ranges are read later in a thread (``MergeScan``: ``start`` it, or ask for
    ``merged_tops``)."""
    import fastexcel

    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        paths = _sheet_paths(book)
        reader = fastexcel.read_excel(data)
        names = reader.sheet_names
    except Exception as exc:  # broken zips, missing parts, calamine's own errors
        raise ReadError(f"Tệp xlsx hỏng hoặc bị cắt cụt: {exc}") from exc
    tables: list[tuple[str, Any]] = []
    for name in names:
        try:
            sheet = reader.load_sheet(
                name, header_row=None, dtypes="string", schema_sample_rows=None
            )
        except Exception as exc:
            raise ReadError(f"Trang {name}: không đọc được ({exc})") from exc
        if sheet.width and sheet.height:
            tables.append((name, sheet))
    if not tables:
        raise ReadError("Tệp rỗng: không có trang nào có dữ liệu")
    try:
        firsts = [_first_row(book, paths[name]) for name, _ in tables]
    except (KeyError, OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ReadError(f"Tệp xlsx hỏng hoặc bị cắt cụt: {exc}") from exc
    scan = MergeScan(book, {name: paths[name] for name, _ in tables})
    return [
        XlsxSheet(name, sheet, first, scan)
        for (name, sheet), first in zip(tables, firsts, strict=True)
    ]


def merged_header_message(name: str) -> str:
    return (
        f"Trang {name}: dòng tiêu đề có ô gộp (merged cells, tiêu đề nhiều dòng): "
        "hãy bỏ gộp ô và để mỗi cột một tên trên đúng một dòng tiêu đề"
    )
