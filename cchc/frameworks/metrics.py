"""The shipped metric catalogue and how a value of each type is read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from cchc.core.dates import DateError, parse_date
from cchc.core.numbers import NumberError, parse_decimal
from cchc.frameworks.models import Metric, MetricType

CATALOGUE = Path(__file__).resolve().parent / "catalogue" / "metrics.yaml"
YES = {"có", "co", "x", "1", "true", "yes", "đạt", "dat"}
NO = {"không", "khong", "0", "false", "no", "chưa", "chua", ""}


class MetricValueError(ValueError):
    """A value that does not fit the metric's type."""


def catalogue_entries() -> list[dict[str, Any]]:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    return list(data["metrics"])


@transaction.atomic
def metrics_sync() -> tuple[int, int]:
    """Create or update the shipped metrics; return (created, updated)."""
    created = updated = 0
    existing = {m.code: m for m in Metric.objects.all()}
    for entry in catalogue_entries():
        values = {
            "label": entry["label"],
            "label_en": entry.get("label_en", ""),
            "value_type": entry["value_type"],
            "field": entry.get("field", ""),
            "dossier_figure": entry.get("dossier_figure", ""),
            "shipped": True,
        }
        metric = existing.get(entry["code"])
        if metric is None:
            Metric.objects.create(code=entry["code"], **values)
            created += 1
        elif any(getattr(metric, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(metric, key, value)
            metric.save()
            updated += 1
    return created, updated


def parse_metric_value(
    value_type: str, raw: object, *, minimum: Decimal | None = None, maximum: Decimal | None = None
) -> Decimal | str | bool | date:
    """Read ``raw`` as a value of ``value_type``; raise MetricValueError in Vietnamese."""
    text = "" if raw is None else str(raw).strip()
    if value_type == MetricType.TEXT:
        return text
    if value_type == MetricType.YES_NO:
        low = text.lower()
        if low in YES:
            return True
        if low in NO:
            return False
        raise MetricValueError(f"phải là Có hoặc Không, không phải {text!r}")
    if value_type == MetricType.DATE:
        try:
            return parse_date(text)
        except DateError as exc:
            raise MetricValueError(str(exc)) from exc
    try:
        number = parse_decimal(text)
    except NumberError as exc:
        raise MetricValueError(str(exc)) from exc
    if value_type == MetricType.INTEGER and number != number.to_integral_value():
        raise MetricValueError(f"phải là số nguyên, không phải {text!r}")
    if value_type == MetricType.PERCENT:
        minimum = Decimal(0) if minimum is None else minimum
        maximum = Decimal(100) if maximum is None else maximum
    if minimum is not None and number < minimum:
        raise MetricValueError(f"nhỏ hơn giá trị tối thiểu {minimum}")
    if maximum is not None and number > maximum:
        raise MetricValueError(f"lớn hơn giá trị tối đa {maximum}")
    return number
