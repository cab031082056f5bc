"""Remediation plans started from an inspection event or a published index."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.models import Role
from cchc.audit.models import AuditEvent
from cchc.followup.models import FollowupItem
from cchc.frameworks.services import indexset_import
from cchc.inspections import services as inspections
from cchc.inspections.models import BodyKind, Directive, EventKind, IssuingBody
from cchc.plans import remediation
from cchc.plans.models import Plan, PlanKind
from tests.conftest import PASSWORD
from tests.rounds import publish_round
from tests.sets import BANDS_A90_B60, small_par_yaml
from tests.web.test_permissions import build_tree

pytestmark = pytest.mark.django_db

SET_YAML = small_par_yaml("TEST-REMEDIATION", "Bộ thử kế hoạch khắc phục", bands=BANDS_A90_B60)

# Phủ Thông: I 3/4 (I.2 lost 1), II 3,75/6 (II.2 lost 1,5; II.1 lost 0,75); the other 10/10.
USERS = ("xa_pt", "td_tn", "vp_tn", "ld_tn", "hn")  # officer, appraiser, secretariat, …


@pytest.fixture
def world(make_user: Any) -> SimpleNamespace:
    w = build_tree()
    w.officer = make_user("xa_pt", role=Role.UNIT_OFFICER, unit=w.pt)
    w.other_officer = make_user("xa_khac", role=Role.UNIT_OFFICER, unit=w.other)
    w.secretariat = make_user("vp_tn", role=Role.SECRETARIAT, unit=w.tn)
    w.appraiser = make_user("td_tn", role=Role.APPRAISER, unit=w.tn)
    w.leader = make_user("ld_tn", role=Role.LEADER, unit=w.tn)
    w.outsider = make_user("hn", role=Role.SECRETARIAT, unit=w.hn)
    body = IssuingBody.objects.create(
        kind=BodyKind.STEERING_COMMITTEE,
        name="Ban Chỉ đạo CCHC tỉnh Thái Nguyên",
        unit=w.tn,
        place="Thái Nguyên",
    )
    w.event = inspections.inspection_create(
        user=None,
        body=body,
        kind=EventKind.INSPECTION,
        title="Kiểm tra CCHC xã Phủ Thông và Xã Khác",
        on=date(2025, 9, 18),
        visits=[inspections.Visit(w.pt), inspections.Visit(w.other)],
        topics=["I", "III"],
    )

    def directive(text: str, units: list[Any], flag: bool, **kw: Any) -> Directive:
        d = inspections.directive_create(user=None, event=w.event, text=text, units=units, **kw)
        if flag:
            Directive.objects.filter(pk=d.pk).update(starts_remediation_plan=True)
        return d

    w.d1 = directive(
        "Kiện toàn Ban Chỉ đạo CCHC xã",
        [w.pt],
        True,
        deadline=date(2025, 12, 31),
        field_code="I",
    )
    w.d2 = directive(
        "Duy trì tỷ lệ hồ sơ trực tuyến toàn trình",
        [w.pt, w.other],
        True,
        ongoing=True,
        review_on=date(2025, 12, 15),
        field_code="III",
        criterion_code="III.2",
        priority="high",
    )
    w.d3 = directive("Báo cáo kết quả khắc phục", [w.other], False, deadline=date(2025, 10, 30))
    w.d4 = directive(
        "Rà soát vị trí việc làm", [w.pt], False, deadline=date(2026, 3, 31), field_code="V"
    )
    return w


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _event_url(w: SimpleNamespace, key: str = "01969@2025") -> str:
    return f"/plans/remediation/new/?event={w.event.pk}&unit={key}"


def _checked(page: str, key: str) -> bool:
    return f'value="{key}" id="pick-{key}" checked' in page


def test_event_plan_prefilled_created_once_and_linked(world: SimpleNamespace) -> None:
    w = world
    client = _client("xa_pt")
    page = client.get(_event_url(w)).content.decode()
    # The unit's three directives; the flagged two ticked; not the other commune's one.
    assert "Kiện toàn Ban Chỉ đạo CCHC xã" in page and "Rà soát vị trí việc làm" in page
    assert "Báo cáo kết quả khắc phục" not in page
    assert _checked(page, f"d{w.d1.pk}") and _checked(page, f"d{w.d2.pk}")
    assert not _checked(page, f"d{w.d4.pk}")
    assert "31/12/2025" in page and "Thường xuyên, rà soát 15/12/2025" in page
    assert "Theo cuộc kiểm tra “Kiểm tra CCHC xã Phủ Thông và Xã Khác” ngày 18/09/2025" in page
    assert reverse("inspections:event_detail", args=[w.event.pk]) in page

    items_before = FollowupItem.objects.count()
    response = client.post(
        _event_url(w),
        {
            "title": "Kế hoạch khắc phục sau kiểm tra",
            "year": "2025",
            "pick": [f"d{w.d1.pk}", f"d{w.d2.pk}"],
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert (plan.kind, plan.unit, plan.year) == (PlanKind.REMEDIATION, w.pt, 2025)
    assert plan.title == "Kế hoạch khắc phục sau kiểm tra"
    assert plan.source_inspection_id == w.event.pk and plan.source_round is None
    assert plan.source_label == (
        "Theo cuộc kiểm tra “Kiểm tra CCHC xã Phủ Thông và Xã Khác” ngày 18/09/2025"
    )
    tasks = list(plan.tasks.select_related("item").order_by("position"))
    assert [t.position for t in tasks] == [1, 2]
    first, second = (t.item for t in tasks)
    assert (first.title, first.deadline, first.ongoing, first.review_on) == (
        "Kiện toàn Ban Chỉ đạo CCHC xã",
        date(2025, 12, 31),
        False,
        None,
    )
    assert (first.field_code, first.criterion_code, first.priority) == ("I", "", "normal")
    assert (second.title, second.deadline, second.ongoing, second.review_on) == (
        "Duy trì tỷ lệ hồ sơ trực tuyến toàn trình",
        None,
        True,
        date(2025, 12, 15),
    )
    assert (second.field_code, second.criterion_code, second.priority) == ("III", "III.2", "high")
    for item in (first, second):
        assert item.lead_unit == w.pt and item.issuing_unit == w.pt
        assert item.source == item.plan_task  # type: ignore[attr-defined]
    assert FollowupItem.objects.count() == items_before + 2
    audit = AuditEvent.objects.filter(action="plan.remediation_create", object_id=str(plan.pk))
    assert {(a.field, str(a.new)) for a in audit} == {
        ("source", plan.source_label),
        ("inspection", str(w.event.pk)),
        ("tasks", str([f"d{w.d1.pk}", f"d{w.d2.pk}"])),
    }

    # The plan page links back to the event.
    detail = client.get(f"/plans/{plan.pk}/").content.decode()
    assert (
        f'<a href="/inspections/{w.event.pk}/">Theo cuộc kiểm tra “Kiểm tra CCHC xã Phủ Thông '
        "và Xã Khác” ngày 18/09/2025</a>"
    ) in detail

    # A second POST (even by someone else, with other picks) leads to the same plan.
    again = _client("vp_tn").post(
        _event_url(w), {"title": "Khác", "year": "2025", "pick": [f"d{w.d4.pk}"]}
    )
    assert again.status_code == 302 and again["Location"] == f"/plans/{plan.pk}/"
    assert Plan.objects.count() == 1 and plan.tasks.count() == 2
    assert FollowupItem.objects.count() == items_before + 2
    assert AuditEvent.objects.filter(action="plan.remediation_create", field="tasks").count() == 1
    shown = client.get(_event_url(w)).content.decode()
    assert 'id="existing"' in shown and f'href="/plans/{plan.pk}/"' in shown
    assert 'name="pick"' not in shown


def test_event_other_unit_default_title_and_flags(world: SimpleNamespace) -> None:
    w = world
    client = _client("vp_tn")
    page = client.get(_event_url(w, "01990@2025")).content.decode()
    # Xã Khác received d2 (flagged) and d3 (not): only d2 is ticked.
    assert _checked(page, f"d{w.d2.pk}") and not _checked(page, f"d{w.d3.pk}")
    assert "Kiện toàn Ban Chỉ đạo" not in page
    response = client.post(
        _event_url(w, "01990@2025"),
        {
            "title": "Kế hoạch khắc phục sau kiểm tra – Xã Khác",
            "year": "2025",
            "pick": [f"d{w.d2.pk}", f"d{w.d3.pk}"],
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(unit=w.other)
    items = [t.item for t in plan.tasks.order_by("position")]
    assert [i.title for i in items] == [
        "Duy trì tỷ lệ hồ sơ trực tuyến toàn trình",
        "Báo cáo kết quả khắc phục",
    ]
    assert items[1].deadline == date(2025, 10, 30) and not items[1].ongoing
    # The default title proposed by the page.
    source = remediation.event_source(w.event, w.pt)
    assert source.title == (
        "Kế hoạch khắc phục tồn tại, hạn chế sau cuộc kiểm tra ngày 18/09/2025 – Xã Phủ Thông"
    )
    assert source.year == 2025


def test_event_all_or_nothing_and_bad_requests(world: SimpleNamespace) -> None:
    w = world
    client = _client("xa_pt")
    items = FollowupItem.objects.count()
    # Nothing picked.
    none = client.post(_event_url(w), {"title": "KH", "year": "2025"})
    assert none.status_code == 400
    assert "Chọn ít nhất một nhiệm vụ" in none.content.decode()
    # A pick that is not a directive of the unit (the other commune's directive).
    foreign = client.post(
        _event_url(w), {"title": "KH", "year": "2025", "pick": [f"d{w.d1.pk}", f"d{w.d3.pk}"]}
    )
    assert foreign.status_code == 400
    assert f"Nhiệm vụ không có trong nguồn: d{w.d3.pk}." in foreign.content.decode()
    # The second task fails (an ongoing directive without a review date, written around
    # the inspections service): the plan and the first task are not kept either.
    Directive.objects.filter(pk=w.d4.pk).update(ongoing=True, deadline=None, review_on=None)
    broken = client.post(
        _event_url(w), {"title": "KH", "year": "2025", "pick": [f"d{w.d1.pk}", f"d{w.d4.pk}"]}
    )
    assert broken.status_code == 400
    assert (
        "Nhiệm vụ 2 (“Rà soát vị trí việc làm”): Nhiệm vụ thường xuyên cần ngày rà soát."
        in broken.content.decode()
    )
    assert Plan.objects.count() == 0 and FollowupItem.objects.count() == items
    assert not AuditEvent.objects.filter(action__startswith="plan.").exists()
    # Unknown event, a unit outside the event, missing parameters.
    assert client.get("/plans/remediation/new/?event=999999&unit=01969@2025").status_code == 404
    assert _client("vp_tn").get(_event_url(w, "00004@2025")).status_code == 404
    assert client.get("/plans/remediation/new/").status_code == 404
    assert client.get(f"/plans/remediation/new/?event={w.event.pk}").status_code == 404


def test_event_permissions(world: SimpleNamespace) -> None:
    w = world
    url = _event_url(w)
    post = {"title": "KH", "year": "2025", "pick": [f"d{w.d1.pk}"]}
    # The other commune's officer, the leader and an outsider: 403, nothing written.
    for username in ("xa_khac", "ld_tn", "hn"):
        client = _client(username)
        assert client.get(url).status_code == 403, username
        assert client.post(url, post).status_code == 403, username
    assert Plan.objects.count() == 0
    with pytest.raises(PermissionDenied):
        remediation.remediation_create(
            user=w.outsider, source=remediation.event_source(w.event, w.pt), picks=["x"]
        )


def test_round_plan_one_task_per_field_with_lost_points(world: SimpleNamespace) -> None:
    w = world
    w.rnd = publish_round(
        w,
        code="par-remediation-2024",
        name="Chỉ số CCHC thử năm 2024",
        index_set=indexset_import(SET_YAML, filename="remediation.yaml", publish=True),
    )
    url = f"/plans/remediation/new/?round={w.rnd.pk}&unit=01969@2025"
    client = _client("vp_tn")
    page = client.get(url).content.decode()
    published = timezone.localdate(w.rnd.published_at)
    assert f"Theo kết quả Chỉ số CCHC thử năm 2024 (công bố ngày {published:%d/%m/%Y})" in page
    assert f'href="/assessments/{w.rnd.pk}/"' in page
    assert _checked(page, "fI") and _checked(page, "fII")
    # HX-Request gets the same page (no partial needed: a plain form).
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200

    response = client.post(
        url, {"title": "Khắc phục chỉ số 2024", "year": "2025", "pick": ["fI", "fII"]}
    )
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert (plan.kind, plan.unit, plan.year, plan.source_round) == (
        PlanKind.REMEDIATION,
        w.pt,
        2025,
        w.rnd,
    )
    assert plan.source_inspection_id is None
    items = [t.item for t in plan.tasks.order_by("position")]
    assert [i.title for i in items] == [
        "Khắc phục điểm bị trừ lĩnh vực I. Chỉ đạo điều hành: đạt 3/4 điểm, bị trừ 1 điểm",
        "Khắc phục điểm bị trừ lĩnh vực II. Tác động: đạt 3,75/6 điểm, bị trừ 2,25 điểm",
    ]
    assert [(i.field_code, i.criterion_code) for i in items] == [("I", "I.2"), ("II", "")]
    assert items[1].description == (
        "Tiêu chí bị trừ điểm: II.2 Điều tra XHH (bị trừ 1,5); "
        "II.1 Tỷ lệ văn bản điện tử (bị trừ 0,75)"
    )
    # No deadline given: "thường xuyên", reviewed on 15/12 of the plan year.
    assert all(i.ongoing and i.review_on == date(2025, 12, 15) for i in items)
    assert all(i.deadline is None for i in items)
    # Second POST: same plan, no duplicate.
    again = client.post(url, {"title": "x", "year": "2025", "pick": ["fI"]})
    assert again["Location"] == f"/plans/{plan.pk}/" and plan.tasks.count() == 2
    assert Plan.objects.count() == 1

    # Xã Khác lost nothing: nothing to propose, a POST is refused.
    full = f"/plans/remediation/new/?round={w.rnd.pk}&unit=01990@2025"
    assert 'id="nothing"' in client.get(full).content.decode()
    assert client.post(full, {"title": "x", "year": "2025"}).status_code == 400
    # Permissions on the round page.
    for username, code in zip(USERS, (200, 200, 200, 403, 403), strict=True):
        assert _client(username).get(url).status_code == code, username


def test_round_common_deadline(world: SimpleNamespace) -> None:
    w = world
    w.rnd = publish_round(
        w,
        code="par-remediation-2024",
        name="Chỉ số CCHC thử năm 2024",
        index_set=indexset_import(SET_YAML, filename="remediation.yaml", publish=True),
    )
    source = remediation.round_source(w.rnd, w.pt)
    plan, created = remediation.remediation_create(
        user=w.officer, source=source, picks=["fII"], deadline=date(2026, 6, 30)
    )
    assert created and plan.year == source.year
    (item,) = [t.item for t in plan.tasks.all()]
    assert (item.deadline, item.ongoing, item.review_on) == (date(2026, 6, 30), False, None)
    assert remediation.remediation_create(user=w.officer, source=source, picks=["fI"]) == (
        plan,
        False,
    )


def test_pure_helpers() -> None:
    assert (
        remediation.event_label(
            "meeting", "Hội nghị BCĐ", date(2024, 2, 5), "12/TB-BCĐ", date(2024, 2, 7)
        )
        == "Theo Thông báo kết luận số 12/TB-BCĐ ngày 07/02/2024 (hội nghị “Hội nghị BCĐ”)"
    )
    assert (
        remediation.event_label("supervision", "Giám sát", date(2022, 9, 21))
        == "Theo cuộc giám sát “Giám sát” ngày 21/09/2022"
    )
    fields = [
        {"code": "A", "label": "A", "title": "", "max": "2.0000", "final": "2.0000", "lost": "0"},
        {"code": "B", "label": "B", "title": "Bê", "max": "5", "final": "4.5", "lost": "0.5"},
    ]
    (only,) = remediation.field_proposals(fields, [])
    assert only.key == "fB" and only.title.endswith("đạt 4,5/5 điểm, bị trừ 0,5 điểm")
    assert only.description == "" and only.criterion_code == ""


# GET / POST status for: officer, appraiser, secretariat, leader, outsider
MATRIX = {
    "remediation_new (event) GET": (200, 200, 200, 403, 403),
    "remediation_new (event) POST": (302, 302, 302, 403, 403),
}


def test_permission_matrix(world: SimpleNamespace) -> None:
    w = world
    got: dict[str, list[int]] = {name: [] for name in MATRIX}
    for username in USERS:
        client = _client(username)
        got["remediation_new (event) GET"].append(client.get(_event_url(w)).status_code)
        got["remediation_new (event) POST"].append(
            client.post(
                _event_url(w), {"title": "KH", "year": "2025", "pick": [f"d{w.d1.pk}"]}
            ).status_code
        )
    assert {k: tuple(v) for k, v in got.items()} == MATRIX
    assert Plan.objects.count() == 1
    assert Client().get(_event_url(w)).status_code == 302  # login first
