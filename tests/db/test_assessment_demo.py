"""The demo figures of Kiến Tường (seed article) and the `cchc score` example inputs."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cchc.assessments import demo
from cchc.assessments.models import AssessmentRound, Result
from cchc.assessments.services import verify
from cchc.frameworks.services import SETS_DIR, indexset_import

pytestmark = pytest.mark.django_db
DATA = Path(demo.__file__).resolve().parent / "demo_data"


@pytest.mark.parametrize(
    ("set_file", "csv", "expected"),
    [
        (DATA / "par-district-sample.yaml", "kien-tuong-par-2023.csv", "Chỉ số: 73,63 %"),
        (DATA / "par-district-sample.yaml", "kien-tuong-par-2022.csv", "Chỉ số: 77,93 %"),
        (SETS_DIR / "dx-district-sample.yaml", "kien-tuong-dx-2023.csv", "Chỉ số: 409,66"),
    ],
)
def test_score_examples(set_file: Path, csv: str, expected: str) -> None:
    out = io.StringIO()
    call_command("score", str(set_file), inputs=str(DATA / csv), stdout=out)
    assert expected in out.getvalue().splitlines()


def test_demo_kien_tuong(make_user: Any) -> None:
    indexset_import(SETS_DIR / "dx-district-sample.yaml", publish=True)
    demo.load(io.StringIO())
    demo.load(io.StringIO())  # idempotent
    assert AssessmentRound.objects.count() == 3
    par = Result.objects.get(round__code="par-long-an-2023", unit__code="795")
    assert (par.index, par.rank, par.previous_index) == (Decimal("73.63"), 11, Decimal("77.93"))
    assert par.index - par.previous_index == Decimal("-4.30")
    assert par.round.results.count() == 15
    assert par.round.results.filter(is_synthetic=True).count() == 14
    dx = Result.objects.get(round__code="dx-long-an-2023", unit__code="795")
    assert (dx.total, dx.max_total) == (Decimal("409.66"), Decimal(600))
    assert verify(par.round) == (15, [])
    # The ranking page and the scorecard show the exact figures.
    c = Client()
    c.force_login(make_user("root", is_superuser=True))
    page = c.get(reverse("assessments:round", args=[par.round_id])).content.decode()
    assert "Thị xã Kiến Tường" in page and "73,63" in page and "-4,30" in page
    card = c.get(reverse("assessments:scorecard", args=[par.assessment_id])).content.decode()
    assert 'id="sc-index">73,63<' in card and 'id="sc-rank">11/15<' in card
    assert "Thị xã Kiến Tường: 2022 — 77,93, rank 8/15" in card or "2022 — 77,93" in card
