"""Read-only assessments API: rounds and their ranked results.

Session auth like the pages, and the same permissions: a round the user may not read does
not exist for them (404), exactly as ``/assessments/<id>/`` answers. Decimals travel as
exact strings (the index at the set's display precision), never as floats.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import Field

from cchc.assessments.models import AssessmentRound, Result
from cchc.assessments.views import PAGE_SIZE, _ranking_queryset, _round_readable

router = Router(tags=["assessments"], auth=django_auth)


def _plain(value: Decimal | None) -> str | None:
    """``7.5000`` → ``"7.5"``: exact, without exponent or trailing zeros."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _shown(value: Decimal | None, places: int) -> str | None:
    """The index as displayed: fixed ``places`` decimals (``73.63``)."""
    if value is None:
        return None
    return format(value.quantize(Decimal(1).scaleb(-places)), "f")


class IndexSetOut(Schema):
    code: str
    name: str
    display: str
    display_precision: int
    max_points: str


class RoundOut(Schema):
    id: int
    code: str
    name: str
    year: int
    status: str
    published_at: datetime | None
    owner_unit: str = Field(description="Unit key of the organising unit (``19@2025``)")
    units: int
    index_set: IndexSetOut
    is_synthetic: bool


class FieldOut(Schema):
    code: str
    label: str
    title: str
    max: str
    self: str
    appraisal: str
    survey: str
    final: str
    lost: str


_FIELD_NUMBERS = ("max", "self", "appraisal", "survey", "final", "lost")


class ResultOut(Schema):
    rank: int | None
    assessment_id: int
    unit: str = Field(description="Unit key (``01969@2025``)")
    unit_name: str
    index: str = Field(description="As displayed: the set's display precision")
    band: str
    total: str
    max_total: str
    lost: str
    self_total: str | None
    adjustment: str
    previous_index: str | None
    delta: str | None = Field(description="Index change against the previous round")
    missing: int
    adjusted: bool = Field(description="Changed after publication (đã điều chỉnh)")
    is_synthetic: bool
    fields: list[FieldOut]


class ResultPage(Schema):
    round: RoundOut
    count: int
    page: int
    pages: int
    page_size: int
    items: list[ResultOut]


def _round_out(rnd: AssessmentRound, units: int) -> RoundOut:
    index_set = rnd.index_set
    return RoundOut(
        id=rnd.pk,
        code=rnd.code,
        name=rnd.name,
        year=rnd.year,
        status=rnd.status,
        published_at=rnd.published_at,
        owner_unit=rnd.owner_unit.key,
        units=units,
        index_set=IndexSetOut(
            code=index_set.code,
            name=index_set.name,
            display=index_set.display,
            display_precision=index_set.display_precision,
            max_points=_plain(index_set.max_points) or "0",
        ),
        is_synthetic=rnd.is_synthetic,
    )


def _result_out(row: Result, places: int) -> ResultOut:
    delta = None if row.previous_index is None else row.index - row.previous_index
    return ResultOut(
        rank=row.rank,
        assessment_id=row.assessment_id,
        unit=row.unit.key,
        unit_name=row.unit.name,
        index=_shown(row.index, places) or "",
        band=row.band,
        total=_plain(row.total) or "0",
        max_total=_plain(row.max_total) or "0",
        lost=_plain(row.lost) or "0",
        self_total=_plain(row.self_total),
        adjustment=_plain(row.adjustment) or "0",
        previous_index=_shown(row.previous_index, places),
        delta=_shown(delta, places),
        missing=row.missing,
        adjusted=row.adjusted,
        is_synthetic=row.is_synthetic,
        fields=[
            FieldOut(
                code=f["code"],
                label=f.get("label") or "",
                title=f["title"],
                **{k: _plain(Decimal(f[k])) or "0" for k in _FIELD_NUMBERS},
            )
            for f in row.fields
        ],
    )


def _readable_round(request: HttpRequest, pk: int) -> AssessmentRound:
    rnd = (
        AssessmentRound.objects.select_related("index_set", "owner_unit")
        .annotate(n_units=Count("assessments"))
        .filter(pk=pk)
        .first()
    )
    if rnd is None or not _round_readable(request.user, rnd):
        raise HttpError(404, f"Không có đợt đánh giá số {pk}")
    return rnd


@router.get("/rounds/", response=list[RoundOut])
def list_rounds(request: HttpRequest) -> list[RoundOut]:
    """The rounds the user may read, newest year first (the page's order)."""
    rounds = AssessmentRound.objects.select_related("index_set", "owner_unit").annotate(
        n_units=Count("assessments")
    )
    return [
        _round_out(r, r.n_units)  # type: ignore[attr-defined]
        for r in rounds
        if _round_readable(request.user, r)
    ]


@router.get("/rounds/{pk}/", response=RoundOut)
def round_detail(request: HttpRequest, pk: int) -> RoundOut:
    rnd = _readable_round(request, pk)
    return _round_out(rnd, rnd.n_units)  # type: ignore[attr-defined]


@router.get("/rounds/{pk}/results/", response=ResultPage)
def round_results(
    request: HttpRequest,
    pk: int,
    page: int = Query(1, ge=1),  # type: ignore[type-arg]
    parent: str = "",
    group: str = "",
) -> ResultPage:
    """Results by rank, 100 a page; ``parent`` / ``group`` filter like the ranking page."""
    rnd = _readable_round(request, pk)
    paginator = Paginator(_ranking_queryset(request, rnd), PAGE_SIZE)
    if page > paginator.num_pages:
        raise HttpError(404, f"Trang {page} không có (có {paginator.num_pages} trang)")
    current = paginator.page(page)
    places = rnd.index_set.display_precision
    return ResultPage(
        round=_round_out(rnd, rnd.n_units),  # type: ignore[attr-defined]
        count=paginator.count,
        page=page,
        pages=paginator.num_pages,
        page_size=PAGE_SIZE,
        items=[_result_out(row, places) for row in current.object_list],
    )
