import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.db.test_assessment_history import build_history_world

pytestmark = pytest.mark.django_db


def test_render() -> None:
    def make_user(username, role=None, unit=None, **extra):
        return User.objects.create_user(username=username, password="x", **extra)
    w = build_history_world(make_user)
    c = Client()
    c.force_login(w.root)
    for name, url in (
        ("summary.docx", reverse("assessments:summary_docx", args=[w.r24.pk])),
        ("sumx.xlsx", reverse("assessments:summary_xlsx", args=[w.r24.pk])),
        ("scorecard.pdf", reverse("assessments:scorecard_pdf", args=[w.asm_pt.pk])),
    ):
        r = c.get(url)
        assert r.status_code == 200, name
        open(f"/tmp/exp-render/{name}", "wb").write(r.content)
    assert "Official" not in c.get(reverse("assessments:round", args=[w.r24.pk])).content.decode()
    assert "scorecard.pdf" in c.get(reverse("assessments:scorecard", args=[w.asm_pt.pk])).content.decode()
