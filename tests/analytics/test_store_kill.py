"""Killing a real import process (SIGKILL) at any moment leaves the store as it was."""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cchc.analytics import synth
from cchc.analytics.report import UnitNode, UnitTree, period_report
from cchc.analytics.store import Store
from cchc.core import periods

CODES = [f"{i:05d}" for i in range(20)]
TREE = UnitTree(
    [UnitNode("ALL", None, "Tất cả", "0")]
    + [UnitNode(f"{c}@2025", "ALL", f"Xã {c}", c) for c in CODES],
    {f"{c}@legacy": f"{c}@2025" for c in CODES},
)
CHILD = """
import sys
from cchc.analytics.store import Store
Store(sys.argv[1]).import_csv(sys.argv[2], import_id="killed")
"""


def state(store: Store) -> tuple[bytes, dict[str, str], dict[str, int]]:
    """Manifest bytes, hashes of the files it names, and the year report's totals."""
    manifest = store.open()
    files = {
        f: hashlib.sha256((store.root / f).read_bytes()).hexdigest()
        for f in sorted(manifest.named_files())
    }
    report = period_report(store.connect(), manifest, TREE, "ALL", periods.year_period(2023))
    return (store.root / "manifest.json").read_bytes(), files, report.rows[0].counts


def locked(store: Store) -> bool:
    """Whether a writer holds the store's lock."""
    with (store.root / ".lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def written(store: Store) -> bool:
    return any((store.root / "data").glob("*-killed*.parquet"))


def kill_during(store: Store, csv: Path, phase: str) -> None:
    """Start a real import of ``csv`` and SIGKILL it while it is in ``phase``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store.root), str(csv)],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if phase == "stage" and locked(store) and not written(store):
                break
            if phase == "data" and written(store):
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the import finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


def test_sigkill_mid_import_leaves_store_as_before(tmp_path: Path) -> None:
    units = synth.zipf_weights(CODES)
    first = synth.generate(500, 1, 3, units, tmp_path / "first.csv")
    store = Store(tmp_path / "store")
    store.import_csv(first, import_id="first")
    before = state(store)
    big = synth.generate(20_000, 1, 4, units, tmp_path / "big.csv")
    # Killed while staging (the writer holds the lock, nothing written yet), then while
    # month files are written into data/ and snap/: each time the store reads as before.
    for phase in ("stage", "data"):
        kill_during(store, big, phase)
        assert state(store) == before
    # The next writer removes what the killed ones left; then the import applies once.
    Store(store.root).import_csv(big, import_id="killed")
    after = store.open()
    assert [i["import_id"] for i in after.imports] == ["first", "killed"]
    assert after.rows == 20_500 - after.imports[1]["updated"]
    named = after.named_files() | {r["file"] for r in after.retired}
    on_disk = {f"{d.name}/{f.name}" for d in (store.root / "data", store.root / "snap")
               for f in d.glob("*.parquet")}  # fmt: skip
    assert on_disk <= named
    assert not list((store.root / "tmp").glob("stage-*"))
