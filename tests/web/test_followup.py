"""Follow-up items through the services, the pages and the reminder command."""

from __future__ import annotations

from datetime import date
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from cchc.accounts.models import Role
from cchc.audit.models import AuditEvent
from cchc.core.followup import TransitionError
from cchc.documents.models import StoredFile
from cchc.followup import services
from cchc.followup.models import Acceptance, FollowupItem, FollowupUpdate
from tests.conftest import PASSWORD
from tests.web.test_permissions import build_tree

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"


@pytest.fixture
def world(make_user: Any, settings: Any, tmp_path: Any) -> SimpleNamespace:
    settings.MEDIA_ROOT = tmp_path / "files"
    w = build_tree()
    w.officer = make_user("xa_pt", role=Role.UNIT_OFFICER, unit=w.pt, email="xa@pt.vn")
    w.secretariat = make_user("vp_tn", role=Role.SECRETARIAT, unit=w.tn, email="vp@tn.vn")
    w.appraiser = make_user("td_tn", role=Role.APPRAISER, unit=w.tn)
    w.leader = make_user("ld_tn", role=Role.LEADER, unit=w.tn, email="ld@tn.vn")
    w.other_officer = make_user("xa_khac", role=Role.UNIT_OFFICER, unit=w.other)
    w.outsider = make_user("hn", role=Role.UNIT_OFFICER, unit=w.outside)
    return w


def _item(w: SimpleNamespace, **kw: Any) -> FollowupItem:
    defaults: dict[str, Any] = {
        "user": w.secretariat,
        "title": "Khắc phục tỷ lệ hồ sơ trực tuyến thấp",
        "lead_unit": w.pt,
        "issuing_unit": w.tn,
        "deadline": date(2025, 9, 30),
        "acceptance_label": Acceptance.VERIFICATION,
        "source_label": "Thông báo kết luận kiểm tra 2025",
        "field_code": "VI",
    }
    defaults.update(kw)
    return services.item_create(**defaults)


# --- services -----------------------------------------------------------------------


def test_create_checks_schedule_and_permission(world: SimpleNamespace) -> None:
    item = _item(world)
    assert item.status == "not_started"
    assert AuditEvent.objects.filter(action="followup.create", object_id=str(item.pk)).count() == 4
    with pytest.raises(services.FollowupError, match="Cần hạn hoàn thành"):
        _item(world, deadline=None)
    with pytest.raises(PermissionDenied):
        _item(world, user=world.officer)  # an officer cannot issue to itself from the province
    with pytest.raises(PermissionDenied):
        _item(world, user=world.leader)
    ongoing = _item(world, deadline=None, ongoing=True, review_on=date(2025, 12, 15))
    assert ongoing.ongoing and ongoing.deadline is None
    # The database refuses the two forms at once, whatever the caller.
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowupItem.objects.filter(pk=ongoing.pk).update(deadline=date(2025, 1, 1))


