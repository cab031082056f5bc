from __future__ import annotations

from typing import Any

import pytest

from cchc.audit.models import AuditEvent
from cchc.frameworks.services import indexset_import, shipped_sets

pytestmark = pytest.mark.django_db


def test_import_and_publish_are_in_the_audit_trail(make_user: Any) -> None:
    user = make_user("thuky")
    path = next(p for p in shipped_sets() if p.name == "service-766.yaml")
    index_set = indexset_import(path, actor=user)
    index_set = indexset_import(path, publish=True, actor=user)
    rows = list(
        AuditEvent.objects.filter(object_id=str(index_set.pk))
        .order_by("id")
        .values_list("action", "field", "new", "actor__username")
    )
    assert rows == [
        ("indexset.import", "sha256", index_set.sha256, "thuky"),
        ("indexset.import", "status", "draft", "thuky"),
        ("indexset.publish", "status", "published", "thuky"),
    ]
