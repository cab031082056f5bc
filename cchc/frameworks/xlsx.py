"""Index sets as spreadsheets: the five columns provinces publish, plus machine columns.

Export: ``STT | Lĩnh vực / Tiêu chí | Điểm tối đa | Cách chấm | Tài liệu kiểm chứng`` then
``Mã | Phương pháp | Quy tắc | Tham số`` on the right (Tham số holds the node's machine
fields as JSON) and a "Thông tin" sheet with the set's own fields. That layout reads back
into the same definition. A bare published sheet (only the five columns) is read too:
levels come from STT (I, II / 1, 2 / 1.1 / a, b), "Cách chấm" becomes guidance and every
leaf is scored by hand until someone writes its rule.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from cchc.core.indexset import (
    IndexSetDef,
    IndexSetError,
    Issue,
    LoadedSet,
    Path_,
    parse_data,
)
from cchc.core.rules import describe

MAIN_SHEET = "Bộ chỉ số"
INFO_SHEET = "Thông tin"
HEADERS = [
    "STT",
    "Lĩnh vực / Tiêu chí",
    "Điểm tối đa",
    "Cách chấm",
    "Tài liệu kiểm chứng",
    "Mã",
    "Phương pháp",
    "Quy tắc",
    "Tham số",
]
_METHOD_VI = {
    "self": "Tự đánh giá, thẩm định",
    "survey": "Điều tra XHH",
    "computed": "Tính từ số liệu",
    "deduction": "Điểm trừ/thưởng",
}
_INFO_KEYS = [
    ("code", "Mã bộ chỉ số"),
    ("name", "Tên"),
    ("kind", "Loại"),
    ("year", "Năm"),
    ("version", "Phiên bản"),
    ("max_points", "Điểm tối đa"),
    ("display", "Cách hiển thị"),
    ("display_precision", "Số chữ số thập phân"),
    ("sample", "Bộ mẫu"),
    ("target_unit_kinds", "Loại đơn vị áp dụng"),
    ("legal_basis", "Căn cứ"),
    ("bands", "Xếp nhóm"),
    ("previous", "Bộ năm trước"),
    ("note", "Ghi chú"),
]
_NODE_MACHINE = ("method", "cap", "bonus", "rule", "kpi", "guidance", "to_verify", "maps_from")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def export_xlsx(definition: IndexSetDef) -> bytes:
    """The set as an .xlsx workbook (numbers as numbers, header row repeated on print)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1, "text_wrap": True})
    text = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    bold = book.add_format({"text_wrap": True, "valign": "top", "border": 1, "bold": True})
    num = book.add_format({"num_format": "#,##0.00##", "valign": "top", "border": 1})
    machine = book.add_format({"valign": "top", "font_color": "#555555", "border": 1})
    sheet = book.add_worksheet(MAIN_SHEET)
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.repeat_rows(0)
    for col, width in enumerate([7, 50, 10, 45, 35, 12, 16, 14, 40]):
        sheet.set_column(col, col, width)
    sheet.write_row(0, 0, HEADERS, head)
    row = 1
    data = definition.model_dump(mode="python")
    for node, _parent, level in definition.walk():
        fmt = bold if not node.is_leaf else text
        how = "" if not node.is_leaf else describe(node.effective_rule, node.range)
        if node.is_leaf and node.rule is None and node.guidance:
            how = node.guidance
        sheet.write(row, 0, node.label, fmt)
        sheet.write(row, 1, node.title, fmt)
        sheet.write_number(row, 2, float(node.max), num)  # xlsx stores doubles anyway
        sheet.write(row, 3, how, text)
        sheet.write(row, 4, node.evidence, text)
        sheet.write(row, 5, node.code, machine)
        sheet.write(row, 6, node.method.value, machine)
        sheet.write(row, 7, node.rule.type if node.rule else "", machine)
        params: dict[str, Any] = {"level": level}
        raw = node.model_dump(mode="python")
        for key in _NODE_MACHINE:
            value = raw.get(key)
            if value not in (None, "", False) and key != "method":
                params[key] = value
        sheet.write(row, 8, json.dumps(_jsonable(params), ensure_ascii=False), machine)
        row += 1
    info = book.add_worksheet(INFO_SHEET)
    info.set_column(0, 0, 22)
    info.set_column(1, 1, 28)
    info.set_column(2, 2, 60)
    info.write_row(0, 0, ["Khóa", "Nội dung", "Giá trị"], head)
    for i, (key, label) in enumerate(_INFO_KEYS, start=1):
        value = data.get(key)
        if isinstance(value, dict | list):
            cell: Any = json.dumps(_jsonable(value), ensure_ascii=False, default=str)
        elif isinstance(value, Decimal):
            cell = str(value)
        elif value is None:
            cell = ""
        else:
            cell = str(value) if not isinstance(value, bool | int) else value
        info.write(i, 0, key)
        info.write(i, 1, label)
        info.write(i, 2, cell)
    book.close()
    return out.getvalue()


