"""The shape of the result pipeline, independent of the machine: how many queries a
refresh and the ranking page take for rounds of different sizes, that a saved criterion
rewrites one result and only the ranks that moved, and that totals stay exact decimals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cchc.accounts.models import Role
from cchc.assessments import results, services
from cchc.assessments.models import Assessment, AssessmentRound, Result, Stage, StageScore
from cchc.frameworks.services import indexset_import
from cchc.units.models import Unit

pytestmark = pytest.mark.django_db

SET_YAML = """
code: SHAPE
name: Bộ thử hình dạng
kind: PAR
year: 2024
max_points: 3
display: percent
display_precision: 2
nodes:
  - code: A
    title: Lĩnh vực A
    max: 3
    children:
      - {code: A.1, title: Một, max: 1, rule: {type: manual, step: 0.0001}}
      - {code: A.2, title: Hai, max: 1, rule: {type: manual, step: 0.0001}}
      - {code: A.3, title: Ba, max: 1, rule: {type: manual, step: 0.0001}}
"""
CODES = ("A.1", "A.2", "A.3")


@pytest.fixture
def base(make_user: Any) -> tuple[Unit, Any, Any]:
    prov = Unit.objects.create(code="19", hierarchy="2025", name="Tỉnh", kind="province", level=1)
    index_set = indexset_import(SET_YAML, filename="shape.yaml", publish=True)
    return prov, index_set, make_user("sec", Role.SECRETARIAT, prov)


def _round(base: tuple[Unit, Any, Any], code: str, n: int) -> AssessmentRound:
    prov, index_set, sec = base
    units = Unit.objects.bulk_create(
        Unit(code=f"{code}{i:04d}", hierarchy="2025", name=f"Xã {code} {i}", kind="commune",
             level=3, parent=prov, sort_key=f"{code}{i:04d}")
        for i in range(n)
    )  # fmt: skip
    today = date.today()
    return services.round_open(
        user=sec,
        code=code,
        name=f"Đợt {code}",
        index_set=index_set,
        owner_unit=prov,
        units=units,
        allow_appraisal=False,
        deadlines=services.Deadlines(*(today + timedelta(days=d) for d in (1, 2, 3, 4, 5))),
    )


def _fill(rnd: AssessmentRound, points: list[list[str]]) -> list[int]:
    ids = list(rnd.assessments.order_by("unit__sort_key").values_list("pk", flat=True))
    StageScore.objects.bulk_create(
        StageScore(assessment_id=aid, criterion_code=code, stage=Stage.SELF, value=p,
                   points=Decimal(p))
        for aid, row in zip(ids, points, strict=True)
        for code, p in zip(CODES, row, strict=True)
    )  # fmt: skip
    return ids


def test_refresh_query_count_does_not_grow_with_the_round(base: Any) -> None:
    small, large = _round(base, "s", 2), _round(base, "l", 40)
    counts = []
    for rnd in (small, large):
        _fill(rnd, [["0.5", "0.25", "1"]] * rnd.assessments.count())
        with CaptureQueriesContext(connection) as ctx:
            results.refresh(rnd)
        counts.append(len(ctx))
        loads = [q["sql"] for q in ctx if "assessments_stagescore" in q["sql"]]
        assert len(loads) == 1  # the scores of the whole round in one query
    assert counts[0] == counts[1]
    assert set(Result.objects.filter(round=large).values_list("rank", flat=True)) == {1}


def test_totals_are_exact_decimals(base: Any) -> None:
    rnd = _round(base, "x", 3)
    rows = [["0.1", "0.2", "0.3333"], ["0.7", "0.1", "0.2"], ["0.0001", "0.0002", "0.9997"]]
    ids = _fill(rnd, rows)
    results.refresh(rnd)
    for aid, row in zip(ids, rows, strict=True):
        stored = Result.objects.get(assessment_id=aid)
        assert stored.total == sum((Decimal(p) for p in row), Decimal(0))
        assert Decimal(stored.fields[0]["final"]) == stored.total
    by_id = dict(Result.objects.filter(round=rnd).values_list("assessment_id", "index"))
    assert by_id[ids[0]] == Decimal("21.11")  # 0,6333 / 3 = 21,11 %
    assert by_id[ids[1]] == by_id[ids[2]] == Decimal("33.33")
    ranks = dict(Result.objects.filter(round=rnd).values_list("assessment_id", "rank"))
    assert [ranks[a] for a in ids] == [3, 1, 1]  # a tie shares rank 1; then 3


def test_one_saved_criterion_rewrites_one_result_and_the_moved_ranks(base: Any) -> None:
    rnd = _round(base, "p", 6)
    ids = _fill(rnd, [[str(Decimal(i) / 10), "0", "0"] for i in (6, 5, 4, 3, 2, 1)])
    results.refresh(rnd)
    before = dict(Result.objects.filter(round=rnd).values_list("assessment_id", "computed_at"))
    last = Assessment.objects.get(pk=ids[-1])
    # The last unit saves a criterion worth 1 point and jumps to the top.
    sec = base[2]
    officer_unit = last.unit
    from cchc.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=sec, role=Role.UNIT_OFFICER, unit=officer_unit)
    from cchc.accounts.permissions import clear_cache

    clear_cache(sec)
    current = services.current_scores(last)[(Stage.SELF, "A.2")]
    with CaptureQueriesContext(connection) as ctx:
        services.score_save(
            user=sec,
            assessment=last,
            code="A.2",
            stage=Stage.SELF,
            value="1",
            base=services.version_of(current),
        )
    ranks = dict(Result.objects.filter(round=rnd).values_list("assessment_id", "rank"))
    assert [ranks[a] for a in ids] == [2, 3, 4, 5, 6, 1]
    after = dict(Result.objects.filter(round=rnd).values_list("assessment_id", "computed_at"))
    assert [a for a in ids if after[a] != before[a]] == [ids[-1]]  # one result recomputed
    rank_updates = [q for q in ctx if q["sql"].startswith('UPDATE "assessments_result"')]
    assert len(rank_updates) == 5  # one UPDATE per changed rank value, never per round
    loads = [
        q
        for q in ctx
        if 'FROM "assessments_stagescore"' in q["sql"]
        and '"assessments_assessment"."revision"' in q["sql"]
    ]
    assert len(loads) == 1 and str(last.pk) in loads[0]["sql"]
    # Saving the same value again moves nothing: no rank UPDATE at all.
    current = services.current_scores(last)[(Stage.SELF, "A.2")]
    with CaptureQueriesContext(connection) as again:
        services.score_save(
            user=sec,
            assessment=last,
            code="A.2",
            stage=Stage.SELF,
            value="1",
            base=services.version_of(current),
        )
    assert not [q for q in again if q["sql"].startswith('UPDATE "assessments_result"')]


def test_ranking_page_query_count_is_constant_across_round_sizes(base: Any) -> None:
    client = Client()
    client.force_login(base[2])
    counts = []
    for code, n in (("r", 3), ("q", 130)):
        rnd = _round(base, code, n)
        _fill(rnd, [[str(Decimal(i % 7) / 7)[:6], "0.5", "0"] for i in range(n)])
        results.refresh(rnd)
        url = f"/assessments/{rnd.pk}/"
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx))
    assert "1 / 2" in response.content.decode()  # 130 units: two pages of 100
    assert counts[0] == counts[1]
