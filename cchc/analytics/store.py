"""The dossier store: immutable Parquet files under one atomically swapped manifest.

Layout under ``root``::

    manifest.json            the current state (version, partitions, snapshots, imports)
    .lock                    single-writer lock (fcntl.flock)
    data/YYYY-MM-<token>.parquet   dossiers received in that month, sorted by
                                   (unit_code, received_at), small row groups (the base)
    data/YYYY-MM-<token>.delta.parquet  changes to that month since its base was written:
                                   new versions (``w`` = 1, ``v`` = the import's sequence)
                                   and retracted old versions (``w`` = -1, ``v`` = the
                                   sequence of the version they cancel; 0 = the base)
    snap/open-YYYY-MM-<token>.parquet  dossiers received before the 1st of that month
                                   and not finished before it (carry-over without history)

Write protocol: under the lock, new files are written, then ``manifest.json`` is replaced
with ``os.replace``; replaced files are listed as retired and deleted only after
``retire_delay`` seconds, so a reader that opened the previous manifest keeps reading.
Anything that fails before the swap deletes the files it wrote: the store is exactly as
before. Files left by a killed writer are not in the manifest and are removed by the next
writer (it holds the lock, so nobody else is writing them).

Merge on read: an import never rewrites a month that already has a base. Its rows go into
one delta file per month they touch: the new versions, plus a copy of the old version of
every re-imported key with weight -1 in the month that old version lives in. The live rows
are the base and the delta rows of weight 1 whose (key, ``v``) no delta row of weight -1
names (``Manifest.live_sql``); sums over all rows weighted by ``w`` equal the sums over the
live rows, so reports need no join (``report._source``). ``Store.compact`` folds the deltas
into new bases (a background job after each import); snapshots are always whole.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from cchc.analytics import sql
from cchc.core.dossier import LEGACY_CUTOVER
from cchc.core.periods import Period, month_starts

ROW_GROUP_SIZE = 16384
MAX_ERRORS = 1000
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class RowError:
    """One validation error: line of the file (header = 1), column, value, reason (Vietnamese)."""

    row: int
    column: str
    value: str
    reason: str


class ImportRejected(Exception):
    """The file was refused; nothing was written."""

    def __init__(self, errors: list[RowError], total: int) -> None:
        self.errors = errors
        self.total = total
        super().__init__(f"tệp bị từ chối: {total} lỗi")


@dataclass(frozen=True)
class ImportResult:
    import_id: str
    rows: int
    inserted: int
    updated: int
    sha256: str
    already_applied: bool = False


@dataclass(frozen=True)
class Manifest:
    """What one reader sees: immutable once opened."""

    root: Path
    version: int
    partitions: dict[str, dict[str, Any]]
    snapshots: dict[str, dict[str, Any]]
    imports: list[dict[str, Any]]
    retired: list[dict[str, Any]] = field(default_factory=list)
    # Validated batches waiting for ``Store.compact`` (not yet in the partitions).
    staged: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "partitions": self.partitions,
            "snapshots": self.snapshots,
            "imports": self.imports,
            "retired": self.retired,
            "staged": self.staged,
        }

    def with_changes(self, **changes: Any) -> Manifest:
        return dataclasses.replace(self, **changes)

    @property
    def staged_rows(self) -> int:
        return sum(int(b["rows"]) for b in self.staged)

    @property
    def rows(self) -> int:
        return sum(int(p["rows"]) for p in self.partitions.values())

    def all_files(self) -> list[str]:
        """Every base and delta file of the partitions (not the snapshots)."""
        return [
            str(self.root / rel)
            for _, p in sorted(self.partitions.items())
            for rel in [p["file"], *(d["file"] for d in p.get("deltas", ()))]
        ]

    def named_files(self) -> set[str]:
        """Every file this manifest reads (relative): bases, deltas, snapshots, batches."""
        sets = [*self.partitions.values(), *self.snapshots.values()]
        named = {e["file"] for e in sets if e.get("file")}
        named |= {d["file"] for e in sets for d in e.get("deltas", ())}
        return named | {b["file"] for b in self.staged}

    @property
    def deltas(self) -> int:
        """How many delta files (of partitions and snapshots) wait for ``Store.compact``."""
        sets = [*self.partitions.values(), *self.snapshots.values()]
        return sum(len(e.get("deltas", ())) for e in sets)

    def _months(self, period: Period | None) -> list[str]:
        if period is None:
            return sorted(self.partitions)
        keys = (f"{m:%Y-%m}" for m in month_starts(period.start, period.end))
        return [m for m in keys if m in self.partitions]

    def base_files(self, period: Period | None = None) -> list[str]:
        return [str(self.root / self.partitions[m]["file"]) for m in self._months(period)]

    def delta_files(self, period: Period | None = None) -> list[str]:
        return [
            str(self.root / d["file"])
            for m in self._months(period)
            for d in self.partitions[m].get("deltas", ())
        ]

    def live_sql(
        self,
        columns: tuple[str, ...] | None = None,
        *,
        period: Period | None = None,
        where: str = "",
        with_v: bool = False,
    ) -> str:
        """SELECT of the live rows of the partitions (of the period's months only, with a
        period): see ``live_rows``."""
        return live_rows(
            self.base_files(period), self.delta_files(period), columns, where, with_v=with_v
        )

    def snapshot_key(self, period: Period) -> str | None:
        """The snapshot holding the dossiers open at the period's first month start (the
        last one when the period lies beyond the chain)."""
        key = f"{period.start:%Y-%m}"
        keys = sorted(self.snapshots)
        if keys and key > keys[-1]:
            key = keys[-1]
        return key if key in self.snapshots else None

    def snapshot_files(self, key: str | None) -> tuple[str | None, list[str]]:
        """(base file or None, delta files) of snapshot ``key``."""
        snap = self.snapshots.get(key) if key else None
        if not snap:
            return None, []
        base = str(self.root / snap["file"]) if snap.get("file") else None
        return base, [str(self.root / d["file"]) for d in snap.get("deltas", ())]

    def files_for(self, period: Period) -> tuple[list[str], str | None]:
        """Base files received in the period's months and the carry-over snapshot (the
        delta files of those months: ``delta_files``)."""
        return self.base_files(period), self.snapshot_files(self.snapshot_key(period))[0]

    def import_record(self, import_id: str) -> dict[str, Any] | None:
        return next((i for i in self.imports if i["import_id"] == import_id), None)

    def staged_record(self, import_id: str) -> dict[str, Any] | None:
        return next((b for b in self.staged if b["import_id"] == import_id), None)

    def taken(self, import_id: str) -> ImportResult | None:
        """The result of an import id already applied or staged (not to be taken twice)."""
        known = self.import_record(import_id) or self.staged_record(import_id)
        if known is None:
            return None
        return ImportResult(
            import_id,
            int(known["rows"]),
            int(known.get("inserted", 0)),
            int(known.get("updated", 0)),
            str(known["sha256"]),
            already_applied=True,
        )


Progress = Callable[[int, str], None]


@contextlib.contextmanager
def _polling(
    con: duckdb.DuckDBPyConnection, report: Progress, low: int, high: int, phase: str
) -> Iterator[None]:
    """Report DuckDB's progress on the running statement, scaled to [low, high], twice a
    second from a helper thread, until the block ends."""
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.5):
            try:
                fraction = con.query_progress()
            except duckdb.Error:
                continue
            if fraction >= 0:
                report(low + int((high - low) * min(fraction, 100.0) / 100), phase)

    report(low, phase)
    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# Long-lived read connections by (store root, thread id): see Store.reader().
_READERS: dict[tuple[str, int], duckdb.DuckDBPyConnection] = {}


def _month_key(day: date) -> str:
    return f"{day:%Y-%m}"


def _next_month(key: str) -> str:
    y, m = int(key[:4]), int(key[5:])
    return f"{y + (m == 12)}-{m % 12 + 1:02d}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def live_rows(
    bases: list[str],
    deltas: list[str],
    columns: tuple[str, ...] | None = None,
    where: str = "",
    *,
    with_v: bool = False,
) -> str:
    """SELECT of the live rows (``columns``, default all) of base files and their delta
    files (see the module's docstring), filtered by ``where``; ``with_v``: with the version
    column (0 for a base row)."""
    want = tuple(columns or sql.FILE_NAMES)
    cols = ", ".join(want)
    if not bases and not deltas:
        kinds = dict(sql.STORE_COLUMNS) | {n: k for n, k, _ in sql.DERIVED_COLUMNS}
        empty = ", ".join(f"NULL::{kinds[c]} AS {c}" for c in want)
        return f"SELECT {empty}{', 0 AS v' if with_v else ''} WHERE FALSE"
    cond = f" WHERE {where}" if where else ""
    if not deltas:
        return f"SELECT {cols}{', 0 AS v' if with_v else ''} FROM read_parquet({bases!r}){cond}"
    keyed = ", ".join(dict.fromkeys(("source_system", "dossier_code", *want)))
    also = f" AND ({where})" if where else ""
    parts = [f"SELECT {keyed}, 0 AS v FROM read_parquet({bases!r}){cond}"] if bases else []
    parts.append(f"SELECT {keyed}, v FROM read_parquet({deltas!r}) WHERE w = 1{also}")
    return f"""SELECT {cols}{", v" if with_v else ""} FROM ({" UNION ALL ".join(parts)})
        ANTI JOIN (SELECT source_system, dossier_code, v FROM read_parquet({deltas!r})
            WHERE w = -1) USING (source_system, dossier_code, v)"""


class Store:
    """A dossier store rooted at a directory."""

    def __init__(
        self,
        root: str | Path,
        *,
        retire_delay: float = 3600.0,
        memory_limit: str = "1GB",
        threads: int | None = None,
    ) -> None:
        self.root = Path(root)
        self.retire_delay = retire_delay
        self.memory_limit = memory_limit
        self.threads = threads
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        (self.root / "snap").mkdir(exist_ok=True)
        (self.root / "inbox").mkdir(exist_ok=True)
        (self.root / "tmp").mkdir(exist_ok=True)

    # --- reading ---------------------------------------------------------------------

    def open(self) -> Manifest:
        """The current manifest (a consistent view for as long as the reader needs it)."""
        path = self.root / MANIFEST
        if not path.exists():
            return Manifest(self.root, 0, {}, {}, [], [], [])
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(
            self.root,
            int(data["version"]),
            dict(data["partitions"]),
            dict(data["snapshots"]),
            list(data["imports"]),
            list(data.get("retired", [])),
            list(data.get("staged", [])),
        )

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A new connection (the caller closes it)."""
        return sql.connect(str(self.root / "tmp"), self.memory_limit, self.threads)

    def reader(self) -> duckdb.DuckDBPyConnection:
        """This thread's long-lived connection to the store (do not close it).

        Reports register their unit maps as temp tables once per connection and DuckDB
        caches Parquet footers per connection, so a web process should use this rather
        than ``connect()`` per request. Use it with a manifest from ``open()``.
        """
        key = (str(self.root.resolve()), threading.get_ident())
        con = _READERS.get(key)
        if con is None:
            con = _READERS[key] = self.connect()
        return con

    # --- writing ---------------------------------------------------------------------

    def _writer_connection(self) -> duckdb.DuckDBPyConnection:
        """A writer's connection: lazy parsing branches (see ``sql.connect``), and free to
        reorder rows wherever no ORDER BY asks for an order (every file write sorts), which
        lets DuckDB build the typed table in parallel."""
        con = sql.connect(str(self.root / "tmp"), self.memory_limit, self.threads, lazy=True)
        con.execute("SET preserve_insertion_order = false")
        return con

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with (self.root / ".lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def import_csv(
        self,
        path: str | Path,
        *,
        import_id: str | None = None,
        max_errors: int = MAX_ERRORS,
        dry_run: bool = False,
        units: UnitCheck | None = None,
        text_check: TextCheck | None = None,
        progress: Progress | None = None,
    ) -> ImportResult:
        """Validate and upsert a canonical UTF-8 CSV, all or nothing.

        Raises ImportRejected with at most ``max_errors`` errors (and the total count).
        An ``import_id`` already recorded in the manifest is not applied twice. ``units``:
        refuse rows naming other units; ``text_check``: see ``_check_text``; ``progress``
        is told (percent, phase in Vietnamese) as the work goes on.
        """
        report = progress or (lambda percent, phase: None)
        source = Path(path)
        import_id = import_id or secrets.token_hex(8)
        with self._lock():
            current = self.open()
            taken = current.taken(import_id)
            if taken is not None:
                return taken
            self._collect_garbage(current)
            # The digest runs beside DuckDB (hashlib releases the GIL on large blocks).
            digests: list[str] = []
            hasher = threading.Thread(target=lambda: digests.append(sha256_file(source)))
            hasher.start()
            con = self._writer_connection()
            if progress is not None:  # DuckDB tracks progress only with its bar on
                con.execute("SET enable_progress_bar = true")
                con.execute("SET enable_progress_bar_print = false")
            written: list[Path] = []
            try:
                with _polling(con, report, 0, 60, "đọc và kiểm tra"):
                    rows, months = _stage(con, source, max_errors, units, text_check)
                report(60, "ghi các tháng vào kho")
                if dry_run:
                    hasher.join()
                    return ImportResult(import_id, rows, 0, 0, digests[0])
                inserted, updated, manifest = self._apply(
                    con, current, import_id, months, written, report
                )
                hasher.join()
                digest = digests[0]
                record = {
                    "import_id": import_id,
                    "sha256": digest,
                    "source": source.name,
                    "rows": rows,
                    "inserted": inserted,
                    "updated": updated,
                    "applied_at": time.time(),
                }
                self._swap(manifest.with_changes(imports=[*current.imports, record]))
            except BaseException:
                for file in written:
                    file.unlink(missing_ok=True)
                raise
            finally:
                con.close()
                hasher.join()
            return ImportResult(import_id, rows, inserted, updated, digest)

    # --- API batches: staged now, merged into the partitions by compact() -------------

    def stage_batch(
        self,
        path: str | Path,
        *,
        import_id: str,
        max_errors: int = MAX_ERRORS,
        units: UnitCheck | None = None,
        text_check: TextCheck | None = None,
    ) -> ImportResult:
        """Validate a small canonical CSV (an API batch) and keep it, typed, in ``inbox/``.

        All or nothing like ``import_csv``, but no month is rewritten: ``compact`` merges
        every waiting batch in one write (a batch of a few rows would otherwise rewrite
        whole months). Reports read the partitions only; ``Manifest.staged`` says what waits.
        A batch id already staged or applied is not taken twice (``already_applied``).
        """
        source = Path(path)
        with self._lock():
            current = self.open()
            taken = current.taken(import_id)
            if taken is not None:
                return taken
            self._collect_garbage(current)
            con = self._writer_connection()
            rel = f"inbox/{import_id[:32]}-{secrets.token_hex(3)}.parquet"
            target = self.root / rel
            try:
                rows, _months = _stage(con, source, max_errors, units, text_check)
                self._copy(con, f"SELECT {', '.join(sql.FILE_NAMES)} FROM staged", target)
                digest = sha256_file(source)
                entry = {
                    "import_id": import_id,
                    "file": rel,
                    "rows": rows,
                    "sha256": digest,
                    "source": source.name,
                    "staged_at": time.time(),
                }
                self._swap(
                    current.with_changes(
                        version=current.version + 1, staged=[*current.staged, entry]
                    )
                )
            except BaseException:
                target.unlink(missing_ok=True)
                raise
            finally:
                con.close()
            return ImportResult(import_id, rows, 0, 0, digest)

    def compact(self, progress: Progress | None = None) -> list[dict[str, Any]]:
        """Merge every staged batch into the partitions, then fold every month's deltas
        into a new base, in one write; the batches' import records.

        A key sent in several batches keeps the version of the latest batch. Each batch's
        record says how many of its rows were new and how many replaced a stored version
        (or one of an earlier batch of the same compaction).
        """
        report = progress or (lambda percent, phase: None)
        with self._lock():
            current = self.open()
            if not current.staged and not current.deltas:
                return []
            self._collect_garbage(current)
            con = self._writer_connection()
            written: list[Path] = []
            records: list[dict[str, Any]] = []
            try:
                manifest = current
                if current.staged:
                    manifest, records = self._apply_batches(con, current, written, report)
                manifest = self._fold(con, manifest, written, report, 50 if records else 0)
                self._swap(manifest.with_changes(version=current.version + 1))
            except BaseException:
                for file in written:
                    file.unlink(missing_ok=True)
                raise
            finally:
                con.close()
            report(100, "xong")
            return records

    def _apply_batches(
        self,
        con: duckdb.DuckDBPyConnection,
        current: Manifest,
        written: list[Path],
        report: Progress,
    ) -> tuple[Manifest, list[dict[str, Any]]]:
        """The staged batches applied as one import (not yet swapped) and their records."""
        cols = ", ".join(sql.FILE_NAMES)
        batches = current.staged
        files = [_quote(str(self.root / e["file"])) for e in batches]
        union = " UNION ALL ".join(
            f"SELECT {i} AS b, {cols} FROM read_parquet('{f}')" for i, f in enumerate(files)
        )
        con.execute(f"CREATE TEMP TABLE batch_rows AS {union}")
        con.execute(
            f"""CREATE TEMP TABLE staged AS
            SELECT {cols}, year(received_at) * 100 + month(received_at) AS m
            FROM batch_rows
            QUALIFY row_number() OVER (
                PARTITION BY source_system, dossier_code ORDER BY b DESC) = 1"""
        )
        months = {
            _month_of(int(m)): int(n)
            for m, n in con.execute("SELECT m, count(*) FROM staged GROUP BY m").fetchall()
        }
        had_hits = bool(current.partitions)
        token_id = f"compact-{secrets.token_hex(4)}"
        _inserted, _updated, manifest = self._apply(con, current, token_id, months, written, report)
        old_keys = (
            "(SELECT DISTINCT source_system, dossier_code FROM hits)"
            if had_hits
            else "(SELECT NULL::VARCHAR AS source_system, NULL::VARCHAR AS dossier_code "
            "WHERE FALSE)"
        )
        per_batch = {
            int(b): (int(n), int(u))
            for b, n, u in con.execute(
                f"""SELECT b, count(*), count(*) FILTER (
                        WHERE h.dossier_code IS NOT NULL OR r.rn > 1)
                FROM (SELECT b, source_system, dossier_code, row_number() OVER (
                        PARTITION BY source_system, dossier_code ORDER BY b) AS rn
                      FROM batch_rows) r
                LEFT JOIN {old_keys} h USING (source_system, dossier_code)
                GROUP BY b"""
            ).fetchall()
        }
        now = time.time()
        records = [
            {
                "import_id": e["import_id"],
                "sha256": e["sha256"],
                "source": e["source"],
                "rows": per_batch[i][0],
                "inserted": per_batch[i][0] - per_batch[i][1],
                "updated": per_batch[i][1],
                "applied_at": now,
                "compacted": token_id,
            }
            for i, e in enumerate(batches)
        ]
        retired = [
            *manifest.retired,
            *({"file": e["file"], "retired_at": now} for e in batches),
        ]
        return (
            manifest.with_changes(imports=[*current.imports, *records], staged=[], retired=retired),
            records,
        )

    def _swap(self, manifest: Manifest) -> None:
        tmp = self.root / f"{MANIFEST}.{secrets.token_hex(4)}.tmp"
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(manifest.to_json(), handle, ensure_ascii=False, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.replace(tmp, self.root / MANIFEST)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _collect_garbage(self, current: Manifest) -> None:
        """Delete retired files past the delay and orphans of an interrupted writer."""
        now = time.time()
        live = current.named_files()
        waiting = {r["file"] for r in current.retired if now - r["retired_at"] < self.retire_delay}
        for sub in ("data", "snap", "inbox"):
            for file in (self.root / sub).glob("*.parquet"):
                rel = f"{sub}/{file.name}"
                if rel not in live and rel not in waiting:
                    file.unlink(missing_ok=True)
        for file in self.root.glob(f"{MANIFEST}.*.tmp"):
            file.unlink(missing_ok=True)
        for stage in (self.root / "tmp").glob("stage-*"):
            shutil.rmtree(stage, ignore_errors=True)

    def _write(self, con: duckdb.DuckDBPyConnection, query: str, target: Path) -> int:
        """Write ``query`` sorted by (unit, received time) to one Parquet file; its rows."""
        return self._copy(con, f"{query} ORDER BY unit_code, received_at", target)

    def _copy(self, con: duckdb.DuckDBPyConnection, query: str, target: Path) -> int:
        """Write ``query`` in its order to one Parquet file; its rows."""
        result = con.execute(
            f"COPY ({query}) TO '{_quote(str(target))}' (FORMAT parquet, "
            f"ROW_GROUP_SIZE {ROW_GROUP_SIZE}, COMPRESSION snappy)"
        ).fetchone()
        return int(result[0]) if result else 0

    def _apply(
        self,
        con: duckdb.DuckDBPyConnection,
        current: Manifest,
        import_id: str,
        incoming: dict[str, int],
        written: list[Path],
        report: Progress,
    ) -> tuple[int, int, Manifest]:
        """Add the temp table ``staged`` to the partitions; rebuild affected snapshots.

        A month without a base gets its rows as its base; any other month touched (by a new
        row, or by holding the live old version of a re-imported key) gets one delta file
        (see the module's docstring). No existing file is rewritten. The temp table
        ``hits`` keeps the old versions (callers count per key from it).
        """
        token = f"{import_id[:16]}-{secrets.token_hex(3)}"
        seq = current.version + 1
        cols = ", ".join(sql.FILE_NAMES)
        month_of = "year(received_at) * 100 + month(received_at)"
        if current.partitions:
            # The live old version of every re-imported key, with its month.
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE hits AS
                SELECT o.*, {month_of} AS m FROM ({current.live_sql(with_v=True)}) o
                SEMI JOIN staged i USING (source_system, dossier_code)"""
            )
            per_month = {
                _month_of(int(m)): int(n)
                for m, n in con.execute("SELECT m, count(*) FROM hits GROUP BY m").fetchall()
            }
        else:
            per_month = {}
        updated = sum(per_month.values())
        months = sorted(set(incoming) | set(per_month))
        partitions = dict(current.partitions)
        for done, month in enumerate(months):
            report(60 + 30 * done // len(months), f"ghi tháng {month}")
            number = int(month[:4]) * 100 + int(month[5:])
            old = current.partitions.get(month)
            if old is None:  # nothing stored for the month yet: its rows are its base
                rel = f"data/{month}-{token}.parquet"
                written.append(self.root / rel)
                count = self._write(
                    con, f"SELECT {cols} FROM staged WHERE m = {number}", self.root / rel
                )
                partitions[month] = {"file": rel, "rows": count}
                continue
            plus, minus = incoming.get(month, 0), per_month.get(month, 0)
            parts = []
            if plus:
                parts.append(
                    f"SELECT {cols}, 1::TINYINT AS w, {seq} AS v FROM staged WHERE m = {number}"
                )
            if minus:
                parts.append(f"SELECT {cols}, -1::TINYINT AS w, v FROM hits WHERE m = {number}")
            rel = f"data/{month}-{token}.delta.parquet"
            written.append(self.root / rel)
            self._write(con, f"SELECT * FROM ({' UNION ALL '.join(parts)})", self.root / rel)
            delta = {"file": rel, "plus": plus, "minus": minus, "v": seq}
            partitions[month] = {
                **old,
                "rows": int(old["rows"]) + plus - minus,
                "deltas": [*old.get("deltas", ()), delta],
            }
        report(90, "hồ sơ chuyển kỳ theo tháng")
        retired = list(current.retired)
        snapshots = self._rebuild_snapshots(
            con, current, partitions, months[0] if months else None, token, written, retired, seq
        )
        con.execute("DROP TABLE staged")
        manifest = current.with_changes(
            version=seq, partitions=partitions, snapshots=snapshots, retired=retired
        )
        return sum(incoming.values()) - updated, updated, manifest

    def _fold(
        self,
        con: duckdb.DuckDBPyConnection,
        current: Manifest,
        written: list[Path],
        report: Progress,
        low: int = 0,
    ) -> Manifest:
        """A new base for every month and snapshot with deltas: its live rows, sorted; the
        old base and deltas retire. The retractions of a file set's rows lie in its own
        deltas, so each folds alone."""
        token = f"fold-{secrets.token_hex(4)}"
        retired = list(current.retired)
        now = time.time()
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for kind, entries in (("data", current.partitions), ("snap", current.snapshots)):
            out[kind] = folded = dict(entries)
            todo = [k for k, e in sorted(entries.items()) if e.get("deltas")]
            for done, key in enumerate(todo):
                report(low + (99 - low) * done // max(len(todo), 1), f"gộp {key}")
                entry = entries[key]
                base = [str(self.root / entry["file"])] if entry.get("file") else []
                deltas = [str(self.root / d["file"]) for d in entry["deltas"]]
                prefix = "data/" if kind == "data" else "snap/open-"
                rel = f"{prefix}{key}-{token}.parquet"
                target = self.root / rel
                written.append(target)
                count = self._write(con, f"SELECT * FROM ({live_rows(base, deltas)})", target)
                for file in [entry.get("file"), *(d["file"] for d in entry["deltas"])]:
                    if file:
                        retired.append({"file": file, "retired_at": now})
                if count:
                    folded[key] = {"file": rel, "rows": count}
                    continue
                target.unlink()
                written.remove(target)
                if kind == "data":
                    folded.pop(key)
                else:
                    folded[key] = {"file": None, "rows": 0}
        return current.with_changes(partitions=out["data"], snapshots=out["snap"], retired=retired)

    def _rebuild_snapshots(
        self,
        con: duckdb.DuckDBPyConnection,
        current: Manifest,
        partitions: dict[str, dict[str, Any]],
        first_changed: str | None,
        token: str,
        written: list[Path],
        retired: list[dict[str, Any]],
        seq: int,
    ) -> dict[str, dict[str, Any]]:
        """Snapshot K = the dossiers received before the 1st of month K and not finished
        before it, for every K after a partition month (K after the first changed month may
        change; earlier ones stay).

        Built from what changed, never from the partitions. An existing snapshot gets a
        delta: the staged rows open at K in, the live old versions of their keys out. A new
        K (beyond the old chain, or before it) gets a whole file: the live rows of the last
        old snapshot before it still open at K, without the staged keys, plus the staged
        rows open at K.
        """
        now = time.time()
        if not partitions:
            for snap in current.snapshots.values():
                for file in [snap.get("file"), *(d["file"] for d in snap.get("deltas", ()))]:
                    if file:
                        retired.append({"file": file, "retired_at": now})
            return {}
        months = sorted(partitions)
        wanted = []
        month = months[0]
        while month <= months[-1]:
            month = _next_month(month)
            wanted.append(month)
        kept = {
            k: v
            for k, v in current.snapshots.items()
            if first_changed is not None and k <= first_changed and k in wanted
        }
        cols = ", ".join(sql.FILE_NAMES)
        # Each staged row open at the start of a later month, once per such month ``k``
        # (a dossier finished in its received month is in no snapshot): one pass over the
        # staged rows instead of one per snapshot.
        first, last = f"TIMESTAMP '{wanted[0]}-01'", f"TIMESTAMP '{wanted[-1]}-01'"
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE staged_open AS
            SELECT {cols}, unnest(generate_series(
                greatest(date_trunc('month', received_at) + INTERVAL 1 MONTH, {first}),
                least(coalesce(date_trunc('month', finished_at), {last}), {last}),
                INTERVAL 1 MONTH)) AS k
            FROM staged
            WHERE finished_at IS NULL
                OR finished_at >= date_trunc('month', received_at) + INTERVAL 1 MONTH"""
        )
        plus = {
            f"{k:%Y-%m}": int(n)
            for k, n in con.execute("SELECT k, count(*) FROM staged_open GROUP BY k").fetchall()
        }
        minus = self._snapshot_hits(con, current)
        old_keys = sorted(current.snapshots)
        snapshots = dict(kept)
        for key in wanted:
            if key in kept:
                continue
            start = f"TIMESTAMP '{key}-01 00:00:00'"
            old = current.snapshots.get(key)
            if old is not None:
                n_in, n_out = plus.get(key, 0), minus.get(key, 0)
                if not n_in and not n_out:
                    snapshots[key] = old
                    continue
                parts = []
                if n_in:
                    parts.append(
                        f"SELECT {cols}, 1::TINYINT AS w, {seq} AS v FROM staged_open "
                        f"WHERE k = {start}"
                    )
                if n_out:
                    parts.append(
                        f"SELECT {cols}, -1::TINYINT AS w, v FROM snap_hits WHERE k = {start}"
                    )
                rel = f"snap/open-{key}-{token}.delta.parquet"
                written.append(self.root / rel)
                self._write(con, f"SELECT * FROM ({' UNION ALL '.join(parts)})", self.root / rel)
                delta = {"file": rel, "plus": n_in, "minus": n_out, "v": seq}
                snapshots[key] = {
                    **old,
                    "rows": int(old["rows"]) + n_in - n_out,
                    "deltas": [*old.get("deltas", ()), delta],
                }
                continue
            parts = [f"SELECT {cols} FROM staged_open WHERE k = {start}"]
            before = [k for k in old_keys if k < key]
            if before:
                base, deltas = current.snapshot_files(before[-1])
                still_open = f"finished_at IS NULL OR finished_at >= {start}"
                parts.append(
                    f"SELECT {cols} FROM ({live_rows([base] if base else [], deltas)}) o "
                    "ANTI JOIN (SELECT source_system, dossier_code FROM snap_hits "
                    f"WHERE k = TIMESTAMP '{before[-1]}-01') h USING (source_system, dossier_code) "
                    f"WHERE {still_open}"
                )
            rel = f"snap/open-{key}-{token}.parquet"
            target = self.root / rel
            written.append(target)
            count = self._write(con, f"SELECT * FROM ({' UNION ALL '.join(parts)})", target)
            snapshots[key] = {"file": rel, "rows": count}
            if not count:
                target.unlink()
                written.remove(target)
                snapshots[key] = {"file": None, "rows": 0}
        for key, snap in current.snapshots.items():
            if snapshots.get(key) is None:  # no longer wanted
                for file in [snap.get("file"), *(d["file"] for d in snap.get("deltas", ()))]:
                    if file:
                        retired.append({"file": file, "retired_at": now})
        con.execute("DROP TABLE staged_open")
        return snapshots

    def _snapshot_hits(self, con: duckdb.DuckDBPyConnection, current: Manifest) -> dict[str, int]:
        """The temp table ``snap_hits``: in every existing snapshot ``k``, the live version
        (with ``v``) of each key the staged rows bring; returns their count per snapshot."""
        cols = ", ".join(sql.FILE_NAMES)
        where = {}
        bases, deltas = [], []
        for key in sorted(current.snapshots):
            base, more = current.snapshot_files(key)
            for file in [base, *more] if base else more:
                where[file] = f"TIMESTAMP '{key}-01'"
            bases += [base] if base else []
            deltas += more
        if not where:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE snap_hits AS SELECT {cols}, 0 AS v, "
                "TIMESTAMP '2000-01-01' AS k FROM staged WHERE FALSE"
            )
            return {}
        files = list(where)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE snap_files AS SELECT unnest(?::VARCHAR[]) AS f, "
            f"unnest([{', '.join(where[f] for f in files)}]) AS k",
            [files],
        )
        parts = []
        if bases:
            parts.append(
                f"SELECT {cols}, 0 AS v, filename AS f "
                f"FROM read_parquet({bases!r}, filename = true)"
            )
        if deltas:
            parts.append(
                f"SELECT {cols}, v, filename AS f FROM read_parquet({deltas!r}, filename = true) "
                "WHERE w = 1"
            )
        query = f"""SELECT o.* EXCLUDE (f), s.k FROM ({" UNION ALL ".join(parts)}) o
            JOIN snap_files s USING (f) SEMI JOIN staged i USING (source_system, dossier_code)"""
        if deltas:
            query = f"""SELECT * FROM ({query}) ANTI JOIN (
                SELECT source_system, dossier_code, v, s.k
                FROM read_parquet({deltas!r}, filename = true) d JOIN snap_files s
                    ON s.f = d.filename WHERE w = -1) USING (source_system, dossier_code, v, k)"""
        con.execute(f"CREATE OR REPLACE TEMP TABLE snap_hits AS {query}")
        return {
            f"{k:%Y-%m}": int(n)
            for k, n in con.execute("SELECT k, count(*) FROM snap_hits GROUP BY k").fetchall()
        }


