"""Pages of assessment rounds. Thin: load with a permission check, call a service, render."""

from __future__ import annotations

import io
import statistics
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts.models import Role
from cchc.accounts.permissions import (
    ALL,
    can_read_unit,
    has_role,
    readable_unit_ids,
)
from cchc.assessments import services
from cchc.assessments.forms import RoundForm
from cchc.assessments.models import (
    Assessment,
    AssessmentRound,
    AssessmentStatus,
    Evidence,
    Result,
    SignOff,
    Stage,
)
from cchc.assessments.panels import render_panels
from cchc.assessments.services import WorkflowError
from cchc.assessments.xlsx_io import form_bytes, form_upload
from cchc.audit.services import history
from cchc.core.indexset import Method
from cchc.core.rules import describe
from cchc.documents.models import DocumentRef, StoredFile
from cchc.documents.services import UploadError, file_store
from cchc.frameworks.kpi import sniff_rows
from cchc.reports.assessment_svg import Bar, FieldBars, field_comparison, ranking_bars
from cchc.reports.assessment_xlsx import RankingRow, ranking_xlsx
from cchc.units.models import Unit, UnitGroup
from cchc.units.services import UnitResolutionError, predecessors, resolve_unit

PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- access ---------------------------------------------------------------------------------


def _round_readable(user: Any, rnd: AssessmentRound) -> bool:
    if can_read_unit(user, rnd.owner_unit_id) or services.can_manage(user, rnd):
        return True
    scope = readable_unit_ids(user)
    if scope is ALL:
        return True
    if rnd.appraisers.filter(user_id=user.pk).exists():
        return True
    return rnd.assessments.filter(unit_id__in=sorted(scope)).exists()  # type: ignore[arg-type]


def _get_round(request: HttpRequest, pk: int) -> AssessmentRound:
    rnd = get_object_or_404(
        AssessmentRound.objects.select_related("index_set", "owner_unit"), pk=pk
    )
    if not _round_readable(request.user, rnd):
        raise Http404
    return rnd


def _get_assessment(request: HttpRequest, pk: int) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.select_related("round", "round__index_set", "round__owner_unit", "unit"),
        pk=pk,
    )
    user = request.user
    if not (
        can_read_unit(user, assessment.unit_id)
        or services.can_manage(user, assessment.round)
        or services.appraisal_fields(user, assessment) is not None
    ):
        raise Http404  # another unit's assessment does not exist for this user
    return assessment


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# -- rounds ---------------------------------------------------------------------------------


def round_list(request: HttpRequest) -> HttpResponse:
    rounds = [
        r
        for r in AssessmentRound.objects.select_related("index_set", "owner_unit")
        if _round_readable(request.user, r)
    ]
    mine = Assessment.objects.none()
    scope = readable_unit_ids(request.user)
    if isinstance(scope, set) and scope:
        visible = Assessment.objects.filter(unit_id__in=sorted(scope))
        mine = visible.select_related("round", "unit")[:50]
    can_open = has_role(request.user, Role.SECRETARIAT, Role.ADMIN)
    return render(
        request,
        "assessments/list.html",
        {"rounds": rounds, "mine": mine, "can_open": can_open},
    )


