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
import functools
import gc
import io
import operator
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
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


# --- xlsx ----------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """An xlsx cell as canonical text: dates ISO, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        if value.time() == time():
            return value.strftime("%Y-%m-%d 00:00:00")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return unicodedata.normalize("NFC", str(value)).strip()


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


class _Converters(dict[type, Callable[[Any], str]]):
    def __missing__(self, key: type) -> Callable[[Any], str]:
        return cell_text


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _datetime_text(value: datetime) -> str:
    if value.year < 1000 or value.tzinfo is not None:
        return cell_text(value)
    return value.isoformat(" ", "seconds")  # = strftime("%Y-%m-%d %H:%M:%S")


# Exact types → the text ``cell_text`` gives (without its NFC and strip, applied per column).
_CONVERT = _Converters(
    {
        str: str,
        float: _float_text,
        datetime: _datetime_text,
        date: date.isoformat,
        bool: {True: "1", False: "0"}.__getitem__,
        int: str,
        type(None): cell_text,
        time: cell_text,
    }
)
_NFC = functools.partial(unicodedata.normalize, "NFC")


def _column_text(values: Sequence[Any]) -> list[str]:
    """``[cell_text(v) for v in values]`` for one column, the loops in C where possible."""
    kinds = set(map(type, values))
    texts: Sequence[Any]
    if kinds <= {str}:
        texts = values
    elif kinds == {float} and all(map(float.is_integer, values)):
        return list(map(str, map(int, values)))
    else:
        texts = list(map(operator.call, map(_CONVERT.__getitem__, map(type, values)), values))
    if "".join(texts).isascii():
        return list(map(str.strip, texts))
    return list(map(str.strip, map(_NFC, texts)))


def _grid_text(grid: Sequence[Sequence[Any]]) -> list[list[str]]:
    """Every cell of a sheet as ``cell_text``, converted column by column."""
    if len(set(map(len, grid))) > 1:  # ragged rows: cell by cell
        return [[cell_text(v) for v in raw] for raw in grid]
    columns = [_column_text(col) for col in zip(*grid, strict=True)]
    if not columns:
        return [[] for _ in grid]
    return list(map(list, zip(*columns, strict=True)))


def read_xlsx(data: bytes) -> list[Sheet]:
    """Every non-empty sheet (python-calamine); a workbook over 1,048,576 rows has several."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken zips
        raise ReadError(f"Tệp xlsx hỏng hoặc bị cắt cụt: {exc}") from exc
    with no_gc():
        sheets = _read_sheets(book)
    if not sheets:
        raise ReadError("Tệp rỗng: không có trang nào có dữ liệu")
    first = sheets[0]
    for other in sheets[1:]:
        if other.header != first.header:
            raise ReadError(
                f"Trang {other.name} có tiêu đề khác trang {first.name}: mọi trang phải cùng "
                "một dòng tiêu đề"
            )
    return sheets


def _read_sheets(book: Any) -> list[Sheet]:
    sheets: list[Sheet] = []
    for name in book.sheet_names:
        try:
            sheet = book.get_sheet_by_name(name)
            grid = _grid_text(sheet.to_python(skip_empty_area=False))
            merged = sheet.merged_cell_ranges or []
        except Exception as exc:
            raise ReadError(f"Trang {name}: không đọc được ({exc})") from exc
        header_at = next((i for i, cells in enumerate(grid) if any(cells)), None)
        if header_at is None:
            continue
        if any(top <= header_at + 1 for (top, _), _ in merged):
            raise ReadError(
                f"Trang {name}: dòng tiêu đề có ô gộp (merged cells, tiêu đề nhiều dòng): "
                "hãy bỏ gộp ô và để mỗi cột một tên trên đúng một dòng tiêu đề"
            )
        header = list(grid[header_at])
        while header and not header[-1]:
            header.pop()
        width = len(header)
        rows: list[tuple[str, list[str]]] = []
        prefix = f"trang {name}, dòng "
        for number in range(header_at + 2, len(grid) + 1):
            cells = grid[number - 1]
            if not any(cells):
                continue
            if len(cells) != width:
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                elif any(cells[width:]):
                    raise ReadError(
                        f"Trang {name}, dòng {number}: có dữ liệu ngoài các cột tiêu đề"
                    )
                else:
                    del cells[width:]
            rows.append((f"{prefix}{number}", cells))
        sheets.append(Sheet(name, header, rows, stripped=True))
    return sheets


def read_file(data: bytes, name: str) -> tuple[list[Sheet], str]:
    """The tables of an uploaded file and how it was decoded (for the preview)."""
    if not data:
        raise ReadError(f"Tệp rỗng: {name}")
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data), "xlsx"
    if name.lower().endswith((".xlsx", ".xls")):
        raise ReadError(f"Tệp {name} không phải xlsx hợp lệ (tệp hỏng hoặc cắt cụt)")
    text, encoding = decode(data)
    return [read_csv_text(text)], encoding


def iter_rows(sheets: list[Sheet]) -> Iterator[tuple[str, list[str]]]:
    for sheet in sheets:
        yield from sheet.rows