# --- staging and validation ------------------------------------------------------------

TEXT_COLUMNS = ("source_system", "dossier_code", "unit_code", "procedure_code", "sector")
_LOW, _HIGH = "TIMESTAMP '1990-01-01'", "TIMESTAMP '2101-01-01'"


@dataclass(frozen=True)
class UnitCheck:
    """The units a file may name, as plain data from the app.

    ``known``: (hierarchy, code) of every unit ("legacy" / "2025"); ``allowed``: those this
    importer may write (None: all of them). A row's unit is looked up in the hierarchy valid
    on its received date (legacy before ``cutover``); any other code refuses the row.
    """

    known: frozenset[tuple[str, str]]
    allowed: frozenset[tuple[str, str]] | None = None
    cutover: date = LEGACY_CUTOVER


def _header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline().removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    return [h.strip().strip('"') for h in first.rstrip("\r\n").split(",")]


def _check_header(header: list[str], max_errors: int) -> None:
    header_errors = [
        RowError(1, name, name, "cột không thuộc định dạng chuẩn")
        for name in header
        if name not in sql.CSV_COLUMNS
    ]
    header_errors += [
        RowError(1, name, "", "thiếu cột bắt buộc") for name in sql.REQUIRED if name not in header
    ]
    if len(set(header)) != len(header):
        header_errors.append(RowError(1, "", ",".join(header), "tên cột bị lặp"))
    if header_errors:
        raise ImportRejected(header_errors[:max_errors], len(header_errors))


