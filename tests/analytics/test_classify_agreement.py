"""The Python and SQL classifications agree row by row on random dossiers and periods."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.analytics import sql
from cchc.analytics.report import classify_rows
from cchc.core.dossier import Dossier, Options, classify
from cchc.core.periods import custom

BASE = datetime(2024, 1, 1)


@st.composite
def dossiers(draw: st.DrawFn, n: int) -> Dossier:
    received = BASE + timedelta(minutes=draw(st.integers(0, 60 * 24 * 120)))
    due_only = draw(st.booleans())
    due = received + timedelta(minutes=draw(st.integers(0, 60 * 24 * 20)))
    if due_only:
        due = datetime.combine(due.date(), datetime.min.time())
    status = draw(st.sampled_from(["in_progress", "finished", "finished", "rejected", "withdrawn"]))
    finished = None
    fin_only = False
    if status != "in_progress":
        finished = received + timedelta(minutes=draw(st.integers(0, 60 * 24 * 40)))
        fin_only = draw(st.booleans())
        if fin_only:
            finished = max(datetime.combine(finished.date(), datetime.min.time()), received)
            fin_only = finished.time() == datetime.min.time()
    return Dossier(
        source_system="S",
        dossier_code=f"HS{n:05d}",
        unit_code="U1",
        channel=draw(st.sampled_from(["direct", "online_full", "online_partial", "postal"])),
        received_at=received,
        due_at=due,
        due_date_only=due_only,
        status=status,  # type: ignore[arg-type]
        finished_at=finished,
        finished_date_only=fin_only,
        supplement_requests=draw(st.integers(0, 3)),
        supplement_days=Decimal(draw(st.integers(0, 5000))) / 1000,
        apology_issued=draw(st.booleans()),
    )


def bulk_dossier(rng: random.Random, n: int) -> Dossier:
    received = BASE + timedelta(minutes=rng.randint(0, 60 * 24 * 120))
    due_only = rng.random() < 0.3
    due = received + timedelta(minutes=rng.randint(0, 60 * 24 * 20))
    if due_only:
        due = datetime.combine(due.date(), datetime.min.time())
    status = rng.choice(["in_progress", "finished", "finished", "rejected", "withdrawn"])
    finished = None
    fin_only = False
    if status != "in_progress":
        finished = received + timedelta(minutes=rng.randint(0, 60 * 24 * 40))
        if rng.random() < 0.3:
            finished = max(datetime.combine(finished.date(), datetime.min.time()), received)
            fin_only = finished.time() == datetime.min.time()
    return Dossier(
        source_system="S",
        dossier_code=f"HS{n:05d}",
        unit_code="U1",
        channel=rng.choice(["direct", "online_full", "online_partial", "postal"]),
        received_at=received,
        due_at=due,
        due_date_only=due_only,
        status=status,  # type: ignore[arg-type]
        finished_at=finished,
        finished_date_only=fin_only,
        supplement_requests=rng.randint(0, 3),
        supplement_days=Decimal(rng.choice([0, 0, rng.randint(0, 5000)])) / 1000,
        apology_issued=rng.random() < 0.5,
    )


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[Dossier], date, date, Options]:
    # A few dossiers drawn (and shrunk) by hypothesis, and a bulk from a drawn seed,
    # so thousands of dossiers are checked in seconds.
    items = [draw(dossiers(i)) for i in range(draw(st.integers(1, 12)))]
    rng = random.Random(draw(st.integers(0, 2**32)))
    items += [bulk_dossier(rng, 100 + i) for i in range(200)]
    start = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 150)))
    end = start + timedelta(days=draw(st.integers(0, 60)))
    options = Options(
        supplement_extends_due=draw(st.booleans()),
        multiple_supplements_late=draw(st.booleans()),
        count_rejected_as_resolved=draw(st.booleans()),
    )
    return items, start, end, options


CON = duckdb.connect()
CON.execute("CREATE TABLE d (" + ", ".join(f"{n} {t}" for n, t in sql.STORE_COLUMNS) + ")")


@settings(max_examples=20, deadline=None)
@given(batches())
def test_python_and_sql_agree(batch: tuple[list[Dossier], date, date, Options]) -> None:
    items, start, end, options = batch
    period = custom(start, end)
    CON.execute("DELETE FROM d")
    row = "(" + ", ".join(["?"] * len(sql.STORE_NAMES)) + ")"
    CON.execute(
        f"INSERT INTO d ({', '.join(sql.STORE_NAMES)}) VALUES " + ", ".join([row] * len(items)),
        [getattr(x, name) for x in items for name in sql.STORE_NAMES],
    )
    got = classify_rows(CON, "d", period, options)
    want = []
    for x in sorted(items, key=lambda d: d.dossier_code):
        c = classify(x, period, options)
        want.append((x.dossier_code, c.scope, c.outcome, c.late_with_apology))
    assert got == want
