"""Index-set list (with import for the secretariat) and the index-set page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.core.indexset import IndexSetError, dump_yaml
from cchc.core.rules import ManualRule, Range, describe, parse_rule, short_number
from cchc.frameworks.models import Criterion, FrozenSetError, IndexSet, Method
from cchc.frameworks.permissions import can_manage_sets
from cchc.frameworks.services import definition_of, indexset_import, indexset_publish
from cchc.frameworks.xlsx import export_xlsx

MAX_UPLOAD = 5 * 1024 * 1024


@require_GET
def set_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def _render_list(
    request: HttpRequest, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    sets = [
        (s, short_number(s.max_points))
        for s in IndexSet.objects.only(
            "id", "code", "version", "name", "kind", "year", "status", "max_points", "is_sample"
        )
    ]
    context = {"sets": sets, "can_manage": can_manage_sets(request.user), "errors": errors or []}
    return render(request, "frameworks/list.html", context, status=status)


@require_POST
def set_import(request: HttpRequest) -> HttpResponse:
    if not can_manage_sets(request.user):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        return _render_list(request, [_("Choose a YAML or xlsx file.")], status=400)
    if upload.size is not None and upload.size > MAX_UPLOAD:
        return _render_list(request, [_("The file is larger than 5 MB.")], status=400)
    name = upload.name or "upload"
    content = upload.read()
    try:
        if name.lower().endswith(".xlsx"):
            index_set = indexset_import(content, filename=name, actor=request.user)
        elif name.lower().endswith((".yaml", ".yml")):
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                return _render_list(
                    request, [_("%(name)s is not UTF-8 text.") % {"name": name}], status=400
                )
            index_set = indexset_import(text, filename=name, actor=request.user)
        else:
            return _render_list(
                request, [_("Only .yaml, .yml or .xlsx files can be imported.")], status=400
            )
    except IndexSetError as exc:
        return _render_list(request, [str(issue) for issue in exc.issues], status=400)
    except FrozenSetError as exc:
        return _render_list(request, list(exc.messages), status=400)
    if request.POST.get("publish") and not index_set.is_published:
        indexset_publish(index_set, actor=request.user)
    messages.success(
        request,
        _("Imported %(code)s version %(version)s.")
        % {"code": index_set.code, "version": index_set.version},
    )
    return redirect("frameworks:detail", pk=index_set.pk)


@dataclass(frozen=True)
class Row:
    criterion: Criterion
    indent: str
    how: str
    is_leaf: bool
    max_text: str


def _range(c: Criterion) -> Range:
    if c.method == Method.DEDUCTION:
        cap = c.cap or Decimal(0)
        return Range(Decimal(0), cap) if c.is_bonus else Range(-cap, Decimal(0))
    return Range(Decimal(0), c.max_points)


def _rows(index_set: IndexSet) -> list[Row]:
    criteria = list(index_set.criteria.order_by("position"))
    rows: list[Row] = []
    for c in criteria:
        leaf = c.method != Method.GROUP
        how = ""
        if leaf:
            rule = parse_rule(c.rule) if c.rule else ManualRule()
            how = describe(rule, _range(c))
        if c.method == Method.DEDUCTION:
            max_text = ("+" if c.is_bonus else "−") + short_number(c.cap or Decimal(0))
        else:
            max_text = short_number(c.max_points)
        indent = f"{Decimal('0.5') + Decimal(c.level - 1) * Decimal('1.25')}rem"
        rows.append(Row(c, indent, how, leaf, max_text))
    return rows


@require_GET
def set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    index_set = get_object_or_404(IndexSet.objects.select_related("supersedes"), pk=pk)
    definition = definition_of(index_set)
    context = {
        "set": index_set,
        "definition": definition,
        "rows": _rows(index_set),
        "max_text": short_number(index_set.max_points),
        "can_manage": can_manage_sets(request.user),
        "newer": index_set.superseded_by.order_by("-version").first(),
    }
    return render(request, "frameworks/detail.html", context)


@require_POST
def set_publish(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_manage_sets(request.user):
        raise PermissionDenied
    index_set = get_object_or_404(IndexSet, pk=pk)
    try:
        indexset_publish(index_set, actor=request.user)
    except FrozenSetError:
        messages.error(request, _("This index set is already published."))
        return redirect("frameworks:detail", pk=pk)
    messages.success(request, _("Published. It can no longer be changed."))
    return redirect("frameworks:detail", pk=pk)


@require_GET
def set_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    index_set = get_object_or_404(IndexSet, pk=pk)
    filename = f"{index_set.code}-v{index_set.version}"
    if fmt == "xlsx":
        response = HttpResponse(
            export_xlsx(definition_of(index_set)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt == "yaml":
        text = index_set.source_yaml or dump_yaml(definition_of(index_set))
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.yaml"'
        return response
    raise Http404
