"""Who may download a stored file.

A file is readable by its uploader, by readers of its owner unit, and by whoever an
upper app vouches for: apps that attach files to their records (follow-up evidence,
inspection notices) register a check in ``AppConfig.ready()``, so this app never
imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cchc.accounts.permissions import can_read_unit, is_superuser
from cchc.documents.models import StoredFile

FileAccessCheck = Callable[[Any, StoredFile], bool]
_checks: list[FileAccessCheck] = []


def register_file_access(check: FileAccessCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def can_read_file(user: Any, stored: StoredFile) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if is_superuser(user) or stored.uploaded_by_id == user.pk:
        return True
    if stored.unit_id is not None and can_read_unit(user, stored.unit_id):
        return True
    return any(check(user, stored) for check in _checks)
