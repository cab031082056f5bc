"""``POST /api/dossiers``: push up to 10,000 canonical dossiers per batch.

A batch is checked at once (all or nothing, the same validation as a file) and kept in
the store's inbox; a background job merges every waiting batch into the monthly files in
one write (202 until then; ``GET /api/dossiers/{key}`` tells what became of it).

Token auth (``Authorization: Bearer <token>``, see ``cchc dossiers token``); the batch
``key`` makes the call idempotent: the same key from the same token returns the first
result without applying anything again. All or nothing, with the same validation as a file.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from cchc.dossiers import importing
from cchc.dossiers.models import ApiBatch, ApiToken, DossierImport, ImportStatus
from cchc.dossiers.profiles import CANONICAL_COLUMNS
from cchc.dossiers.tasks import compact_dossiers

MAX_BATCH = 10_000


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=ApiToken.digest(token), revoked=False, user__is_active=True)
            .first()
        )
        if found is not None:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found


router = Router(tags=["dossiers"], auth=TokenAuth())


class DossierIn(Schema):
    source_system: str
    dossier_code: str
    unit_code: str
    channel: str
    received_at: str
    due_at: str
    procedure_code: str = ""
    sector: str = ""
    original_due_at: str = ""
    finished_at: str = ""
    returned_at: str = ""
    returned_by_post: str = ""
    status: str = ""
    supplement_requests: str = ""
    supplement_days: str = ""
    e_result: str = ""
    digitized: str = ""
    paid_online: str = ""
    apology_issued: str = ""
    outside_boundary: str = ""
    complaint: str = ""


class BatchIn(Schema):
    key: str = Field(min_length=1, max_length=100)
    dossiers: list[DossierIn] = Field(min_length=1, max_length=MAX_BATCH)


class ErrorOut(Schema):
    place: str
    column: str
    value: str
    reason: str


class BatchOut(Schema):
    key: str
    import_id: str
    status: str
    rows: int
    inserted: int
    updated: int
    replayed: bool
    error_total: int
    errors: list[ErrorOut]


def _out(batch: ApiBatch, replayed: bool) -> dict[str, Any]:
    r = batch.record
    return {
        "key": batch.key,
        "import_id": r.import_id,
        "status": r.status,
        "rows": r.rows,
        "inserted": r.inserted,
        "updated": r.updated,
        "replayed": replayed,
        "error_total": r.error_total,
        "errors": r.errors[:100],
    }


def _status(batch: ApiBatch, replayed: bool) -> Status[dict[str, Any]]:
    """200 with the result of a merged batch, 202 for a checked batch still waiting in the
    store's inbox (status ``queued``), 422 with the errors of a refused one."""
    codes = {str(ImportStatus.DONE): 200, str(ImportStatus.QUEUED): 202}
    codes[str(ImportStatus.RUNNING)] = 202
    return Status(codes.get(str(batch.record.status), 422), _out(batch, replayed))


@router.get("/{key}", response={200: BatchOut, 202: BatchOut, 404: dict[str, str], 422: BatchOut})
def batch_status(request: HttpRequest, key: str) -> Status[dict[str, Any]]:
    """What became of a batch this token sent (by its key)."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    batch = ApiBatch.objects.select_related("record").filter(token=token, key=key).first()
    if batch is None:
        return Status(404, {"detail": f"Không có lô “{key}” của mã truy cập này"})
    importing.reconcile(batch.record)
    return _status(batch, True)


@router.post("", response={200: BatchOut, 202: BatchOut, 422: BatchOut})
def push(request: HttpRequest, body: BatchIn) -> Status[dict[str, Any]]:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    existing = ApiBatch.objects.select_related("record").filter(token=token, key=body.key).first()
    if existing is not None:
        return _status(existing, True)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CANONICAL_COLUMNS)
    for d in body.dossiers:
        writer.writerow([getattr(d, c) for c in CANONICAL_COLUMNS])
    data = text.getvalue().encode("utf-8")
    try:
        with transaction.atomic():
            record = DossierImport.objects.create(
                file_name=f"api:{body.key}"[:255],
                profile="canonical",
                source="api",
                import_id=importing.new_import_id(),
                status=ImportStatus.RUNNING,
                created_by=token.user,
            )
            batch = ApiBatch.objects.create(token=token, key=body.key, record=record)
    except IntegrityError:  # the same key raced in: answer with the first one
        batch = ApiBatch.objects.select_related("record").get(token=token, key=body.key)
        return _status(batch, True)
    # Checked now, merged by the compaction job (one write for all waiting batches).
    importing.run_import(record, data, user=token.user, stage=True)
    batch.record.refresh_from_db()
    if batch.record.status == ImportStatus.QUEUED:
        compact_dossiers.enqueue()
        batch.record.refresh_from_db()
    return _status(batch, False)
