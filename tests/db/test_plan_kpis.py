"""The demo plans scored through the KPI registry with the sample commune PAR set."""

from __future__ import annotations

import functools
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cchc.core.indexset import parse_set
from cchc.core.scoring import compile_set, entry_from_value
from cchc.core.text import search_key, sort_key
from cchc.frameworks import kpi
from cchc.frameworks.kpi import KpiQuery
from cchc.frameworks.metrics import metrics_sync
from cchc.plans import demo
from cchc.plans.models import Plan, ReportSubmission
from cchc.units.models import Unit

SAMPLE = Path(__file__).resolve().parents[2] / "cchc/frameworks/sets/par-commune-sample.yaml"


def _unit(code: str, hierarchy: str, name: str, kind: str, level: int, parent: Unit | None) -> Unit:
    return Unit.objects.create(
        code=code,
        hierarchy=hierarchy,
        name=name,
        kind=kind,
        level=level,
        parent=parent,
        sort_key=sort_key(name),
        search_key=search_key(name),
    )


def make_tree() -> None:
    """Long An / Kiến Tường (legacy) and Thái Nguyên / Phủ Thông (2025), real codes."""
    long_an = _unit("80", "legacy", "Tỉnh Long An", "province", 1, None)
    town = _unit("796", "legacy", "Thị xã Kiến Tường", "town", 2, long_an)
    for code, name in (("27694", "Phường 1"), ("27695", "Phường 2"), ("27706", "Xã Bình Tân")):
        _unit(code, "legacy", name, "ward" if "Phường" in name else "commune", 3, town)
    thai = _unit("19", "2025", "Tỉnh Thái Nguyên", "province", 1, None)
    for code, name in (
        ("01969", "Xã Phủ Thông"),
        ("01840", "Xã Bằng Thành"),
        ("01864", "Xã Nghiên Loan"),
        ("01879", "Xã Cường Lợi"),
        ("01912", "Xã Na Rì"),
    ):
        _unit(code, "2025", name, "commune", 3, thai)


@pytest.fixture
def demo_loaded(db: Any, make_user: Any) -> io.StringIO:
    make_tree()
    metrics_sync()
    from cchc.accounts.models import Role

    make_user("xa.phuthong", Role.UNIT_OFFICER, Unit.objects.get(code="01969", hierarchy="2025"))
    out = io.StringIO()
    demo.load(out)
    return out


@functools.cache
def _sample() -> Any:
    return compile_set(parse_set(SAMPLE.read_text(encoding="utf-8")).definition)


def _score(code: str, unit: Unit, year: int) -> tuple[Any, Decimal]:
    cset = _sample()
    node = cset.node(code)
    name = node.kpi or "plan.issued_on_time"
    value = kpi.evaluate(name, KpiQuery(unit.pk, year, date(year, 1, 1), date(year, 12, 31)))
    assert value is not None
    entry, _ = entry_from_value(node, value.value)
    return value, entry.points


def test_sample_set_names_the_registered_kpis() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    for name in ("plan.completion_rate", "plan.reports_on_time"):
        assert f"kpi: {name}" in text
        assert kpi.lookup(name) is not None
    assert kpi.lookup("plan.issued_on_time") is not None
    assert kpi.lookup("report.documents_electronic_pct") is not None


def test_demo_plans_score_through_the_kpi_registry(demo_loaded: io.StringIO) -> None:
    town = Unit.objects.get(name="Thị xã Kiến Tường", hierarchy="legacy")
    plan = Plan.objects.get(unit=town, year=2023)
    assert plan.tasks.count() == 30
    assert "synthetic" in plan.note

    issued, points = _score("I.1.1", town, 2023)
    assert (issued.value, issued.display, points) == ("đúng hạn", "đúng hạn", Decimal(1))
    assert issued.source_url == f"/plans/{plan.pk}/"

    done, points = _score("I.1.2", town, 2023)
    assert (done.value, done.display, points) == (Decimal(100), "30/30 (100 %)", Decimal(2))
    assert done.source_url == f"/plans/{plan.pk}/"

    reports, points = _score("I.2", town, 2023)
    assert (reports.value, reports.display, points) == (Decimal(100), "4/4 (100 %)", Decimal(1))
    assert reports.source_url == f"/plans/units/{town.pk}/?year=2023"

    figure = kpi.evaluate(
        "report.documents_electronic_pct",
        KpiQuery(town.pk, 2023, date(2023, 1, 1), date(2023, 12, 31)),
    )
    assert figure is not None and figure.value == Decimal(95)
    assert ReportSubmission.objects.filter(unit=town).count() == 4

    _phu_thong()
    _idempotent()


def _phu_thong() -> None:
    commune = Unit.objects.get(code="01969", hierarchy="2025")
    issued, points = _score("I.1.1", commune, 2025)
    assert (issued.value, points) == ("trễ hạn", Decimal("0.5"))
    done, points = _score("I.1.2", commune, 2025)
    assert (done.value, done.display, points) == (Decimal(50), "3/6 (50 %)", Decimal(0))
    plan = Plan.objects.get(unit=commune, year=2025)
    from cchc.plans.services import plan_completion, subordinate_status

    assert plan_completion(plan, date(2026, 1, 1)).overdue == 2
    statuses = [r.status.value for r in subordinate_status(plan.parent, date(2025, 12, 31))]
    assert statuses.count("late") == 1 and statuses.count("missing") == 4
    # A unit required to issue a plan that did not: "không ban hành" → 0 points.
    other = next(r.unit for r in subordinate_status(plan.parent) if r.plan is None)
    missing, points = _score("I.1.1", other, 2025)
    assert (missing.value, points) == ("không ban hành", Decimal(0))


def _idempotent() -> None:
    counts = (Plan.objects.count(), ReportSubmission.objects.count())
    out = io.StringIO()
    demo.load(out)
    assert (Plan.objects.count(), ReportSubmission.objects.count()) == counts
    assert "đã có" in out.getvalue()
