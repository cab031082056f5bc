"""xlsx dossier import, end to end: read, map, resolve units, validate, write the store.

``.venv/bin/python -m bench.run dossier_xlsx``. The real units are loaded into a throwaway
database; ``CCHC_BENCH_XLSX_ROWS`` (default 300,000) synthetic dossiers (``synth`` seed 1,
3 years from 2023) on the 2025 commune codes that have legacy predecessors, rows received
before 1/7/2025 moved to one of their commune's legacy predecessors (so every unit is valid
for its received date), written as .xlsx by xlsxwriter in constant-memory mode (dates as date
cells, numbers as numbers) and cached in ``CCHC_BENCH_DIR`` (default: cchc-bench-dossiers
in the system temp directory).

Timed (median of 3, wall and process CPU): ``importing.run_import`` of the workbook into an
empty store (fastexcel → Arrow → DuckDB mapping → canonical CSV → the store's one pass);
baseline in the same process: the bare fastexcel read of the workbook (every sheet parsed
and exported as Arrow text columns), which no import can beat; second reference line: the
bare python-calamine read (every cell to a Python object, what the per-row path needed).
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter

RUNS = 3
TARGET = 50_000  # rows/s


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    started, started_cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - started, time.process_time() - started_cpu, result


def _setup() -> None:
    data_dir = tempfile.mkdtemp(prefix="cchc-bench-xlsx-")
    os.environ["CCHC_DATA_DIR"] = data_dir
    os.environ["CCHC_DOSSIER_STORE"] = str(Path(data_dir) / "dossiers")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.config.settings")
    os.environ.setdefault("CCHC_HTTPS", "false")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _unit_plan() -> dict[str, list[str]]:
    """2025 commune code → its legacy commune predecessors' codes (communes that have some)."""
    from cchc.units.loader import load_units
    from cchc.units.models import Hierarchy, Level, Unit
    from cchc.units.services import lineage_map

    load_units()
    communes = {
        f"{c}@{h}"
        for c, h in Unit.objects.filter(level=Level.COMMUNE).values_list("code", "hierarchy")
    }
    preds: dict[str, list[str]] = {}
    for legacy, successors in lineage_map().items():
        if legacy not in communes or not legacy.endswith(f"@{Hierarchy.LEGACY}"):
            continue
        for succ, _default in successors:
            if succ in communes and succ.endswith(f"@{Hierarchy.Y2025}"):
                preds.setdefault(succ.split("@")[0], []).append(legacy.split("@")[0])
    return {k: sorted(v) for k, v in sorted(preds.items())}


def _canonical_csv(work: Path, rows: int, plan: dict[str, list[str]]) -> Path:
    from cchc.analytics import synth

    target = work / f"xlsx-units-seed1-{rows}.csv"
    if target.exists():
        return target
    raw = work / f"xlsx-synth-seed1-{rows}.csv"
    synth.generate(rows, 3, 1, synth.zipf_weights(list(plan)), raw)
    con = duckdb.connect()
    con.execute("CREATE TABLE pred(succ VARCHAR, k BIGINT, legacy VARCHAR, n BIGINT)")
    con.executemany(
        "INSERT INTO pred VALUES (?, ?, ?, ?)",
        [(s, k, code, len(ls)) for s, ls in plan.items() for k, code in enumerate(ls)],
    )
    con.execute(
        f"""COPY (
            SELECT d.* REPLACE (CASE WHEN d.received_at < '2025-07-01' THEN p.legacy
                                     ELSE d.unit_code END AS unit_code)
            FROM read_csv('{raw}', all_varchar = true, header = true) d
            JOIN (SELECT DISTINCT succ, n FROM pred) m ON m.succ = d.unit_code
            JOIN pred p ON p.succ = d.unit_code AND p.k = hash(d.dossier_code) % m.n
            ORDER BY d.dossier_code)
        TO '{target}' (FORMAT csv, HEADER true)"""
    )
    con.close()
    raw.unlink()
    return target


_STAMPS = ("received_at", "due_at", "original_due_at", "finished_at", "returned_at")
_NUMBERS = {"supplement_requests", "supplement_days"}


def _write_xlsx(csv_path: Path, target: Path) -> None:
    """The canonical rows as a vendor-like workbook: date/time cells, numbers as numbers."""
    con = duckdb.connect()
    rel = con.execute(f"SELECT * FROM read_csv('{csv_path}', all_varchar = true, header = true)")
    columns = [d[0] for d in rel.description]
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet = book.add_worksheet("Sheet1")
    for c, name in enumerate(columns):
        sheet.write_string(0, c, name)
    kinds = ["d" if n in _STAMPS else "n" if n in _NUMBERS else "s" for n in columns]
    r = 1
    while batch := rel.fetchmany(20_000):
        for values in batch:
            for c, (kind, value) in enumerate(zip(kinds, values, strict=True)):
                if not value:
                    continue
                if kind == "s":
                    sheet.write_string(r, c, value)
                elif kind == "n":
                    sheet.write_number(r, c, float(value))
                elif len(value) == 10:
                    midnight = datetime.combine(date.fromisoformat(value), datetime.min.time())
                    sheet.write_datetime(r, c, midnight, day)
                else:
                    sheet.write_datetime(r, c, datetime.fromisoformat(value), stamp)
            r += 1
    book.close()
    con.close()


