"""The dossier store protocol, the period report with exact figures, drill-down, 766 rates."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cchc.analytics import synth
from cchc.analytics.report import (
    UnitNode,
    UnitTree,
    drilldown,
    indicators_766,
    period_report,
)
from cchc.analytics.sql import CSV_COLUMNS
from cchc.analytics.store import ImportRejected, Store, live_rows
from cchc.core import periods
from cchc.core.dossier import Options

HEADER = ",".join(CSV_COLUMNS)

TREE = UnitTree(
    [
        UnitNode("P1", None, "Tỉnh", "0"),
        UnitNode("X1@2025", "P1", "Xã Một", "1"),
        UnitNode("X2@2025", "P1", "Xã Hai", "2"),
    ],
    {"X1@legacy": "X1@2025", "OLD@legacy": "X2@2025"},
)


def write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def line(code: str, unit: str, channel: str, received: str, due: str, finished: str = "",
         status: str = "", sreq: str = "0", sdays: str = "0", apology: str = "0",
         post: str = "0") -> str:  # fmt: skip
    status = status or ("finished" if finished else "in_progress")
    return (
        f"S,{code},{unit},P,LV1,{channel},{received},{due},,{finished},,{post},{status},"
        f"{sreq},{sdays},1,có,0,{apology},0,"
    )


ROWS = [
    # carried over (legacy code, attributed to X1), finished on time in the period
    line("A", "X1", "direct", "2025-06-10 08:00", "2025-06-20", "20/6/2025 16:00"),
    # new online full, early
    line("B", "X1", "mức độ 4", "2025-06-16 08:00", "2025-06-25 17:00", "2025-06-20 10:00"),
    # new online partial, late with apology (due 17:00, finished 17:30)
    line(
        "C",
        "X1",
        "Mức độ 3",
        "2025-06-16 08:00",
        "2025-06-20 17:00",
        "2025-06-20 17:30",
        apology="x",
    ),
    # new postal, two supplements → late without apology, returned by post
    line(
        "D",
        "OLD",
        "postal",
        "2025-06-20 08:00",
        "2025-07-01",
        "2025-06-25",
        sreq="2",
        sdays="1.5",
        post="1",
    ),
    # new direct, in progress and overdue at 14/07
    line("E", "X2", "direct", "2025-07-02 08:00", "2025-07-10", "", status="in_progress"),
    # new direct, in progress within deadline
    line("F", "X2", "direct", "2025-07-03 08:00", "2025-07-20", "", status="in_progress"),
    # rejected: apart
    line("G", "X2", "direct", "2025-07-03 08:00", "2025-07-20", "2025-07-05", status="rejected"),
    # finished before the period: not in the table
    line("H", "X1", "direct", "2025-06-01 08:00", "2025-06-10", "2025-06-05"),
]
JULY = periods.month(2025, 7)  # 15/06/2025–14/07/2025


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ROWS imported once per module; each test gets its own copy."""
    tmp = tmp_path_factory.mktemp("built")
    Store(tmp / "store").import_csv(write(tmp / "a.csv", ROWS), import_id="imp-1")
    return tmp / "store"


@pytest.fixture
def store(tmp_path: Path, built_store: Path) -> Store:
    shutil.copytree(built_store, tmp_path / "store")
    return Store(tmp_path / "store")


