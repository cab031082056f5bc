"""Official monthly QĐ 766 group scores as published on the national portal.

CSV ``unit,year,month,g1,g2,g3,g4,g5`` (``,`` or ``;``; decimals with ``,`` or ``.``; a
blank score stays blank). Group 1 (disclosure) has no known formula: this import or a
person is its only source. All or nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from cchc.accounts.permissions import OVERSIGHT_ROLES, can_write_unit
from cchc.audit.services import record
from cchc.core.numbers import NumberError, parse_decimal
from cchc.dossiers.models import Official766Score
from cchc.dossiers.reading import ReadError, decode, sniff_delimiter
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
            obj, _created = Official766Score.objects.update_or_create(
                unit=unit,
                year=year,
                month=month,
                defaults={**scores, "source_note": source_note or "Cổng DVC quốc gia"},
            )
            record(
                actor=user,
                obj=obj,
                action="dossiers.official766",
                changes={g: (None, str(v) if v is not None else None) for g, v in scores.items()},
            )
    return len(pending)