def _read_csv(path: Path, header: list[str]) -> str:
    """``read_csv`` of the file, every column VARCHAR, absent optional columns as NULL."""
    columns = {name: "VARCHAR" for name in header}
    source = (
        f"read_csv('{_quote(str(path))}', header = true, columns = {columns!r}, delim = ',', "
        "quote = '\"', escape = '\"', auto_detect = false, strict_mode = true, "
        "null_padding = false)"
    )
    missing = [c for c in sql.CSV_COLUMNS if c not in header]
    extra = ", ".join(f"CAST(NULL AS VARCHAR) AS {c}" for c in missing)
    return f"(SELECT *{', ' + extra if extra else ''} FROM {source})"


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _parsed() -> list[str]:
    """Every column parsed once (``p_<name>``); NULL marks a blank or invalid value, except
    booleans (blank = false) and the status (blank = '')."""
    return (
        [f"{sql.text(c)} AS p_{c}" for c in TEXT_COLUMNS]
        + [f"{sql.parse_time(c)} AS p_{c}" for c in sql.TIME_COLUMNS]
        + [
            f"{sql.date_only('due_at')} AS p_due_date_only",
            f"{sql.date_only('finished_at')} AS p_finished_date_only",
            f"{sql.parse_channel('channel')} AS p_channel",
            f"{sql.parse_status('status')} AS p_status",
            f"{sql.parse_count('supplement_requests')} AS p_supplement_requests",
            f"{sql.parse_supplement_days('supplement_days')} AS p_supplement_days",
        ]
        + [f"{sql.parse_bool(c)} AS p_{c}" for c in sql.BOOL_COLUMNS]
    )