def snapshot_of(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_report_exact_figures(store: Store) -> None:
    con = store.connect()
    report = period_report(con, store.open(), TREE, "P1", JULY)
    rows = {r.key: r for r in report.rows}
    total = rows["P1"].counts
    assert {k: v for k, v in total.items() if v} == {
        "received_total": 7,
        "new_total": 6,
        "new_online_full": 1,
        "new_online_partial": 1,
        "new_direct": 3,
        "new_postal": 1,
        "carried_over": 1,
        "resolved_total": 4,
        "early": 1,
        "on_time": 1,
        "late": 2,
        "late_with_apology": 1,
        "late_without_apology": 1,
        "in_progress_total": 2,
        "in_progress_within": 1,
        "in_progress_overdue": 1,
        "apart_total": 1,
        "rejected": 1,
        "returned_by_post": 1,
        "new_digitized": 6,
        "resolved_e_result": 4,
    }
    assert all(rows["P1"].checks.values())
    assert rows["P1"].on_time_pct == Decimal(50)
    assert rows["P1"].online_pct == Decimal(2) * 100 / 6
    assert rows["X1@2025"].counts["received_total"] == 3
    assert rows["X2@2025"].counts["received_total"] == 4  # includes the OLD legacy code
    assert [r.depth for r in report.rows] == [0, 1, 1]
    gia = Options(on_time_rate_mode="gia_lai")
    gia_lai = period_report(con, store.open(), TREE, "P1", JULY, gia)
    # late % = (2 late + 1 overdue) / 7
    assert gia_lai.rows[0].on_time_pct == 100 - Decimal(300) / 7
    by_sector = period_report(con, store.open(), TREE, "P1", JULY, by="sector")
    assert [(r.name, r.counts["received_total"]) for r in by_sector.rows] == [
        ("Tổng cộng", 7),
        ("LV1", 7),
    ]
    assert report.to_json()["rows"][0]["on_time_pct"] == "50"


def test_reader_is_one_connection_per_thread(store: Store) -> None:
    con = store.reader()
    assert Store(store.root).reader() is con
    first = period_report(con, store.open(), TREE, "P1", JULY).rows[0].counts
    again = period_report(con, store.open(), TREE, "P1", JULY).rows[0].counts
    assert first == again and first["received_total"] == 7


def test_drilldown_and_766(store: Store) -> None:
    con = store.connect()
    total, rows = drilldown(con, store.open(), TREE, "P1", JULY, "late", page_size=1)
    assert total == 2
    assert [r["dossier_code"] for r in rows] == ["C"]
    total, rows = drilldown(con, store.open(), TREE, "X2@2025", JULY, "in_progress_overdue")
    assert (total, rows[0]["dossier_code"]) == (1, "E")
    rates = indicators_766(con, store.open(), TREE, "P1", 2025, 7)
    p1 = rates[0]
    # calendar July: D carried (late), E overdue? due 10/07 ≤ 31/07 → overdue, F overdue too
    assert p1.key == "P1"
    assert p1.online_rate == Decimal(0)


def test_reimport_updates_and_missing_rows_stay(store: Store, tmp_path: Path) -> None:
    update = write(
        tmp_path / "b.csv",
        [line("E", "X2", "direct", "2025-07-02 08:00", "2025-07-10", "2025-07-08")],
    )
    result = store.import_csv(update, import_id="imp-2")
    assert (result.inserted, result.updated) == (0, 1)
    manifest = store.open()
    assert manifest.rows == 8
    con = store.connect()
    p1 = period_report(con, manifest, TREE, "P1", JULY).rows[0].counts
    assert (p1["received_total"], p1["resolved_total"], p1["in_progress_overdue"]) == (7, 5, 0)
    assert [i["import_id"] for i in manifest.imports] == ["imp-1", "imp-2"]
    again = store.import_csv(update, import_id="imp-2")
    assert again.already_applied and store.open().version == manifest.version


def test_failed_import_changes_nothing(store: Store, tmp_path: Path) -> None:
    before = snapshot_of(store.root)
    bad = write(
        tmp_path / "bad.csv",
        [
            line("Z1", "X1", "fax", "2025-07-01", "2025-07-02"),
            line("Z2", "X1", "direct", "31/02/2025", "2025-07-02"),
            line("Z3", "X1", "direct", "2025-07-05", "2025-07-02"),
            line("Z4", "X1", "direct", "2025-07-05", "2025-07-09", "2025-07-01"),
            line("Z4", "X1", "direct", "2025-07-05", "2025-07-09", "2025-07-08"),
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        store.import_csv(bad)
    assert [(e.row, e.column, e.reason) for e in caught.value.errors] == [
        (2, "channel", "kênh tiếp nhận không hợp lệ (direct, online_full, online_partial, postal)"),
        (3, "received_at", "ngày giờ không hợp lệ"),
        (4, "due_at", "hạn trả kết quả trước ngày tiếp nhận"),
        (5, "finished_at", "ngày có kết quả trước ngày tiếp nhận"),
        (6, "dossier_code", "mã hồ sơ bị lặp trong tệp (đã có ở dòng 5)"),
    ]
    with pytest.raises(ImportRejected) as capped:
        store.import_csv(bad, max_errors=2)
    assert (len(capped.value.errors), capped.value.total) == (2, 5)
    assert snapshot_of(store.root) == before


def test_raising_during_write_changes_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot_of(store.root)

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    good = write(tmp_path / "c.csv", [line("N", "X1", "direct", "2025-03-01", "2025-03-05")])
    with pytest.raises(OSError, match="disk full"):
        store.import_csv(good)
    assert snapshot_of(store.root) == before


def test_reader_keeps_its_manifest(store: Store, tmp_path: Path) -> None:
    old = store.open()
    store.import_csv(
        write(tmp_path / "d.csv", [line("B", "X1", "direct", "2025-06-16 08:00", "2025-06-17")])
    )
    con = store.connect()
    assert period_report(con, old, TREE, "P1", JULY).rows[0].counts["new_online_full"] == 1
    assert period_report(con, store.open(), TREE, "P1", JULY).rows[0].counts["new_online_full"] == 0
    # A compaction folds the months' deltas into new bases; with no delay the next write
    # removes the files they replaced.
    quick = Store(store.root, retire_delay=0)
    assert store.open().deltas
    quick.compact()
    assert not quick.open().deltas
    assert all(Path(f).exists() for f in old.all_files())
    late_row = line("Q", "X1", "direct", "2025-01-02", "2025-01-03")
    quick.import_csv(write(tmp_path / "e.csv", [late_row]))
    assert not all(Path(f).exists() for f in old.all_files())


def test_luc_binh(tmp_path: Path) -> None:
    store = Store(tmp_path / "lb")
    store.import_csv(synth.luc_binh(tmp_path / "lb.csv"))
    tree = UnitTree([UnitNode("LUCBINH@legacy", None, "xã Lục Bình", "1")])
    period = periods.custom(date(2021, 12, 15), date(2022, 9, 19))
    c = period_report(store.connect(), store.open(), tree, "LUCBINH@legacy", period).rows[0].counts
    assert (c["new_total"], c["carried_over"], c["received_total"], c["resolved_total"]) == (
        926,
        1,
        927,
        927,
    )
    assert (c["early"] + c["on_time"], c["late"], c["in_progress_total"]) == (927, 0, 0)


def test_synth_is_byte_identical(tmp_path: Path) -> None:
    units = synth.zipf_weights([f"{i:05d}" for i in range(50)])
    a = synth.generate(10_000, 3, 7, units, tmp_path / "a.csv")
    b = synth.generate(10_000, 3, 7, units, tmp_path / "b.csv")
    digest = hashlib.sha256(a.read_bytes()).hexdigest()
    assert digest == hashlib.sha256(b.read_bytes()).hexdigest()
    assert len(a.read_text().splitlines()) == 10_001
    store = Store(tmp_path / "s")
    assert store.import_csv(a).inserted == 10_000


def test_api_batches_are_staged_then_compacted(tmp_path: Path) -> None:
    """Batches wait in inbox/ (reports do not see them), then one compaction merges them
    all; the same key in two batches keeps the later version; ids are never applied twice."""
    store = Store(tmp_path / "store")
    store.import_csv(
        write(tmp_path / "base.csv", [line("A", "X1", "direct", "2025-06-16 08:00", "2025-06-20")]),
        import_id="base",
    )
    before = store.open()
    first = write(
        tmp_path / "b1.csv",
        [
            line("A", "X1", "direct", "2025-06-16 08:00", "2025-06-20", "2025-06-18 09:00"),
            line("B", "X2", "postal", "2025-07-02 08:00", "2025-07-09"),
        ],
    )
    second = write(
        tmp_path / "b2.csv",
        [
            line("B", "X2", "postal", "2025-07-02 08:00", "2025-07-09", "2025-07-10 08:00"),
            line("C", "X2", "direct", "2025-08-01 08:00", "2025-08-04"),
        ],
    )
    assert store.stage_batch(first, import_id="api-1").rows == 2
    assert store.stage_batch(second, import_id="api-2").rows == 2
    assert store.stage_batch(second, import_id="api-2").already_applied
    staged = store.open()
    assert [b["import_id"] for b in staged.staged] == ["api-1", "api-2"]
    assert staged.staged_rows == 4 and staged.partitions == before.partitions
    with pytest.raises(ImportRejected):  # a bad batch is refused and leaves nothing behind
        store.stage_batch(
            write(tmp_path / "bad.csv", [line("D", "X1", "fax", "2025-08-01", "2025-08-02")]),
            import_id="api-3",
        )
    assert store.open().staged == staged.staged
    records = store.compact()
    assert [(r["import_id"], r["rows"], r["inserted"], r["updated"]) for r in records] == [
        ("api-1", 2, 1, 1),  # A replaced the stored A
        ("api-2", 2, 1, 1),  # B replaced api-1's B
    ]
    after = store.open()
    assert after.staged == [] and after.rows == 3 and store.compact() == []
    con = store.connect()
    rows = dict(
        con.execute(
            f"SELECT dossier_code, status FROM ({after.live_sql(('dossier_code', 'status'))})"
        ).fetchall()
    )
    assert rows == {"A": "finished", "B": "finished", "C": "in_progress"}
    assert store.stage_batch(first, import_id="api-1").already_applied
    # The merged batch files are retired (deleted after the delay, like replaced months).
    assert {b["file"] for b in staged.staged} <= {r["file"] for r in after.retired}


def test_snapshots_equal_their_definition_after_each_write(tmp_path: Path) -> None:
    """Every snapshot holds exactly the dossiers received before its month and open at its
    start, recomputed from all partitions, after inserts, updates, earlier months and a
    compaction (snapshots are built from what changed, never from the partitions)."""
    store = Store(tmp_path / "store")
    units = synth.zipf_weights([f"X{i}" for i in range(1, 6)])
    first = synth.generate(3000, 2, 11, units, tmp_path / "a.csv")
    later = synth.generate(1500, 1, 12, units, tmp_path / "b.csv")  # same codes: updates

    def check() -> None:
        manifest = store.open()
        con = store.connect()
        everything = f"({manifest.live_sql()})"
        for key, snap in manifest.snapshots.items():
            start = f"TIMESTAMP '{key}-01 00:00:00'"
            want = set(
                con.execute(
                    f"SELECT dossier_code, status FROM {everything} WHERE received_at < {start} "
                    f"AND (finished_at IS NULL OR finished_at >= {start})"
                ).fetchall()
            )
            base, deltas = manifest.snapshot_files(key)
            got = set(
                con.execute(
                    "SELECT dossier_code, status FROM "
                    f"({live_rows([base] if base else [], deltas)})"
                ).fetchall()
            )
            assert got == want, key
            assert snap["rows"] == len(want)
        con.close()

    store.import_csv(first)
    check()
    result = store.import_csv(later)
    assert result.updated > 0
    check()
    # A batch reaching back before the first month, merged by a compaction.
    early = write(
        tmp_path / "early.csv",
        [line("EARLY", "X1", "direct", "2020-03-02 08:00", "2020-03-09")],
    )
    store.stage_batch(early, import_id="early")
    store.compact()
    check()


def test_cells_summed_in_python_equal_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small scopes sum their cells in Python, large ones in DuckDB: the same figures for
    every row, period and option set (synthetic dossiers on legacy and 2025 codes)."""
    from cchc.analytics import report

    store = Store(tmp_path / "store")
    codes = [f"X{i}" for i in range(1, 9)]
    store.import_csv(synth.generate(4000, 3, 5, synth.zipf_weights(codes), tmp_path / "a.csv"))
    nodes = [UnitNode("ALL", None, "Tất cả", "0")]
    nodes += [UnitNode(f"{c}@2025", "ALL", c, c) for c in codes[:6]]
    # X7 and X8 merged into X6 on 1/7/2025: their dossiers count under X6 (legacy only).
    attribution = {f"{c}@legacy": f"{c}@2025" for c in codes[:6]}
    attribution |= {"X7@legacy": "X6@2025", "X8@legacy": "X6@2025"}
    tree = UnitTree(nodes, attribution)
    con = store.connect()
    manifest = store.open()
    cases = [
        (periods.year_period(2024), Options()),
        (periods.month(2025, 7), Options()),
        (periods.year_period(2025), Options(count_rejected_as_resolved=True)),
        (periods.year_period(2025), Options(multiple_supplements_late=False)),
        (periods.year_period(2025), Options(supplement_extends_due=False)),
    ]
    for period, options in cases:
        figures = {}
        for limit in (0, 10_000):
            monkeypatch.setattr(report, "_PYTHON_PIVOT_MAX_CODES", limit)
            rows = period_report(con, manifest, tree, "ALL", period, options).rows
            figures[limit] = {r.key: r.counts for r in rows}
        assert figures[0] == figures[10_000], (period, options)
        assert figures[0]["ALL"]["received_total"] > 0
        assert figures[0]["X6@2025"]["received_total"] > 0
