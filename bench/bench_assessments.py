"""Assessment round figures: 3,321 units on a 100-criterion set, from the database to
stored results and ranks (load, compute and write timed separately), then the first
ranking page's server time and query count. ``python -m bench.run assessments``."""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import date
from decimal import Decimal

import yaml

from bench.bench_foundation import synthetic_set

UNITS = 3321


def main() -> None:
    os.environ["CCHC_DATA_DIR"] = tempfile.mkdtemp(prefix="cchc-bench-assess-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.config.settings")
    os.environ.setdefault("CCHC_HTTPS", "false")
    os.environ.setdefault("CCHC_DEBUG", "true")  # static files without a collected manifest
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cchc.assessments import services
    from cchc.assessments.models import Assessment, AssessmentStatus, Stage, StageScore
    from cchc.frameworks.services import indexset_import
    from cchc.units.models import Unit

    call_command("migrate", verbosity=0)
    data = synthetic_set()
    index_set = indexset_import(yaml.safe_dump(data, allow_unicode=True), publish=True)
    province = Unit.objects.create(
        code="B0", hierarchy="local", name="Tỉnh thử", kind="province", level=1
    )
    Unit.objects.bulk_create(
        Unit(code=f"B{i:05d}", hierarchy="local", name=f"Xã thử {i}", kind="commune", level=3,
             parent=province, sort_key=f"{i:05d}")
        for i in range(UNITS)
    )  # fmt: skip
    units = list(Unit.objects.filter(parent=province))
    root = User.objects.create_superuser("bench", password="bench-pass-1")  # noqa: S106
    d = date(2099, 1, 1)
    rnd = services.round_open(
        user=root, code="bench", name="Bench", index_set=index_set, owner_unit=province,
        units=units, allow_appraisal=False, deadlines=services.Deadlines(d, d, d, d, d),
    )  # fmt: skip
    rng = random.Random(1)
    codes = [f"F{f}.{c}" for f in range(1, 11) for c in range(1, 11)]
    assessments = list(Assessment.objects.filter(round=rnd).select_related("unit"))
    rows = [
        StageScore(assessment=a, criterion_code=code, stage=Stage.SELF, revision=1,
                   value="", points=Decimal(rng.randint(0, 4)) / 4)
        for a in assessments
        for code in codes
    ]  # fmt: skip
    StageScore.objects.bulk_create(rows, batch_size=5000)
    Assessment.objects.filter(round=rnd).update(status=AssessmentStatus.FINAL)
    print(f"   {UNITS} units × {len(codes)} criteria = {len(rows):,} stage scores")

    t0 = time.perf_counter()
    chosen = list(rnd.assessments.select_related("unit"))
    inputs = services._inputs(chosen)
    t1 = time.perf_counter()
    cset = services.compiled(rnd)
    from cchc.core import scoring

    scored = [(a, scoring.score_unit(cset, inputs[a.pk], appraisal=False)) for a in chosen]
    t2 = time.perf_counter()
    services.write_results(rnd, scored)
    t3 = time.perf_counter()
    print(f"   load {t1 - t0:.2f} s · compute {t2 - t1:.2f} s · write + rank {t3 - t2:.2f} s "
          f"· total {t3 - t0:.2f} s")  # fmt: skip

    client = Client()
    client.force_login(root)
    url = f"/assessments/{rnd.pk}/"
    client.get(url, HTTP_HOST="localhost")
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url, HTTP_HOST="localhost")
            times.append(time.perf_counter() - started)
    assert response.status_code == 200, response.status_code
    times.sort()
    print(f"   first ranking page: median {times[2] * 1000:.0f} ms, {len(ctx)} queries")
