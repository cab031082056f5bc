"""Shared fixtures: distinct roles over a small unit tree."""

from __future__ import annotations

import os
from typing import Any

import pytest

PASSWORD = "pw-test-123"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser journeys last: the fast suites report first, and no test runs after
    # Playwright has started its event loop in this thread.
    items.sort(key=lambda item: "/browser/" in str(item.path))
    # PostgreSQL-only tests (database triggers) belong to the PostgreSQL run alone: not
    # collected at all on SQLite rather than reported as skipped.
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        items[:] = [item for item in items if item.get_closest_marker("postgres_only") is None]
    if os.environ.get("CCHC_SKIP_PG_RUN"):
        skip = pytest.mark.skip(reason="PostgreSQL not installed here")
        for item in items:
            item.add_marker(skip)


@pytest.fixture
def make_user(db: Any) -> Any:
    from django.contrib.auth.models import User

    from cchc.accounts.models import RoleAssignment

    def make(username: str, role: str | None = None, unit: Any = None, **extra: Any) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD, **extra)
        if role:
            RoleAssignment.objects.create(user=user, role=role, unit=unit)
        return user

    return make


@pytest.fixture
def units_extract(db: Any) -> Any:
    """A few provinces (~500 units) loaded by the real loader: Bắc Kạn (legacy),
    Thái Nguyên (2025) and Hà Tĩnh (both), with their lineage."""
    from cchc.units.loader import TEST_EXTRACT, load_units

    return load_units(TEST_EXTRACT)
