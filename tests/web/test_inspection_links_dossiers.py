"""The Lục Bình inspection (21/9/2022) shows its dossier figures for the period inspected
(15/12/2021–19/9/2022: 926 new + 1 carried over = 927, all resolved on time) and fills the
observed metrics from the dossier report with one button."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import Role
from cchc.audit.models import AuditEvent
from cchc.dossiers.models import DossierImport
from cchc.frameworks.metrics import metrics_sync
from cchc.inspections import services
from cchc.inspections.models import BodyKind, EventKind, FigureSource, IssuingBody, ObservedMetric
from cchc.units.services import resolve_unit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(
    settings: Any, tmp_path: Path, units_extract: Any, luc_binh_built: Path, make_user: Any
) -> Any:
    shutil.copytree(luc_binh_built, tmp_path / "store")
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    DossierImport.objects.create(
        file_name="lb.csv", profile="canonical", import_id="lb", status="done"
    )
    metrics_sync()
    district = resolve_unit("063@legacy")
    lb = resolve_unit("01990@legacy")
    vi_huong = resolve_unit("01975@legacy")
    body = IssuingBody.objects.create(
        kind=BodyKind.PEOPLES_COMMITTEE,
        name="UBND huyện Bạch Thông",
        unit=district,
        place="Bạch Thông",
    )
    event = services.inspection_create(
        user=None,
        body=body,
        kind=EventKind.INSPECTION,
        title="Kiểm tra công tác CCHC tại xã Lục Bình",
        on=date(2022, 9, 21),
        visits=[services.Visit(lb), services.Visit(vi_huong)],
        period_text="Kỳ báo cáo hồ sơ TTHC",
        period_start=date(2021, 12, 15),
        period_end=date(2022, 9, 19),
    )
    make_user("ubnd_bt", role=Role.SECRETARIAT, unit=district)
    make_user("xa_lb", role=Role.UNIT_OFFICER, unit=lb)
    return {"event": event, "lb": lb, "vh": vi_huong, "body": body}


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_event_page_shows_the_dossier_figures(world: dict[str, Any]) -> None:
    event, lb = world["event"], world["lb"]
    page = _client("xa_lb").get(reverse("inspections:event_detail", args=[event.pk]))
    assert page.status_code == 200
    (lb_links, vh_links) = page.context["unit_links"]
    figures = lb_links[2]
    assert figures.reported == lb
    counts = figures.counts
    assert (counts["new_total"], counts["carried_over"], counts["received_total"]) == (926, 1, 927)
    assert (counts["resolved_total"], counts["late"], counts["in_progress_total"]) == (927, 0, 0)
    assert figures.on_time_or_early == 927 and figures.on_time_pct == 100
    assert vh_links[2] is None  # no dossier of Vi Hương in the store
    html = page.content.decode()
    for key, value in (("new", "926"), ("carried", "1"), ("total", "927"), ("late", "0")):
        assert f'id="dos-{lb.pk}-{key}">{value}<' in html
    assert f'id="dos-{lb.pk}-ontime">927 (100 %)<' in html
    assert "Không có số liệu hồ sơ của đơn vị trong kỳ kiểm tra." in html
    assert "unit=01990%40legacy&amp;from=2021-12-15&amp;to=2022-09-19" in html
    # A commune officer reads but does not record: no fill button.
    assert "Lấy từ số liệu hồ sơ" not in html


def test_fill_the_dossier_metrics_from_the_report(world: dict[str, Any]) -> None:
    event, lb = world["event"], world["lb"]
    c = _client("ubnd_bt")
    page = c.get(reverse("inspections:event_detail", args=[event.pk])).content.decode()
    assert "Lấy từ số liệu hồ sơ" in page
    assert (
        _client("xa_lb").post(reverse("inspections:dossier_fill", args=[event.pk])).status_code
        == 403
    )
    r = c.post(reverse("inspections:dossier_fill", args=[event.pk]))
    assert r.status_code == 302 and r["Location"].endswith("#figure")
    figures = {
        f.metric.code: f
        for f in ObservedMetric.objects.filter(inspection=event, unit=lb).select_related("metric")
    }
    values = {code: f.value_decimal for code, f in figures.items()}
    assert {
        k: values[k]
        for k in (
            "dossiers_received",
            "dossiers_carried_over",
            "dossiers_resolved",
            "dossiers_resolved_on_time",
            "dossiers_resolved_late",
            "dossiers_in_progress",
        )
    } == {
        "dossiers_received": 926,
        "dossiers_carried_over": 1,
        "dossiers_resolved": 927,
        "dossiers_resolved_on_time": 927,
        "dossiers_resolved_late": 0,
        "dossiers_in_progress": 0,
    }
    # every catalogue metric with a dossier figure, none for Vi Hương (no data)
    assert len(figures) == 10
    assert not ObservedMetric.objects.filter(inspection=event, unit=world["vh"]).exists()
    one = figures["dossiers_received"]
    assert one.source_kind == FigureSource.DOSSIER_REPORT
    assert one.source == "Báo cáo số liệu hồ sơ TTHC (Xã Lục Bình, Từ 15/12/2021 đến 19/09/2022)"
    assert (one.period_start, one.period_end) == (date(2021, 12, 15), date(2022, 9, 19))
    audit = {a.field: a.new for a in AuditEvent.objects.filter(action="inspection.dossier_fill")}
    assert audit == {"figures": 10, "period": "Từ 15/12/2021 đến 19/09/2022"}
    html = c.get(reverse("inspections:event_detail", args=[event.pk])).content.decode()
    assert '<td class="num">926</td>' in html and "Báo cáo số liệu hồ sơ</span>" in html


def test_no_period_or_no_data(world: dict[str, Any]) -> None:
    body, vh = world["body"], world["vh"]
    c = _client("ubnd_bt")
    no_period = services.inspection_create(
        user=None,
        body=body,
        kind=EventKind.INSPECTION,
        title="Kiểm tra không ghi kỳ",
        on=date(2022, 9, 21),
        visits=[services.Visit(world["lb"])],
    )
    page = c.get(reverse("inspections:event_detail", args=[no_period.pk]))
    assert page.context["unit_links"][0][2] is None
    assert "Lấy từ số liệu hồ sơ" not in page.content.decode()
    r = c.post(reverse("inspections:dossier_fill", args=[no_period.pk]))
    assert r.status_code == 400 and "Sự kiện chưa có kỳ kiểm tra" in r.content.decode()
    only_vh = services.inspection_create(
        user=None,
        body=body,
        kind=EventKind.INSPECTION,
        title="Kiểm tra xã Vi Hương",
        on=date(2022, 9, 21),
        visits=[services.Visit(vh)],
        period_start=date(2021, 12, 15),
        period_end=date(2022, 9, 19),
    )
    r = c.post(reverse("inspections:dossier_fill", args=[only_vh.pk]))
    assert r.status_code == 400
    assert "Không có số liệu hồ sơ trong kỳ 15/12/2021–19/09/2022 của: Xã Vi Hương." in (
        r.content.decode()
    )
    assert not ObservedMetric.objects.filter(inspection=only_vh).exists()
