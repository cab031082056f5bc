"""A confirmed dossier import runs in a real ``cchc db_worker`` process.

Everywhere else the tests use django-tasks' immediate backend; here the point is the worker
itself: the task is queued in the database by one process and executed by another.

The two processes (a ``cchc shell`` that migrates a new SQLite database and queues the
import, then ``cchc db_worker --batch``) are started as soon as collection ends, on the
session's background thread, so they run while the other tests do (tests/conftest.py
calls ``start_in_background`` and runs this module last); the test waits and checks.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ENQUEUE = """
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)  # all the migrations, on SQLite

from pathlib import Path
from django.contrib.auth.models import User
from cchc.analytics.synth import luc_binh
from cchc.documents.services import file_store
from cchc.dossiers import importing
from cchc.dossiers.models import DossierImport, ImportStatus
from cchc.dossiers.tasks import import_dossiers
from cchc.units.loader import TEST_EXTRACT, load_units

load_units(TEST_EXTRACT)
user = User.objects.create_superuser("worker-test", password="x-unused-123")
path = luc_binh(Path("{tmp}") / "luc_binh.csv")
data = path.read_bytes().replace(b"LUCBINH", b"01990")  # xã Lục Bình, 01990@legacy
stored = file_store(uploaded=data, name="luc_binh.csv", user=user)
prepared = importing.prepare(data, "luc_binh.csv", "canonical", user=user)
record = DossierImport.objects.create(
    file=stored, file_name="luc_binh.csv", profile="canonical",
    import_id=importing.new_import_id(), created_by=user,
)
record = importing.save_preview(record, prepared)
assert record.status == ImportStatus.PREVIEW, (record.message, record.errors[:3])
DossierImport.objects.filter(pk=record.pk).update(status=ImportStatus.QUEUED)
import_dossiers.enqueue(record.pk, user.pk)
print(record.pk)
"""

# Read straight from the SQLite file the processes share: what the worker left behind.
CHECK = "SELECT status, rows, inserted, progress FROM dossiers_dossierimport WHERE id = ?"


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "cchc", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def check(database: Path, pk: int) -> dict[str, object]:
    conn = sqlite3.connect(database)
    try:
        row = conn.execute(CHECK, (pk,)).fetchone()
    finally:
        conn.close()
    return dict(zip(("status", "rows", "inserted", "progress"), row, strict=True))


@dataclass
class Job:
    tmp: Path
    done: threading.Event = field(default_factory=threading.Event)
    before: dict[str, object] = field(default_factory=dict)
    after: dict[str, object] = field(default_factory=dict)
    error: BaseException | None = None

    def run(self) -> None:
        try:
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith("CCHC_")
                and k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
            }
            env.update(
                DJANGO_SETTINGS_MODULE="cchc.config.settings",
                CCHC_DATA_DIR=str(self.tmp / "data"),
                CCHC_HTTPS="false",
            )
            database = self.tmp / "data" / "cchc.sqlite3"
            out = run(["shell", "-c", ENQUEUE.format(tmp=self.tmp)], env)
            pk = int(out.strip().splitlines()[-1])
            self.before = check(database, pk)
            run(["db_worker", "--batch", "--no-startup-delay", "--no-reload"], env)
            self.after = check(database, pk)
        except BaseException as exc:  # handed to the test, which fails with it
            self.error = exc
        finally:
            self.done.set()


_job: Job | None = None


def start_in_background() -> Job:
    global _job
    if _job is None:
        from tests.conftest import background

        _job = Job(Path(tempfile.mkdtemp(prefix="cchc-worker-")))
        background.submit(_job.run)
    return _job


def test_db_worker_runs_a_queued_import() -> None:
    job = start_in_background()  # already running unless this module was not collected first
    assert job.done.wait(timeout=900), "the worker processes did not finish"
    try:
        if job.error is not None:
            raise job.error
        assert job.before["status"] == "queued"
        assert job.after == {"status": "done", "rows": 927, "inserted": 927, "progress": 100}
    finally:
        shutil.rmtree(job.tmp, ignore_errors=True)
