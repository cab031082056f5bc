"""The KPI registry: computed criteria name a KPI, apps provide its value.

``frameworks`` knows no dossiers or plans. Those apps call :func:`register` in their
``AppConfig.ready()`` (``dossier.on_time_rate``, ``plan.completion_rate`` …). Any KPI can
also come from an imported value table (:class:`~cchc.frameworks.models.KpiValueRow`):
:func:`evaluate` falls back to it when no provider answers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from cchc.core.numbers import NumberError, format_number, parse_decimal
from cchc.core.rules import is_not_applicable


@dataclass(frozen=True)
class KpiQuery:
    unit_id: int
    year: int
    period_start: date
    period_end: date


@dataclass(frozen=True)
class KpiValue:
    value: Decimal | str  # a number, or a word a rule understands ("đúng hạn", "0/0")
    display: str
    source_url: str
    note: str


Provider = Callable[[KpiQuery], KpiValue | None]


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str
    provider: Provider


class KpiError(LookupError):
    """An unknown KPI name."""


_REGISTRY: dict[str, Kpi] = {}


def register(name: str, *, label: str, provider: Provider) -> None:
    """Register (or replace, for reloads in tests) the provider of a KPI."""
    _REGISTRY[name] = Kpi(name, label, provider)


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def lookup(name: str) -> Kpi | None:
    return _REGISTRY.get(name)


def registered() -> list[Kpi]:
    return sorted(_REGISTRY.values(), key=lambda k: k.name)


def evaluate(name: str, query: KpiQuery) -> KpiValue | None:
    """The KPI's value for a unit and period: its provider first, then imported values."""
    kpi = _REGISTRY.get(name)
    if kpi is not None:
        value = kpi.provider(query)
        if value is not None:
            return value
    return imported_value(name, query)


def imported_value(name: str, query: KpiQuery) -> KpiValue | None:
    from cchc.frameworks.models import KpiValueRow

    row = KpiValueRow.objects.filter(kpi=name, unit_id=query.unit_id, year=query.year).first()
    if row is None:
        return None
    value: Decimal | str
    try:
        value = parse_decimal(row.value)
        display = format_number(value)
    except NumberError:
        value = row.value
        display = row.value
    note = row.source_note or "Giá trị nhập từ bảng số liệu"
    return KpiValue(value, display, "", note)


# -- imported value tables -----------------------------------------------------------------


class KpiImportError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


def sniff_rows(text: str) -> list[list[str]]:
    """CSV rows, comma or semicolon separated (Vietnamese Excel saves with ``;``)."""
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


@transaction.atomic
def kpi_values_import(text: str, *, source_note: str = "") -> int:
    """Import ``kpi,unit,year,value`` rows all-or-nothing; returns the number of rows."""
    from cchc.frameworks.models import KpiValueRow
    from cchc.units.services import UnitResolutionError, resolve_unit

    rows = sniff_rows(text)
    if not rows:
        raise KpiImportError(["Tệp rỗng"])
    header = [h.strip().lower() for h in rows[0]]
    if header[:4] != ["kpi", "unit", "year", "value"]:
        raise KpiImportError(["Dòng 1: tiêu đề phải là kpi,unit,year,value"])
    errors: list[str] = []
    pending: list[KpiValueRow] = []
    seen: dict[tuple[str, int, int], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 4:
            errors.append(f"Dòng {number}: thiếu cột (cần kpi, unit, year, value)")
            continue
        if any(cell.strip() for cell in row[len(header) :]):
            errors.append(
                f"Dòng {number}: {len(row)} ô nhưng tiêu đề có {len(header)} cột (số thập phân "
                "có dấu phẩy phải đặt trong ngoặc kép hoặc dùng dấu ; để ngăn cột)"
            )
            continue
        name, unit_code, year_text, value = (cell.strip() for cell in row[:4])
        if not name or "." not in name:
            errors.append(
                f"Dòng {number}: tên KPI '{name}' không hợp lệ (ví dụ dossier.on_time_rate)"
            )
            continue
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            errors.append(f"Dòng {number}: năm '{year_text}' không hợp lệ")
            continue
        year = int(year_text)
        try:
            unit = resolve_unit(unit_code, as_of=date(year, 12, 31))
        except UnitResolutionError as exc:
            errors.append(f"Dòng {number}: {exc}")
            continue
        if not value:
            errors.append(f"Dòng {number}: thiếu giá trị")
            continue
        if not is_not_applicable(value) and "/" not in value:
            try:
                if parse_decimal(value) < 0:
                    errors.append(f"Dòng {number}: giá trị {value} âm")
                    continue
            except NumberError:
                pass  # words such as "đúng hạn" are rule inputs, checked when scored
        key = (name, unit.pk, year)
        if key in seen:
            errors.append(f"Dòng {number}: trùng với dòng {seen[key]}")
            continue
        seen[key] = number
        pending.append(
            KpiValueRow(kpi=name, unit=unit, year=year, value=value, source_note=source_note)
        )
    if errors:
        raise KpiImportError(errors)
    for item in pending:
        KpiValueRow.objects.update_or_create(
            kpi=item.kpi,
            unit=item.unit,
            year=item.year,
            defaults={"value": item.value, "source_note": item.source_note},
        )
    return len(pending)