def _before_received(col: str) -> str:
    """``col`` (due or result) lies before the received time; compared by day when either
    of the two carries no time of day. The exact test runs only where the cheap one holds."""
    received_day = "CAST(CAST(p_received_at AS DATE) AS TIMESTAMP)"
    return sql.lazy_and(
        f"p_{col} < p_received_at",
        f"p_{col} < (CASE WHEN p_{col.split('_')[0]}_date_only OR "
        f"{sql.date_only('received_at')} THEN {received_day} ELSE p_received_at END)",
    )


_ENDED = "p_status IN ('finished', 'rejected', 'withdrawn')"
_OPEN_WITH_RESULT = "(p_finished_at IS NOT NULL AND p_status IN ('', 'in_progress'))"


def _with_units(parsed: str, units: UnitCheck | None) -> str:
    """The parsed rows with ``u_era``, ``u_h``, ``u_allowed``, ``o_h``: the row's hierarchy
    and its unit there (NULLs when unknown) and in the other hierarchy."""
    if units is None:
        return parsed
    join, era = _unit_join(units)
    return (
        f"(SELECT p.*, {era} AS u_era, u.h AS u_h, u.allowed AS u_allowed, o.h AS o_h "
        f"FROM {parsed} p{join})"
    )


def _unit_join(units: UnitCheck) -> tuple[str, str]:
    """(FROM clause, the row's hierarchy expression) joining each row to its unit."""
    era = f"(CASE WHEN p_received_at < TIMESTAMP '{units.cutover.isoformat()}' "
    era += "THEN 'legacy' ELSE '2025' END)"
    other = f"(CASE WHEN {era} = 'legacy' THEN '2025' ELSE 'legacy' END)"
    return (
        f" LEFT JOIN import_units u ON u.h = {era} AND u.code = p_unit_code"
        f" LEFT JOIN import_units o ON o.h = {other} AND o.code = p_unit_code",
        era,
    )


