"""Shared fixtures: distinct roles over a small unit tree."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "pw-test-123"
ROOT = Path(__file__).resolve().parents[1]

# One thread for the real-process tests' subprocesses (see pytest_collection_finish): one
# extra process at a time beside the test session.
background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cchc-background")

# Our migrations that run Python or SQL, and whose effect on an empty SQLite database the
# model-built test database gets by running that same code after the tables are built (see
# django_db_use_migrations). The trigger migrations do nothing on SQLite.
REPLAYABLE_DATA_MIGRATIONS = (
    "audit/migrations/0002_append_only_trigger.py",
    "frameworks/migrations/0004_published_set_triggers.py",
    "units/migrations/0003_registryversion.py",  # creates the one RegistryVersion row
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (pyproject.toml): one worker per CPU for a run of directories or of the
    whole suite; in-process for a run of named files or tests (nothing to gain from starting
    workers), for ``-m browser`` (one live server, one Chromium) and for ``--collect-only``.
    ``-n 0`` runs in-process always, ``-n 2`` with two workers always."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own reading of the variable
    if config.option.collectonly or config.option.markexpr == "browser":
        return 0
    args = [arg for arg in config.args if not arg.startswith("-")]
    if args and all("::" in arg or arg.endswith(".py") for arg in args):
        return 0
    return None  # xdist's default: the number of CPUs


def _xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


# Tests of a few seconds or more (a subprocess, the whole unit list, the demo data, many
# hypothesis examples): started first when the suite is split across workers.
LONG = {
    "tests/integration/test_real_worker.py": 3,
    "tests/unit/test_deploy_settings.py": 2,
    "tests/db/test_units_load.py::test_full_load_counts_and_timing": 3,
}


def _weight(item: pytest.Item) -> int:
    path = item.nodeid.split("::")[0]
    weight = LONG.get(item.nodeid.split("[")[0], LONG.get(path, 0))
    if weight == 0 and item.get_closest_marker("slow") is not None:
        weight = 1
    return weight


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser journeys last: the fast suites report first, and no test runs after
    # Playwright has started its event loop in this thread.
    # Modules that start slow subprocesses in the background (``start_in_background``, see
    # pytest_collection_finish) run just before them, so their processes have had the time
    # of the whole suite.
    if _xdist_worker(config):
        # Across workers (see pytest_xdist_auto_num_workers): the longest tests first, so the
        # tail of the run is short tests on both workers, not one long test on one of them.
        # The real-process modules start their subprocesses when their first test asks (each
        # worker holds every item, so starting them at collection would start them twice).
        items.sort(key=lambda item: ("/browser/" in str(item.path), -_weight(item)))
    else:
        items.sort(
            key=lambda item: (
                "/browser/" in str(item.path),
                hasattr(getattr(item, "module", None), "start_in_background"),
            )
        )
    # PostgreSQL-only tests (database triggers) belong to the PostgreSQL run alone: not
    # collected at all on SQLite rather than reported as skipped.
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        items[:] = [item for item in items if item.get_closest_marker("postgres_only") is None]
    if os.environ.get("CCHC_SKIP_PG_RUN"):
        skip = pytest.mark.skip(reason="PostgreSQL not installed here")
        for item in items:
            item.add_marker(skip)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the real-process tests' subprocesses now (each module's ``start_in_background``
    queues them on ``background``), so they run alongside the in-process tests; the tests
    wait for their results and check them."""
    if os.environ.get("CCHC_SKIP_PG_RUN") or session.config.option.collectonly:
        return
    if _xdist_worker(session.config):
        return
    started: set[str] = set()
    for item in session.items:
        module = getattr(item, "module", None)
        start = getattr(module, "start_in_background", None)
        if start is not None and module.__name__ not in started:
            started.add(module.__name__)
            start()


