"""Foundation figures: loading all units, and scoring a round with the core engine.

Scoring baseline: the same leaf points summed per field and in total with a hand-written
loop over dicts (no rules, no tree, no ranks) — the floor any engine has to pay for
Decimal arithmetic. Both are checked to give identical totals before timing.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from decimal import Decimal

from cchc.core.indexset import load_definition
from cchc.core.scoring import Entry, Stage, UnitInput, compile_set, score_round

UNITS = 3321
FIELDS, CRITERIA_PER_FIELD = 10, 10


def synthetic_set() -> dict[str, object]:
    nodes = []
    for f in range(1, FIELDS + 1):
        children = [
            {
                "code": f"F{f}.{c}",
                "title": f"Tiêu chí {f}.{c}",
                "max": 1,
                "rule": {"type": "manual", "step": 0.25},
            }
            for c in range(1, CRITERIA_PER_FIELD + 1)
        ]
        nodes.append(
            {
                "code": f"F{f}",
                "title": f"Lĩnh vực {f}",
                "max": CRITERIA_PER_FIELD,
                "children": children,
            }
        )
    return {
        "code": "BENCH", "name": "Bench", "kind": "PAR", "year": 2025, "version": 1,
        "max_points": FIELDS * CRITERIA_PER_FIELD, "display": "percent", "display_precision": 2,
        "nodes": nodes,
    }  # fmt: skip


def median_time(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_scoring() -> None:
    rng = random.Random(1)
    cset = compile_set(load_definition(synthetic_set()))
    steps = [Decimal(x) / 4 for x in range(5)]
    leaf_codes = [
        f"F{f}.{c}" for f in range(1, FIELDS + 1) for c in range(1, CRITERIA_PER_FIELD + 1)
    ]
    raw = [{code: rng.choice(steps) for code in leaf_codes} for _ in range(UNITS)]
    inputs = [
        UnitInput(
            unit=f"U{i}", stages={Stage.APPRAISAL_1: {k: Entry(v) for k, v in points.items()}}
        )
        for i, points in enumerate(raw)
    ]

    def baseline() -> list[Decimal]:
        totals = []
        for points in raw:
            fields: dict[str, Decimal] = {}
            for code, value in points.items():
                key = code.split(".")[0]
                fields[key] = fields.get(key, Decimal(0)) + value
            totals.append(sum(fields.values(), Decimal(0)))
        return totals

    def app() -> list[Decimal]:
        return [r.total for r in score_round(cset, inputs)]

    assert app() == baseline(), "engine and baseline disagree"
    t_app, t_base = median_time(app), median_time(baseline)
    print(f"   scoring {UNITS} units × {FIELDS * CRITERIA_PER_FIELD} criteria (incl. ranks):"
          f" app {t_app * 1000:.0f} ms, baseline {t_base * 1000:.0f} ms,"
          f" ratio {t_app / t_base:.2f} (median of 5)")  # fmt: skip


def bench_units_load() -> None:
    os.environ["CCHC_DATA_DIR"] = tempfile.mkdtemp(prefix="cchc-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.config.settings")
    os.environ.setdefault("CCHC_HTTPS", "false")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from cchc.units.loader import load_units

    started = time.perf_counter()
    load_units()
    first = time.perf_counter() - started
    started = time.perf_counter()
    report = load_units()
    second = time.perf_counter() - started
    assert not report.changed
    print(f"   units load (SQLite, 14,149 units, 14,339 lineage rows): first {first:.1f} s,"
          f" second (no change) {second:.1f} s")  # fmt: skip


def main() -> None:
    bench_scoring()
    bench_units_load()
