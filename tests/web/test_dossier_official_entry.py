"""Typing in the QĐ 766 group 1 (disclosure) score: permissions, validation, audit, page."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from cchc.accounts.models import Role
from cchc.audit.models import AuditEvent
from cchc.dossiers.models import Official766Score
from tests.conftest import PASSWORD
from tests.web.test_permissions import build_tree

pytestmark = pytest.mark.django_db

ENTRY = "/dossiers/indicators/official/"
AUGUST = {"unit": "01969@2025", "year": "2025", "month": "8"}


@pytest.fixture
def world(settings: Any, tmp_path: Path, make_user: Any) -> SimpleNamespace:
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    w = build_tree()
    make_user("officer", role=Role.UNIT_OFFICER, unit=w.pt)
    make_user("appraiser", role=Role.APPRAISER, unit=w.tn)
    make_user("secretariat", role=Role.SECRETARIAT, unit=w.tn)
    make_user("leader", role=Role.LEADER, unit=w.tn)
    make_user("outsider")
    make_user("sec_hn", role=Role.SECRETARIAT, unit=w.hn)
    w.clients = {}
    for name in ("officer", "appraiser", "secretariat", "leader", "outsider", "sec_hn"):
        client = Client()
        assert client.login(username=name, password=PASSWORD)
        w.clients[name] = client
    return w


ROLES = ("officer", "appraiser", "secretariat", "leader", "outsider", "sec_hn")


def test_permission_matrix(world: SimpleNamespace) -> None:
    get = f"{ENTRY}?unit=01969@2025&year=2025&month=8"
    assert [world.clients[r].get(get).status_code for r in ROLES] == [
        403, 200, 200, 403, 403, 403,
    ]  # fmt: skip
    # without a unit: the empty form for whoever may enter scores somewhere
    assert [world.clients[r].get(ENTRY).status_code for r in ROLES] == [
        403, 200, 200, 403, 403, 200,
    ]  # fmt: skip
    posted = [world.clients[r].post(ENTRY, {**AUGUST, "g1": "17"}).status_code for r in ROLES]
    assert posted == [403, 302, 302, 403, 403, 403]
    assert Official766Score.objects.get().g1 == Decimal("17")
    assert AuditEvent.objects.filter(action="dossiers.official766_manual").count() == 1
    anonymous = Client().get(get)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_entry_saves_with_audit_and_shows_beside_the_recomputation(
    world: SimpleNamespace,
) -> None:
    client = world.clients["secretariat"]
    response = client.post(ENTRY, {**AUGUST, "g1": "17,5", "g2": ""})
    assert response.status_code == 302
    assert response["Location"] == "/dossiers/indicators/?unit=01969%402025&year=2025"
    score = Official766Score.objects.get()
    assert (score.unit_id, score.year, score.month) == (world.pt.pk, 2025, 8)
    assert score.g1 == Decimal("17.50") and score.g1_manual is True
    assert (score.g2, score.g3, score.g4, score.g5) == (None, None, None, None)
    event = AuditEvent.objects.get(action="dossiers.official766_manual")
    assert (event.field, event.old, event.new) == ("g1", None, "17.5")
    assert event.actor is not None and event.actor.username == "secretariat"

    page = client.get("/dossiers/indicators/", {"unit": "01969@2025", "year": "2025"})
    august = page.context["months"][7]
    g1 = august["cells"][0]
    # Nothing computed for group 1 (no formula): only the official score, typed in.
    assert (g1["official"], g1["points"], g1["diff"], g1["manual"]) == (
        Decimal("17.50"),
        None,
        None,
        True,
    )
    assert august["official_total"] == Decimal("17.50")
    # It counts in the recomputed total too, so the two totals compare.
    others = [c["points"] for c in august["cells"][1:] if c["points"] is not None]
    assert august["total"] == Decimal("17.50") + sum(others)
    assert not page.context["months"][6]["cells"][0]["manual"]
    html = page.content.decode()
    assert "17,50 <span" in html and "(nhập tay)" in html
    assert f'href="{ENTRY}?unit=01969%402025&amp;year=2025&amp;month=8"' in html

    # the form shows what is stored; a second entry with group 2 keeps nothing else
    form = client.get(ENTRY, AUGUST)
    assert [f["value"] for f in form.context["fields"]] == ["17,50", "", "", "", ""]
    client.post(ENTRY, {**AUGUST, "g1": "12", "g2": "19,25"})
    score.refresh_from_db()
    assert (score.g1, score.g2, score.g3) == (Decimal("12.00"), Decimal("19.25"), None)
    changes = {
        (e.field, e.old, e.new)
        for e in AuditEvent.objects.filter(action="dossiers.official766_manual")
    }
    assert changes == {("g1", None, "17.5"), ("g1", "17.50", "12"), ("g2", None, "19.25")}


def test_import_keeps_a_typed_in_group_1_when_the_portal_left_it_blank(
    world: SimpleNamespace,
) -> None:
    client = world.clients["secretariat"]
    client.post(ENTRY, {**AUGUST, "g1": "16"})
    upload = io.BytesIO(b"unit,year,month,g1,g2,g3,g4,g5\n01969@2025,2025,8,,20,22,11,18\n")
    upload.name = "766.csv"
    response = client.post("/dossiers/indicators/?unit=01969@2025&year=2025", {"file": upload})
    assert response.status_code == 302
    score = Official766Score.objects.get()
    assert (score.g1, score.g1_manual, score.g2, score.g5) == (
        Decimal("16.00"), True, Decimal("20.00"), Decimal("18.00"),
    )  # fmt: skip
    upload = io.BytesIO(b"unit,year,month,g1,g2,g3,g4,g5\n01969@2025,2025,8,14,20,22,11,18\n")
    upload.name = "766.csv"
    client.post("/dossiers/indicators/?unit=01969@2025&year=2025", {"file": upload})
    score.refresh_from_db()
    assert (score.g1, score.g1_manual) == (Decimal("14.00"), False)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"g1": "19"}, "Điểm nhóm 1 (công khai, minh bạch): 19 ngoài khoảng 0–18 điểm"),
        ({"g1": "-1"}, "Điểm nhóm 1 (công khai, minh bạch): -1 ngoài khoảng 0–18 điểm"),
        ({"g1": "mười"}, "Điểm nhóm 1 (công khai, minh bạch): “mười” không phải số"),
        ({"g1": ""}, "Điểm nhóm 1 (công khai, minh bạch): chưa nhập điểm"),
        ({"g1": "17,555"}, "Điểm nhóm 1 (công khai, minh bạch): 17,555 có quá 2 chữ số thập phân"),
        ({"g1": "17", "g3": "22,5"}, "Điểm nhóm 3: 22,5 ngoài khoảng 0–22 điểm"),
        ({"g1": "17", "month": "13"}, "Tháng: “13” không hợp lệ (1–12)"),
        ({"g1": "17", "year": "1999"}, "Năm: “1999” không hợp lệ (2000–2100)"),
        ({"g1": "17", "year": "2100", "month": "12"}, "Tháng: 12/2100 chưa đến"),
        ({"g1": "17", "unit": ""}, "Đơn vị: chưa chọn đơn vị"),
        ({"g1": "17", "unit": "99999@2025"}, "Đơn vị: "),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    world: SimpleNamespace, fields: dict[str, str], message: str
) -> None:
    response = world.clients["secretariat"].post(ENTRY, {**AUGUST, **fields})
    assert response.status_code == 400
    assert message in response.context["errors"][0]
    assert message.split(":")[0] in response.content.decode()
    assert not Official766Score.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="dossiers.official766").exists()