def test_full_cycle_with_rejection(world: SimpleNamespace) -> None:
    item = _item(world)
    services.item_update(item=item, user=world.officer, text="Đã tập huấn", progress=40)
    assert item.status == "in_progress"
    services.item_claim_done(item=item, user=world.officer, text="Đạt 52 %")
    item.refresh_from_db()
    assert item.status == "claimed_done" and item.done_at is not None
    # The lead unit may not verify its own claim.
    with pytest.raises(PermissionDenied):
        services.item_accept(item=item, user=world.officer)
    with pytest.raises(PermissionDenied):
        services.item_accept(item=item, user=world.leader)
    # Rejecting needs a reason and leaves nothing behind without one.
    with pytest.raises(TransitionError, match="Cần nêu lý do"):
        services.item_reject_claim(item=item, user=world.secretariat, reason=" ")
    item.refresh_from_db()
    assert item.status == "claimed_done"
    services.item_reject_claim(item=item, user=world.secretariat, reason="Thiếu số liệu quý III")
    item.refresh_from_db()
    assert item.status == "in_progress" and item.done_at is None
    last = item.updates.last()
    assert last is not None
    assert (last.kind, last.text, last.status_before, last.status_after) == (
        "reject",
        "Thiếu số liệu quý III",
        "claimed_done",
        "in_progress",
    )
    services.item_claim_done(item=item, user=world.officer, text="Bổ sung số liệu")
    services.item_accept(item=item, user=world.appraiser, text="Đã xác minh")
    item.refresh_from_db()
    assert item.status == "accepted" and item.accepted_at is not None
    assert [u.kind for u in item.updates.all()] == [
        "progress",
        "claim",
        "reject",
        "claim",
        "accept",
    ]
    status_trail = [
        (e.old, e.new, e.reason)
        for e in AuditEvent.objects.filter(object_id=str(item.pk), field="status").order_by("id")
    ]
    assert status_trail == [
        (None, "not_started", ""),
        ("not_started", "in_progress", ""),
        ("in_progress", "claimed_done", ""),
        ("claimed_done", "in_progress", "Thiếu số liệu quý III"),
        ("in_progress", "claimed_done", ""),
        ("claimed_done", "accepted", ""),
    ]
    with pytest.raises(TransitionError, match="Không thể cập nhật tiến độ"):
        services.item_update(item=item, user=world.officer, text="thêm")


def test_cancel_requires_reason_and_reopen(world: SimpleNamespace) -> None:
    item = _item(world)
    with pytest.raises(TransitionError, match="Cần nêu lý do để hủy"):
        services.item_cancel(item=item, user=world.secretariat, reason="")
    with pytest.raises(PermissionDenied):
        services.item_cancel(item=item, user=world.officer, reason="không làm")
    services.item_cancel(item=item, user=world.secretariat, reason="Trùng nhiệm vụ khác")
    item.refresh_from_db()
    assert (item.status, item.cancelled_reason) == ("cancelled", "Trùng nhiệm vụ khác")
    assert AuditEvent.objects.get(object_id=str(item.pk), field="cancelled_reason").new == (
        "Trùng nhiệm vụ khác"
    )
    services.item_reopen(item=item, user=world.secretariat, reason="Vẫn cần làm")
    item.refresh_from_db()
    assert (item.status, item.cancelled_reason) == ("in_progress", "")


def test_progress_bounds_and_coordinating_units(world: SimpleNamespace) -> None:
    item = _item(world, coordinating_units=[world.other])
    with pytest.raises(services.FollowupError, match="Tiến độ phải từ 0 đến 100"):
        services.item_update(item=item, user=world.officer, text="x", progress=120)
    assert FollowupUpdate.objects.count() == 0
    # A coordinating unit may report progress but not claim the item done.
    services.item_update(item=item, user=world.other_officer, text="Phối hợp xong phần việc")
    with pytest.raises(PermissionDenied):
        services.item_claim_done(item=item, user=world.other_officer)
    with pytest.raises(PermissionDenied):
        services.item_update(item=item, user=world.outsider, text="x")


def test_overdue_due_soon_to_review_at_a_given_date(world: SimpleNamespace) -> None:
    late = _item(world, title="A", deadline=date(2025, 9, 30))
    soon = _item(world, title="B", deadline=date(2025, 10, 5))
    later = _item(world, title="C", deadline=date(2025, 11, 30))
    ongoing = _item(world, title="D", deadline=None, ongoing=True, review_on=date(2025, 10, 1))
    claimed = _item(world, title="E", deadline=date(2025, 9, 1))
    services.item_claim_done(item=claimed, user=world.officer)
    today = date(2025, 10, 1)
    qs = FollowupItem.objects.all()
    assert [i.title for i in qs.overdue(today)] == ["A"]
    assert [i.title for i in qs.due_soon(today, 7)] == ["B"]
    assert [i.title for i in qs.to_review(today)] == ["D"]
    assert [i.title for i in qs.overdue(date(2030, 1, 1)).order_by("title")] == ["A", "B", "C"]
    assert late.is_overdue_on(today) and not soon.is_overdue_on(today)
    assert not ongoing.is_overdue_on(date(2030, 1, 1)) and ongoing.needs_review_on(today)
    assert not later.is_due_soon_on(today)
    assert not claimed.is_overdue_on(today)
    # Nothing about overdue is stored: the same row is not overdue a day earlier.
    assert not late.is_overdue_on(date(2025, 9, 30))


