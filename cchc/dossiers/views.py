"""Pages of the dossier area: import, the period report, drill-down, QĐ 766 indicators."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.accounts.models import Role
from cchc.accounts.permissions import (
    ALL,
    OVERSIGHT_ROLES,
    can_write_unit,
    grants_of,
    has_role,
    readable_unit_ids,
    require_read,
)
from cchc.analytics.report import Report
from cchc.core.numbers import format_number
from cchc.core.periods import Period
from cchc.documents.services import UploadError, file_store
from cchc.dossiers import importing, kpis, profiles
from cchc.dossiers.models import DossierImport, ImportStatus, Official766Score
from cchc.dossiers.officials import MAXIMA as OFFICIAL_MAXIMA
from cchc.dossiers.officials import (
    OfficialImportError,
    official_enter,
    official_import,
    parse_score,
)
from cchc.dossiers.periodform import PRESET_LABELS, ParamError, period_from, unit_from
from cchc.dossiers.reporting import (
    FIGURES,
    GROUPS,
    run_766,
    run_drilldown,
    run_report,
    unit_for_period,
)
from cchc.dossiers.tasks import import_dossiers
from cchc.reports.dossier_list import XLSX_LIMIT, write_xlsx, write_zip_csv
from cchc.reports.dossier_report import report_docx, report_xlsx
from cchc.units.models import Unit
from cchc.units.services import UnitResolutionError, resolve_unit

PAGE_SIZE = 50
EXPORT_PAGE = 50_000
DRILL_COLUMNS = [
    ("dossier_code", "Mã hồ sơ"),
    ("source_system", "Hệ thống"),
    ("unit_code", "Mã đơn vị"),
    ("procedure_code", "Mã TTHC"),
    ("sector", "Lĩnh vực"),
    ("channel", "Kênh"),
    ("received_at", "Tiếp nhận"),
    ("due_at", "Hẹn trả"),
    ("finished_at", "Có kết quả"),
    ("status", "Trạng thái"),
    ("outcome", "Phân loại"),
]


def _can_import(user: Any) -> bool:
    return has_role(user, *importing.IMPORT_ROLES)


def _default_unit(user: Any) -> Unit | None:
    for grant in grants_of(user):
        if grant.unit_id:
            return Unit.objects.filter(pk=grant.unit_id).first()
    return Unit.objects.filter(level=1, hierarchy="2025").order_by("sort_key").first()


def home(request: HttpRequest) -> HttpResponse:
    scope = readable_unit_ids(request.user)
    if scope is not ALL and not scope:
        raise PermissionDenied
    manifest = importing.store().open()
    imports = DossierImport.objects.all()
    if not has_role(request.user, Role.ADMIN):
        imports = imports.filter(created_by_id=request.user.pk)
    return render(
        request,
        "dossiers/home.html",
        {
            "rows": manifest.rows,
            "months": len(manifest.partitions),
            "deltas": manifest.deltas,
            "imports": imports[:10],
            "can_import": _can_import(request.user),
            "unit": _default_unit(request.user),
        },
    )


# --- import ----------------------------------------------------------------------------------


def _import_visible(request: HttpRequest, pk: int) -> DossierImport:
    record = get_object_or_404(DossierImport, pk=pk)
    if not _can_import(request.user):
        raise PermissionDenied
    if record.created_by_id != request.user.pk and not has_role(request.user, Role.ADMIN):
        raise PermissionDenied
    return record


def import_new(request: HttpRequest) -> HttpResponse:
    if not _can_import(request.user):
        raise PermissionDenied
    names = profiles.available()
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        profile = request.POST.get("profile", "")
        source = request.POST.get("source", "").strip()[:60]
        if upload is None:
            error = _("Choose a file.")
        elif profile not in names:
            error = _("Unknown profile.")
        else:
            data = b"".join(upload.chunks())
            record = _preview(request, data, upload.name or "tep.csv", profile, source)
            if isinstance(record, str):
                error = record
            else:
                return redirect("dossiers:import_detail", record.pk)
    labels = [(n, profiles.load(n).label) for n in names]
    return render(
        request,
        "dossiers/import_new.html",
        {"profiles": labels, "error": error},
        status=400 if error else 200,
    )


def _preview(
    request: HttpRequest, data: bytes, name: str, profile: str, source: str
) -> DossierImport | str:
    """Check the upload and keep it with its preview; a string is a refusal message."""
    prepared = importing.prepare(data, name, profile, source=source, user=request.user)
    if prepared.message:
        return prepared.message
    stored_bytes, stored_name = data, name
    if prepared.encoding not in ("xlsx", "utf-8", "utf-8-sig", "utf-16"):
        # Non-UTF-8 text (cp1258) is kept re-encoded in UTF-8: the file store takes only
        # UTF-8/UTF-16 text, and the import reads the same characters either way.
        from cchc.dossiers.reading import decode

        stored_bytes = decode(data)[0].encode("utf-8")
    try:
        stored = file_store(uploaded=stored_bytes, name=stored_name, user=request.user)
    except UploadError as exc:
        return str(exc)
    record = DossierImport(
        file=stored,
        file_name=stored.original_name,
        profile=profile,
        source=source,
        import_id=importing.new_import_id(),
        created_by=request.user,  # type: ignore[misc]
    )
    return importing.save_preview(record, prepared)


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = importing.reconcile(_import_visible(request, pk))
    context = {"record": record, "ImportStatus": ImportStatus}
    if request.headers.get("HX-Request") == "true":
        return render(request, "dossiers/_progress.html", context)
    return render(request, "dossiers/import_detail.html", context)


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    record = _import_visible(request, pk)
    if record.status != ImportStatus.PREVIEW:
        messages.error(request, _("This import cannot be confirmed in its present state."))
        return redirect("dossiers:import_detail", pk)
    with transaction.atomic():
        updated = DossierImport.objects.filter(pk=pk, status=ImportStatus.PREVIEW).update(
            status=ImportStatus.QUEUED, progress=0, phase="đang chờ"
        )
    if updated:
        import_dossiers.enqueue(record.pk, request.user.pk)
    return redirect("dossiers:import_detail", pk)


def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    record = _import_visible(request, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(importing.error_report_rows(record))
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="loi-nhap-{record.pk}.csv"'
    return response


# --- the report ------------------------------------------------------------------------------


def _report_params(request: HttpRequest) -> tuple[Unit, Period, str]:
    params = request.GET
    period_given = any(params.get(k) for k in ("preset", "year", "number", "from", "to"))
    period = period_from(
        params.get("preset"),
        params.get("year"),
        params.get("number"),
        params.get("from"),
        params.get("to"),
    )
    unit_text = params.get("unit", "").strip()
    if unit_text:
        unit = unit_from(unit_text, period)
    else:
        default = _default_unit(request.user)
        if default is None:
            raise ParamError(_("Choose a unit."))
        unit = default
        if not period_given and default.valid_to is not None and default.valid_to < period.end:
            # A user of a former unit (legacy province, merged commune) lands on the last
            # full reporting year of that unit, not on its successor they cannot read.
            period = period_from("year", default.valid_to.year - 1)
    unit = unit_for_period(unit, period)
    require_read(request.user, unit)
    by = params.get("by", "unit")
    if by not in ("unit", "sector"):
        raise ParamError(_("Group by unit or by sector."))
    return unit, period, by


def _footnotes(report: Report, notes: dict[str, int]) -> list[str]:
    out = []
    if notes.get("divided"):
        out.append(
            f"(*) {format_number(notes['divided'])} hồ sơ của xã, phường bị chia tách được tính "
            "cho đơn vị kế thừa mặc định."
        )
    if notes.get("staged"):
        out.append(
            f"{format_number(notes['staged'])} hồ sơ nhận qua API đã kiểm tra, đang chờ gộp vào "
            "kho: chưa có trong số liệu trên (tải lại sau ít phút)."
        )
    bad = [r.name for r in report.rows if not all(r.checks.values())]
    if bad:
        out.append("Số liệu không khớp ở: " + ", ".join(bad))
    return out


def _report_cells(
    counts: dict[str, int], drill: str, unit_key: str, period: Period, sector: str | None
) -> tuple[list[tuple[int, str]], str]:
    """A row's (count, drill-down URL) pairs and its cells as HTML.

    URL query ``unit, from, to, figure[, sector]``, built by concatenation (figure names
    are plain identifiers): a province has a few thousand cells, and reverse() +
    urlencode() per cell cost more than the rest of the page; the cells are rendered here
    for the same reason (the template loop over them took as long as the query).
    """
    head = f"{drill}?{urlencode({'unit': unit_key})}&from={period.start}&to={period.end}&figure="
    tail = "" if sector is None else "&" + urlencode({"sector": sector})
    cells: list[tuple[int, str]] = []
    html: list[str] = []
    for _group, cols in GROUPS:
        for name, _label in cols:
            value, url = counts[name], head + name + tail
            cells.append((value, url))
            if value:
                html.append(
                    f'<td class="num"><a href="{escape(url)}">{format_number(value)}</a></td>'
                )
            else:
                html.append('<td class="num">0</td>')
    return cells, "".join(html)


def report(request: HttpRequest) -> HttpResponse:
    scope = readable_unit_ids(request.user)
    if scope is not ALL and not scope:
        raise PermissionDenied
    try:
        unit, period, by = _report_params(request)
    except ParamError as exc:
        return render(
            request,
            "dossiers/report.html",
            {"error": str(exc), "presets": PRESET_LABELS, "params": request.GET, "unit": None},
            status=400,
        )
    result, notes = run_report(unit, period, by=by)  # type: ignore[arg-type]
    rows = []
    drill = reverse("dossiers:drill")
    for row in result.rows:
        sector = None if by == "unit" else row.key if row.key else None
        key = row.key if by == "unit" else unit.key
        cells, cells_html = _report_cells(row.counts, drill, key, period, sector)
        rows.append(
            {
                "row": row,
                "cells": cells,
                "cells_html": mark_safe(cells_html),  # noqa: S308 - escaped in _report_cells
                "ok": all(row.checks.values()),
                "indent": row.depth * 1.2,
            }
        )
    fmt = request.GET.get("format", "")
    title = f"Tình hình giải quyết hồ sơ TTHC — {unit.name}"
    if fmt in ("xlsx", "docx"):
        data = result.to_json()
        footnotes = _footnotes(result, notes)
        if fmt == "xlsx":
            body = report_xlsx(data, title, footnotes)
            ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body = report_docx(data, title, footnotes)
            ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        response = HttpResponse(body, content_type=ctype)
        response["Content-Disposition"] = (
            f'attachment; filename="bao-cao-ho-so-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"'
        )
        return response
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "dossiers/report.html",
        {
            "unit": unit,
            "period": period,
            "by": by,
            "groups": GROUPS,
            "rows": rows,
            "footnotes": _footnotes(result, notes),
            "presets": PRESET_LABELS,
            "params": request.GET,
            "query": query.urlencode(),
            "json": result.to_json(),
        },
    )


def _drill_params(request: HttpRequest) -> tuple[Unit, Period, str, str | None]:
    params = request.GET
    period = period_from("custom", start=params.get("from"), end=params.get("to"))
    unit = unit_from(params.get("unit", ""), period)
    require_read(request.user, unit)
    figure = params.get("figure", "")
    if figure not in FIGURES and figure != "new_total":
        raise ParamError(_("Unknown figure."))
    sector = params.get("sector")
    return unit, period, figure, sector


def drill(request: HttpRequest) -> HttpResponse:
    try:
        unit, period, figure, sector = _drill_params(request)
    except ParamError as exc:
        return render(request, "dossiers/drill.html", {"error": str(exc)}, status=400)
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    total, rows = run_drilldown(
        unit.key, period, figure, sector=sector, page=page, page_size=PAGE_SIZE
    )
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dossiers/drill.html",
        {
            "unit": unit,
            "period": period,
            "figure": figure,
            "figure_label": FIGURES.get(figure, figure),
            "sector": sector,
            "total": total,
            "rows": [[r.get(c) for c, _ in DRILL_COLUMNS] for r in rows],
            "columns": [label for _, label in DRILL_COLUMNS],
            "page": page,
            "pages": pages,
            "query": query.urlencode(),
            "xlsx_limit": XLSX_LIMIT,
            "too_big": total > XLSX_LIMIT,
        },
    )


def drill_export(request: HttpRequest) -> HttpResponse | FileResponse:
    try:
        unit, period, figure, sector = _drill_params(request)
    except ParamError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    total, _first = run_drilldown(unit.key, period, figure, sector=sector, page=1, page_size=1)

    def rows() -> Any:
        page = 1
        while True:
            _n, chunk = run_drilldown(
                unit.key, period, figure, sector=sector, page=page, page_size=EXPORT_PAGE
            )
            for r in chunk:
                yield [r.get(c) for c, _ in DRILL_COLUMNS]
            if len(chunk) < EXPORT_PAGE:
                return
            page += 1

    work = Path(settings.DATA_DIR) / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    header = [label for _, label in DRILL_COLUMNS]
    base = f"ho-so-{figure}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if total > XLSX_LIMIT:
        fd, name_ = tempfile.mkstemp(dir=work, suffix=".zip")
        os.close(fd)
        path = Path(name_)
        why = (
            f"Có {format_number(total)} hồ sơ, nhiều hơn {format_number(XLSX_LIMIT)} dòng mà "
            "một trang Excel chứa được, nên danh sách được xuất dạng CSV nén (zip)."
        )
        write_zip_csv(path, header, rows(), why)
        name, ctype = f"{base}.zip", "application/zip"
    else:
        fd, name_ = tempfile.mkstemp(dir=work, suffix=".xlsx")
        os.close(fd)
        path = Path(name_)
        write_xlsx(path, header, rows())
        name = f"{base}.xlsx"
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    stream = path.open("rb")
    path.unlink()  # the open handle keeps the data until the response is sent
    return FileResponse(stream, as_attachment=True, filename=name, content_type=ctype)


# --- QĐ 766 ----------------------------------------------------------------------------------


def indicators(request: HttpRequest) -> HttpResponse:
    scope = readable_unit_ids(request.user)
    if scope is not ALL and not scope:
        raise PermissionDenied
    today = date.today()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    unit_text = request.GET.get("unit", "").strip()
    last = date(year, 12, 31)
    try:
        unit = (
            unit_from(unit_text, period_from("calendar_year", year))
            if unit_text
            else _default_unit(request.user)
        )
    except ParamError as exc:
        return render(
            request,
            "dossiers/indicators.html",
            {"error": str(exc), "year": year, "unit": None, "months": [], "can_import": False},
            status=400,
        )
    if unit is None:
        raise Http404
    require_read(request.user, unit)
    error = ""
    if request.method == "POST":
        if not has_role(request.user, *OVERSIGHT_ROLES):
            raise PermissionDenied
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a file.")
        else:
            try:
                count = official_import(b"".join(upload.chunks()), user=request.user)
            except OfficialImportError as exc:
                error = str(exc)
            else:
                messages.success(
                    request, _("%(n)s rows of official scores imported.") % {"n": count}
                )
                return redirect(f"{reverse('dossiers:indicators')}?unit={unit.key}&year={year}")
    groups = kpis.groups_766()
    official = {(o.month): o for o in Official766Score.objects.filter(unit=unit, year=year)}
    months = []
    last_month = 12 if year < today.year else today.month
    for month in range(1, last_month + 1 if year <= today.year else 1):
        ind = run_766(unit, year, month) if unit.hierarchy in ("legacy", "2025") else None
        start, end = kpis.month_bounds(year, month)
        cells = []
        total = None
        off = official.get(month)
        off_total = None
        for group in groups:
            rate = (
                getattr(ind, kpis.KPIS[group.kpi][0]) if (ind and group.kpi in kpis.KPIS) else None
            )
            points = kpis.points_766(group.kpi, rate) if group.kpi else None
            off_value = getattr(off, group.code.lower(), None) if off else None
            # Disclosure (no formula): nothing is computed; its official score (imported or
            # typed in) still counts in the recomputed total, so the totals compare.
            counted = off_value if group.kpi is None else points
            diff = None if points is None or off_value is None else points - off_value
            manual = bool(off and group.kpi is None and off.g1_manual and off_value is not None)
            cells.append(
                {
                    "rate": rate,
                    "points": points,
                    "official": off_value,
                    "diff": diff,
                    "manual": manual,
                }
            )
            if counted is not None:
                total = (total or 0) + counted
            if off_value is not None:
                off_total = (off_total or 0) + off_value
        months.append(
            {
                "month": month,
                "cells": cells,
                "total": total,
                "official_total": off_total,
                "url": kpis.report_url(unit.key, start, end) + "&preset=custom",
                "entry_url": f"{reverse('dossiers:official_entry')}?"
                + urlencode({"unit": unit.key, "year": year, "month": month}),
            }
        )
    return render(
        request,
        "dossiers/indicators.html",
        {
            "unit": unit,
            "year": year,
            "groups": groups,
            "months": months,
            "error": error,
            "can_import": has_role(request.user, *OVERSIGHT_ROLES),
            "can_enter": can_write_unit(request.user, unit, role_in=OVERSIGHT_ROLES),
            "last": last,
        },
        status=400 if error else 200,
    )


def official_entry(request: HttpRequest) -> HttpResponse:
    """Type in the group 1 (disclosure) score of a unit and month; other groups optional."""
    if not has_role(request.user, *OVERSIGHT_ROLES):
        raise PermissionDenied
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    today = date.today()
    unit_text = data.get("unit", "").strip()
    year_text = data.get("year", str(today.year)).strip()
    month_text = data.get("month", str(today.month)).strip()
    errors: list[str] = []
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    month = int(month_text) if month_text.isdigit() and 1 <= int(month_text) <= 12 else None
    if year is None:
        errors.append(f"Năm: “{year_text}” không hợp lệ (2000–2100)")
    if month is None:
        errors.append(f"Tháng: “{month_text}” không hợp lệ (1–12)")
    unit: Unit | None = None
    if year is not None and month is not None:
        if date(year, month, 1) > today:
            errors.append(f"Tháng: {month}/{year} chưa đến")
        elif not unit_text:
            errors.append("Đơn vị: chưa chọn đơn vị")
        else:
            try:
                unit = resolve_unit(unit_text, as_of=date(year, month, 1))
            except UnitResolutionError as exc:
                errors.append(f"Đơn vị: {exc}")
    if unit is not None and not can_write_unit(request.user, unit, role_in=OVERSIGHT_ROLES):
        raise PermissionDenied
    existing = None
    if unit is not None and year is not None and month is not None:
        existing = Official766Score.objects.filter(unit=unit, year=year, month=month).first()
    values = {
        g: format_number(getattr(existing, g)) if existing is not None else ""
        for g in OFFICIAL_MAXIMA
    }
    if posted:
        values = {g: data.get(g, "").strip() for g in OFFICIAL_MAXIMA}
        scores: dict[str, Decimal] = {}
        for group in OFFICIAL_MAXIMA:
            if group != "g1" and not values[group]:
                continue  # blank: the group keeps its value
            try:
                scores[group] = parse_score(group, values[group])
            except OfficialImportError as exc:
                errors.append(str(exc))
        if not errors and unit is not None and year is not None and month is not None:
            official_enter(user=request.user, unit=unit, year=year, month=month, scores=scores)
            messages.success(
                request,
                _("Group 1 score of %(unit)s for %(month)s/%(year)s saved.")
                % {"unit": unit.name, "month": month, "year": year},
            )
            query = urlencode({"unit": unit.key, "year": year})
            return redirect(f"{reverse('dossiers:indicators')}?{query}")
    groups = {g.code.lower(): g for g in kpis.groups_766()}
    fields = [
        {
            "name": g,
            "label": f"{groups[g].code}. {groups[g].title}" if g in groups else g,
            "max": maximum,
            "value": values[g],
            "required": g == "g1",
        }
        for g, maximum in OFFICIAL_MAXIMA.items()
    ]
    return render(
        request,
        "dossiers/official_entry.html",
        {
            "unit": unit,
            "unit_text": unit_text,
            "year": year_text,
            "month": month_text,
            "fields": fields,
            "existing": existing,
            "errors": errors if posted else [],
        },
        status=400 if posted and errors else 200,
    )


__all__ = ["can_write_unit"]
