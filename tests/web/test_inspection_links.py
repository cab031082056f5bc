"""A steering meeting with a published assessment round: lost points per field, the
explanation boxes, directives flagged for a remediation plan, the units' index results."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import Role
from cchc.assessments import services as assessments
from cchc.audit.models import AuditEvent
from cchc.frameworks.services import indexset_import
from cchc.inspections import links, services
from cchc.inspections.models import (
    BodyKind,
    Directive,
    EventKind,
    IssuingBody,
    LostPointExplanation,
)
from tests.conftest import PASSWORD
from tests.rounds import publish_round
from tests.sets import BANDS_A90_B60, small_par_yaml
from tests.web.test_permissions import build_tree

pytestmark = pytest.mark.django_db

SET_YAML = small_par_yaml("TEST-LINKS", "Bộ thử liên kết", bands=BANDS_A90_B60)

# points per criterion: Phủ Thông 6,75 / 10 (I: 3 of 4, II: 3,75 of 6), the other 10 / 10.


@pytest.fixture
def world(make_user: Any) -> SimpleNamespace:
    w = build_tree()
    w.officer = make_user("xa_pt", role=Role.UNIT_OFFICER, unit=w.pt)
    w.other_officer = make_user("xa_khac", role=Role.UNIT_OFFICER, unit=w.other)
    w.secretariat = make_user("vp_tn", role=Role.SECRETARIAT, unit=w.tn)
    w.appraiser = make_user("td_tn", role=Role.APPRAISER, unit=w.tn)
    w.leader = make_user("ld_tn", role=Role.LEADER, unit=w.tn)
    w.outsider = make_user("hn", role=Role.UNIT_OFFICER, unit=w.outside)
    w.index_set = indexset_import(SET_YAML, filename="links.yaml", publish=True)
    w.rnd = publish_round(
        w, code="par-test-2024", name="Chỉ số CCHC thử par-test-2024", index_set=w.index_set
    )
    w.body = IssuingBody.objects.create(
        kind=BodyKind.STEERING_COMMITTEE,
        name="Ban Chỉ đạo CCHC tỉnh Thái Nguyên",
        unit=w.tn,
        place="Thái Nguyên",
    )
    w.meeting = services.inspection_create(
        user=None,
        body=w.body,
        kind=EventKind.MEETING,
        title="Hội nghị BCĐ quý I năm 2025",
        on=date(2025, 3, 18),
        visits=[services.Visit(w.pt)],
        topics=["I", "II"],
    )
    w.directive = services.directive_create(
        user=None,
        event=w.meeting,
        text="Khẩn trương lập kế hoạch khắc phục điểm bị mất",
        units=[w.pt],
        ongoing=True,
        review_on=date(2025, 6, 30),
        field_code="I",
    )
    return w


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _page(c: Client, w: SimpleNamespace) -> Any:
    r = c.get(reverse("inspections:event_detail", args=[w.meeting.pk]))
    assert r.status_code == 200
    return r


def test_round_attached_lost_points_and_explanations(world: SimpleNamespace) -> None:
    w = world
    sec = _client(w.secretariat)
    page = _page(sec, w)
    assert page.context["losses"] == []
    assert [r.pk for r in page.context["round_form"].fields["round"].queryset] == [w.rnd.pk]
    r = sec.post(reverse("inspections:round_attach", args=[w.meeting.pk]), {"round": w.rnd.pk})
    assert r.status_code == 302 and r["Location"].endswith("#lost-points")
    w.meeting.refresh_from_db()
    assert w.meeting.assessment_round_id == w.rnd.pk
    assert AuditEvent.objects.filter(action="inspection.round_attach").count() == 1

    page = _page(sec, w)
    (loss,) = page.context["losses"]
    assert loss.unit == w.pt and (loss.result.index, loss.result.rank) == (Decimal("67.5"), 2)
    rows = [(f.code, f.max, f.achieved, f.lost) for f in loss.fields]
    assert rows == [
        ("I", Decimal(4), Decimal(3), Decimal(1)),
        ("II", Decimal(6), Decimal("3.75"), Decimal("2.25")),
    ]
    assert loss.lost == Decimal("3.25")
    html = page.content.decode()
    assert (
        f'<tr id="loss-{w.pt.pk}-II"><td>II. Tác động</td><td class="num">6,00</td>'
        '<td class="num">3,75</td><td class="num">2,25</td>'
    ) in html
    assert html.count('name="text"') == 2  # one box per field

    # The commune explains its lost points field by field (htmx, then a plain form).
    officer = _client(w.officer)
    url_i = reverse("inspections:explanation_save", args=[w.meeting.pk, w.pt.pk, "I"])
    r = officer.post(url_i, {"text": "  Kế hoạch CCHC ban hành trễ hạn. "}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    fragment = r.content.decode()
    assert fragment.startswith(f'<div id="expl-{w.pt.pk}-I">')
    assert "Kế hoạch CCHC ban hành trễ hạn.</textarea>" in fragment and "<html" not in fragment
    url_ii = reverse("inspections:explanation_save", args=[w.meeting.pk, w.pt.pk, "II"])
    r = officer.post(url_ii, {"text": "Khảo sát người dân đạt thấp."})
    assert r.status_code == 302 and r["Location"].endswith(f"#loss-{w.pt.pk}-II")
    saved = {
        e.field_code: e.text
        for e in LostPointExplanation.objects.filter(inspection=w.meeting, unit=w.pt)
    }
    assert saved == {"I": "Kế hoạch CCHC ban hành trễ hạn.", "II": "Khảo sát người dân đạt thấp."}
    assert AuditEvent.objects.filter(action="inspection.explanation").count() == 2
    # Saving the same text again records nothing; an edit is audited with old and new.
    officer.post(url_ii, {"text": "Khảo sát người dân đạt thấp."})
    assert AuditEvent.objects.filter(action="inspection.explanation").count() == 2
    officer.post(url_ii, {"text": "Khảo sát người dân đạt 3,75/6."})
    last = AuditEvent.objects.filter(action="inspection.explanation").latest("id")
    assert (last.field, last.old, last.new) == (
        f"{w.pt.key}:par-test-2024:II",
        "Khảo sát người dân đạt thấp.",
        "Khảo sát người dân đạt 3,75/6.",
    )
    page = _page(_client(w.leader), w)  # a leader reads the explanations, no boxes
    html = page.content.decode()
    assert "Khảo sát người dân đạt 3,75/6." in html and 'name="text"' not in html

    # Errors name the field; an empty text removes the explanation.
    bad = reverse("inspections:explanation_save", args=[w.meeting.pk, w.pt.pk, "IX"])
    r = officer.post(bad, {"text": "x"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 400 and "lĩnh vực IX: Lĩnh vực &#x27;IX&#x27;" in r.content.decode()
    r = officer.post(bad, {"text": "x"})
    assert r.status_code == 400 and "lĩnh vực IX" in r.content.decode()
    officer.post(url_i, {"text": "   "})
    assert not LostPointExplanation.objects.filter(field_code="I").exists()

    # Another commune, a leader and an outsider may not explain Phủ Thông's points.
    assert _client(w.other_officer).post(url_ii, {"text": "y"}).status_code == 403
    assert _client(w.leader).post(url_ii, {"text": "y"}).status_code == 403
    assert _client(w.outsider).post(url_ii, {"text": "y"}).status_code == 403

    # Detaching hides the table; the explanations stay with their round.
    sec.post(reverse("inspections:round_attach", args=[w.meeting.pk]), {"round": ""})
    assert _page(sec, w).context["losses"] == []
    assert LostPointExplanation.objects.filter(round=w.rnd).count() == 1


def test_round_attach_refusals(world: SimpleNamespace) -> None:
    w = world
    with pytest.raises(services.InspectionError, match="chưa công bố"):
        rnd = assessments.round_open(
            user=None,
            code="open-2024",
            name="Đợt chưa công bố",
            index_set=w.index_set,
            owner_unit=w.tn,
            units=[w.pt],
            deadlines=assessments.Deadlines(*(date(2026, 1, d) for d in (1, 2, 3, 4, 5))),
            check_permission=False,
        )
        links.round_attach(user=None, event=w.meeting, rnd=rnd)
    elsewhere = services.inspection_create(
        user=None,
        body=w.body,
        kind=EventKind.MEETING,
        title="Hội nghị ở xã ngoài",
        on=date(2025, 3, 18),
        visits=[services.Visit(w.outside)],
    )
    with pytest.raises(services.InspectionError, match="không có kết quả của đơn vị nào"):
        links.round_attach(user=None, event=elsewhere, rnd=w.rnd)
    inspection = services.inspection_create(
        user=None,
        body=w.body,
        kind=EventKind.INSPECTION,
        title="Kiểm tra",
        on=date(2025, 3, 18),
        visits=[services.Visit(w.pt)],
    )
    with pytest.raises(services.InspectionError, match="Chỉ hội nghị ban chỉ đạo"):
        links.round_attach(user=None, event=inspection, rnd=w.rnd)
    # The form offers only eligible rounds: a POST of another id is a form error.
    r = _client(w.secretariat).post(
        reverse("inspections:round_attach", args=[w.meeting.pk]), {"round": 999999}
    )
    assert r.status_code == 400
    assert w.meeting.__class__.objects.get(pk=w.meeting.pk).assessment_round_id is None


def test_index_results_of_the_units(world: SimpleNamespace) -> None:
    w = world
    page = _page(_client(w.officer), w)
    ((visit, results, dossiers),) = page.context["unit_links"]
    assert visit.unit == w.pt and dossiers is None
    (res,) = results
    assert (res.round.pk, res.index, res.rank, res.of, res.band) == (w.rnd.pk, "67,50", 2, 2, "B")
    html = page.content.decode()
    assert '<td class="num">67,50</td><td class="num">2/2</td><td>B</td>' in html
    assert "The event has no period inspected" in html or "chưa có kỳ kiểm tra" in html
    # The other commune is first with 100 and band A.
    other = services.inspection_create(
        user=None,
        body=w.body,
        kind=EventKind.INSPECTION,
        title="Kiểm tra xã Khác",
        on=date(2025, 5, 2),
        visits=[services.Visit(w.other)],
    )
    (res,) = links.index_results(other, w.other)
    assert (res.index, res.rank, res.band) == ("100,00", 1, "A")
    # A result of a later year was not known at an earlier event.
    earlier = services.inspection_create(
        user=None,
        body=w.body,
        kind=EventKind.INSPECTION,
        title="Kiểm tra 2023",
        on=date(2023, 5, 2),
        visits=[services.Visit(w.pt)],
    )
    assert links.index_results(earlier, w.pt) == []


def test_directive_flagged_to_start_a_remediation_plan(world: SimpleNamespace) -> None:
    w = world
    url = reverse("inspections:directive_plan", args=[w.meeting.pk, w.directive.pk])
    assert _client(w.officer).post(url, {"flag": "1"}).status_code == 403
    assert _client(w.leader).post(url, {"flag": "1"}).status_code == 403
    sec = _client(w.secretariat)
    r = sec.post(url, {"flag": "1"})
    assert r.status_code == 302 and r["Location"].endswith("#directive")
    assert Directive.objects.get(pk=w.directive.pk).starts_remediation_plan is True
    html = _page(sec, w).content.decode()
    assert 'class="badge warn plan-flag"' in html and 'name="flag" value="0"' in html
    sec.post(url, {"flag": "1"})  # unchanged: not audited twice
    assert AuditEvent.objects.filter(action="inspection.directive_plan_flag").count() == 1
    # A directive of another event is not found under this one.
    other = services.inspection_create(
        user=None,
        body=w.body,
        kind=EventKind.MEETING,
        title="Khác",
        on=date(2025, 4, 1),
        visits=[services.Visit(w.pt)],
    )
    wrong = reverse("inspections:directive_plan", args=[other.pk, w.directive.pk])
    assert sec.post(wrong, {"flag": "0"}).status_code == 404
    # Still possible once the notice is signed (a follow-up step, not the notice's text).
    notice = services.notice_prepare(user=None, event=w.meeting)
    services.notice_sign(
        user=None,
        notice=notice,
        number="5/TB-BCĐ",
        signed_on=date(2025, 3, 20),
        signed_by="A",
        uploaded=b"%PDF-1.4\n%%EOF",
        file_name="tb.pdf",
    )
    assert sec.post(url, {"flag": "0"}).status_code == 302
    assert Directive.objects.get(pk=w.directive.pk).starts_remediation_plan is False


ROLES = ("officer", "other_officer", "appraiser", "secretariat", "leader", "outsider")


@pytest.mark.parametrize(
    ("name", "args", "data", "expected"),
    [
        ("event_detail", "meeting", {}, (200, 403, 200, 200, 200, 403)),
        ("round_attach", "meeting", {"round": "rnd"}, (403, 403, 302, 302, 403, 403)),
        ("explanation_save", "meeting/pt/I", {"text": "t"}, (302, 403, 302, 302, 403, 403)),
        ("directive_plan", "meeting/directive", {"flag": "1"}, (403, 403, 302, 302, 403, 403)),
        ("dossier_fill", "meeting", {}, (403, 403, 400, 400, 403, 403)),
    ],
)
def test_link_permissions_with_a_round(
    world: SimpleNamespace, name: str, args: str, data: dict[str, str], expected: tuple[int, ...]
) -> None:
    w = world
    links.round_attach(user=None, event=w.meeting, rnd=w.rnd)
    objects = {"meeting": w.meeting, "pt": w.pt, "directive": w.directive, "rnd": w.rnd}
    url_args = [objects[p].pk if p in objects else p for p in args.split("/")]
    url = reverse(f"inspections:{name}", args=url_args)
    payload = {k: str(objects[v].pk) if v in objects else v for k, v in data.items()}
    got = []
    for role in ROLES:
        c = _client(getattr(w, role))
        got.append(
            c.get(url).status_code if name == "event_detail" else c.post(url, payload).status_code
        )
    assert tuple(got) == expected


def test_figure_value_names() -> None:
    counts = {"new_total": 926, "carried_over": 1, "early": 500, "on_time": 427, "late": 0}
    assert links.figure_value("received_new", counts) == 926
    assert links.figure_value("carried_over", counts) == 1
    assert links.figure_value("resolved_on_time_or_early", counts) == 927
    assert links.figure_value("late", counts) == 0
    assert links.figure_value("in_progress", counts) is None  # not in these counts
    assert links.figure_value("", counts) is None
