from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cchc.accounts.models import Role
from cchc.audit.models import AppendOnlyError, AuditEvent
from cchc.audit.services import history, record
from tests.conftest import PASSWORD
from tests.web.test_permissions import build_tree

pytestmark = pytest.mark.django_db


def test_one_row_per_changed_field(make_user: Any) -> None:
    tree = build_tree()
    user = make_user("vp", role=Role.SECRETARIAT, unit=tree.tn)
    events = record(
        actor=user,
        obj=tree.pt,
        action="unit.edit",
        changes={
            "name": ("Xã Phủ Thông", "Xã Phủ Thông mới"),
            "latitude": (Decimal("22.10"), Decimal("22.125")),
            "valid_from": (None, date(2025, 7, 1)),
            "note": ("", ""),  # unchanged: no row
        },
        reason="đính chính",
    )
    assert [(e.field, e.old, e.new) for e in events] == [
        ("name", "Xã Phủ Thông", "Xã Phủ Thông mới"),
        ("latitude", "22.10", "22.125"),
        ("valid_from", None, "2025-07-01"),
    ]
    stored = AuditEvent.objects.get(field="latitude")
    assert stored.actor == user
    assert stored.reason == "đính chính"
    assert stored.object_id == str(tree.pt.pk)
    assert stored.object_repr == "Xã Phủ Thông"
    assert history(tree.pt).count() == 3


def test_one_row_without_field_and_system_actor() -> None:
    tree = build_tree()
    (event,) = record(actor=None, obj=tree.tn, action="unit.load")
    assert event.field == "" and event.actor is None and event.old is None


def test_append_only() -> None:
    tree = build_tree()
    (event,) = record(actor=None, obj=tree.tn, action="x")
    event.reason = "sửa"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="sửa")
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_viewer_for_administrators_only(client: Client, make_user: Any) -> None:
    tree = build_tree()
    vp = make_user("vp", role=Role.SECRETARIAT, unit=tree.tn)
    make_user("xa", role=Role.UNIT_OFFICER, unit=tree.pt)
    make_user("ld", role=Role.LEADER, unit=tree.tn)
    make_user("qt", role=Role.ADMIN, unit=None)
    record(actor=vp, obj=tree.pt, action="unit.edit", changes={"name": ("A", "B")}, reason="r1")
    record(actor=None, obj=tree.tn, action="unit.load")
    # The whole trail shows every province's old and new values: administrators only.
    for username in ("xa", "ld", "vp"):
        client.login(username=username, password=PASSWORD)
        assert client.get("/accounts/audit/").status_code == 403
    client.login(username="qt", password=PASSWORD)
    page = client.get("/accounts/audit/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "unit.edit" in body and "unit.load" in body
    only_vp = client.get("/accounts/audit/", {"actor": "vp"}).content.decode()
    assert "unit.edit" in only_vp and "unit.load" not in only_vp
    by_object = client.get("/accounts/audit/", {"object": tree.tn.pk}).content.decode()
    assert "unit.load" in by_object and "unit.edit" not in by_object
    bad_date = client.get("/accounts/audit/", {"from": "31/02/2025"}).content.decode()
    assert "Từ ngày: ngày không tồn tại" in bad_date
    future = client.get("/accounts/audit/", {"from": "01/01/2999"}).content.decode()
    assert "unit.edit" not in future