@pytest.fixture(scope="session")
def django_db_use_migrations(request: pytest.FixtureRequest) -> bool:
    """Build the SQLite test database from the models instead of running every migration
    (5-9 s of migration-state rendering per run), when that gives the same database.

    It does while every migration of ours that runs Python or SQL is in
    REPLAYABLE_DATA_MIGRATIONS (django_db_setup below runs that code afterwards); any other
    data migration brings the migrations back. The migrations themselves still run: on
    PostgreSQL (``make test-pg``, which needs the triggers), on SQLite in
    tests/integration/test_real_worker.py (all of them, in a ``cchc shell``), and ``make lint``
    checks that no model change lacks its migration. ``CCHC_TEST_MIGRATE=1`` forces them.
    """
    from django.conf import settings

    if request.config.getvalue("nomigrations"):
        return False
    if os.environ.get("CCHC_TEST_MIGRATE") == "1":
        return True
    if "sqlite" not in settings.DATABASES["default"]["ENGINE"]:
        return True
    for path in sorted((ROOT / "cchc").glob("*/migrations/*.py")):
        relative = path.relative_to(ROOT / "cchc").as_posix()
        text = path.read_text(encoding="utf-8")
        if ("RunPython" in text or "RunSQL" in text) and relative not in REPLAYABLE_DATA_MIGRATIONS:
            return True
    return False


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker: Any, django_db_use_migrations: bool
) -> None:
    """pytest-django's database setup, then, on a model-built database, the code of
    REPLAYABLE_DATA_MIGRATIONS in the order listed (with the current models)."""
    if django_db_use_migrations:
        return
    import importlib

    from django.apps import apps
    from django.db import connection, migrations

    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        for relative in REPLAYABLE_DATA_MIGRATIONS:
            module = importlib.import_module(
                "cchc." + relative.removesuffix(".py").replace("/", ".")
            )
            for operation in module.Migration.operations:
                if isinstance(operation, migrations.RunPython):
                    operation.code(apps, editor)
                elif isinstance(operation, migrations.RunSQL):
                    raise AssertionError(f"{relative}: RunSQL is not replayed; run the migrations")


@contextmanager
def module_rows(django_db_blocker: Any) -> Iterator[None]:
    """For a module-scoped fixture that writes rows once for the tests of its module (each
    test requests ``db`` as well): the rows are written inside a transaction that stays open
    while the module's tests run, each test in a savepoint of it (pytest-django's ``db``),
    and rolled back after the module's last test. Only for modules without
    ``transactional_db`` tests. Use: ``with module_rows(django_db_blocker): ... yield``."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def create_user(username: str, role: str | None = None, unit: Any = None, **extra: Any) -> Any:
    """A user with PASSWORD and, given a role, that role over ``unit`` (``make_user``; also
    for module-scoped fixtures, under ``module_rows``)."""
    from django.contrib.auth.models import User

    from cchc.accounts.models import RoleAssignment

    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if role:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def make_user(db: Any) -> Any:
    return create_user


# The rows the real loader wrote for TEST_EXTRACT the first time in this session, to write
# them again (same ids: SQLite rolls its id sequences back with each test) without
# recomputing them: 30-odd tests use the extract.
_extract: tuple[Any, dict[str, tuple[list[str], list[tuple[Any, ...]]]]] | None = None


@pytest.fixture
def units_extract(db: Any) -> Any:
    """A few provinces (~500 units) loaded by the real loader: Bắc Kạn (legacy),
    Thái Nguyên (2025) and Hà Tĩnh (both), with their lineage.

    On SQLite the loader runs once per session; later tests get the very rows it wrote
    (units, parents, lineage) and a new registry version, as a load would give them. On
    PostgreSQL, or when the test has written units already, the loader runs every time."""
    import copy

    from django.db import connection

    from cchc.units.loader import TEST_EXTRACT, load_units
    from cchc.units.models import Unit, UnitLineage, UnitParent
    from cchc.units.services import bump_registry_version

    global _extract
    models = (Unit, UnitParent, UnitLineage)
    if connection.vendor != "sqlite" or any(model.objects.exists() for model in models):
        return load_units(TEST_EXTRACT)
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        if _extract is None:
            report = load_units(TEST_EXTRACT)
            rows = {}
            for table in tables:
                cursor.execute(f'SELECT * FROM "{table}" ORDER BY id')
                rows[table] = ([d[0] for d in cursor.description], cursor.fetchall())
            _extract = (copy.deepcopy(report), rows)
            return report
        report, rows = _extract
        for table in tables:
            columns, values = rows[table]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
    bump_registry_version()
    return copy.deepcopy(report)


@pytest.fixture(scope="session")
def luc_binh_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic Lục Bình dossiers imported into a store, once per session, with the
    codes rewritten to the real 01990 (xã Lục Bình, legacy). Copy it before use."""
    import csv

    from cchc.analytics.store import Store
    from cchc.analytics.synth import luc_binh

    tmp = tmp_path_factory.mktemp("lb")
    raw = luc_binh(tmp / "raw.csv")
    rows = list(csv.DictReader(raw.open(encoding="utf-8")))
    for row in rows:
        row["unit_code"] = "01990"
    target = tmp / "lb.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    Store(tmp / "store").import_csv(target, import_id="lb")
    return tmp / "store"
