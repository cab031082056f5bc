"""Downloads of a round (summary table xlsx/docx), a unit's scorecard as PDF, and a unit
across the years. Same read permissions as the round and scorecard pages."""

from __future__ import annotations

import io

import openpyxl
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from cchc.assessments.exports import scorecard_data, summary_table, unit_table
from cchc.assessments.history import unit_history
from cchc.assessments.models import Assessment
from cchc.assessments.views import _get_assessment, _get_round
from cchc.audit.services import history
from cchc.reports.assessment_pdf import html_to_pdf
from cchc.reports.assessment_summary import summary_docx, summary_xlsx
from cchc.reports.assessment_unit_table import unit_table_docx, unit_table_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def round_summary_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round(request, pk)
    table = summary_table(
        rnd, parent=request.GET.get("parent", ""), group=request.GET.get("group", "")
    )
    return _download(summary_xlsx(table), XLSX, f"tong-hop-{rnd.code}.xlsx")


@require_GET
def round_summary_docx(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round(request, pk)
    table = summary_table(
        rnd, parent=request.GET.get("parent", ""), group=request.GET.get("group", "")
    )
    return _download(summary_docx(table), DOCX, f"tong-hop-{rnd.code}.docx")


@require_GET
def scorecard_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    context = scorecard_data(assessment)
    context["history"] = unit_history(assessment)
    html = render_to_string("assessments/export_scorecard.html", context, request=request)
    name = f"phieu-diem-{assessment.round.code}-{assessment.unit.key}.pdf".replace("@", "-")
    return _download(html_to_pdf(html), "application/pdf", name)


@require_GET
def history_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    context = {"a": assessment, "rnd": assessment.round, "history": unit_history(assessment)}
    return render(request, "assessments/export_history.html", context)


def _unit_table_name(assessment: Assessment, ext: str) -> str:
    return f"bang-tong-hop-{assessment.round.code}-{assessment.unit.key}.{ext}".replace("@", "-")


@require_GET
def unit_table_xlsx_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    data = unit_table_xlsx(unit_table(assessment))
    return _download(data, XLSX, _unit_table_name(assessment, "xlsx"))


@require_GET
def unit_table_docx_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    data = unit_table_docx(unit_table(assessment))
    return _download(data, DOCX, _unit_table_name(assessment, "docx"))


@require_GET
def audit_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessment's whole audit trail (every score, evidence, status change) as xlsx."""
    assessment = _get_assessment(request, pk)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Nhật ký"
    sheet.append([f"Nhật ký thay đổi: {assessment.round.name} · {assessment.unit.name}"])
    sheet.append(["Thời điểm", "Người thực hiện", "Thao tác", "Nội dung", "Cũ", "Mới", "Lý do"])
    for event in history(assessment).order_by("at", "id"):
        sheet.append(
            [
                timezone.localtime(event.at).replace(tzinfo=None),
                str(event.actor or "hệ thống"),
                event.action,
                event.field,
                "" if event.old is None else str(event.old),
                "" if event.new is None else str(event.new),
                event.reason,
            ]
        )
    for row in sheet.iter_rows(min_row=3, max_col=1):
        row[0].number_format = "dd/mm/yyyy hh:mm:ss"
    for column, width in zip("ABCDEFG", (20, 24, 18, 22, 16, 16, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{assessment.pk}.xlsx"'
    return response
