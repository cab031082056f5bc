"""The assessment workflow through the URLs: self-assessment, appraisal, explanation,
publication, reopening, verify, imports, exports, permissions and query counts."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.accounts.models import Role
from cchc.assessments import services
from cchc.assessments.models import (
    Assessment,
    AssessmentStatus,
    Result,
    SignOff,
    Stage,
    StageScore,
)
from cchc.frameworks.services import indexset_import
from cchc.units.models import Unit
from tests.conftest import PASSWORD
from tests.sets import small_par_yaml

pytestmark = pytest.mark.django_db

SET_YAML = small_par_yaml("TEST-PAR", "Bộ thử")


def _unit(code: str, name: str, kind: str, level: int, parent: Unit | None = None) -> Unit:
    return Unit.objects.create(
        code=code, hierarchy="2025", name=name, kind=kind, level=level, parent=parent
    )


@pytest.fixture
def world(make_user: Any) -> SimpleNamespace:
    w = SimpleNamespace()
    w.prov = _unit("19", "Tỉnh Thái Nguyên", "province", 1)
    w.a = _unit("01969", "Xã Phủ Thông", "commune", 3, w.prov)
    w.b = _unit("01970", "Xã Cẩm Giàng", "commune", 3, w.prov)
    w.far = _unit("01", "Thành phố Hà Nội", "city", 1)
    w.index_set = indexset_import(SET_YAML, filename="test.yaml", publish=True)
    w.secretariat = make_user("sec", Role.SECRETARIAT, w.prov)
    w.officer = make_user("off_a", Role.UNIT_OFFICER, w.a)
    w.officer_b = make_user("off_b", Role.UNIT_OFFICER, w.b)
    w.appraiser = make_user("appr", Role.APPRAISER, w.prov)
    w.leader = make_user("lead", Role.LEADER, w.prov)
    w.outsider = make_user("out", Role.SECRETARIAT, w.far)
    today = date.today()
    w.rnd = services.round_open(
        user=w.secretariat,
        code="par-2024",
        name="Chỉ số CCHC 2024",
        index_set=w.index_set,
        owner_unit=w.prov,
        units=[w.a, w.b],
        deadlines=services.Deadlines(*(today + timedelta(days=d) for d in (5, 10, 15, 20, 25))),
    )
    services.appraiser_assign(user=w.secretariat, rnd=w.rnd, appraiser=w.appraiser, unit=None)
    w.asm = Assessment.objects.get(round=w.rnd, unit=w.a)
    w.asm_b = Assessment.objects.get(round=w.rnd, unit=w.b)
    return w


def client_for(user: Any) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def save(
    c: Client,
    asm: Assessment,
    code: str,
    stage: str,
    value: str,
    note: str = "",
    htmx: bool = False,
) -> Any:
    current = services.current_scores(asm).get((stage, code))
    base = services.version_of(current) if current and current.revision == asm.revision else ""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return c.post(
        reverse("assessments:save", args=[asm.pk, code]),
        {"stage": stage, "value": value, "note": note, "base": base},
        **headers,
    )


def self_assess(c: Client, asm: Assessment, note: str = "") -> None:
    assert save(c, asm, "I.1", "self", "đúng hạn", note, htmx=True).status_code == 200
    assert save(c, asm, "I.2", "self", "4", note).status_code == 302
    assert save(c, asm, "II.1", "self", "9/10", "không có tệp: xem cổng TTĐT").status_code == 302


def test_full_workflow_with_exact_figures(world: SimpleNamespace) -> None:
    w = world
    off, appr, sec = client_for(w.officer), client_for(w.appraiser), client_for(w.secretariat)
    # HTMX save answers with the criterion's row, points computed at once.
    r = save(off, w.asm, "I.1", "self", "trễ hạn", htmx=True)
    assert (
        r.status_code == 200
        and b'id="c-I.1"' in r.content
        and b'<strong class="pts">1</strong>' in r.content
    )
    self_assess(off, w.asm)
    # Evidence upload for the criteria without an explanation.
    for code in ("I.1", "I.2"):
        f = io.BytesIO(b"%PDF-1.4\n% ke hoach\n%%EOF\n")
        f.name = f"kh-{code}.pdf"
        r = off.post(reverse("assessments:evidence", args=[w.asm.pk, code]), {"file": f})
        assert r.status_code == 302
    r = off.post(reverse("assessments:submit", args=[w.asm.pk]), {"stage": "self"})
    w.asm.refresh_from_db()
    assert w.asm.status == AssessmentStatus.APPRAISAL_1
    sign = SignOff.objects.get(assessment=w.asm, stage="self")
    assert len(sign.sha256) == 64 and '"points":"2"' in sign.payload
    # The locked stage stays locked.
    assert save(off, w.asm, "I.1", "self", "trễ hạn").status_code == 302
    assert StageScore.objects.get(assessment=w.asm, stage="self", criterion_code="I.1").points == 2
    # Appraiser: a differing score needs a reason.
    r = save(appr, w.asm, "II.1", "appraisal_1", "6/10", htmx=True)
    assert "phải ghi lý do".encode() in r.content
    r = save(appr, w.asm, "II.1", "appraisal_1", "6/10", "3 văn bản ký giấy", htmx=True)
    assert r.status_code == 200
    appr.post(reverse("assessments:submit", args=[w.asm.pk]), {"stage": "appraisal_1"})
    w.asm.refresh_from_db()
    assert w.asm.status == AssessmentStatus.EXPLANATION
    r = save(off, w.asm, "II.1", "explanation", "", "Đã bổ sung 2 văn bản điện tử")
    assert r.status_code == 302
    off.post(reverse("assessments:submit", args=[w.asm.pk]), {"stage": "explanation"})
    save(appr, w.asm, "II.1", "appraisal_2", "8/10", "chấp nhận một phần giải trình")
    appr.post(reverse("assessments:submit", args=[w.asm.pk]), {"stage": "appraisal_2"})
    # The other unit: no appraisal changes → final at once.
    off_b = client_for(w.officer_b)
    r = off_b.post(reverse("assessments:submit", args=[w.asm_b.pk]), {"stage": "self"}, follow=True)
    assert "Chưa tự chấm 3 tiêu chí: I.1, I.2, II.1" in r.content.decode()
    self_assess(off_b, w.asm_b)
    r = off_b.post(reverse("assessments:submit", args=[w.asm_b.pk]), {"stage": "self"}, follow=True)
    assert "phải ghi giải thích: I.1, I.2" in r.content.decode()
    self_assess(off_b, w.asm_b, "văn bản lưu tại xã")
    off_b.post(reverse("assessments:submit", args=[w.asm_b.pk]), {"stage": "self"})
    w.asm_b.refresh_from_db()
    assert w.asm_b.status == AssessmentStatus.APPRAISAL_1
    appr.post(reverse("assessments:submit", args=[w.asm_b.pk]), {"stage": "appraisal_1"})
    w.asm_b.refresh_from_db()
    assert w.asm_b.status == AssessmentStatus.FINAL
    # Survey points, all-or-nothing.
    bad = io.BytesIO(b"unit,code,points\n01969@2025,II.2,2.5\n01970@2025,II.2,4\n")
    bad.name = "s.csv"
    r = sec.post(reverse("assessments:survey", args=[w.rnd.pk]), {"file": bad})
    assert "Dòng 3, cột C".encode() in r.content
    assert not StageScore.objects.filter(stage="survey").exists()
    good = io.BytesIO(b'unit,code,points\n01969@2025,II.2,"2,5"\n01970@2025,II.2,1\n')
    good.name = "s.csv"
    assert (
        sec.post(reverse("assessments:survey", args=[w.rnd.pk]), {"file": good}).status_code == 302
    )
    sec.post(reverse("assessments:publish", args=[w.rnd.pk]))
    w.rnd.refresh_from_db()
    assert w.rnd.is_published
    a = Result.objects.get(assessment=w.asm)
    b = Result.objects.get(assessment=w.asm_b)
    # A: 2 + 2 + 8/10×3 = 2,4 + 2,5 → 8,9 of 10 = 89,00 %; B: 2 + 2 + 2,7 + 1 = 7,7 → 77,00 %.
    assert (a.total, a.index, a.band, a.rank) == (Decimal("8.9"), Decimal("89.00"), "B", 1)
    assert (b.total, b.index, b.rank) == (Decimal("7.7"), Decimal("77.00"), 2)
    assert a.adjustment == Decimal("-0.3")
    assert a.fields[1]["self"] == "2.7000" or Decimal(a.fields[1]["self"]) == Decimal("2.7")
    # Ranking and scorecard show the exact figures; the chart bars carry them.
    page = sec.get(reverse("assessments:round", args=[w.rnd.pk])).content.decode()
    assert "89,00" in page and "77,00" in page
    assert 'data-value="89,00"' in page and "<title>Xã Phủ Thông: 89,00</title>" in page
    card = off.get(reverse("assessments:scorecard", args=[w.asm.pk])).content.decode()
    assert 'id="sc-index">89,00<' in card and 'id="sc-rank">1/2<' in card
    assert "chấp nhận một phần giải trình" in card and "kh-I.1.pdf" in card
    # Published: frozen. Reopen → new revision; old sign-off stays; marker shown.
    assert "đã công bố" in services_error(
        lambda: services.score_save(
            user=w.officer, assessment=w.asm, code="I.1", stage="self", value="x"
        )
    )
    r = sec.post(
        reverse("assessments:reopen", args=[w.asm.pk]),
        {"stage": "appraisal_2", "reason": "Sai sót khi tổng hợp"},
    )
    w.asm.refresh_from_db()
    assert (w.asm.revision, w.asm.status, w.asm.adjusted) == (2, "appraisal_2", True)
    save(appr, w.asm, "II.1", "appraisal_2", "9/10", "điều chỉnh sau công bố")
    appr.post(reverse("assessments:submit", args=[w.asm.pk]), {"stage": "appraisal_2"})
    a = Result.objects.get(assessment=w.asm)  # results are rewritten on each change
    assert (a.total, a.adjusted) == (Decimal("9.2"), True)
    assert SignOff.objects.filter(assessment=w.asm, stage="appraisal_2").count() == 2
    assert (
        "đã điều chỉnh" in sec.get(reverse("assessments:round", args=[w.rnd.pk])).content.decode()
    )
    checked, bad_list = services.verify(w.rnd)
    assert checked == 7 and bad_list == []


def services_error(fn: Any) -> str:
    with pytest.raises(services.WorkflowError) as exc:
        fn()
    return str(exc.value)


def test_verify_detects_a_row_changed_behind_the_orm(world: SimpleNamespace) -> None:
    w = world
    off = client_for(w.officer)
    self_assess(off, w.asm)
    StageScore.objects.filter(assessment=w.asm, criterion_code__in=["I.1", "I.2"]).update(
        note="có tài liệu"
    )
    off.post(reverse("assessments:submit", args=[w.asm.pk]), {"stage": "self"})
    out = io.StringIO()
    call_command("assessments_verify", "par-2024", stdout=out)
    assert "1 chữ ký khớp" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE assessments_stagescore SET points = 1 WHERE criterion_code = %s",
            ["I.2"],
        )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("assessments_verify", "par-2024", "01969@2025", stderr=err)
    assert "01969@2025 self" in err.getvalue()


def test_concurrent_save_is_refused_and_nothing_lost(world: SimpleNamespace) -> None:
    w = world
    off = client_for(w.officer)
    first = off.post(
        reverse("assessments:save", args=[w.asm.pk, "I.2"]),
        {"stage": "self", "value": "4", "base": ""},
    )
    assert first.status_code == 302
    # A second person loaded the page before the first save: base is empty.
    second = off.post(
        reverse("assessments:save", args=[w.asm.pk, "I.2"]),
        {"stage": "self", "value": "2", "base": ""},
        HTTP_HX_REQUEST="true",
    )
    assert "vừa được".encode() in second.content and second["X-Conflict"] == "1"
    assert StageScore.objects.get(assessment=w.asm, criterion_code="I.2").value == "4"


def test_deadline_enforced_on_write_and_extension(world: SimpleNamespace) -> None:
    w = world
    late = date.today() + timedelta(days=6)
    msg = services_error(
        lambda: services.score_save(
            user=w.officer, assessment=w.asm, code="I.1", stage="self", value="đúng hạn", today=late
        )
    )
    assert "quá hạn" in msg
    services.extension_set(user=w.secretariat, rnd=w.rnd, unit=w.a, stage="self", until=late)
    services.score_save(
        user=w.officer, assessment=w.asm, code="I.1", stage="self", value="đúng hạn", today=late
    )


def test_offline_form_round_trip(world: SimpleNamespace) -> None:
    from openpyxl import load_workbook

    w = world
    off = client_for(w.officer)
    data = off.get(reverse("assessments:form", args=[w.asm.pk])).content
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet["A5"].value == "I" and sheet["A6"].value == "I.1" and sheet["D6"].value == 2
    assert sheet["G5"].value == "=SUM(G6,G7)"
    sheet["F6"] = "đúng hạn"
    sheet["F7"] = "abc"
    sheet["F9"] = "7/10"
    buf = io.BytesIO()
    book.save(buf)
    up = io.BytesIO(buf.getvalue())
    up.name = "form.xlsx"
    r = off.post(reverse("assessments:upload", args=[w.asm.pk]), {"file": up}, follow=True)
    assert "Dòng 7, cột F: tiêu chí I.2".encode() in r.content
    assert not StageScore.objects.filter(assessment=w.asm).exists()
    sheet["F7"] = 3
    buf = io.BytesIO()
    book.save(buf)
    up = io.BytesIO(buf.getvalue())
    up.name = "form.xlsx"
    off.post(reverse("assessments:upload", args=[w.asm.pk]), {"file": up})
    points = dict(
        StageScore.objects.filter(assessment=w.asm).values_list("criterion_code", "points")
    )
    assert points == {"I.1": Decimal(2), "I.2": Decimal(1), "II.1": Decimal("2.1")}


def test_ranking_export_has_numbers(world: SimpleNamespace) -> None:
    from openpyxl import load_workbook

    w = world
    self_assess(client_for(w.officer), w.asm)
    data = client_for(w.leader).get(reverse("assessments:export", args=[w.rnd.pk])).content
    sheet = load_workbook(io.BytesIO(data)).active
    assert sorted(sheet[f"B{r}"].value for r in (4, 5)) == ["Xã Cẩm Giàng", "Xã Phủ Thông"]
    # Appraisal not done yet: index 0 for both, a number cell with a number format.
    assert sheet["D4"].value == 0.0 and sheet["D4"].number_format == "0.00"


def test_ranking_query_count_is_constant(world: SimpleNamespace, make_user: Any) -> None:
    w = world
    sec = client_for(w.secretariat)
    url = reverse("assessments:round", args=[w.rnd.pk])
    sec.get(url)
    with CaptureQueriesContext(connection) as few:
        sec.get(url)
    extra = [_unit(f"0200{i}", f"Xã Thêm {i}", "commune", 3, w.prov) for i in range(6)]
    rnd2 = services.round_open(
        user=w.secretariat,
        code="par-2024b",
        name="Đợt 2",
        index_set=w.index_set,
        owner_unit=w.prov,
        units=[w.a, w.b, *extra],
        deadlines=services.Deadlines(*(date.today() for _ in range(5))),
    )
    url2 = reverse("assessments:round", args=[rnd2.pk])
    sec.get(url2)
    with CaptureQueriesContext(connection) as many:
        sec.get(url2)
    assert len(few) == len(many)


def test_permission_matrix(world: SimpleNamespace) -> None:
    w = world
    a, rnd = w.asm.pk, w.rnd.pk
    gets = {
        "list": reverse("assessments:list"),
        "new": reverse("assessments:new"),
        "round": reverse("assessments:round", args=[rnd]),
        "export": reverse("assessments:export", args=[rnd]),
        "survey": reverse("assessments:survey", args=[rnd]),
        "assessment": reverse("assessments:assessment", args=[a]),
        "form": reverse("assessments:form", args=[a]),
        "scorecard": reverse("assessments:scorecard", args=[a]),
    }
    posts = {
        "publish": reverse("assessments:publish", args=[rnd]),
        "computed": reverse("assessments:computed", args=[rnd]),
        "appraisers": reverse("assessments:appraisers", args=[rnd]),
        "save": reverse("assessments:save", args=[a, "I.1"]),
        "evidence": reverse("assessments:evidence", args=[a, "I.1"]),
        "submit": reverse("assessments:submit", args=[a]),
        "reopen": reverse("assessments:reopen", args=[a]),
        "upload": reverse("assessments:upload", args=[a]),
    }
    expected_get = {
        "officer": {
            "list": 200,
            "new": 403,
            "round": 200,
            "export": 200,
            "survey": 403,
            "assessment": 200,
            "form": 200,
            "scorecard": 200,
        },
        "officer_b": {
            "list": 200,
            "new": 403,
            "round": 200,
            "export": 200,
            "survey": 403,
            "assessment": 404,
            "form": 404,
            "scorecard": 404,
        },
        "appraiser": {
            "list": 200,
            "new": 403,
            "round": 200,
            "export": 200,
            "survey": 403,
            "assessment": 200,
            "form": 200,
            "scorecard": 200,
        },
        "secretariat": {
            "list": 200,
            "new": 200,
            "round": 200,
            "export": 200,
            "survey": 200,
            "assessment": 200,
            "form": 200,
            "scorecard": 200,
        },
        "leader": {
            "list": 200,
            "new": 403,
            "round": 200,
            "export": 200,
            "survey": 403,
            "assessment": 200,
            "form": 200,
            "scorecard": 200,
        },
        "outsider": {
            "list": 200,
            "new": 200,
            "round": 404,
            "export": 404,
            "survey": 404,
            "assessment": 404,
            "form": 404,
            "scorecard": 404,
        },
    }
    # POSTs: who may act at this point (the assessment is in SELF).
    expected_post = {
        "officer": {
            "publish": 403,
            "computed": 403,
            "appraisers": 403,
            "save": 302,
            "evidence": 302,
            "submit": 302,
            "reopen": 403,
            "upload": 302,
        },
        "officer_b": {k: 403 if k in ("publish", "computed", "appraisers") else 404 for k in posts},
        "appraiser": {
            "publish": 403,
            "computed": 403,
            "appraisers": 403,
            "save": 403,
            "evidence": 403,
            "submit": 403,
            "reopen": 403,
            "upload": 403,
        },
        "secretariat": {
            "publish": 302,
            "computed": 302,
            "appraisers": 302,
            "save": 403,
            "evidence": 403,
            "submit": 403,
            "reopen": 302,
            "upload": 403,
        },
        "leader": {
            "publish": 403,
            "computed": 403,
            "appraisers": 403,
            "save": 403,
            "evidence": 403,
            "submit": 403,
            "reopen": 403,
            "upload": 403,
        },
        "outsider": {k: 404 for k in posts},
    }
    for who, expect in expected_get.items():
        c = client_for(getattr(w, who))
        for name, url in gets.items():
            assert c.get(url).status_code == expect[name], (who, name)
    for who, expect in expected_post.items():
        c = client_for(getattr(w, who))
        for name, url in posts.items():
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                if headers and expect[name] == 302:
                    continue
                status = c.post(url, {"stage": "self", "value": "đúng hạn"}, **headers).status_code
                assert status == expect[name], (who, name, headers)
    # Leaders never write anything.
    assert not StageScore.objects.filter(author=w.leader).exists()
    assert Assessment.objects.get(pk=a).revision == 1  # a reopen without a reason is refused
    _ = Stage