# -- reading -------------------------------------------------------------------------------

_ROMAN = re.compile(r"^(?=[IVXLC])M*(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$")
_DOTTED = re.compile(r"^\d+(\.\d+)*$")
_LETTER = re.compile(r"^[a-zđ]$")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    return str(value).strip()


def _number(value: object) -> object:
    if isinstance(value, float):
        # calamine gives doubles; the shortest repr is what the author typed (0.5, 1.25).
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    return _cell(value)


def read_xlsx(content: bytes, file: str, overrides: dict[str, Any] | None = None) -> LoadedSet:
    """Read a workbook exported here, or a bare published sheet of the five columns."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:
        raise IndexSetError(
            [Issue(file, None, None, f"không đọc được tệp xlsx: {exc}", f"unreadable xlsx: {exc}")]
        ) from exc
    names = book.sheet_names
    main = MAIN_SHEET if MAIN_SHEET in names else names[0]
    rows = book.get_sheet_by_name(main).to_python(skip_empty_area=False)
    start = next(
        (i for i, r in enumerate(rows) if r and _cell(r[0]).upper().startswith("STT")), None
    )
    if start is None:
        raise IndexSetError(
            [
                Issue(
                    file,
                    None,
                    None,
                    "không tìm thấy dòng tiêu đề bắt đầu bằng 'STT'",
                    "no header row starting with 'STT'",
                )
            ]
        )
    header = [_cell(c).lower() for c in rows[start]]
    col = {name: header.index(name.lower()) for name in HEADERS if name.lower() in header}
    for needed in HEADERS[:3]:
        if needed not in col:
            raise IndexSetError(
                [
                    Issue(
                        file,
                        start + 1,
                        None,
                        f"thiếu cột '{needed}'",
                        f"missing column '{needed}'",
                    )
                ]
            )
    machine = "Mã" in col and "Tham số" in col

    def get(r: Sequence[object], name: str) -> object:
        i = col.get(name)
        return r[i] if i is not None and i < len(r) else None

    items: list[tuple[int, int, dict[str, Any]]] = []  # (row number, level, node data)
    needs_level = not machine
    state = _LevelGuesser()
    for index in range(start + 1, len(rows)):
        r = rows[index]
        number = index + 1
        title = _cell(get(r, "Lĩnh vực / Tiêu chí"))
        label = _cell(get(r, "STT"))
        if not title and not label:
            continue
        node: dict[str, Any] = {
            "label": label,
            "title": title,
            "max": _number(get(r, "Điểm tối đa")),
        }
        evidence = _cell(get(r, "Tài liệu kiểm chứng"))
        if evidence:
            node["evidence"] = evidence
        params: dict[str, Any] = {}
        if machine and _cell(get(r, "Tham số")):
            try:
                params = json.loads(_cell(get(r, "Tham số")))
            except json.JSONDecodeError as exc:
                raise IndexSetError(
                    [
                        Issue(
                            file,
                            number,
                            _cell(get(r, "Mã")) or None,
                            f"cột Tham số không phải JSON: {exc.msg}",
                            f"Tham số is not JSON: {exc.msg}",
                        )
                    ]
                ) from exc
            node["code"] = _cell(get(r, "Mã"))
            method = _cell(get(r, "Phương pháp"))
            if method:
                node["method"] = method
            level = params.pop("level", None)
            if not isinstance(level, int) or level < 1:
                raise IndexSetError(
                    [Issue(file, number, node["code"], "thiếu cấp (level)", "level missing")]
                )
            node.update(params)
        else:
            if needs_level is False:
                raise IndexSetError(
                    [Issue(file, number, None, "thiếu cột Mã/Tham số", "machine columns empty")]
                )
            level = state.level(label, number, file)
            how = _cell(get(r, "Cách chấm"))
            if how:
                node["guidance"] = how
        items.append((number, level, node))
    data, lines = _tree(items, file, generate_codes=not machine)
    info = _read_info(book, names)
    data.update(info)
    data.setdefault("nodes", [])
    if not machine:
        stem = re.sub(r"[^\w.\-]+", "-", file.rsplit("/", 1)[-1].rsplit(".", 1)[0]).strip("-")
        data.setdefault("code", stem.upper() or "BO-CHI-SO")
        data.setdefault("name", stem or "Bộ chỉ số")
        data.setdefault("kind", "OTHER")
        data.setdefault(
            "max_points",
            sum(
                (n.get("max", 0) for n in data["nodes"] if isinstance(n.get("max"), Decimal)),
                Decimal(0),
            ),
        )
    data.update(overrides or {})
    return parse_data(data, lines, file)


class _LevelGuesser:
    """Levels from STT: I, II → fields; 1, 2 → criteria; 1.1 → deeper; a, b → one below."""

    def __init__(self) -> None:
        self.roman_seen = False
        self.last_numeric = 0

    def level(self, label: str, row: int, file: str) -> int:
        text = label.strip().rstrip(".)").strip()
        if _ROMAN.match(text.upper()) and text.isupper():
            self.roman_seen = True
            self.last_numeric = 1
            return 1
        if _DOTTED.match(text):
            depth = text.count(".") + 1 + (1 if self.roman_seen else 0)
            self.last_numeric = depth
            return depth
        if _LETTER.match(text.lower()):
            return self.last_numeric + 1
        raise IndexSetError(
            [
                Issue(
                    file,
                    row,
                    None,
                    f"không nhận ra cấp từ STT '{label}' (dùng I, II / 1, 2 / 1.1 / a, b)",
                    f"cannot tell the level from STT '{label}'",
                )
            ]
        )


def _tree(
    items: list[tuple[int, int, dict[str, Any]]], file: str, *, generate_codes: bool
) -> tuple[dict[str, Any], dict[Path_, int]]:
    root: dict[str, Any] = {"nodes": []}
    lines: dict[Path_, int] = {}
    stack: list[tuple[int, dict[str, Any], Path_]] = []  # (level, node, path)
    for number, level, node in items:
        while stack and stack[-1][0] >= level:
            stack.pop()
        if stack and level > stack[-1][0] + 1:
            raise IndexSetError(
                [
                    Issue(
                        file,
                        number,
                        node.get("code"),
                        "nhảy cấp: thiếu tiêu chí cấp trên",
                        "level skipped: no parent row",
                    )
                ]
            )
        if not stack and level != 1:
            raise IndexSetError(
                [
                    Issue(
                        file,
                        number,
                        node.get("code"),
                        "dòng đầu tiên phải là lĩnh vực (cấp 1)",
                        "the first row must be a field (level 1)",
                    )
                ]
            )
        if stack:
            parent = stack[-1][1]
            siblings = parent.setdefault("children", [])
            path: Path_ = (*stack[-1][2], "children", len(siblings))
        else:
            siblings = root["nodes"]
            path = ("nodes", len(siblings))
        if generate_codes:
            own = node["label"].strip().rstrip(".)").split(".")[-1] or str(len(siblings) + 1)
            node["code"] = f"{stack[-1][1]['code']}.{own}" if stack else own
        siblings.append(node)
        lines[path] = number
        for key in node:
            lines[(*path, key)] = number
        stack.append((level, node, path))
    return root, lines


def _read_info(book: Any, names: list[str]) -> dict[str, Any]:
    if INFO_SHEET not in names:
        return {}
    out: dict[str, Any] = {}
    known = {k for k, _l in _INFO_KEYS}
    for row in book.get_sheet_by_name(INFO_SHEET).to_python()[1:]:
        if len(row) < 3:
            continue
        key, value = _cell(row[0]), row[2]
        if key not in known or value in (None, ""):
            continue
        if key in ("target_unit_kinds", "legal_basis", "bands"):
            out[key] = json.loads(_cell(value))
        elif key in ("year", "version", "display_precision"):
            out[key] = int(float(value)) if isinstance(value, float | int) else int(_cell(value))
        elif key == "sample":
            out[key] = value is True or _cell(value).lower() in ("true", "1")
        elif key == "max_points":
            out[key] = _number(value)
        else:
            out[key] = _cell(value)
    return out
