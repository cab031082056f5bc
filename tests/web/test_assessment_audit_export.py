"""The audit trail of an assessment is exportable, with the pages' permissions."""

from __future__ import annotations

import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from cchc.audit.services import history, record
from tests.web.test_assessment_exports import client_for, world, world_once

pytestmark = pytest.mark.django_db

__all__ = ["world", "world_once"]


def test_audit_export(world: SimpleNamespace) -> None:
    asm = world.asm_pt
    record(
        actor=world.appraiser,
        obj=asm,
        action="score.appraisal_1",
        changes={"I.1.points": ("2", "1.5")},
        reason="Kế hoạch ban hành trễ hạn",
    )
    url = reverse("assessments:audit_xlsx", args=[asm.pk])
    response = client_for(world.officer).get(url)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("Thời điểm", "Người thực hiện", "Thao tác", "Nội dung", "Cũ", "Mới", "Lý do")
    events = list(history(asm).order_by("at", "id"))
    assert len(rows) == 2 + len(events)
    last = rows[-1]
    assert last[2:] == ("score.appraisal_1", "I.1.points", "2", "1.5", "Kế hoạch ban hành trễ hạn")
    assert last[1] == "appr"

    expected = {"officer": 200, "officer_other": 404, "appraiser": 200, "secretariat": 200,
                "leader": 200, "outsider": 404}  # fmt: skip
    for who, status in expected.items():
        assert client_for(getattr(world, who)).get(url).status_code == status, who
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
