"""Inspection pages through the test client: the flow, the notice, permissions."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from docx import Document

from cchc.accounts.models import Role
from cchc.audit.models import AuditEvent
from cchc.followup.models import FollowupItem
from cchc.frameworks.metrics import metrics_sync
from cchc.inspections import services
from cchc.inspections.models import (
    BodyKind,
    ConclusionNotice,
    Directive,
    EventKind,
    Finding,
    FindingKind,
    Inspection,
    IssuingBody,
    NoticeImmutableError,
    PlannedEvent,
    TeamRole,
)
from tests.conftest import PASSWORD
from tests.web.test_permissions import build_tree

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"


@pytest.fixture
def world(make_user: Any, settings: Any, tmp_path: Any) -> SimpleNamespace:
    settings.MEDIA_ROOT = tmp_path / "files"
    metrics_sync()
    w = build_tree()
    w.officer = make_user("xa_pt", role=Role.UNIT_OFFICER, unit=w.pt)
    w.other_officer = make_user("xa_khac", role=Role.UNIT_OFFICER, unit=w.other)
    w.secretariat = make_user("vp_tn", role=Role.SECRETARIAT, unit=w.tn)
    w.appraiser = make_user("td_tn", role=Role.APPRAISER, unit=w.tn)
    w.leader = make_user("ld_tn", role=Role.LEADER, unit=w.tn)
    w.outsider = make_user("hn", role=Role.UNIT_OFFICER, unit=w.outside)
    w.body = IssuingBody.objects.create(
        kind=BodyKind.STEERING_COMMITTEE,
        name="Ban Chỉ đạo CCHC và CĐS tỉnh Thái Nguyên",
        unit=w.tn,
        superior="UBND tỉnh Thái Nguyên",
        place="Thái Nguyên",
        signer_collective="Ban chỉ đạo",
    )
    w.plan = services.plan_create(user=None, body=w.body, year=2025, title="Kế hoạch kiểm tra 2025")
    w.planned = services.planned_event_add(
        user=None, plan=w.plan, units=[w.pt, w.other], planned_date=date(2025, 9, 10), topics=["I"]
    )
    w.event = services.inspection_create(
        user=None,
        body=w.body,
        kind=EventKind.INSPECTION,
        title="Kiểm tra CCHC tại hai xã",
        on=date(2025, 9, 12),
        visits=[services.Visit(w.pt), services.Visit(w.other)],
        topics=["I", "DX"],
    )
    w.directive = services.directive_create(
        user=None,
        event=w.event,
        text="Niêm yết đầy đủ TTHC",
        units=[w.pt, w.other],
        deadline=date(2030, 12, 31),
        field_code="III",
    )
    w.rec = services.recommendation_add(
        user=None,
        event=w.event,
        unit=w.pt,
        text="Cấp thêm máy tính cho Bộ phận Một cửa",
        addressee="UBND tỉnh",
        addressee_unit=w.tn,
    )
    return w


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _items(directive: Directive) -> dict[str, FollowupItem]:
    return {i.lead_unit.name: i for i in FollowupItem.objects.for_source(directive)}


# --- the flow ---------------------------------------------------------------------------


def test_plan_event_findings_directive_flow(world: SimpleNamespace) -> None:
    w = world
    c = _client(w.secretariat)
    r = c.post(
        reverse("inspections:plan_create"),
        {
            "body": w.body.pk,
            "year": "2026",
            "title": "Kế hoạch kiểm tra 2026",
            "decision_number": "12/QĐ-BCĐ",
            "decision_date": "05/01/2026",
            "signer": "Lê  Văn A",
        },
    )
    plan = w.body.plans.get(year=2026)
    assert r.status_code == 302 and r["Location"] == reverse(
        "inspections:plan_detail", args=[plan.pk]
    )
    assert (plan.decision_number, plan.decision_date, plan.signer) == (
        "12/QĐ-BCĐ",
        date(2026, 1, 5),
        "Lê Văn A",
    )
    r = c.post(
        reverse("inspections:plan_event_add", args=[plan.pk]),
        {
            "kind": "inspection",
            "unit_codes": "01969@2025, 01990@2025",
            "planned_date": "2026-03-10",
            "half_day": "am",
            "topics": ["I", "DX"],
            "team_number": "2",
        },
    )
    assert r.status_code == 302
    planned = plan.events.get()
    assert sorted(u.name for u in planned.units.all()) == ["Xã Khác", "Xã Phủ Thông"]
    assert (planned.half_day, planned.topics, planned.team_number) == ("am", ["I", "DX"], 2)
    # Bad codes are refused with the code named; nothing is written.
    r = c.post(
        reverse("inspections:plan_event_add", args=[plan.pk]),
        {
            "kind": "inspection",
            "unit_codes": "99999@2025",
            "planned_date": "2026-03-10",
            "topics": ["I"],
        },
    )
    assert r.status_code == 400 and "Mã 99999@2025: không tìm thấy đơn vị" in r.content.decode()
    assert plan.events.count() == 1

    r = c.get(reverse("inspections:event_create") + f"?planned={planned.pk}")
    assert r.status_code == 200 and "01969@2025, 01990@2025" in r.content.decode()
    r = c.post(
        reverse("inspections:event_create"),
        {
            "planned": planned.pk,
            "body": w.body.pk,
            "kind": "inspection",
            "title": "Kiểm tra 2026",
            "date": "11/03/2026",
            "half_day": "am",
            "unit_codes": "01969@2025, 01990@2025",
            "topics": ["I", "DX"],
            "period_text": "Quý I năm 2026",
        },
    )
    event = Inspection.objects.get(title="Kiểm tra 2026")
    assert r.status_code == 302
    assert event.planned == planned and event.plan == plan and event.team_number == 2
    assert [(v.name_as_of, v.parent_name_as_of) for v in event.visits.all()] == [
        ("Xã Phủ Thông", "Tỉnh Thái Nguyên"),
        ("Xã Khác", "Tỉnh Thái Nguyên"),
    ]

    add = lambda section, data: c.post(  # noqa: E731
        reverse("inspections:event_add", args=[event.pk, section]),
        {f"{section}-{k}": v for k, v in data.items()},
    )
    assert (
        add(
            "team",
            {
                "role": "head",
                "organisation": "Sở Nội vụ",
                "name": "Trần  Văn B",
                "title": "Phó Giám đốc",
            },
        ).status_code
        == 302
    )
    r = add("team", {"role": "member", "organisation": ""})
    assert r.status_code == 400
    assert (
        add("host", {"title": "Thường trực Đảng ủy – HĐND – UBND xã", "is_group": "on"}).status_code
        == 302
    )
    assert (
        add(
            "outline", {"topic": "I", "question": "Kế hoạch CCHC năm?", "answer": "Đã ban hành"}
        ).status_code
        == 302
    )
    metric = "staff_computer_internet_pct"
    from cchc.frameworks.models import Metric

    m = Metric.objects.get(code=metric)
    assert (
        add(
            "figure", {"unit": w.pt.pk, "metric": m.pk, "value": "97,5", "period_text": "Quý I"}
        ).status_code
        == 302
    )
    r = add("figure", {"unit": w.pt.pk, "metric": m.pk, "value": "120"})
    assert r.status_code == 400
    assert "lớn hơn giá trị tối đa 100" in r.content.decode()
    for text in ("Tỷ lệ hồ sơ trực tuyến thấp", "Tổ công nghệ số chưa hoạt động"):
        assert (
            add(
                "finding",
                {
                    "kind": "shortcoming",
                    "field_code": "DX",
                    "text": text,
                    "units": [w.pt.pk, w.other.pk],
                },
            ).status_code
            == 302
        )
    # A directive needs a deadline or "thường xuyên" with a review date — never both.
    r = add("directive", {"text": "Khắc phục", "units": [w.pt.pk], "priority": "normal"})
    assert r.status_code == 400 and "Chỉ đạo:" in r.content.decode()
    r = add(
        "directive",
        {
            "text": "Khắc phục các tồn tại",
            "units": [w.pt.pk, w.other.pk],
            "ongoing": "on",
            "review_on": "30/06/2026",
            "priority": "high",
            "field_code": "DX",
        },
    )
    assert r.status_code == 302
    directive = event.directives.get()
    items = _items(directive)
    assert sorted(items) == ["Xã Khác", "Xã Phủ Thông"]
    assert {
        (i.ongoing, i.review_on, i.acceptance_label, i.issuing_unit_id) for i in items.values()
    } == {(True, date(2026, 6, 30), "verification", w.tn.pk)}
    event.refresh_from_db()
    member = event.team.get(role=TeamRole.HEAD)
    assert member.name == "Trần Văn B"
    figure = event.figures.get()
    assert (figure.value_decimal, figure.period_text, figure.display) == (
        Decimal("97.5"),
        "Quý I",
        "97,5 %",
    )
    page = c.get(reverse("inspections:event_detail", args=[event.pk])).content.decode()
    assert "0/2" in page and "97,5 %" in page and "Tổ công nghệ số chưa hoạt động" in page
    assert (
        AuditEvent.objects.filter(
            action="inspection.directive_add", object_id=str(event.pk)
        ).count()
        == 1
    )


def test_remediation_through_followup_and_dashboard(world: SimpleNamespace) -> None:
    w = world
    items = _items(w.directive)
    officer = _client(w.officer)
    r = officer.post(
        reverse("followup:claim", args=[items["Xã Phủ Thông"].pk]),
        {"text": "Đã niêm yết", "files": SimpleUploadedFile("bien-ban.pdf", PDF)},
    )
    assert r.status_code == 302
    # The officer may not touch the other commune's item.
    assert (
        officer.post(
            reverse("followup:update", args=[items["Xã Khác"].pk]), {"text": "x"}
        ).status_code
        == 403
    )
    dash = _client(w.secretariat).get(reverse("inspections:dashboard") + "?year=2025")
    assert dash.context["d"].units[0].open == 1
    assert (
        _client(w.appraiser)
        .post(reverse("followup:accept", args=[items["Xã Phủ Thông"].pk]), {"text": "Đã xác minh"})
        .status_code
        == 302
    )
    d = _client(w.secretariat).get(reverse("inspections:dashboard") + "?year=2025").context["d"]
    assert (d.planned, d.held, d.held_as_planned) == (1, 1, 0)
    rows = {r.name: (r.open, r.overdue, r.ongoing, r.verified, r.total) for r in d.units}
    assert rows == {"Xã Phủ Thông": (0, 0, 0, 1, 1), "Xã Khác": (1, 0, 0, 0, 1)}
    page = _client(w.secretariat).get(reverse("inspections:event_detail", args=[w.event.pk]))
    assert "1/2" in page.content.decode()
    other_page = _client(w.other_officer).get(reverse("inspections:unit", args=[w.other.pk]))
    assert [i.title for i in other_page.context["items"]] == ["Niêm yết đầy đủ TTHC"]
    mine = _client(w.officer).get(reverse("inspections:unit", args=[w.pt.pk]))
    assert list(mine.context["items"]) == []
    # Year over year and the most frequent fields.
    services.finding_add(
        user=None,
        event=w.event,
        kind=FindingKind.SHORTCOMING,
        field_code="III",
        text="Niêm yết chưa đủ",
        units=[w.pt],
    )
    d = _client(w.leader).get(reverse("inspections:dashboard")).context["d"]
    assert d.fields[0][0] == "III" and d.fields[0][2] == 1
    assert [
        (y.year, y.held, y.shortcomings, y.directives, y.verified, y.items) for y in d.by_year
    ] == [(2025, 1, 1, 1, 1, 2)]


def test_earlier_items_of_predecessors_are_checked_as_findings(world: SimpleNamespace) -> None:
    w = world
    legacy_body = IssuingBody.objects.create(
        kind=BodyKind.PEOPLES_COMMITTEE, name="UBND huyện Bạch Thông", unit=w.bt, place="Bạch Thông"
    )
    old = services.inspection_create(
        user=None,
        body=legacy_body,
        kind=EventKind.INSPECTION,
        title="Kiểm tra Vi Hương 2022",
        on=date(2022, 9, 21),
        visits=[services.Visit(w.vh)],
    )
    old_directive = services.directive_create(
        user=None,
        event=old,
        text="Rà soát thiết bị xã thông minh",
        units=[w.vh],
        ongoing=True,
        review_on=date(2022, 12, 15),
        field_code="DX",
    )
    old_item = FollowupItem.objects.for_source(old_directive).get()
    c = _client(w.secretariat)
    page = c.get(reverse("inspections:event_detail", args=[w.event.pk]))
    earlier = {visit.unit.name: [i.pk for i in items] for visit, items in page.context["earlier"]}
    assert old_item.pk in earlier["Xã Phủ Thông"]  # Vi Hương is a predecessor
    assert old_item.pk not in earlier["Xã Khác"]
    own = set(FollowupItem.objects.for_source(w.directive).values_list("pk", flat=True))
    assert not own & set(earlier["Xã Phủ Thông"])
    r = c.post(
        reverse("inspections:remediation_check", args=[w.event.pk]),
        {
            "item": old_item.pk,
            "unit": w.pt.pk,
            "verdict": "not_remedied",
            "note": "Chưa có kế hoạch",
        },
    )
    assert r.status_code == 302
    finding = Finding.objects.get(checked_item=old_item)
    assert finding.kind == FindingKind.NOT_REMEDIED and finding.field_code == "DX"
    assert finding.text == "Chưa khắc phục: Rà soát thiết bị xã thông minh — Chưa có kế hoạch"
    r = c.post(
        reverse("inspections:remediation_check", args=[w.event.pk]),
        {"item": old_item.pk, "unit": w.pt.pk, "verdict": "remedied"},
    )
    assert r.status_code == 400 and "Đã đánh giá nhiệm vụ" in r.content.decode()
    # The Xã Khác officer cannot see the legacy event; the Phủ Thông officer can (lineage).
    assert (
        _client(w.other_officer).get(reverse("inspections:event_detail", args=[old.pk])).status_code
        == 403
    )
    assert (
        _client(w.officer).get(reverse("inspections:event_detail", args=[old.pk])).status_code
        == 200
    )


def test_notice_draft_then_signed_and_immutable(world: SimpleNamespace) -> None:
    w = world
    services.team_member_add(
        user=None,
        event=w.event,
        role="head",
        organisation="Sở Nội vụ",
        name="Trần Văn B",
        title="Giám đốc",
    )
    services.finding_add(
        user=None,
        event=w.event,
        kind="achievement",
        field_code="I",
        text="Ban hành kế hoạch đúng hạn",
        units=[w.pt],
    )
    services.directive_create(
        user=None,
        event=w.event,
        text="Tuyên truyền dịch vụ công",
        units=[w.pt],
        ongoing=True,
        review_on=date(2025, 12, 31),
    )
    c = _client(w.secretariat)
    assert c.post(reverse("inspections:notice_prepare", args=[w.event.pk])).status_code == 302
    notice = ConclusionNotice.objects.get(inspection=w.event)
    assert (
        notice.signer_lines == "TM. BAN CHỈ ĐẠO\nTRƯỞNG BAN" and notice.signer_name == "Trần Văn B"
    )
    r = c.post(
        reverse("inspections:notice_edit", args=[w.event.pk]),
        {
            "subject": notice.subject,
            "intro": "Mở đầu.",
            "recipients": "UBND xã Phủ Thông\nLưu: VT",
            "signer_lines": "TM. BAN CHỈ ĐẠO\nKT. TRƯỞNG BAN\nPHÓ TRƯỞNG BAN",
            "signer_name": "Lê Thị C",
        },
    )
    assert r.status_code == 302
    r = c.get(reverse("inspections:notice_draft", args=[w.event.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    doc = Document(io.BytesIO(r.content))
    texts = [p.text for p in doc.paragraphs]
    assert doc.tables[0].cell(1, 0).paragraphs[0].text == "Số:      /TB-BCĐ"
    assert doc.tables[0].cell(1, 1).paragraphs[0].text == "Thái Nguyên, ngày 12 tháng 9 năm 2025"
    assert (
        "Kết luận kiểm tra công tác cải cách hành chính và chuyển đổi số tại xã Phủ Thông, xã Khác"
        in texts
    )
    assert (
        "1. Niêm yết đầy đủ TTHC. Đơn vị thực hiện: Xã Phủ Thông; Xã Khác. Thời hạn: 31/12/2030."
        in texts
    )
    assert (
        "2. Tuyên truyền dịch vụ công. Đơn vị thực hiện: Xã Phủ Thông. "
        "Thời hạn: thường xuyên (rà soát ngày 31/12/2025)." in texts
    )
    assert [p.text for p in doc.tables[1].cell(0, 1).paragraphs if p.text] == [
        "TM. BAN CHỈ ĐẠO",
        "KT. TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
        "Lê Thị C",
    ]
    # A Word file is not the signed PDF.
    r = c.post(
        reverse("inspections:notice_sign", args=[w.event.pk]),
        {
            "number": "15/TB-BCĐ",
            "signed_on": "15/09/2025",
            "signed_by": "Lê Thị C",
            "file": SimpleUploadedFile("tb.docx", r.content),
        },
    )
    assert r.status_code == 400 and "Bản đã ký phải là tệp PDF" in r.content.decode()
    r = c.post(
        reverse("inspections:notice_sign", args=[w.event.pk]),
        {
            "number": "15/TB-BCĐ",
            "signed_on": "15/09/2025",
            "signed_by": "Lê Thị C",
            "file": SimpleUploadedFile("tb-15.pdf", PDF),
        },
    )
    assert r.status_code == 302
    notice.refresh_from_db()
    assert notice.is_signed and notice.number == "15/TB-BCĐ"
    # The signed file is what is shown from now on, to every reader of the event.
    r = c.get(reverse("inspections:notice_draft", args=[w.event.pk]))
    assert r.status_code == 302 and r["Location"] == reverse(
        "inspections:signed_file", args=[w.event.pk]
    )
    r = _client(w.officer).get(reverse("inspections:signed_file", args=[w.event.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF  # type: ignore[attr-defined]
    assert (
        _client(w.officer)
        .get(reverse("documents:download", args=[notice.signed_file_id]))
        .status_code
        == 200
    )
    # Immutable: the model refuses, the pages refuse with a message.
    notice.subject = "khác"
    with pytest.raises(NoticeImmutableError):
        notice.save()
    r = c.post(
        reverse("inspections:event_add", args=[w.event.pk, "finding"]),
        {
            "finding-kind": "shortcoming",
            "finding-field_code": "I",
            "finding-text": "x",
            "finding-units": [w.pt.pk],
        },
    )
    assert r.status_code == 400 and "đã ký và lưu" in r.content.decode()
    assert AuditEvent.objects.filter(action="notice.sign", field="number", new="15/TB-BCĐ").exists()


def test_recommendation_answered_by_the_addressee(world: SimpleNamespace) -> None:
    w = world
    assert w.rec.item.lead_unit == w.tn and w.rec.item.issuing_unit == w.pt
    url = reverse("inspections:respond", args=[w.rec.pk])
    assert _client(w.officer).post(url, {"response": "x"}).status_code == 403
    assert _client(w.secretariat).post(url, {"response": "Đã bố trí kinh phí"}).status_code == 302
    w.rec.refresh_from_db()
    w.rec.item.refresh_from_db()
    assert (w.rec.status, w.rec.item.status) == ("answered", "claimed_done")


def test_list_htmx_partial_and_scope(
    world: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    w = world
    hn_body = IssuingBody.objects.create(
        kind=BodyKind.PEOPLES_COMMITTEE, name="UBND Hà Nội", unit=w.hn, place="Hà Nội"
    )
    services.inspection_create(
        user=None,
        body=hn_body,
        kind="supervision",
        title="Giám sát xã Ngoài",
        on=date(2025, 8, 1),
        visits=[services.Visit(w.outside)],
    )
    c = _client(w.officer)
    with django_assert_max_num_queries(15):
        page = c.get(reverse("inspections:list")).content.decode()
    assert "Kiểm tra CCHC tại hai xã" in page and "Giám sát xã Ngoài" not in page
    r = c.get(reverse("inspections:list") + "?year=2025", HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body and 'id="events"' in body
    assert "Kiểm tra CCHC tại hai xã" in body
    assert (
        "Kiểm tra CCHC"
        not in c.get(
            reverse("inspections:list") + "?year=2024", HTTP_HX_REQUEST="true"
        ).content.decode()
    )
    assert (
        "Giám sát xã Ngoài" in _client(w.outsider).get(reverse("inspections:list")).content.decode()
    )


def test_clean_person_name() -> None:
    assert services.clean_person_name("Đinh  Q uang Hưng ") == "Đinh Quang Hưng"
    assert services.clean_person_name("Hồ Y Ngọc") == "Hồ Y Ngọc"


# --- every URL × role ---------------------------------------------------------------------

ROLES = ("officer", "appraiser", "secretariat", "leader", "outsider")
OK, FORBIDDEN = 200, 403


def _signed(w: SimpleNamespace) -> None:
    notice = services.notice_prepare(user=None, event=w.event)
    services.notice_sign(
        user=None,
        notice=notice,
        number="1/TB-BCĐ",
        signed_on=date(2025, 9, 20),
        signed_by="A",
        uploaded=PDF,
        file_name="tb.pdf",
    )


# name, method, args, data, prepare, expected per role in ROLES order
MATRIX: list[tuple[str, str, str, dict[str, Any], str, tuple[int, ...]]] = [
    ("list", "get", "", {}, "", (200, 200, 200, 200, 200)),
    ("dashboard", "get", "", {}, "", (200, 200, 200, 200, 200)),
    ("plan_create", "get", "", {}, "", (403, 200, 200, 403, 403)),
    ("plan_detail", "get", "plan", {}, "", (403, 200, 200, 200, 403)),
    (
        "plan_event_add",
        "post",
        "plan",
        {
            "kind": "inspection",
            "unit_codes": "01969@2025",
            "planned_date": "2025-11-01",
            "topics": ["I"],
        },
        "",
        (403, 302, 302, 403, 403),
    ),
    ("event_create", "get", "", {}, "", (403, 200, 200, 403, 403)),
    ("event_detail", "get", "event", {}, "", (200, 200, 200, 200, 403)),
    (
        "event_add",
        "post",
        "event/team",
        {"team-role": "member", "team-organisation": "Sở Nội vụ"},
        "",
        (403, 302, 302, 403, 403),
    ),
    ("remediation_check", "post", "event", {"verdict": "remedied"}, "", (403, 404, 404, 403, 403)),
    ("notice_prepare", "post", "event", {}, "", (403, 302, 302, 403, 403)),
    ("notice_draft", "get", "event", {}, "", (403, 200, 200, 403, 403)),
    ("notice_draft", "get", "event", {}, "notice", (200, 200, 200, 200, 403)),
    (
        "notice_edit",
        "post",
        "event",
        {"subject": "S", "recipients": "A", "signer_lines": "TRƯỞNG BAN", "signer_name": ""},
        "notice",
        (403, 302, 302, 403, 403),
    ),
    (
        "notice_sign",
        "post",
        "event",
        {"number": "1", "signed_on": "20/09/2025", "signed_by": "A"},
        "notice",
        (403, 400, 400, 403, 403),
    ),
    ("signed_file", "get", "event", {}, "signed", (200, 200, 200, 200, 403)),
    ("respond", "post", "rec", {"response": "Đã trả lời"}, "", (403, 302, 302, 403, 403)),
    ("unit", "get", "pt", {}, "", (200, 200, 200, 200, 403)),
    # links (tests/web/test_inspection_links.py has them with a round and dossier data)
    ("round_attach", "post", "event", {"round": ""}, "", (403, 400, 400, 403, 403)),
    ("explanation_save", "post", "event/pt/I", {"text": "x"}, "", (400, 400, 400, 403, 403)),
    ("directive_plan", "post", "event/directive", {"flag": "1"}, "", (403, 302, 302, 403, 403)),
    ("dossier_fill", "post", "event", {}, "", (403, 400, 400, 403, 403)),
]


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world: SimpleNamespace, role: str) -> None:
    """Every URL for one role; each case runs in a savepoint rolled back afterwards."""
    w = world
    client = _client(getattr(w, role))
    objects = {"plan": w.plan, "event": w.event, "rec": w.rec, "pt": w.pt, "directive": w.directive}
    seen = set()
    for name, method, args, data, prepare, expected in MATRIX:
        seen.add(name)
        with transaction.atomic():
            if prepare == "notice":
                services.notice_prepare(user=None, event=w.event)
            elif prepare == "signed":
                _signed(w)
            url_args = [objects[p].pk if p in objects else p for p in filter(None, args.split("/"))]
            url = reverse(f"inspections:{name}", args=url_args)
            response = client.get(url) if method == "get" else client.post(url, data)
            assert response.status_code == expected[ROLES.index(role)], (name, prepare, role)
            transaction.set_rollback(True)
    from cchc.inspections.urls import urlpatterns

    assert seen == {p.name for p in urlpatterns}  # every URL of the app is in the matrix


def test_anonymous_is_sent_to_login(world: SimpleNamespace) -> None:
    r = Client().get(reverse("inspections:list"))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_planned_event_is_recorded_once(world: SimpleNamespace) -> None:
    w = world
    services.inspection_create(
        user=None,
        body=w.body,
        kind="inspection",
        title="A",
        on=date(2025, 9, 10),
        visits=[services.Visit(w.pt)],
        planned=w.planned,
    )
    with pytest.raises(services.InspectionError, match="đã được ghi nhận"):
        services.inspection_create(
            user=None,
            body=w.body,
            kind="inspection",
            title="B",
            on=date(2025, 9, 10),
            visits=[services.Visit(w.pt)],
            planned=w.planned,
        )
    assert PlannedEvent.objects.get(pk=w.planned.pk).held.title == "A"


def test_scorecard_panel(world: SimpleNamespace) -> None:
    from django.test import RequestFactory

    from cchc.assessments.panels import render_panels

    w = world
    services.finding_add(
        user=None,
        event=w.event,
        kind="shortcoming",
        field_code="III",
        text="Niêm yết thiếu",
        units=[w.pt],
        criterion_code="III.1",
    )
    request = RequestFactory().get("/")
    request.user = w.officer
    panels = dict(render_panels(request, w.pt, None))
    title = "Kiểm tra, giám sát: tồn tại, hạn chế và chỉ đạo chưa hoàn thành"
    html = panels[title]
    assert "Niêm yết thiếu" in html and "III.1" in html and "Niêm yết đầy đủ TTHC" in html
    request.user = w.outsider
    assert title not in dict(render_panels(request, w.pt, None))
