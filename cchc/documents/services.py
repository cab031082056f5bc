"""Store uploaded files and record document references."""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from cchc.audit.services import record
from cchc.core.numbers import format_number
from cchc.documents.filetypes import FileTypeError, detect
from cchc.documents.models import DocumentRef, StoredFile
from cchc.units.models import Unit

__all__ = ["FileTypeError", "UploadError", "documentref_create", "file_store"]

MB = 1024 * 1024


class UploadError(ValueError):
    """An upload refused; the message is Vietnamese and names the file."""


def _mb(size: int) -> str:
    return format_number(Decimal(size) / MB, 1 if size % MB else 0)


def _clean_name(name: str) -> str:
    # Keep the user's name for the download, minus any path a browser may send.
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:255] or "tep"


def file_store(
    *,
    uploaded: UploadedFile | bytes,
    name: str | None = None,
    user: Any = None,
    unit: Unit | None = None,
    dedupe: bool = True,
) -> StoredFile:
    """Check and store one file byte for byte; return its row.

    Refuses files above ``CCHC_MAX_UPLOAD_BYTES`` (before reading them), empty files
    and types not allowed by content. With ``dedupe`` the same content already stored
    for the same unit is returned instead of a second copy.
    """
    limit = int(settings.CCHC_MAX_UPLOAD_BYTES)
    if isinstance(uploaded, bytes):
        if name is None:
            raise ValueError("file_store: name is required with bytes")
        data_size = len(uploaded)
    else:
        name = name or uploaded.name or ""
        data_size = int(uploaded.size or 0)
    original = _clean_name(name)
    if data_size > limit:
        raise UploadError(f"Tệp quá lớn ({_mb(data_size)} MB, tối đa {_mb(limit)} MB): {original}")
    if isinstance(uploaded, bytes):
        data = uploaded
    else:
        uploaded.seek(0)
        data = b"".join(uploaded.chunks())
    if len(data) > limit:
        raise UploadError(f"Tệp quá lớn ({_mb(len(data))} MB, tối đa {_mb(limit)} MB): {original}")
    if not data:
        raise UploadError(f"Tệp rỗng: {original}")
    try:
        filetype = detect(data, original)
    except FileTypeError as exc:
        raise UploadError(str(exc)) from exc
    digest = hashlib.sha256(data).hexdigest()
    if dedupe:
        # Same bytes, same owner (unit, or uploader when there is no unit): reuse the row;
        # never hand one user another's private upload.
        owner: dict[str, Any] = (
            {"unit": unit} if unit is not None else {"unit": None, "uploaded_by": user}
        )
        existing = StoredFile.objects.filter(sha256=digest, size=len(data), **owner).first()
        if existing is not None and existing.path.exists():
            return existing

    token = secrets.token_hex(16)
    storage_name = f"{token[:2]}/{token}"
    target = Path(settings.MEDIA_ROOT) / storage_name
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = target.with_name(target.name + ".part")
    with open(temp, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, target)
    try:
        with transaction.atomic():
            stored = StoredFile.objects.create(
                storage_name=storage_name,
                original_name=original,
                size=len(data),
                content_type=filetype.content_type,
                kind=filetype.kind,
                sha256=digest,
                uploaded_by=user if getattr(user, "is_authenticated", False) else None,
                unit=unit,
            )
            record(
                actor=user,
                obj=stored,
                action="file.upload",
                changes={"sha256": (None, digest), "size": (None, len(data))},
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return stored


@transaction.atomic
def documentref_create(
    *,
    user: Any,
    number: str,
    date: date,
    issuer: str = "",
    summary: str = "",
    file: StoredFile | None = None,
    unit: Unit | None = None,
) -> DocumentRef:
    """Record a document by number and date (the file is optional)."""
    number = number.strip()
    if not number:
        raise UploadError("Thiếu số, ký hiệu văn bản")
    ref = DocumentRef.objects.create(
        number=number,
        date=date,
        issuer=issuer.strip(),
        summary=summary.strip(),
        file=file,
        unit=unit,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    record(
        actor=user,
        obj=ref,
        action="documentref.create",
        changes={"number": (None, ref.number), "date": (None, ref.date)},
    )
    return ref
