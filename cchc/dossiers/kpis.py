"""QĐ 766 indicators from the dossier store, registered in the frameworks KPI registry.

Rates follow ``cchc.analytics.report.indicators_766`` (docs/DOSSIERS.md §4); for a KPI
period that is not one calendar month the same formulas are applied to the period
report's counts (``rates_from_counts``; a test asserts both agree on a month). Points come
from the rules of the shipped QĐ 766 set (capped ratios), never from a formula written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import urlencode

from cchc.core.numbers import format_percent
from cchc.core.periods import custom
from cchc.core.rules import RuleInputError, evaluate

HUNDRED = Decimal(100)

# KPI name → (Indicators766 attribute, label). ``dossier.digitized_rate`` is the name the
# shipped set uses; ``dossier.digitization_rate`` is the same value under the name.
KPIS: dict[str, tuple[str, str]] = {
    "dossier.on_time_rate": ("on_time_rate", "Tỷ lệ hồ sơ đúng hạn hoặc còn trong hạn (%)"),
    "dossier.online_rate": ("online_rate", "Tỷ lệ hồ sơ tiếp nhận trực tuyến (%)"),
    "dossier.digitized_rate": ("digitization_rate", "Tỷ lệ hồ sơ được số hóa (%)"),
    "dossier.digitization_rate": ("digitization_rate", "Tỷ lệ hồ sơ được số hóa (%)"),
    "dossier.e_result_rate": ("e_result_rate", "Tỷ lệ kết quả điện tử (%)"),
    "dossier.online_payment_rate": ("online_payment_rate", "Tỷ lệ thanh toán trực tuyến (%)"),
    "dossier.satisfaction_rate": ("satisfaction_rate", "Mức độ hài lòng (%)"),
}
RATE_NAMES = (
    "on_time_rate",
    "online_rate",
    "digitization_rate",
    "e_result_rate",
    "online_payment_rate",
    "satisfaction_rate",
)


def _pct(num: int, den: int) -> Decimal | None:
    return None if den == 0 else Decimal(num) * HUNDRED / Decimal(den)


def rates_from_counts(c: dict[str, int]) -> dict[str, Decimal | None]:
    handled = c["received_total"] - c["apart_total"]
    overdue = _pct(c["late"] + c["in_progress_overdue"], handled)
    complaints = _pct(c["handled_complaint"], handled)
    return {
        "on_time_rate": _pct(c["early"] + c["on_time"] + c["in_progress_within"], handled),
        "online_rate": _pct(c["new_online_full"] + c["new_online_partial"], c["new_total"]),
        "digitization_rate": _pct(c["new_digitized"], c["new_total"]),
        "e_result_rate": _pct(c["resolved_e_result"], c["resolved_total"]),
        "online_payment_rate": _pct(c["new_paid_online"], c["new_total"]),
        "satisfaction_rate": None
        if overdue is None or complaints is None
        else HUNDRED - overdue - complaints,
    }


@dataclass(frozen=True)
class Group:
    code: str  # G1..G5
    title: str
    max: Decimal
    kpi: str | None


@cache
def groups_766() -> tuple[Group, ...]:
    """The five groups of the shipped QĐ 766 set with their KPI names and maxima."""
    from cchc.frameworks.services import read_source, shipped_sets

    path = next(p for p in shipped_sets() if p.name == "service-766.yaml")
    definition = read_source(path).definition
    out = []
    for node in definition.nodes:
        kpi = _first_kpi(node)
        out.append(Group(node.code, node.title, node.max, kpi))
    return tuple(out)


def _first_kpi(node: Any) -> str | None:
    if node.kpi:
        return str(node.kpi)
    for child in node.children:
        found = _first_kpi(child)
        if found:
            return found
    return None


def points_766(kpi: str, rate: Decimal | None) -> Decimal | None:
    """Points of a rate by the rule of the criterion scored from ``kpi`` in the shipped set."""
    if rate is None:
        return None
    from cchc.frameworks.services import read_source, shipped_sets

    path = next(p for p in shipped_sets() if p.name == "service-766.yaml")
    for node, _, _ in read_source(path).definition.walk():
        if node.kpi == kpi:
            try:
                return evaluate(node.effective_rule, node.range, rate).points
            except RuleInputError:
                return None
    return None


def report_url(unit_key: str, start: date, end: date) -> str:
    from django.urls import reverse

    query = urlencode({"unit": unit_key, "from": start.isoformat(), "to": end.isoformat()})
    return f"{reverse('dossiers:report')}?{query}"


def provider_for(name: str):  # type: ignore[no-untyped-def]
    attr, _label = KPIS[name]

    def provide(query):  # type: ignore[no-untyped-def]
        from cchc.dossiers.reporting import run_report
        from cchc.frameworks.kpi import KpiValue
        from cchc.units.models import Unit

        unit = Unit.objects.filter(pk=query.unit_id).first()
        if unit is None:
            return None
        period = custom(query.period_start, query.period_end)
        try:
            report, _notes = run_report(unit, period)
        except KeyError:
            return None
        counts = report.rows[0].counts
        if counts["received_total"] == 0:
            return None
        value = rates_from_counts(counts)[attr]
        if value is None:
            return KpiValue(
                "không phát sinh",
                "không phát sinh",
                report_url(unit.key, period.start, period.end),
                "",
            )
        return KpiValue(
            value,
            format_percent(value),
            report_url(unit.key, period.start, period.end),
            f"Tính từ {counts['received_total']} hồ sơ trong kho dữ liệu hồ sơ TTHC",
        )

    return provide


def register_all() -> None:
    from cchc.frameworks.kpi import register

    for name, (_attr, label) in KPIS.items():
        register(name, label=label, provider=provider_for(name))


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end
