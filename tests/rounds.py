"""A published round of the small index set (tests/sets.py) for two communes, scored by
hand: the starting point of the inspection and remediation-plan tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from cchc.assessments import services as assessments
from cchc.assessments.models import Assessment, AssessmentStatus, Stage, StageScore

# Points per criterion: Xã Phủ Thông ("pt") loses points on I.2, II.1 and II.2.
POINTS = {
    "pt": {"I.1": "2", "I.2": "1", "II.1": "2.25", "II.2": "1.5"},
    "other": {"I.1": "2", "I.2": "2", "II.1": "3", "II.2": "3"},
}


def publish_round(w: SimpleNamespace, *, code: str, name: str, index_set: Any) -> Any:
    """Open a round for ``w.pt`` and ``w.other`` owned by ``w.tn``, store POINTS as their
    final scores (II.2 as the survey) and publish it as ``w.secretariat``."""
    today = date.today()
    rnd = assessments.round_open(
        user=None,
        code=code,
        name=name,
        index_set=index_set,
        owner_unit=w.tn,
        units=[w.pt, w.other],
        allow_appraisal=False,
        deadlines=assessments.Deadlines(*(today + timedelta(days=d) for d in (1, 2, 3, 4, 5))),
        check_permission=False,
    )
    for assessment in Assessment.objects.filter(round=rnd).select_related("unit"):
        key = "pt" if assessment.unit_id == w.pt.pk else "other"
        StageScore.objects.bulk_create(
            StageScore(
                assessment=assessment,
                criterion_code=c,
                stage=Stage.SURVEY if c == "II.2" else Stage.SELF,
                points=Decimal(p),
            )
            for c, p in POINTS[key].items()
        )
        assessment.status = AssessmentStatus.FINAL
        assessment.save(update_fields=["status"])
    return assessments.round_publish(user=w.secretariat, rnd=rnd)
