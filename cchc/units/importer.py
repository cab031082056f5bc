"""Import non-geographic units (departments, agencies, service centres) from CSV.

Columns ``code,name,kind,parent``; ``parent`` is a unit code resolvable with ``@``
(``19@2025``) or the code of a local unit in the same file or already stored.
All-or-nothing: any bad row rejects the whole file, errors numbered by line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction

from cchc.core.text import normalize_name, search_key, sort_key
from cchc.units.models import Hierarchy, Level, Unit, UnitKind
from cchc.units.services import UnitResolutionError, resolve_unit

LOCAL_KINDS = {
    UnitKind.DEPARTMENT: ("department", "so", "ban", "nganh", "so ban nganh", "co quan"),
    UnitKind.VERTICAL_AGENCY: ("vertical_agency", "nganh doc", "co quan nganh doc"),
    UnitKind.SERVICE_CENTRE: (
        "service_centre",
        "trung tam phuc vu hanh chinh cong",
        "ttpvhcc",
    ),
    UnitKind.PUBLIC_SERVICE_UNIT: ("public_service_unit", "don vi su nghiep", "dvsnc"),
    UnitKind.OTHER: ("other", "khac"),
}
_KIND_BY_WORD = {word: kind for kind, words in LOCAL_KINDS.items() for word in words}
COLUMNS = ("code", "name", "kind", "parent")


class UnitImportError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _kind(raw: str) -> UnitKind | None:
    folded = search_key(raw).replace("_", " ")
    return _KIND_BY_WORD.get(folded) or _KIND_BY_WORD.get(folded.replace(" ", "_"))


def import_local_units(data: bytes) -> ImportResult:
    """Create or update local units from CSV bytes (UTF-8, comma or semicolon)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnitImportError(
            ["Tệp không phải UTF-8: hãy lưu lại bằng Excel với “CSV UTF-8”"]
        ) from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UnitImportError([f"Dòng 1: thiếu cột {', '.join(missing)}"])
    errors: list[str] = []
    rows: list[tuple[int, str, str, UnitKind, str]] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        code, name = row.get("code", ""), normalize_name(row.get("name", ""))
        if not any(row.values()):
            continue
        if not code:
            errors.append(f"Dòng {line}, cột code: thiếu mã đơn vị")
        elif "@" in code or len(code) > 32:
            errors.append(f"Dòng {line}, cột code: mã “{code}” không được chứa @ và dài quá 32")
        elif code in seen:
            errors.append(f"Dòng {line}, cột code: mã “{code}” trùng với dòng {seen[code]}")
        else:
            seen[code] = line
        if not name:
            errors.append(f"Dòng {line}, cột name: thiếu tên đơn vị")
        kind = _kind(row.get("kind", ""))
        if kind is None:
            allowed = ", ".join(k.value for k in LOCAL_KINDS)
            errors.append(
                f"Dòng {line}, cột kind: loại “{row.get('kind', '')}” không hợp lệ "
                f"(dùng một trong: {allowed})"
            )
        if code and kind is not None and name:
            rows.append((line, code, name, kind, row.get("parent", "")))
    local_codes = {code for _, code, _, _, _ in rows}
    # A local code must not shadow an official one: a bare code would become ambiguous.
    official = set(
        Unit.objects.filter(code__in=local_codes)
        .exclude(hierarchy=Hierarchy.LOCAL)
        .values_list("code", flat=True)
    )
    for line, code, _, _, _ in rows:
        if code in official:
            errors.append(
                f"Dòng {line}, cột code: mã “{code}” trùng mã đơn vị hành chính chính thức; "
                "dùng mã riêng, ví dụ có tiền tố (SNV-…)"
            )
    stored_local = {
        u.code: u for u in Unit.objects.filter(hierarchy=Hierarchy.LOCAL, code__in=local_codes)
    }
    parents: dict[str, Unit | str | None] = {}
    for line, code, _, _, parent_code in rows:
        if not parent_code:
            parents[code] = None
        elif "@" not in parent_code and parent_code in local_codes:
            if parent_code == code:
                errors.append(f"Dòng {line}, cột parent: đơn vị không thể là cấp trên của chính nó")
            parents[code] = parent_code
        else:
            try:
                parents[code] = resolve_unit(parent_code)
            except UnitResolutionError as exc:
                errors.append(f"Dòng {line}, cột parent: {exc}")
    if errors:
        raise UnitImportError(errors)
    result = ImportResult()
    with transaction.atomic():
        by_code: dict[str, Unit] = {}
        pending = list(rows)
        while pending:
            progressed = False
            for item in list(pending):
                _, code, name, kind, _ = item
                wanted = parents[code]
                parent: Unit | None
                if isinstance(wanted, str):
                    parent = by_code.get(wanted)
                    if parent is None:
                        continue
                else:
                    parent = wanted
                _save(code, name, kind, parent, stored_local.get(code), result, by_code)
                pending.remove(item)
                progressed = True
            if not progressed:
                lines = ", ".join(str(item[0]) for item in pending)
                raise UnitImportError([f"Dòng {lines}, cột parent: cấp trên tạo thành vòng lặp"])
    return result


def _save(
    code: str,
    name: str,
    kind: UnitKind,
    parent: Unit | None,
    unit: Unit | None,
    result: ImportResult,
    by_code: dict[str, Unit],
) -> None:
    values = {
        "name": name,
        "kind": kind.value,
        "level": parent.level if parent else Level.PROVINCE,
        "parent": parent,
        "sort_key": sort_key(name),
        "search_key": search_key(name),
        "source": "csv",
    }
    if unit is None:
        unit = Unit.objects.create(hierarchy=Hierarchy.LOCAL, code=code, **values)
        result.created.append(unit.key)
    elif any(getattr(unit, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(unit, k, v)
        unit.save()
        result.updated.append(unit.key)
    else:
        result.unchanged.append(unit.key)
    by_code[code] = unit
