"""The read-only assessments API: rounds and ranked results with exact figures, the same
permissions as the pages (outsiders get 404, anonymous 401), paging and the schema."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cchc.accounts.models import Role
from cchc.assessments import services
from cchc.assessments.models import Assessment
from cchc.frameworks.services import indexset_import
from tests.conftest import PASSWORD
from tests.sets import small_par_yaml
from tests.web.test_assessments import _unit

pytestmark = pytest.mark.django_db

SET_YAML = small_par_yaml("API-PAR", "Bộ thử API")


def _self(user: Any, asm: Assessment, values: dict[str, str]) -> None:
    for code, value in values.items():
        services.score_save(
            user=user, assessment=asm, code=code, stage="self", value=value, note="xem hồ sơ"
        )


@pytest.fixture
def world(make_user: Any) -> SimpleNamespace:
    w = SimpleNamespace()
    w.prov = _unit("19", "Tỉnh Thái Nguyên", "province", 1)
    w.a = _unit("01969", "Xã Phủ Thông", "commune", 3, w.prov)
    w.b = _unit("01970", "Xã Cẩm Giàng", "commune", 3, w.prov)
    w.far = _unit("01", "Thành phố Hà Nội", "city", 1)
    w.index_set = indexset_import(SET_YAML, filename="api.yaml", publish=True)
    w.secretariat = make_user("sec", Role.SECRETARIAT, w.prov)
    w.officer = make_user("off_a", Role.UNIT_OFFICER, w.a)
    w.officer_b = make_user("off_b", Role.UNIT_OFFICER, w.b)
    w.leader = make_user("lead", Role.LEADER, w.prov)
    w.outsider = make_user("out", Role.SECRETARIAT, w.far)
    today = date.today()
    w.rnd = services.round_open(
        user=w.secretariat,
        code="api-2024",
        name="Chỉ số CCHC 2024",
        index_set=w.index_set,
        owner_unit=w.prov,
        units=[w.a, w.b],
        allow_appraisal=False,
        deadlines=services.Deadlines(*(today + timedelta(days=d) for d in (5, 10, 15, 20, 25))),
    )
    asm_a = Assessment.objects.get(round=w.rnd, unit=w.a)
    asm_b = Assessment.objects.get(round=w.rnd, unit=w.b)
    _self(w.officer, asm_a, {"I.1": "đúng hạn", "I.2": "4", "II.1": "9/10"})
    _self(w.officer_b, asm_b, {"I.1": "trễ hạn", "I.2": "2", "II.1": "1/2"})
    services.survey_import(
        user=w.secretariat,
        rnd=w.rnd,
        rows=[(2, "01969@2025", "II.2", "2,5"), (3, "01970@2025", "II.2", "1")],
    )
    w.asm_a, w.asm_b = asm_a, asm_b
    return w


def client_for(user: Any) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_rounds_list_and_detail(world: SimpleNamespace) -> None:
    w = world
    rounds = client_for(w.officer).get("/api/assessments/rounds/").json()
    assert rounds == [
        {
            "id": w.rnd.pk,
            "code": "api-2024",
            "name": "Chỉ số CCHC 2024",
            "year": 2024,
            "status": "open",
            "published_at": None,
            "owner_unit": "19@2025",
            "units": 2,
            "index_set": {
                "code": "API-PAR",
                "name": "Bộ thử API",
                "display": "percent",
                "display_precision": 2,
                "max_points": "10",
            },
            "is_synthetic": False,
        }
    ]
    detail = client_for(w.leader).get(f"/api/assessments/rounds/{w.rnd.pk}/").json()
    assert detail == rounds[0]


def test_results_exact_figures(world: SimpleNamespace) -> None:
    w = world
    page = client_for(w.secretariat).get(f"/api/assessments/rounds/{w.rnd.pk}/results/").json()
    assert (page["count"], page["page"], page["pages"], page["page_size"]) == (2, 1, 1, 100)
    first, second = page["items"]
    # Phủ Thông: 2 + 2 + 3 × 9/10 + survey 2,5 = 9,2 of 10 → 92,00 %.
    assert first == {
        "rank": 1,
        "assessment_id": w.asm_a.pk,
        "unit": "01969@2025",
        "unit_name": "Xã Phủ Thông",
        "index": "92.00",
        "band": "A",
        "total": "9.2",
        "max_total": "10",
        "lost": "0.8",
        "self_total": "6.7",
        "adjustment": "0",
        "previous_index": None,
        "delta": None,
        "missing": 0,
        "adjusted": False,
        "is_synthetic": False,
        "fields": [
            {"code": "I", "label": "I", "title": "Chỉ đạo điều hành", "max": "4",
             "self": "4", "appraisal": "4", "survey": "0", "final": "4", "lost": "0"},
            {"code": "II", "label": "II", "title": "Tác động", "max": "6",
             "self": "2.7", "appraisal": "2.7", "survey": "2.5", "final": "5.2", "lost": "0.8"},
        ],
    }  # fmt: skip
    # Cẩm Giàng: 1 + 1 + 3 × 1/2 + 1 = 4,5 → 45,00 %.
    assert (second["rank"], second["unit"], second["index"], second["total"]) == (
        2,
        "01970@2025",
        "45.00",
        "4.5",
    )
    assert [f["final"] for f in second["fields"]] == ["2", "2.5"]
    # The filter of the page: by parent unit.
    other = client_for(w.secretariat).get(
        f"/api/assessments/rounds/{w.rnd.pk}/results/", {"parent": w.far.pk}
    )
    assert other.status_code == 200
    assert (other.json()["count"], other.json()["items"]) == (0, [])


def test_outsiders_and_anonymous(world: SimpleNamespace) -> None:
    w = world
    out = client_for(w.outsider)
    assert out.get("/api/assessments/rounds/").json() == []
    assert out.get(f"/api/assessments/rounds/{w.rnd.pk}/").status_code == 404
    assert out.get(f"/api/assessments/rounds/{w.rnd.pk}/results/").status_code == 404
    # The page answers the same for the same user.
    assert out.get(f"/assessments/{w.rnd.pk}/").status_code == 404
    anonymous = Client()
    assert anonymous.get("/api/assessments/rounds/").status_code == 401
    assert anonymous.get(f"/api/assessments/rounds/{w.rnd.pk}/results/").status_code == 401
    sec = client_for(w.secretariat)
    assert sec.get("/api/assessments/rounds/999999/results/").status_code == 404
    assert sec.get(f"/api/assessments/rounds/{w.rnd.pk}/results/?page=2").status_code == 404
    assert sec.get(f"/api/assessments/rounds/{w.rnd.pk}/results/?page=0").status_code == 422
    # Read-only: no write method exists.
    assert sec.post(f"/api/assessments/rounds/{w.rnd.pk}/results/").status_code == 405


def test_results_query_count_is_constant(world: SimpleNamespace) -> None:
    w = world
    sec = client_for(w.secretariat)
    url = f"/api/assessments/rounds/{w.rnd.pk}/results/"
    sec.get(url)
    with CaptureQueriesContext(connection) as few:
        assert sec.get(url).status_code == 200
    extra = [_unit(f"0200{i}", f"Xã Thêm {i}", "commune", 3, w.prov) for i in range(6)]
    bigger = services.round_open(
        user=w.secretariat,
        code="api-2024b",
        name="Đợt 2",
        index_set=w.index_set,
        owner_unit=w.prov,
        units=[w.a, w.b, *extra],
        deadlines=services.Deadlines(*(date.today() for _ in range(5))),
    )
    url2 = f"/api/assessments/rounds/{bigger.pk}/results/"
    sec.get(url2)
    with CaptureQueriesContext(connection) as many:
        page = sec.get(url2).json()
    assert page["count"] == 8 and len(page["items"]) == 8
    assert len(few) == len(many)


def test_openapi_schema_lists_the_endpoints(world: SimpleNamespace) -> None:
    schema = client_for(world.leader).get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "/api/assessments/rounds/" in paths
    assert "/api/assessments/rounds/{pk}/results/" in paths
    assert set(paths["/api/assessments/rounds/{pk}/results/"]) == {"get"}
    assert "ResultPage" in schema["components"]["schemas"]