def test_aggregate_for_a_directive_to_many_units(world: SimpleNamespace) -> None:
    source = world.tn  # any model can be a source
    items = [
        _item(world, title=f"Chỉ đạo {n}", lead_unit=world.pt, source=source) for n in range(4)
    ]
    for item in items[:2]:
        services.item_claim_done(item=item, user=world.officer)
        services.item_accept(item=item, user=world.secretariat)
    services.item_cancel(item=items[3], user=world.secretariat, reason="Không còn phù hợp")
    assert services.aggregate(FollowupItem.objects.for_source(source)) == (2, 3)
    assert services.aggregate(items) == (2, 3)  # the services keep instances in step
    assert FollowupItem.objects.for_source(source).count() == 4
    assert items[0].source == source


# --- reminders ----------------------------------------------------------------------


def test_reminder_once_per_day(world: SimpleNamespace) -> None:
    _item(world, title="Quá hạn", deadline=date(2025, 9, 30))
    _item(world, title="Sắp đến hạn", deadline=date(2025, 10, 3))
    _item(world, title="Chưa tới", deadline=date(2025, 12, 31))
    _item(world, title="Thường xuyên", deadline=None, ongoing=True, review_on=date(2025, 10, 1))
    _item(world, title="Ở xã khác", lead_unit=world.other, deadline=date(2025, 9, 1))

    out = StringIO()
    call_command(
        "followup_remind", "--today", "01/10/2025", "--dry-run", stdout=out, stderr=StringIO()
    )
    assert len(mail.outbox) == 0
    assert "[dry-run] 01/10/2025: 1 e-mail, 3 nhiệm vụ; không gửi gì." in out.getvalue()
    assert FollowupItem.objects.filter(last_reminded_on__isnull=False).count() == 0

    err = StringIO()
    call_command("followup_remind", "--today", "01/10/2025", stdout=StringIO(), stderr=err)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["xa@pt.vn"]
    assert message.subject == "[CCHC] Nhắc việc: 1 quá hạn, 1 sắp đến hạn, 1 cần rà soát"
    assert "- Quá hạn (Xã Phủ Thông; hạn 30/09/2025)" in message.body
    assert "- Thường xuyên (Xã Phủ Thông; rà soát ngày 01/10/2025)" in message.body
    assert "Chưa tới" not in message.body
    # Xã Khác has no user with an e-mail: said on stderr, not marked as reminded.
    assert "Không có người nhận" in err.getvalue() and "Ở xã khác" in err.getvalue()

    call_command("followup_remind", "--today", "01/10/2025", stdout=StringIO(), stderr=StringIO())
    assert len(mail.outbox) == 1  # the same day: nothing more

    call_command("followup_remind", "--today", "02/10/2025", stdout=StringIO(), stderr=StringIO())
    assert len(mail.outbox) == 2


def test_remind_bad_date(world: SimpleNamespace) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--today: ngày không tồn tại"):
        call_command("followup_remind", "--today", "31/02/2025")


# --- pages --------------------------------------------------------------------------