def _ok(units: UnitCheck | None) -> str:
    """True exactly when no check of ``_checks`` fires: a handful of NULL tests and
    comparisons over the parsed columns, cheap enough to run on every row."""
    parts = [f"p_{c} <> ''" for c in ("source_system", "dossier_code", "unit_code")]
    parts += [f"p_{c} >= {_LOW} AND p_{c} < {_HIGH}" for c in ("received_at", "due_at")]
    parts += [
        f"(CASE WHEN p_{c} IS NULL THEN {sql.blank(c)} "
        f"ELSE p_{c} >= {_LOW} AND p_{c} < {_HIGH} END)"
        for c in ("original_due_at", "finished_at", "returned_at")
    ]
    parts += [
        f"p_{c} IS NOT NULL"
        for c in ("channel", "status", "supplement_requests", "supplement_days", *sql.BOOL_COLUMNS)
    ]
    parts += [
        f"NOT {_before_received('due_at')}",
        f"NOT {_before_received('finished_at')}",
        f"NOT (p_finished_at IS NULL AND {_ENDED})",
        f"NOT {_OPEN_WITH_RESULT}",
    ]
    if units is not None:
        parts.append("u_allowed")
    return "coalesce(" + " AND ".join(f"({p})" for p in parts) + ", FALSE)"


