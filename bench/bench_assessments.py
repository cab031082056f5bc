"""Assessment round figures: 3,321 units on a 100-criterion set, from the database to
stored results and ranks (load, compute and write timed separately), one criterion saved
(one unit rescored, the round re-ranked), then the first ranking page's server time and
query count. ``python -m bench.run assessments``.

Baseline: the pure core engine scoring and ranking the same 3,321 inputs in memory
(:func:`cchc.core.scoring.score_round`, no database), measured in the same process; the
ratio says what the database round trip costs on top of the arithmetic.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal

import yaml

from bench.bench_foundation import synthetic_set

UNITS = 3321
RUNS = 5


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    os.environ["CCHC_DATA_DIR"] = tempfile.mkdtemp(prefix="cchc-bench-assess-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.config.settings")
    os.environ.setdefault("CCHC_HTTPS", "false")
    os.environ.setdefault("CCHC_DEBUG", "true")  # static files without a collected manifest
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cchc.assessments import results, services
    from cchc.assessments.models import Assessment, AssessmentStatus, Result, Stage, StageScore
    from cchc.core import scoring
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
    assessment_ids = list(Assessment.objects.filter(round=rnd).values_list("pk", flat=True))
    with transaction.atomic():
        StageScore.objects.bulk_create(
            (
                StageScore(assessment_id=aid, criterion_code=code, stage=Stage.SELF, revision=1,
                           value="", points=Decimal(rng.randint(0, 4)) / 4)
                for aid in assessment_ids
                for code in codes
            ),
            batch_size=5000,
        )  # fmt: skip
        Assessment.objects.filter(round=rnd).update(status=AssessmentStatus.FINAL)
    print(f"   {UNITS} units × {len(codes)} criteria = {UNITS * len(codes):,} stage scores")

    # The pure engine on the same inputs, in memory: the baseline.
    cset = results.compiled(rnd)
    members, inputs = results.load(rnd)
    unit_inputs = [inputs[m.id] for m in members]

    def engine() -> None:
        scoring.score_round(cset, unit_inputs, appraisal=False)

    engine_times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        engine()
        engine_times.append(time.perf_counter() - started)
    base = _median(engine_times)

    runs = [results.refresh(rnd) for _ in range(RUNS)]
    load = _median([r.load for r in runs])
    compute = _median([r.compute for r in runs])
    write = _median([r.write for r in runs])
    total = _median([r.total for r in runs])
    assert Result.objects.filter(round=rnd, rank__isnull=False).count() == UNITS
    print(f"   full round (median of {RUNS}): load {load:.2f} s · compute {compute:.2f} s · "
          f"write + rank {write:.2f} s · total {total:.2f} s (target ≤ 2 s)")  # fmt: skip
    print(f"   pure engine {base:.2f} s (median of {RUNS}) · full round / engine "
          f"{total / base:.1f}×")  # fmt: skip

    # One criterion saved: that unit rescored, the round re-ranked from stored indexes.
    top = Result.objects.filter(round=rnd).order_by("rank", "pk").values_list("assessment_id")
    one_times, moved = [], []
    for i in range(RUNS):
        aid = top[UNITS - 1 - i][0]  # the last unit jumps to the top: most ranks shift
        StageScore.objects.filter(assessment_id=aid).update(points=Decimal(1))
        timing = results.refresh(rnd, [Assessment(pk=aid)])
        one_times.append(timing.total)
        moved.append(timing.reranked)
    print(f"   one unit rescored + round re-ranked: median {_median(one_times) * 1000:.0f} ms "
          f"({_median([float(m) for m in moved]):.0f} other ranks rewritten)")  # fmt: skip

    client = Client()
    client.force_login(root)
    url = f"/assessments/{rnd.pk}/"
    client.get(url, HTTP_HOST="localhost")
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url, HTTP_HOST="localhost")
            times.append(time.perf_counter() - started)
    assert response.status_code == 200, response.status_code
    print(f"   first ranking page: median {_median(times) * 1000:.0f} ms, {len(ctx)} queries "
          "(target ≤ 300 ms, constant)")  # fmt: skip
