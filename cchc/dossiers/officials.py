"""Official monthly QĐ 766 group scores as published on the national portal.

CSV ``unit,year,month,g1,g2,g3,g4,g5`` (``,`` or ``;``; decimals with ``,`` or ``.``; a
blank score stays blank, except a typed-in group 1, which a blank does not erase). Group 1
(disclosure) has no known formula: this import or a person (``official_enter``, the
manual entry form) is its only source. All or nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cchc.accounts.permissions import OVERSIGHT_ROLES, can_write_unit
from cchc.audit.services import record
from cchc.core.numbers import NumberError, format_number, parse_decimal
from cchc.dossiers.models import Official766Score
from cchc.dossiers.reading import ReadError, decode, sniff_delimiter
from cchc.units.models import Unit
from cchc.units.services import UnitResolutionError, resolve_unit

HEADER = ["unit", "year", "month", "g1", "g2", "g3", "g4", "g5"]
MAXIMA = {
    "g1": Decimal(18),
    "g2": Decimal(20),
    "g3": Decimal(22),
    "g4": Decimal(22),
    "g5": Decimal(18),
}


class OfficialImportError(ValueError):
    pass


def official_import(data: bytes, *, user: Any = None, source_note: str = "") -> int:
    try:
        text, _enc = decode(data)
    except ReadError as exc:
        raise OfficialImportError(str(exc)) from exc
    rows = list(csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text)))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise OfficialImportError("Tệp rỗng")
    if [h.strip().lower() for h in rows[0]][:8] != HEADER:
        raise OfficialImportError("Dòng 1: tiêu đề phải là " + ",".join(HEADER))
    errors: list[str] = []
    pending: list[tuple[Any, int, int, dict[str, Decimal | None]]] = []
    seen: dict[tuple[int, int, int], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row] + [""] * 8
        code, year_text, month_text = cells[0], cells[1], cells[2]
        if not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
            errors.append(f"Dòng {number}: năm “{year_text}” không hợp lệ")
            continue
        if not (month_text.isdigit() and 1 <= int(month_text) <= 12):
            errors.append(f"Dòng {number}: tháng “{month_text}” không hợp lệ")
            continue
        year, month = int(year_text), int(month_text)
        try:
            unit = resolve_unit(code, as_of=date(year, month, 1))
        except UnitResolutionError as exc:
            errors.append(f"Dòng {number}: {exc}")
            continue
        if user is not None and not can_write_unit(user, unit, role_in=OVERSIGHT_ROLES):
            errors.append(f"Dòng {number}: bạn không có quyền ghi điểm của {unit.name}")
            continue
        scores: dict[str, Decimal | None] = {}
        for i, group in enumerate(HEADER[3:], start=3):
            raw = cells[i]
            if not raw:
                scores[group] = None
                continue
            try:
                value = parse_decimal(raw)
            except NumberError:
                errors.append(f"Dòng {number}, cột {group}: “{raw}” không phải số")
                continue
            if not Decimal(0) <= value <= MAXIMA[group]:
                errors.append(
                    f"Dòng {number}, cột {group}: {raw} ngoài khoảng 0–{MAXIMA[group]} điểm"
                )
                continue
            scores[group] = value
        key = (unit.pk, year, month)
        if key in seen:
            errors.append(f"Dòng {number}: trùng với dòng {seen[key]}")
            continue
        seen[key] = number
        pending.append((unit, year, month, scores))
    if errors:
        raise OfficialImportError("\n".join(errors[:100]))
    with transaction.atomic():
        for unit, year, month, scores in pending:
            existing = (
                Official766Score.objects.select_for_update()
                .filter(unit=unit, year=year, month=month)
                .first()
            )
            values: dict[str, Any] = dict(scores)
            if scores["g1"] is not None:
                values["g1_manual"] = False
            elif existing is not None and existing.g1_manual:
                del values["g1"]  # the portal left group 1 blank: keep what was typed in
            obj, _created = Official766Score.objects.update_or_create(
                unit=unit,
                year=year,
                month=month,
                defaults={**values, "source_note": source_note or "Cổng DVC quốc gia"},
            )
            record(
                actor=user,
                obj=obj,
                action="dossiers.official766",
                changes={
                    g: (_text(getattr(existing, g, None)), _text(v))
                    for g, v in scores.items()
                    if g in values
                },
            )
    return len(pending)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


GROUP_LABELS = {
    "g1": "nhóm 1 (công khai, minh bạch)",
    "g2": "nhóm 2",
    "g3": "nhóm 3",
    "g4": "nhóm 4",
    "g5": "nhóm 5",
}


def parse_score(group: str, raw: str) -> Decimal:
    """A typed-in group score: 0 to the group's maximum, at most 2 decimals (``17,5``).

    Raises OfficialImportError with a Vietnamese message naming the field.
    """
    label = "Điểm " + GROUP_LABELS[group]
    text = raw.strip()
    if not text:
        raise OfficialImportError(f"{label}: chưa nhập điểm")
    try:
        value = parse_decimal(text)
    except NumberError as exc:
        raise OfficialImportError(f"{label}: “{text}” không phải số") from exc
    if not Decimal(0) <= value <= MAXIMA[group]:
        raise OfficialImportError(
            f"{label}: {text} ngoài khoảng 0–{format_number(MAXIMA[group])} điểm"
        )
    if value != value.quantize(Decimal("0.01")):
        raise OfficialImportError(f"{label}: {text} có quá 2 chữ số thập phân")
    return value


def official_enter(
    *, user: Any, unit: Unit, year: int, month: int, scores: dict[str, Decimal]
) -> Official766Score:
    """Type in group 1 (and optionally other groups) of one unit and month.

    Groups not in ``scores`` keep their value. Needs the same permission as the import
    (an oversight role over the unit); every changed score goes to the audit trail.
    """
    if not can_write_unit(user, unit, role_in=OVERSIGHT_ROLES):
        raise PermissionDenied
    if "g1" not in scores:
        raise OfficialImportError("Điểm " + GROUP_LABELS["g1"] + ": chưa nhập điểm")
    if set(scores) - set(MAXIMA):
        raise OfficialImportError(
            "Nhóm không hợp lệ: " + ", ".join(sorted(set(scores) - set(MAXIMA)))
        )
    for group, value in scores.items():
        if not Decimal(0) <= value <= MAXIMA[group]:
            raise OfficialImportError(
                f"Điểm {GROUP_LABELS[group]}: {format_number(value)} ngoài khoảng "
                f"0–{format_number(MAXIMA[group])} điểm"
            )
    with transaction.atomic():
        obj = (
            Official766Score.objects.select_for_update()
            .filter(unit=unit, year=year, month=month)
            .first()
        )
        if obj is None:
            obj = Official766Score(unit=unit, year=year, month=month, source_note="Nhập tay")
        before = {g: getattr(obj, g) for g in scores}
        was_manual = obj.g1_manual
        for group, value in scores.items():
            setattr(obj, group, value)
        obj.g1_manual = True
        obj.save()
        changes: dict[str, tuple[Any, Any]] = {
            g: (_text(before[g]), _text(v)) for g, v in scores.items() if before[g] != v
        }
        if obj.pk and not was_manual and before["g1"] is not None:
            changes["g1_manual"] = (False, True)  # an imported score now typed over
        record(actor=user, obj=obj, action="dossiers.official766_manual", changes=changes)
    return obj
