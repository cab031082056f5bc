"""Background job of a confirmed import (django-tasks; ``cchc db_worker`` runs it)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks import task

from cchc.dossiers.importing import run_import, store
from cchc.dossiers.models import DossierImport, ImportStatus


@task()
def import_dossiers(record_id: int, user_id: int | None = None) -> str:
    record = DossierImport.objects.select_related("file").get(pk=record_id)
    if record.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING) or record.file is None:
        return str(record.status)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        record = run_import(record, Path(record.file.path), user=user)
        if store().open().deltas:  # fold the import's delta files in the background
            compact_dossiers.enqueue()
    except Exception as exc:
        DossierImport.objects.filter(pk=record_id).update(
            status=ImportStatus.FAILED,
            message=f"Lỗi khi nạp: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    return str(record.status)


@task()
def compact_dossiers() -> int:
    """Merge the API batches waiting in the store's inbox and fold the delta files of
    earlier imports into the months (one write for all of them)."""
    from cchc.dossiers.importing import compact_staged

    return compact_staged()
