from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cchc.accounts.permissions import can_write_unit, require_read
from cchc.documents.access import can_read_file
from cchc.documents.forms import UploadForm
from cchc.documents.models import DocumentRef, StoredFile
from cchc.documents.services import UploadError, documentref_create, file_store
from cchc.units.models import Unit


@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    """Send a stored file as an attachment under its original (Vietnamese) name."""
    stored = get_object_or_404(StoredFile, pk=pk)
    if not can_read_file(request.user, stored):
        raise PermissionDenied
    try:
        handle = stored.path.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _handle_upload(request: HttpRequest, form: UploadForm, unit: Unit | None) -> bool:
    """Store the file (and its document reference) all-or-nothing; report errors on the form."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            stored = file_store(uploaded=data["file"], user=request.user, unit=unit)
            if data.get("number"):
                documentref_create(
                    user=request.user,
                    number=data["number"],
                    date=data["date"],
                    issuer=data.get("issuer") or "",
                    summary=data.get("summary") or "",
                    file=stored,
                    unit=unit,
                )
    except UploadError as exc:
        form.add_error("file", str(exc))
        return False
    messages.success(request, _("Stored %(name)s.") % {"name": stored.original_name})
    return True


def my_files(request: HttpRequest) -> HttpResponse:
    """Upload a file of one's own and list one's recent uploads."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and _handle_upload(request, form, None):
        return redirect("documents:mine")
    files = StoredFile.objects.filter(uploaded_by_id=request.user.pk).select_related("unit")[:100]
    return render(request, "documents/mine.html", {"form": form, "files": files})


def unit_documents(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's files and document references, with an upload form for its writers."""
    unit = get_object_or_404(Unit, pk=unit_id)
    require_read(request.user, unit)
    can_upload = can_write_unit(request.user, unit)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        if form.is_valid() and _handle_upload(request, form, unit):
            return redirect("documents:unit", unit_id=unit.pk)
    files = StoredFile.objects.filter(unit=unit).select_related("uploaded_by")[:200]
    refs = DocumentRef.objects.filter(unit=unit).select_related("file")[:200]
    return render(
        request,
        "documents/unit.html",
        {"unit": unit, "files": files, "refs": refs, "form": form, "can_upload": can_upload},
    )
