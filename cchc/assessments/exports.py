"""Exports of a round and a unit, assembled from the materialised results (reads only).

The writers in :mod:`cchc.reports.assessment_summary` and :mod:`cchc.reports.assessment_pdf`
get plain data from here; nothing is recomputed except the history (see
:mod:`cchc.assessments.history`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cchc.assessments import services
from cchc.assessments.models import Assessment, AssessmentRound, Result, Stage
from cchc.core.dates import format_date
from cchc.reports.assessment_summary import SummaryField, SummaryRow, SummaryTable
from cchc.reports.assessment_unit_table import UnitTable, UnitTableRow

INDEX_LABELS = {"percent": "Chỉ số (%)", "ratio": "Chỉ số", "points": "Chỉ số (điểm)"}


def round_results(rnd: AssessmentRound, *, parent: str = "", group: str = "") -> QuerySet[Result]:
    """The round's results in rank order, optionally under a parent unit or in a group."""
    results = Result.objects.filter(round=rnd).select_related("unit")
    if parent.isdigit():
        results = results.filter(unit__parent_id=int(parent))
    if group.isdigit():
        results = results.filter(unit__groups__id=int(group))
    return results.order_by("rank", "unit__sort_key")


def _notes(r: Result) -> str:
    flags = (("đã điều chỉnh", r.adjusted), ("dữ liệu giả lập", r.is_synthetic))
    return ", ".join(text for text, on in flags if on)


def summary_table(rnd: AssessmentRound, *, parent: str = "", group: str = "") -> SummaryTable:
    cset = services.compiled(rnd)
    index_set = rnd.index_set
    codes = [cset.codes[f] for f in cset.fields]
    fields = [
        SummaryField(cset.nodes[f].label, cset.nodes[f].title, cset.full_max[f])
        for f in cset.fields
    ]
    rows = []
    for r in round_results(rnd, parent=parent, group=group):
        by_code = {f["code"]: Decimal(f["final"]) for f in r.fields}
        rows.append(
            SummaryRow(
                unit=r.unit.name,
                fields=[by_code.get(c, Decimal(0)) for c in codes],
                total=r.total,
                index=r.index,
                rank=r.rank,
                band=r.band,
                note=_notes(r),
            )
        )
    if rnd.is_published and rnd.published_at is not None:
        status = f"Công bố ngày {format_date(timezone.localdate(rnd.published_at))}"
    else:
        status = "Chưa công bố: số liệu tạm tính"
    basis = f" ({index_set.legal_basis})" if index_set.legal_basis else ""
    return SummaryTable(
        title=f"BẢNG TỔNG HỢP KẾT QUẢ {rnd.name.upper()}",
        subtitle=f"{index_set.name}{basis} · {rnd.owner_unit.name} · {status}",
        fields=fields,
        rows=rows,
        max_total=index_set.max_points,
        index_label=INDEX_LABELS.get(index_set.display, "Chỉ số"),
        places=index_set.display_precision,
    )


@dataclass(frozen=True)
class FieldLine:
    label: str
    title: str
    max: Decimal
    self: Decimal
    appraisal: Decimal
    survey: Decimal
    final: Decimal
    lost: Decimal


def scorecard_data(assessment: Assessment) -> dict[str, Any]:
    """What the printed scorecard shows; the result must exist (a round always has one)."""
    rnd = assessment.round
    result = Result.objects.get(assessment=assessment)
    fields = [
        FieldLine(
            f["label"],
            f["title"],
            *(Decimal(f[k]) for k in ("max", "self", "appraisal", "survey", "final", "lost")),
        )
        for f in result.fields
    ]
    scores = services.current_scores(assessment)
    adjustments = [
        {
            "code": code,
            "stage": row.get_stage_display(),
            "self": getattr(scores.get((Stage.SELF, code)), "points", None),
            "points": row.points,
            "reason": row.note,
        }
        for (stage, code), row in sorted(scores.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        if stage in (Stage.APPRAISAL_1, Stage.APPRAISAL_2) and row.note
    ]
    lost = [
        {**c, **{k: Decimal(c[k]) for k in ("max", "points", "lost")}} for c in result.lost_criteria
    ]
    return {
        "a": assessment,
        "rnd": rnd,
        "result": result,
        "peers": Result.objects.filter(round=rnd).count(),
        "fields": fields,
        "sums": {
            k: sum((getattr(f, k) for f in fields), Decimal(0))
            for k in ("max", "self", "appraisal", "survey", "final", "lost")
        },
        "lost": lost,
        "adjustments": adjustments,
        "places": rnd.index_set.display_precision,
        "index_label": INDEX_LABELS.get(rnd.index_set.display, "Chỉ số"),
        "printed": timezone.localtime(),
    }


def unit_table(assessment: Assessment) -> UnitTable:
    """The official table of one unit: every node in tree order, from its stored scores.

    Per node: the self-assessed points of the criteria under it, the appraised (final) points
    of the self-assessed and computed ones, the survey points, and the achieved points.
    """
    rnd = assessment.round
    index_set = rnd.index_set
    ((_a, res),) = services.compute_results(rnd, [assessment])
    cset = res.cset
    n = len(cset.codes)
    own: list[Decimal | None] = [None] * n
    appraised: list[Decimal | None] = [None] * n
    survey: list[Decimal | None] = [None] * n
    for leaf, _code, source in cset.leaf_sources:
        mine = res.self_entries[leaf]
        node = leaf
        while node != -1:
            if source == 1:
                survey[node] = (survey[node] or Decimal(0)) + res.points[leaf]
            else:
                appraised[node] = (appraised[node] or Decimal(0)) + res.points[leaf]
            if source == 0:
                own[node] = (own[node] or Decimal(0)) + (
                    mine.points if mine is not None else Decimal(0)
                )
            node = cset.parent[node]
    top = min(cset.level, default=0)
    rows = [
        UnitTableRow(
            cset.nodes[i].label or cset.codes[i],
            cset.nodes[i].title,
            cset.level[i] - top,
            res.max[i],
            own[i],
            appraised[i],
            survey[i],
            res.points[i],
        )
        for i in range(n)
    ]

    def total(column: list[Decimal | None]) -> Decimal | None:
        present = [v for v in (column[f] for f in cset.fields) if v is not None]
        return sum(present, Decimal(0)) if present else None

    return UnitTable(
        title=f"BẢNG TỔNG HỢP KẾT QUẢ {rnd.name.upper()}",
        subtitle=f"{assessment.unit.name} · {index_set.name}",
        rows=rows,
        total=UnitTableRow(
            "", "", 0, res.max_total, total(own), total(appraised), total(survey), res.total
        ),
        index=res.shown,
        index_label=INDEX_LABELS.get(index_set.display, "Chỉ số"),
        places=index_set.display_precision,
    )
