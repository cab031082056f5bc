"""A confirmed dossier import runs in a real ``cchc db_worker`` process.

Everywhere else the tests use django-tasks' immediate backend; here the point is the worker
itself: the task is queued in the database by one process and executed by another.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ENQUEUE = """
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

CHECK = """
import json
from cchc.dossiers.models import DossierImport
r = DossierImport.objects.get(pk={pk})
print(json.dumps({{"status": r.status, "rows": r.rows, "inserted": r.inserted,
                  "progress": r.progress}}))
"""


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "cchc", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_db_worker_runs_a_queued_import(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CCHC_") and k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cchc.config.settings",
        CCHC_DATA_DIR=str(tmp_path / "data"),
        CCHC_HTTPS="false",
    )
    run(["migrate", "--noinput", "-v0"], env)
    pk = int(run(["shell", "-c", ENQUEUE.format(tmp=tmp_path)], env).strip().splitlines()[-1])
    before = json.loads(run(["shell", "-c", CHECK.format(pk=pk)], env).splitlines()[-1])
    assert before["status"] == "queued"
    run(["db_worker", "--batch", "--no-startup-delay", "--no-reload"], env)
    after = json.loads(run(["shell", "-c", CHECK.format(pk=pk)], env).splitlines()[-1])
    assert after == {"status": "done", "rows": 927, "inserted": 927, "progress": 100}