def _bare_fastexcel(path: Path) -> int:
    """Every sheet read by fastexcel into Arrow text columns (as the import reads it): the
    parse and the Arrow arrays (the PyCapsule export), nothing else."""
    import fastexcel

    reader = fastexcel.read_excel(path.read_bytes())
    cells = 0
    for name in reader.sheet_names:
        sheet = reader.load_sheet(name, header_row=None, dtypes="string", schema_sample_rows=None)
        schema, array = sheet.__arrow_c_array__()
        cells += sheet.width * sheet.height
        del schema, array, sheet
    return cells


def _bare_read(path: Path) -> int:
    """Every cell of every sheet as a Python object (garbage collection paused, like the
    import's reading: the fastest bare read)."""
    from python_calamine import CalamineWorkbook

    from cchc.dossiers.reading import no_gc

    book = CalamineWorkbook.from_path(str(path))
    cells = 0
    with no_gc():
        for name in book.sheet_names:
            grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(map(len, grid))
            del grid
    return cells


def main() -> None:
    rows = int(os.environ.get("CCHC_BENCH_XLSX_ROWS", "300000"))
    work = Path(
        os.environ.get("CCHC_BENCH_DIR", str(Path(tempfile.gettempdir()) / "cchc-bench-dossiers"))
    )
    work.mkdir(parents=True, exist_ok=True)
    _setup()
    from django.conf import settings

    from cchc.dossiers import importing
    from cchc.dossiers.models import DossierImport, ImportStatus

    took, _, plan = _timed(_unit_plan)
    legacy = sum(len(v) for v in plan.values())
    print(f"   units loaded in {took:.1f} s: {len(plan):,} 2025 communes, {legacy:,} legacy")
    xlsx = work / f"dossiers-seed1-{rows}.xlsx"
    if not xlsx.exists():
        took, _, csv_path = _timed(lambda: _canonical_csv(work, rows, plan))
        started = time.perf_counter()
        partial = xlsx.with_suffix(".partial.xlsx")
        _write_xlsx(csv_path, partial)
        partial.replace(xlsx)
        print(
            f"   generated {rows:,} rows ({took:.1f} s) and wrote {xlsx.name} "
            f"({time.perf_counter() - started:.1f} s)"
        )
    print(
        f"   {xlsx.name}: {xlsx.stat().st_size / 2**20:.1f} MB; load average before "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    base = Path(settings.CCHC_DOSSIER_STORE)
    walls, cpus = [], []
    for run in range(RUNS):
        settings.CCHC_DOSSIER_STORE = base.with_name(f"store-{run}")
        record = DossierImport.objects.create(
            file_name=xlsx.name,
            profile="canonical",
            import_id=importing.new_import_id(),
            status=ImportStatus.RUNNING,
        )
        wall, cpu, done = _timed(lambda r=record: importing.run_import(r, xlsx))
        if done.status != ImportStatus.DONE or done.rows != rows:
            raise SystemExit(
                f"import failed: {done.status} {done.rows} rows, {done.error_total} errors "
                f"{done.message} {done.errors[:3]}"
            )
        walls.append(wall)
        cpus.append(cpu)
        print(
            f"   run {run + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU = {rows / wall:,.0f} rows/s "
            f"(load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    read_walls, read_cpus = [], []
    cal_walls, cal_cpus = [], []
    for _ in range(RUNS):
        wall, cpu, cells = _timed(lambda: _bare_fastexcel(xlsx))
        read_walls.append(wall)
        read_cpus.append(cpu)
        wall, cpu, cal_cells = _timed(lambda: _bare_read(xlsx))
        cal_walls.append(wall)
        cal_cpus.append(cpu)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    read_wall, read_cpu = statistics.median(read_walls), statistics.median(read_cpus)
    cal_wall, cal_cpu = statistics.median(cal_walls), statistics.median(cal_cpus)
    print(
        f"   import (median of {RUNS}): {wall:.2f} s wall, {cpu:.2f} s CPU = "
        f"{rows / wall:,.0f} rows/s (target >= {TARGET:,}; CPU {rows / cpu:,.0f} rows per "
        "CPU second)"
    )
    print(
        f"   baseline bare fastexcel read to Arrow ({cells:,} cells, median of {RUNS}): "
        f"{read_wall:.2f} s wall, {read_cpu:.2f} s CPU = {rows / read_wall:,.0f} rows/s; "
        f"import / read = {wall / read_wall:.2f} (CPU {cpu / read_cpu:.2f})"
    )
    print(
        f"   reference bare python-calamine read to Python objects ({cal_cells:,} cells): "
        f"{cal_wall:.2f} s wall, {cal_cpu:.2f} s CPU = {rows / cal_wall:,.0f} rows/s; "
        f"import / read = {wall / cal_wall:.2f}"
    )
    print(
        f"   peak RSS (imports; before the baseline reads): {rss / 2**20:,.0f} MB; "
        f"load average after {os.getloadavg()[0]:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
