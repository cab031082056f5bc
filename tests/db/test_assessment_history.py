"""A unit across the years through the criterion mappings, with exact figures.

Two small published sets: HIST-2024 and HIST-2025 (previous: HIST-2024) with a renamed,
a split and a merged criterion. Round 2024 scores TT Phủ Thông, Xã Vi Hương (legacy) and
Xã Khác; round 2025 scores Xã Phủ Thông (which took in the first two) and Xã Khác.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from cchc.assessments import services
from cchc.assessments.history import _unit_result, compare, set_chain, unit_history
from cchc.assessments.models import Assessment, AssessmentRound, Stage
from cchc.frameworks.services import indexset_import
from cchc.units.models import Unit, UnitLineage
from tests.conftest import create_user, module_rows

pytestmark = pytest.mark.django_db

SET_2024 = """
code: HIST-2024
name: Bộ chỉ số thử 2024
kind: PAR
year: 2024
max_points: 10
display: percent
nodes:
  - {code: I, label: I, title: Chỉ đạo điều hành, max: 6, children: [
      {code: I.1, title: Kế hoạch CCHC, max: 3},
      {code: I.2, title: Kiểm tra CCHC, max: 3}]}
  - {code: II, label: II, title: Thủ tục hành chính, max: 4, children: [
      {code: II.1, title: Công khai TTHC, max: 2},
      {code: II.2, title: Giải quyết TTHC, max: 2}]}
"""

SET_2025 = """
code: HIST-2025
name: Bộ chỉ số thử 2025
kind: PAR
year: 2025
previous: HIST-2024
max_points: 10
display: percent
nodes:
  - {code: I, label: I, title: Chỉ đạo điều hành, max: 6, maps_from: {kind: same, codes: [I]},
     children: [
      {code: I.1, title: Kế hoạch và báo cáo CCHC, max: 3,
       maps_from: {kind: renamed, codes: [I.1]}},
      {code: I.2a, title: Kiểm tra CCHC, max: 1.5, maps_from: {kind: split, codes: [I.2]}},
      {code: I.2b, title: Xử lý sau kiểm tra, max: 1.5,
       maps_from: {kind: split, codes: [I.2]}}]}
  - {code: II, label: II, title: Thủ tục hành chính, max: 4, maps_from: {kind: same, codes: [II]},
     children: [
      {code: II.1, title: Công khai và giải quyết TTHC, max: 4,
       maps_from: {kind: merged, codes: [II.1, II.2]}}]}
"""

REFORM = date(2025, 7, 1)

SCORES_2024 = {
    "tt_pt": {"I.1": "3", "I.2": "2", "II.1": "1,5", "II.2": "1"},  # 7,5 → 75,00
    "vh": {"I.1": "2", "I.2": "1", "II.1": "2", "II.2": "2"},  # 7 → 70,00
    "other": {"I.1": "3", "I.2": "3", "II.1": "2", "II.2": "1,5"},  # 9,5 → 95,00
}
SCORES_2025 = {
    "pt": {"I.1": "2,5", "I.2a": "1,5", "I.2b": "1", "II.1": "3"},  # 8 → 80,00
    "other": {"I.1": "3", "I.2a": "1", "I.2b": "1,5", "II.1": "3,5"},  # 9 → 90,00
}


def _unit(code: str, hierarchy: str, name: str, kind: str, level: int, parent: Any = None) -> Unit:
    legacy = hierarchy == "legacy"
    return Unit.objects.create(
        code=code,
        hierarchy=hierarchy,
        name=name,
        kind=kind,
        level=level,
        parent=parent,
        valid_from=None if legacy else REFORM,
        valid_to=date(2025, 6, 30) if legacy else None,
    )


def _score_round(
    rnd: AssessmentRound, root: Any, units: dict[str, Unit], scores: dict[str, dict[str, str]]
) -> None:
    for name, entries in scores.items():
        asm = Assessment.objects.get(round=rnd, unit=units[name])
        for code, value in entries.items():
            services.score_save(
                user=root, assessment=asm, code=code, stage=Stage.SELF, value=value, note="tự chấm"
            )
        services.stage_submit(user=root, assessment=asm, stage=Stage.SELF)
    services.round_publish(user=root, rnd=rnd)


def build_history_world(make_user: Any) -> SimpleNamespace:
    w = SimpleNamespace()
    w.tn = _unit("19", "2025", "Tỉnh Thái Nguyên", "province", 1)
    w.pt = _unit("01969", "2025", "Xã Phủ Thông", "commune", 3, w.tn)
    w.other = _unit("01990", "2025", "Xã Khác", "commune", 3, w.tn)
    w.bk = _unit("06", "legacy", "Tỉnh Bắc Kạn", "province", 1)
    w.bt = _unit("061", "legacy", "Huyện Bạch Thông", "district", 2, w.bk)
    w.tt_pt = _unit("01969", "legacy", "Thị trấn Phủ Thông", "township", 3, w.bt)
    w.vh = _unit("01972", "legacy", "Xã Vi Hương", "commune", 3, w.bt)
    for pred in (w.tt_pt, w.vh):
        UnitLineage.objects.create(predecessor=pred, successor=w.pt, effective=REFORM, kind="merge")
    w.root = make_user("root", is_superuser=True, is_staff=True)
    w.set24 = indexset_import(SET_2024, filename="hist-2024.yaml", publish=True)
    w.set25 = indexset_import(SET_2025, filename="hist-2025.yaml", publish=True)
    deadlines = services.Deadlines(*(date.today() + timedelta(days=d) for d in (5, 6, 7, 8, 9)))
    units = {n: getattr(w, n) for n in ("pt", "other", "tt_pt", "vh")}
    w.r24 = services.round_open(
        user=w.root,
        code="hist-2024",
        name="Chỉ số CCHC 2024 (thử)",
        index_set=w.set24,
        owner_unit=w.tn,
        units=[w.tt_pt, w.vh, w.other],
        deadlines=deadlines,
        allow_appraisal=False,
        is_synthetic=True,
    )
    _score_round(w.r24, w.root, units, SCORES_2024)
    w.r25 = services.round_open(
        user=w.root,
        code="hist-2025",
        name="Chỉ số CCHC 2025 (thử)",
        index_set=w.set25,
        owner_unit=w.tn,
        units=[w.pt, w.other],
        deadlines=deadlines,
        allow_appraisal=False,
        previous=w.r24,
        is_synthetic=True,
    )
    _score_round(w.r25, w.root, units, SCORES_2025)
    w.asm_pt = Assessment.objects.get(round=w.r25, unit=w.pt)
    w.asm_other = Assessment.objects.get(round=w.r25, unit=w.other)
    return w


@pytest.fixture(scope="module")
def hist_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[SimpleNamespace]:
    """The world written once for this module's tests (see tests.conftest.module_rows)."""
    with module_rows(django_db_blocker):
        yield build_history_world(create_user)