def _checks(units: UnitCheck | None) -> list[tuple[str, str, str]]:
    """(column, SQL condition, reason as SQL text) for every row check, for the error report.

    Over the parsed columns of ``_parsed``; ``_ok`` is their negation in one expression
    (tests/analytics/test_store_checks.py holds the two together).
    """

    def lit(text: str) -> str:
        return "'" + _quote(text) + "'"

    checks: list[tuple[str, str, str]] = []
    for c in sql.REQUIRED:
        if c in TEXT_COLUMNS:
            cond = f"coalesce(p_{c}, '') = ''"
        else:  # a parsed value means the field was not blank
            cond = sql.lazy_and(f"p_{c} IS NULL", sql.blank(c))
        checks.append((c, cond, lit("thiếu giá trị bắt buộc")))
    for c in sql.TIME_COLUMNS:
        checks.append(
            (c, sql.lazy_and(f"p_{c} IS NULL", f"NOT {sql.blank(c)}"), lit("ngày giờ không hợp lệ"))
        )
        checks.append(
            (c, f"(p_{c} < {_LOW} OR p_{c} >= {_HIGH})", lit("ngày ngoài khoảng 1990–2100"))
        )
    checks += [
        (
            "channel",
            sql.lazy_and("p_channel IS NULL", f"NOT {sql.blank('channel')}"),
            lit("kênh tiếp nhận không hợp lệ (direct, online_full, online_partial, postal)"),
        ),
        (
            "status",
            "p_status IS NULL",
            lit("trạng thái không hợp lệ (in_progress, finished, rejected, withdrawn)"),
        ),
        (
            "supplement_requests",
            "p_supplement_requests IS NULL",
            lit("số lần bổ sung không hợp lệ"),
        ),
        (
            "supplement_days",
            "p_supplement_days IS NULL",
            lit("số ngày bổ sung phải ≥ 0, tối đa 3 chữ số thập phân"),
        ),
        ("due_at", _before_received("due_at"), lit("hạn trả kết quả trước ngày tiếp nhận")),
        (
            "finished_at",
            _before_received("finished_at"),
            lit("ngày có kết quả trước ngày tiếp nhận"),
        ),
        (
            "finished_at",
            sql.lazy_and(f"p_finished_at IS NULL AND {_ENDED}", sql.blank("finished_at")),
            lit("hồ sơ đã kết thúc (finished/rejected/withdrawn) phải có ngày kết thúc"),
        ),
        (
            "finished_at",
            _OPEN_WITH_RESULT,
            lit("hồ sơ đang giải quyết không được có ngày có kết quả"),
        ),
    ]
    for c in sql.BOOL_COLUMNS:
        checks.append((c, f"p_{c} IS NULL", lit("không phải giá trị có/không")))
    if units is not None:
        day = f"{units.cutover:%d/%m/%Y}"
        era = f"(CASE WHEN u_era = 'legacy' THEN 'trước' ELSE 'từ' END || ' {day}')"
        known = "p_received_at IS NOT NULL AND coalesce(p_unit_code, '') <> ''"
        checks += [
            (
                "unit_code",
                f"{known} AND u_h IS NULL AND o_h IS NULL",
                f"'không tìm thấy đơn vị “' || p_unit_code || '” (danh mục áp dụng ' "
                f"|| {era} || ')'",
            ),
            (
                "unit_code",
                f"{known} AND u_h IS NULL AND o_h IS NOT NULL",
                f"'mã ' || p_unit_code || ' không có trong danh mục đơn vị áp dụng cho hồ sơ "
                f"tiếp nhận ' || {era} || ' (chỉ có ở danh mục ' || "
                "CASE WHEN o_h = '2025' THEN 'mới' ELSE 'cũ' END || ')'",
            ),
            (
                "unit_code",
                f"{known} AND u_h IS NOT NULL AND NOT u_allowed",
                "'bạn không có quyền nhập hồ sơ của đơn vị ' || p_unit_code",
            ),
        ]
    return checks