def round_new(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, Role.SECRETARIAT, Role.ADMIN):
        raise PermissionDenied
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            owner = resolve_unit(data["owner_unit"])
            units = [resolve_unit(line) for line in data["units"].splitlines() if line.strip()]
            rnd = services.round_open(
                user=request.user,
                code=data["code"],
                name=data["name"],
                index_set=data["index_set"],
                owner_unit=owner,
                units=units,
                unit_group=data["unit_group"],
                previous=data["previous"],
                allow_appraisal=data["allow_appraisal"],
                deadlines=services.Deadlines(
                    data["self_deadline"],
                    data["appraisal_1_deadline"],
                    data["explanation_deadline"],
                    data["appraisal_2_deadline"],
                    data["publication_deadline"],
                ),
            )
        except (UnitResolutionError, WorkflowError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Round opened."))
            return redirect("assessments:round", pk=rnd.pk)
    return render(request, "assessments/new.html", {"form": form})


def _ranking_queryset(request: HttpRequest, rnd: AssessmentRound) -> Any:
    # One query for a page of rows: the unit (and its parent, for exports) joined; the
    # lost-criteria JSON stays in the database (the scorecard reads it, not the ranking).
    results = (
        Result.objects.filter(round=rnd)
        .select_related("unit", "unit__parent")
        .defer("lost_criteria")
    )
    parent = request.GET.get("parent", "")
    group = request.GET.get("group", "")
    if parent.isdigit():
        results = results.filter(unit__parent_id=int(parent))
    if group.isdigit():
        results = results.filter(unit__groups__id=int(group))
    return results.order_by("rank", "unit__sort_key")


_RANKING_COLUMNS = (
    "id",
    "rank",
    "assessment_id",
    "unit__name",
    "adjusted",
    "is_synthetic",
    "missing",
    "index",
    "band",
    "previous_index",
    "fields",
)


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round(request, pk)
    manage = services.can_manage(request.user, rnd)
    # Only what the table and the chart show: no parent unit, no lost criteria, no totals.
    results = (
        _ranking_queryset(request, rnd)
        .select_related(None)
        .select_related("unit")
        .only(*_RANKING_COLUMNS)
    )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    places = rnd.index_set.display_precision
    rows = list(page.object_list)
    chart = ranking_bars(
        [Bar(r.unit.name, r.index) for r in rows],
        maximum=Decimal(100) if rnd.index_set.display != "points" else rnd.index_set.max_points,
        places=places,
    )
    parents = (
        Unit.objects.filter(pk__in=Result.objects.filter(round=rnd).values("unit__parent_id"))
        .only("id", "name")
        .order_by("sort_key")
    )
    assessments = []
    if manage or has_role(request.user, Role.APPRAISER):
        assessments = list(
            rnd.assessments.select_related("unit")
            .only("id", "round_id", "status", "revision", "unit__name")
            .order_by("unit__sort_key")[:500]
        )
    field_titles = [f["label"] or f["code"] for f in (rows[0].fields if rows else [])]
    return render(
        request,
        "assessments/round.html",
        {
            "rnd": rnd,
            "page": page,
            "rows": rows,
            "chart": mark_safe(chart),  # noqa: S308 - built by our writer, every text escaped
            "places": places,
            "manage": manage,
            "parents": parents,
            "groups": UnitGroup.objects.all().only("id", "name"),
            "assessments": assessments,
            "field_titles": field_titles,
            "appraiser_users": User.objects.filter(roles__role=Role.APPRAISER).distinct()
            if manage
            else [],
            "filters": request.GET.urlencode(),
        },
    )


@require_GET
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round(request, pk)
    rows = list(_ranking_queryset(request, rnd))
    labels = [f["label"] or f["code"] for f in (rows[0].fields if rows else [])]
    data = ranking_xlsx(
        title=rnd.name,
        field_labels=labels,
        rows=[
            RankingRow(
                rank=r.rank,
                unit=r.unit.name,
                parent=r.unit.parent.name if r.unit.parent else "",
                index=r.index,
                total=r.total,
                max_total=r.max_total,
                band=r.band,
                previous=r.previous_index,
                fields=[Decimal(f["final"]) for f in r.fields],
                note=" · ".join(
                    n
                    for n, on in (
                        ("đã điều chỉnh", r.adjusted),
                        ("dữ liệu giả lập", r.is_synthetic),
                    )
                    if on
                ),
            )
            for r in rows
        ],
        places=rnd.index_set.display_precision,
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="xep-hang-{rnd.code}.xlsx"'
    return response


def _manage_or_403(request: HttpRequest, rnd: AssessmentRound) -> None:
    if not services.can_manage(request.user, rnd):
        raise PermissionDenied


@require_POST
def round_publish(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round(request, pk)
    _manage_or_403(request, rnd)
    try:
        services.round_publish(user=request.user, rnd=rnd)
        messages.success(request, _("Results published."))
    except WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("assessments:round", pk=rnd.pk)


def _read_table(upload: Any) -> list[list[str]]:
    name = (upload.name or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        return [
            ["" if c is None else str(c) for c in row]
            for row in book.worksheets[0].iter_rows(values_only=True)
        ]
    return sniff_rows(data.decode("utf-8-sig"))


def survey_upload(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round(request, pk)
    _manage_or_403(request, rnd)
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors.append(_("Choose a .csv or .xlsx file."))
        else:
            try:
                table = _read_table(upload)
            except (UnicodeDecodeError, ValueError, OSError):
                table = []
                errors.append("Tệp không đọc được (cần .csv UTF-8 hoặc .xlsx)")
            rows = [
                (n, *(list(r) + ["", "", ""])[:3])
                for n, r in enumerate(table[1:], start=2)
                if any(str(c).strip() for c in r)
            ]
            if table and not errors:
                try:
                    count = services.survey_import(user=request.user, rnd=rnd, rows=rows)  # type: ignore[arg-type]
                except services.ImportRowsError as exc:
                    errors = [str(e) for e in exc.errors]
                except WorkflowError as exc:
                    errors = [str(exc)]
                else:
                    messages.success(request, _("Imported %(n)s survey rows.") % {"n": count})
                    return redirect("assessments:round", pk=rnd.pk)
    return render(request, "assessments/survey.html", {"rnd": rnd, "errors": errors})


@require_POST
def computed_update(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round(request, pk)
    _manage_or_403(request, rnd)
    try:
        missing = services.computed_refresh(user=request.user, rnd=rnd)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        if missing:
            messages.warning(request, _("No value for: ") + "; ".join(missing[:20]))
        else:
            messages.success(request, _("Computed criteria updated."))
    return redirect("assessments:round", pk=rnd.pk)


@require_POST
def appraiser_add(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round(request, pk)
    _manage_or_403(request, rnd)
    user = User.objects.filter(pk=request.POST.get("user") or 0).first()
    unit_id = request.POST.get("unit") or ""
    unit = rnd.assessments.filter(unit_id=unit_id).first() if unit_id.isdigit() else None
    if user is None or (unit_id and unit is None):
        messages.error(request, _("Choose an appraiser and a unit of the round."))
    else:
        services.appraiser_assign(
            user=request.user,
            rnd=rnd,
            appraiser=user,
            unit=unit.unit if unit else None,
            field_code=(request.POST.get("field") or "").strip(),
        )
        messages.success(request, _("Appraiser assigned."))
    return redirect("assessments:round", pk=rnd.pk)


# -- one unit's assessment ---------------------------------------------------------------------


def _criterion_rows(
    request: HttpRequest, assessment: Assessment, only: str | None = None
) -> list[dict[str, Any]]:
    cset = services.compiled(assessment.round)
    scores = services.current_scores(assessment)
    evidence: dict[str, list[Evidence]] = {}
    for ev in services.current_evidence(assessment):
        evidence.setdefault(ev.criterion_code, []).append(ev)
    status = assessment.status
    editable_stage = None
    user = request.user
    published_final = assessment.round.is_published and status == AssessmentStatus.FINAL
    own_stage = status in (AssessmentStatus.SELF, AssessmentStatus.EXPLANATION)
    if not published_final and (
        (own_stage and services.can_self_assess(user, assessment))
        or status in (AssessmentStatus.APPRAISAL_1, AssessmentStatus.APPRAISAL_2)
    ):
        editable_stage = status
    rows = []
    for i, node in enumerate(cset.nodes):
        if only is not None and node.code != only:
            continue
        own = scores.get((Stage.SELF, node.code))
        first = scores.get((Stage.APPRAISAL_1, node.code))
        second = scores.get((Stage.APPRAISAL_2, node.code))
        reply = scores.get((Stage.EXPLANATION, node.code))
        other = scores.get((Stage.SURVEY, node.code)) or scores.get((Stage.COMPUTED, node.code))
        scored_by_hand = node.is_leaf and node.method not in (Method.SURVEY, Method.COMPUTED)
        stage = editable_stage if scored_by_hand else None
        if stage in (Stage.APPRAISAL_1, Stage.APPRAISAL_2) and not services.can_appraise(
            user, assessment, node.code
        ):
            stage = None
        if stage == Stage.EXPLANATION and not services.contested(scores, node.code):
            stage = None
        current = scores.get((stage, node.code)) if stage else None
        if current is not None and current.revision != assessment.revision:
            current = None
        rows.append(
            {
                "code": node.code,
                "label": node.label,
                "title": node.title,
                "level": cset.level[i],
                "max": cset.max[i],
                "is_leaf": node.is_leaf,
                "method": node.method.value,
                "kpi": node.kpi,
                "rule": describe(node.effective_rule, node.range) if scored_by_hand else "",
                "evidence_required": node.evidence,
                "self": own,
                "first": first,
                "second": second,
                "reply": reply,
                "other": other,
                "evidence": evidence.get(node.code, []),
                "stage": stage,
                "base": services.version_of(current),
                "current": current,
                "contested": services.contested(scores, node.code),
            }
        )
    return rows


def _assessment_context(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    user = request.user
    rnd = assessment.round
    status = assessment.status
    can_submit = not (rnd.is_published and status == AssessmentStatus.FINAL) and (
        (
            status in (AssessmentStatus.SELF, AssessmentStatus.EXPLANATION)
            and services.can_self_assess(user, assessment)
        )
        or (
            status in (AssessmentStatus.APPRAISAL_1, AssessmentStatus.APPRAISAL_2)
            and services.can_appraise(user, assessment)
        )
    )
    result = Result.objects.filter(assessment=assessment).first()
    unit_files = (
        StoredFile.objects.filter(unit=assessment.unit).only("id", "original_name")[:200]
        if services.can_self_assess(user, assessment)
        else []
    )
    unit_refs = (
        DocumentRef.objects.filter(unit=assessment.unit)[:200]
        if services.can_self_assess(user, assessment)
        else []
    )
    return {
        "a": assessment,
        "rnd": rnd,
        "rows": _criterion_rows(request, assessment),
        "can_submit": can_submit,
        "deadline": services.deadline_for(assessment, status)
        if status != AssessmentStatus.FINAL
        else None,
        "manage": services.can_manage(user, rnd),
        "can_self": services.can_self_assess(user, assessment),
        "signoffs": SignOff.objects.filter(assessment=assessment).select_related("user"),
        "result": result,
        "unit_files": unit_files,
        "unit_refs": unit_refs,
        "events": history(assessment)[:100],
        "stages": [
            (s.value, s.label)
            for s in (Stage.SELF, Stage.APPRAISAL_1, Stage.EXPLANATION, Stage.APPRAISAL_2)
        ],
    }


def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    return render(request, "assessments/assessment.html", _assessment_context(request, assessment))


@require_POST
def criterion_save(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    error = ""
    try:
        services.score_save(
            user=request.user,
            assessment=assessment,
            code=code,
            stage=request.POST.get("stage", ""),
            value=request.POST.get("value", ""),
            note=request.POST.get("note", ""),
            base=request.POST.get("base", ""),
        )
    except services.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except services.ConflictError as exc:
        error = str(exc)
        if not _is_htmx(request):
            messages.error(request, error)
            return redirect("assessments:assessment", pk=pk)
        return _row_fragment(request, pk, code, error, status=409)
    except WorkflowError as exc:
        error = str(exc)
        if not _is_htmx(request):
            messages.error(request, error)
            return redirect("assessments:assessment", pk=pk)
    if _is_htmx(request):
        return _row_fragment(request, pk, code, error)
    messages.success(request, _("Saved %(code)s.") % {"code": code})
    return redirect(f"{request.path.rsplit('/save/', 1)[0]}/#c-{code}")


def _row_fragment(
    request: HttpRequest, pk: int, code: str, error: str, status: int = 200
) -> HttpResponse:
    assessment = Assessment.objects.select_related("round", "round__index_set", "unit").get(pk=pk)
    rows = _criterion_rows(request, assessment, only=code)
    if not rows:
        raise Http404
    response = render(
        request,
        "assessments/_criterion.html",
        {"r": rows[0], "a": assessment, "error": error},
    )
    if status != 200:
        # htmx swaps only 2xx by default: keep 200 for the swap, say the truth in a header.
        response["X-Conflict"] = "1"
    return response


@require_POST
def evidence_add(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    if not services.can_self_assess(request.user, assessment):
        raise PermissionDenied
    try:
        upload = request.FILES.get("file")
        existing = request.POST.get("existing", "")
        ref = request.POST.get("ref", "")
        if upload is not None:
            stored = file_store(uploaded=upload, user=request.user, unit=assessment.unit)
            services.evidence_attach(
                user=request.user, assessment=assessment, code=code, file=stored
            )
        elif existing.isdigit():
            stored = get_object_or_404(StoredFile, pk=int(existing), unit=assessment.unit)
            services.evidence_attach(
                user=request.user, assessment=assessment, code=code, file=stored
            )
        elif ref.isdigit():
            document = get_object_or_404(DocumentRef, pk=int(ref), unit=assessment.unit)
            services.evidence_attach(
                user=request.user, assessment=assessment, code=code, document=document
            )
        else:
            raise WorkflowError("Chọn tệp để tải lên, hoặc một tệp/văn bản đã có")
        messages.success(request, _("Evidence attached to %(code)s.") % {"code": code})
    except (UploadError, WorkflowError) as exc:
        messages.error(request, f"{code}: {exc}")
    return redirect(f"{request.path.rsplit('/evidence/', 1)[0]}/#c-{code}")


@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    stage = request.POST.get("stage", assessment.status)
    try:
        sign = services.stage_submit(user=request.user, assessment=assessment, stage=stage)
    except services.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Submitted and signed (SHA-256 %(h)s).") % {"h": sign.sha256[:16]}
        )
    return redirect("assessments:assessment", pk=pk)


@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    if not services.can_manage(request.user, assessment.round):
        raise PermissionDenied
    try:
        services.stage_reopen(
            user=request.user,
            assessment=assessment,
            stage=request.POST.get("stage", ""),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("Stage reopened as a new revision."))
    except WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("assessments:assessment", pk=pk)


@require_GET
def form_download(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    response = HttpResponse(form_bytes(assessment), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="tu-danh-gia-{assessment.round.code}-{assessment.unit.code}.xlsx"'
    )
    return response


@require_POST
def form_upload_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    if not services.can_self_assess(request.user, assessment):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the filled .xlsx form."))
        return redirect("assessments:assessment", pk=pk)
    try:
        count = form_upload(user=request.user, assessment=assessment, data=upload.read())
    except services.ImportRowsError as exc:
        for err in exc.errors[:50]:
            messages.error(request, str(err))
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Read %(n)s criteria from the form.") % {"n": count})
    return redirect("assessments:assessment", pk=pk)


# -- scorecard ----------------------------------------------------------------------------------


def _dec(text: str) -> Decimal:
    return Decimal(text)


def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    rnd = assessment.round
    result = get_object_or_404(Result, assessment=assessment)
    peers = list(Result.objects.filter(round=rnd).values_list("fields", flat=True))
    fields = []
    bars = []
    for f in result.fields:
        values = [
            _dec(p[i]["final"]) for p in peers for i in range(len(p)) if p[i]["code"] == f["code"]
        ]
        median = Decimal(statistics.median(values)) if values else None
        best = max(values) if values else None
        fields.append(
            {
                **{k: f[k] for k in ("code", "label", "title")},
                **{k: _dec(f[k]) for k in ("max", "self", "appraisal", "survey", "final", "lost")},
                "median": median,
                "best": best,
            }
        )
        bars.append(
            FieldBars(
                f"{f['label']} {f['title']}"[:40], _dec(f["max"]), _dec(f["final"]), median, best
            )
        )
    scores = services.current_scores(assessment)
    adjustments = [
        {"code": code, "self": scores.get((Stage.SELF, code)), "row": row}
        for (stage, code), row in sorted(scores.items(), key=lambda kv: kv[0][1])
        if stage in (Stage.APPRAISAL_1, Stage.APPRAISAL_2) and row.note
    ]
    computed = [row for (stage, _c), row in sorted(scores.items()) if stage == Stage.COMPUTED]
    evidence = services.current_evidence(assessment)
    history_rows = _history(assessment)
    return render(
        request,
        "assessments/scorecard.html",
        {
            "a": assessment,
            "rnd": rnd,
            "result": result,
            "fields": fields,
            "chart": mark_safe(field_comparison(bars)),  # noqa: S308 - escaped by the writer
            "lost": result.lost_criteria,
            "adjustments": adjustments,
            "computed": computed,
            "evidence": evidence,
            "history": history_rows,
            "panels": [(t, mark_safe(h)) for t, h in render_panels(request, assessment.unit, rnd)],  # noqa: S308
            "places": rnd.index_set.display_precision,
            "peers": len(peers),
        },
    )


def _history(assessment: Assessment) -> list[dict[str, Any]]:
    """Earlier results of the unit and, each on its own line, of its predecessors."""
    kind = assessment.round.index_set.kind
    units = [(assessment.unit, "")] + [
        (link.unit, " (cũ)") for link in predecessors(assessment.unit)
    ]
    ids = [u.pk for u, _s in units]
    found = (
        Result.objects.filter(
            unit_id__in=ids, round__index_set__kind=kind, round__status="published"
        )
        .exclude(round=assessment.round)
        .select_related("round", "round__index_set")
        .order_by("round__year")
    )
    by_unit: dict[int, list[Result]] = {}
    for r in found:
        by_unit.setdefault(r.unit_id, []).append(r)
    out = []
    for unit, suffix in units:
        for r in by_unit.get(unit.pk, []):
            out.append(
                {
                    "name": f"{unit.name}{suffix}",
                    "year": r.round.year,
                    "index": r.index,
                    "rank": r.rank,
                    "of": r.round.results.count(),
                    "band": r.band,
                    "places": r.round.index_set.display_precision,
                }
            )
    return out