def test_list_and_detail_permissions(client: Client, world: SimpleNamespace) -> None:
    item = _item(world, deadline=date(2020, 1, 1))
    _item(world, title="Việc của xã khác", lead_unit=world.other)
    client.login(username="xa_pt", password=PASSWORD)
    page = client.get("/followup/").content.decode()
    assert "Khắc phục tỷ lệ hồ sơ trực tuyến thấp" in page
    assert "Việc của xã khác" not in page
    overdue = client.get("/followup/", {"show": "overdue"}).content.decode()
    assert "Quá hạn (1)" in overdue
    detail = client.get(f"/followup/{item.pk}/").content.decode()
    assert "Báo cáo hoàn thành" in detail and "Xác minh" in detail
    assert f'action="/followup/{item.pk}/accept/"' not in detail
    client.login(username="hn", password=PASSWORD)
    assert client.get(f"/followup/{item.pk}/").status_code == 403
    assert "Khắc phục" not in client.get("/followup/").content.decode()
    assert client.get(f"/followup/?unit={world.pt.pk}").status_code == 403
    client.login(username="ld_tn", password=PASSWORD)
    leader_page = client.get(f"/followup/{item.pk}/").content.decode()
    assert '<form method="post" action="/followup/' not in leader_page
    assert client.post(f"/followup/{item.pk}/claim/", {"text": "x"}).status_code == 403


def test_claim_with_evidence_then_verify_through_pages(
    client: Client, world: SimpleNamespace
) -> None:
    item = _item(world)
    client.login(username="xa_pt", password=PASSWORD)
    response = client.post(
        f"/followup/{item.pk}/claim/",
        {"text": "Đã hoàn thành", "files": [SimpleUploadedFile("Báo cáo khắc phục.pdf", PDF)]},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "claimed_done"
    stored = StoredFile.objects.get()
    assert stored.unit == world.pt and stored.read_bytes() == PDF
    detail = client.get(f"/followup/{item.pk}/").content.decode()
    assert "Báo cáo khắc phục.pdf" in detail
    # A refused file type: the claim is not recorded and the page says why.
    again = client.post(
        f"/followup/{item.pk}/update/",
        {"text": "x", "files": [SimpleUploadedFile("a.pdf", b"MZ\x00")]},
    )
    assert again.status_code == 400
    assert "Loại tệp không được phép: a.pdf" in again.content.decode()
    assert item.updates.count() == 1
    # The province verifies; it can download the evidence, an outsider cannot.
    client.login(username="vp_tn", password=PASSWORD)
    assert client.get(f"/files/{stored.pk}/").status_code == 200
    reject = client.post(f"/followup/{item.pk}/reject/", {"reason": ""})
    assert reject.status_code == 400
    item.refresh_from_db()
    assert item.status == "claimed_done"
    assert client.post(f"/followup/{item.pk}/accept/", {"text": "Đạt"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "accepted"
    client.login(username="hn", password=PASSWORD)
    assert client.get(f"/files/{stored.pk}/").status_code == 403
    # A transition not allowed from the status is refused with a message.
    client.login(username="xa_pt", password=PASSWORD)
    late = client.post(f"/followup/{item.pk}/claim/", {"text": "lại"})
    assert late.status_code == 400
    assert (
        "Không thể báo cáo hoàn thành khi nhiệm vụ đã nghiệm thu / xác minh."
        in late.content.decode()
    )


def test_unknown_action_is_404(client: Client, world: SimpleNamespace) -> None:
    item = _item(world)
    client.login(username="vp_tn", password=PASSWORD)
    assert client.post(f"/followup/{item.pk}/delete/").status_code == 404
    assert client.get(f"/followup/{item.pk}/accept/").status_code == 405


def test_list_query_count_does_not_grow(client: Client, world: SimpleNamespace) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _item(world, title="Một")
    client.login(username="vp_tn", password=PASSWORD)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/followup/?show=all").status_code == 200
    for n in range(6):
        _item(world, title=f"Thêm {n}", coordinating_units=[world.other])
    with CaptureQueriesContext(connection) as seven:
        body = client.get("/followup/?show=all").content.decode()
    assert "Thêm 5" in body and "Tất cả (7)" in body
    assert len(seven) == len(one)