def _typed() -> dict[str, str]:
    typed = {c: f"p_{c}" for c in TEXT_COLUMNS}
    typed["procedure_code"] = "coalesce(p_procedure_code, '')"
    typed["sector"] = "coalesce(p_sector, '')"
    typed.update(
        {
            "channel": "p_channel",
            "received_at": "p_received_at",
            "due_at": "p_due_at",
            "due_date_only": "p_due_date_only",
            "original_due_at": "p_original_due_at",
            "finished_at": "p_finished_at",
            "finished_date_only": (
                "coalesce(p_finished_date_only AND p_finished_at IS NOT NULL, FALSE)"
            ),
            "returned_at": "p_returned_at",
            "status": "CASE WHEN p_status = '' THEN 'in_progress' ELSE p_status END",
            "supplement_requests": "p_supplement_requests",
            "supplement_days": "p_supplement_days",
        }
    )
    for c in sql.BOOL_COLUMNS:
        typed[c] = f"coalesce(p_{c}, FALSE)"
    return typed


def _register_units(con: duckdb.DuckDBPyConnection, units: UnitCheck) -> None:
    rows = sorted(units.known)
    allowed = [units.allowed is None or row in units.allowed for row in rows]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE import_units AS SELECT unnest(?::VARCHAR[]) AS h, "
        "unnest(?::VARCHAR[]) AS code, unnest(?::BOOLEAN[]) AS allowed",
        [[h for h, _ in rows], [c for _, c in rows], allowed],
    )