@pytest.fixture
def hist(hist_once: SimpleNamespace, db: Any) -> SimpleNamespace:
    return copy.deepcopy(hist_once)  # fresh instances for each test, as setUpTestData gives


D = Decimal


def _rows(criteria: Any) -> list[tuple[Any, ...]]:
    return [(c.kind, c.codes, c.previous_codes, c.previous_points, c.points) for c in criteria]


def test_merged_unit_shows_each_predecessor_on_its_own_line(hist: SimpleNamespace) -> None:
    assert set_chain(hist.set25) == ("HIST-2025", "HIST-2024")
    assert set_chain(hist.set24) == ("HIST-2024",)
    history = unit_history(hist.asm_pt)
    summary = [
        (h.unit_name, h.year, h.index, h.rank, h.of, h.band, h.delta, h.is_predecessor)
        for h in history.lines
    ]
    assert summary == [
        ("Xã Phủ Thông", 2025, D("80.00"), 2, 2, "B", None, False),
        ("Thị trấn Phủ Thông (cũ)", 2024, D("75.00"), 2, 3, "", None, True),
        ("Xã Vi Hương (cũ)", 2024, D("70.00"), 3, 3, "", None, True),
    ]
    own, tt, vh = history.lines
    assert own.criteria == () and own.compared_with is None
    # Each predecessor's points on the criteria that continue into the 2025 set; no delta.
    assert _rows(tt.criteria) == [
        ("same", ("I",), ("I",), D("5.0000"), None),
        ("renamed", ("I.1",), ("I.1",), D("3.0000"), None),
        ("split", ("I.2a", "I.2b"), ("I.2",), D("2.0000"), None),
        ("same", ("II",), ("II",), D("2.5000"), None),
        ("merged", ("II.1",), ("II.1", "II.2"), D("2.5000"), None),
    ]
    assert [c.previous_points for c in vh.criteria] == [D(3), D(2), D(1), D(4), D(4)]
    assert all(c.delta is None for c in tt.criteria + vh.criteria)


def test_same_unit_compares_through_the_mappings(hist: SimpleNamespace) -> None:
    history = unit_history(hist.asm_other)
    assert history.earlier == []
    first, second = history.own
    assert (first.year, first.index, first.rank, first.of, first.band) == (
        2024,
        D("95.00"),
        1,
        3,
        "A",
    )
    assert (second.year, second.index, second.rank, second.of) == (2025, D("90.00"), 1, 2)
    assert second.is_subject and not first.is_subject
    assert second.delta == D("-5.00") and second.compared_with == 2024
    assert [(c.kind, c.codes, c.previous_points, c.points, c.delta) for c in second.criteria] == [
        ("same", ("I",), D("6.0000"), D("5.5000"), D("-0.5000")),
        ("renamed", ("I.1",), D("3.0000"), D("3.0000"), D("0")),
        ("split", ("I.2a", "I.2b"), D("3.0000"), D("2.5000"), D("-0.5000")),
        ("same", ("II",), D("3.5000"), D("3.5000"), D("0")),
        ("merged", ("II.1",), D("3.5000"), D("3.5000"), D("0")),
    ]
    assert second.criteria[2].title == "Kiểm tra CCHC + Xử lý sau kiểm tra"
    assert second.criteria[2].kind_label == "tách"
    # Sets that do not map from one another are not compared; one set compares code by code.
    r25 = _unit_result(hist.asm_pt)
    r24 = _unit_result(Assessment.objects.get(round=hist.r24, unit=hist.vh))
    assert compare(r24, r25) is None  # 2024 does not map from 2025
    same = compare(r24, r24)
    assert same is not None and [c.codes[0] for c in same] == [
        "I",
        "I.1",
        "I.2",
        "II",
        "II.1",
        "II.2",
    ]
