"""``POST /api/dossiers``: push up to 10,000 canonical dossiers per batch.

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
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from cchc.dossiers import importing
from cchc.dossiers.models import ApiBatch, ApiToken, DossierImport, ImportStatus
from cchc.dossiers.profiles import CANONICAL_COLUMNS

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


@router.post("", response={200: BatchOut, 422: BatchOut})
def push(request: HttpRequest, body: BatchIn) -> tuple[int, dict[str, Any]]:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    existing = ApiBatch.objects.select_related("record").filter(token=token, key=body.key).first()
    if existing is not None:
        return (200 if existing.record.status == ImportStatus.DONE else 422), _out(existing, True)
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
        return (200 if batch.record.status == ImportStatus.DONE else 422), _out(batch, True)
    importing.run_import(record, data, user=token.user)
    batch.record.refresh_from_db()
    return (200 if batch.record.status == ImportStatus.DONE else 422), _out(batch, False)