def _stage(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    max_errors: int,
    units: UnitCheck | None,
    text_check: TextCheck | None,
) -> tuple[int, dict[str, int]]:
    """One typed pass: CSV → the temp table ``staged`` (store and derived columns and ``m``,
    the received month as yyyymm, 0 for an invalid row), validated; raise ImportRejected.
    Returns (rows, rows per month "YYYY-MM")."""
    header = _header(path)
    _check_header(header, max_errors)
    if units is not None:
        _register_units(con, units)
    typed = _typed()
    select = ", ".join(
        f"CAST({typed[name]} AS {kind}) AS {name}" for name, kind in sql.STORE_COLUMNS
    )
    derived = ", ".join(
        f"CAST({expr} AS {kind}) AS {name}" for name, kind, expr in sql.DERIVED_COLUMNS
    )
    parsed = f"(SELECT *, {', '.join(_parsed())} FROM {_read_csv(path, header)})"
    query = f"""SELECT {derived}, *
    FROM (SELECT {select},
            CASE WHEN {_ok(None)} THEN year(p_received_at) * 100 + month(p_received_at)
                ELSE 0 END AS m
          FROM {parsed})"""
    try:
        # Clustered by month only (a sort on one integer): each month's write then reads
        # only its own row groups, and sorts its rows itself (``Store._write``).
        con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS {query} ORDER BY m")
    except duckdb.Error as exc:
        raise ImportRejected([RowError(0, "", "", _csv_error(str(exc)))], 1) from exc
    per_month = dict(con.execute("SELECT m, count(*) FROM staged GROUP BY m").fetchall())
    if not per_month:
        raise ImportRejected([RowError(0, "", "", "tệp không có dòng dữ liệu nào")], 1)
    rows = sum(int(n) for n in per_month.values())
    keys = con.execute(
        "SELECT count(DISTINCT hash(source_system, dossier_code)) FROM staged"
    ).fetchone()
    if 0 in per_month or (keys and keys[0] != rows) or _bad_units(con, units):
        # Slow path with line numbers (a hash collision lands here too and passes).
        _errors(con, path, header, units, max_errors, int(per_month.get(0, 0)))
    if text_check is not None:
        _check_text(con, text_check)
    return rows, {_month_of(int(m)): int(n) for m, n in per_month.items()}


def _bad_units(con: duckdb.DuckDBPyConnection, units: UnitCheck | None) -> bool:
    """Whether a valid row names a unit it may not (checked once per distinct unit and
    hierarchy rather than joined to every row; the error pass then names the rows)."""
    if units is None:
        return False
    found = con.execute(
        f"""SELECT count(*) FROM (
            SELECT DISTINCT unit_code AS code,
                CASE WHEN received_at < TIMESTAMP '{units.cutover.isoformat()}'
                    THEN 'legacy' ELSE '2025' END AS h
            FROM staged WHERE m <> 0) d
        ANTI JOIN (SELECT h, code FROM import_units WHERE allowed) a USING (h, code)"""
    ).fetchone()
    return bool(found and found[0])


TextCheck = Callable[[str], str | None]
NOT_UTF8 = "không phải văn bản UTF-8"


def _csv_error(text: str) -> str:
    """DuckDB's CSV error in Vietnamese, with the line it names."""
    found = re.search(r"CSV Error on Line: (\d+)", text)
    where = f"dòng {found[1]}: " if found else ""
    lowered = text.lower()
    if "invalid unicode" in lowered:
        return f"{where}{NOT_UTF8}"
    if "unterminated quote" in lowered:
        return f"{where}dấu nháy kép không được đóng (tệp bị cắt cụt hoặc thiếu dấu nháy)"
    if "expected number of columns" in lowered or "too many columns" in lowered:
        return f"{where}số cột khác dòng tiêu đề (tệp bị cắt cụt hoặc sai dấu phân cách)"
    detail = next((line for line in text.splitlines()[2:] if line.strip()), text)
    return f"tệp CSV hỏng: {where}{detail.strip()[:200]}"


def _check_text(con: duckdb.DuckDBPyConnection, text_check: TextCheck) -> None:
    """Hand the distinct non-ASCII text values to ``text_check`` (e.g. the legacy-font test);
    a message back refuses the file."""
    union = " UNION ".join(
        f"SELECT {c} AS v FROM staged WHERE strlen({c}) <> length({c})" for c in TEXT_COLUMNS
    )
    values = [r[0] for r in con.execute(f"SELECT v FROM ({union}) LIMIT 20000").fetchall()]
    message = text_check("\n".join(values)) if values else None
    if message:
        raise ImportRejected([RowError(0, "", "", message)], 1)


def _month_of(number: int) -> str:
    """202401 → "2024-01"; 0 (the invalid rows) → "invalid"."""
    return f"{number // 100:04d}-{number % 100:02d}" if number else "invalid"


def _errors(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    header: list[str],
    units: UnitCheck | None,
    max_errors: int,
    invalid_rows: int,
) -> None:
    """Every row error with its line (header = 1), capped; raise ImportRejected if any."""
    checks = _checks(units)
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM {_read_csv(path, header)}")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE checked AS SELECT * FROM "
        + _with_units(f"(SELECT rowid + 2 AS line, *, {', '.join(_parsed())} FROM raw)", units)
    )
    con.execute("DROP TABLE raw")
    structs = ", ".join(
        f"CASE WHEN {cond} THEN {{'c': '{col}', 'v': coalesce({col}, ''), 'r': {reason}}} END"
        for col, cond, reason in checks
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE errors AS
        SELECT line, e.c AS col, e.v AS val, e.r AS reason FROM (
            SELECT line, unnest(list_filter([{structs}], lambda x: x IS NOT NULL)) AS e
            FROM checked)
        UNION ALL
        SELECT line, 'dossier_code', dossier_code,
            'mã hồ sơ bị lặp trong tệp (đã có ở dòng ' || first_line || ')'
        FROM (SELECT line, dossier_code,
                min(line) OVER (PARTITION BY p_source_system, p_dossier_code) AS first_line
              FROM checked) WHERE line > first_line"""
    )
    con.execute("DROP TABLE checked")
    total = int(con.execute("SELECT count(*) FROM errors").fetchone()[0])  # type: ignore[index]
    if total:
        rows = con.execute(
            f"SELECT line, col, val, reason FROM errors ORDER BY line, col LIMIT {int(max_errors)}"
        ).fetchall()
        raise ImportRejected([RowError(int(r[0]), r[1], r[2], r[3]) for r in rows], total)
    if invalid_rows:  # cannot happen while _ok and _checks agree (a test holds them together)
        raise ImportRejected(
            [RowError(0, "", "", f"{invalid_rows} dòng không hợp lệ (không xác định được lỗi)")],
            invalid_rows,
        )
