"""Demo dossiers: xã Lục Bình's period from the seed article, plus a SYNTHETIC dataset.

Lục Bình (legacy, huyện Bạch Thông, Bắc Kạn), 15/12/2021–19/9/2022: 926 received in the
period, 1 carried over, 927 resolved, all on time — the article's figures. Its codes,
times, channels and early/on-time split are SYNTHETIC (source system ``SYNTH-LUCBINH``).
The 200,000 other dossiers (source systems ``SYNTH-DEMO-*``) are SYNTHETIC throughout.
Idempotent: each part has a fixed import id the store applies only once.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

import yaml

from cchc.analytics.synth import generate, load_params, luc_binh, zipf_weights
from cchc.dossiers import importing
from cchc.dossiers.models import DossierImport, ImportStatus
from cchc.units.models import Level, Unit
from cchc.units.services import subtree_ids

LUC_BINH = "01990"  # Xã Lục Bình, huyện Bạch Thông (legacy)
PARTS = [
    # (import id, scope keys, start, years, rows, source system)
    ("demo-synth-legacy", ["06@legacy", "19@legacy"], "2023-07-01", 2, 130_000, "SYNTH-DEMO-A"),
    ("demo-synth-2025", ["19@2025"], "2025-07-01", 1, 70_000, "SYNTH-DEMO-B"),
]


def _communes(keys: list[str]) -> list[str]:
    codes: set[str] = set()
    for key in keys:
        code, _, hierarchy = key.partition("@")
        root = Unit.objects.filter(code=code, hierarchy=hierarchy).first()
        if root is not None:
            codes |= set(
                Unit.objects.filter(pk__in=subtree_ids(root), level=Level.COMMUNE).values_list(
                    "code", flat=True
                )
            )
    return sorted(codes)


def _apply(out: Any, import_id: str, path: Path, label: str) -> None:
    done = DossierImport.objects.filter(import_id=import_id, status=ImportStatus.DONE).exists()
    if done and importing.store().open().import_record(import_id) is not None:
        return
    DossierImport.objects.filter(import_id=import_id).delete()
    record = DossierImport.objects.create(
        file_name=label, profile="canonical", import_id=import_id, status=ImportStatus.RUNNING
    )
    record = importing.run_import(record, path.read_bytes())
    if record.status != ImportStatus.DONE:
        raise RuntimeError(
            f"demo import {import_id} refused: {record.message or record.errors[:3]}"
        )
    out.write(f"  {label}: {record.rows} hồ sơ")


def _close_backlog(path: Path) -> Path:
    """SYNTHETIC: legacy units ended on 30/6/2025, so their dossiers still open at the end
    of the generated span are closed on their due day (else they would stay overdue forever
    under the successors)."""
    target = path.with_name(path.stem + "-closed.csv")
    with (
        path.open(encoding="utf-8", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=list(reader.fieldnames or []), lineterminator="\n")
        writer.writeheader()
        for row in reader:
            if row["status"] == "in_progress":
                due = row["due_at"]
                row["finished_at"] = due if len(due) > 10 else f"{due} 16:00:00"
                row["status"] = "finished"
            writer.writerow(row)
    return target


def load(out: Any) -> None:
    if not Unit.objects.filter(code=LUC_BINH, hierarchy="legacy").exists():
        out.write("  (no Lục Bình unit: dossier demo skipped)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        raw = luc_binh(Path(tmp) / "luc-binh-raw.csv")
        target = Path(tmp) / "luc-binh-synthetic.csv"
        with (
            raw.open(encoding="utf-8", newline="") as src,
            target.open("w", encoding="utf-8", newline="") as dst,
        ):
            reader = csv.DictReader(src)
            writer = csv.DictWriter(
                dst, fieldnames=list(reader.fieldnames or []), lineterminator="\n"
            )
            writer.writeheader()
            for row in reader:
                row["unit_code"] = LUC_BINH
                writer.writerow(row)
        _apply(out, "demo-luc-binh", target, "Xã Lục Bình 15/12/2021–19/9/2022 (synthetic detail)")
        base = load_params()
        for import_id, scope, start, years, rows, source in PARTS:
            if importing.store().open().import_record(import_id) is not None:
                continue
            codes = _communes(scope)
            if not codes:
                continue
            params = {**base, "start": start, "source_system": source}
            params_path = Path(tmp) / f"{import_id}.yaml"
            params_path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
            weights = zipf_weights(codes, float(base.get("zipf_exponent", 1.0)), 1)
            path = generate(rows, years, 1, weights, Path(tmp) / f"{import_id}.csv", params_path)
            if import_id == "demo-synth-legacy":
                path = _close_backlog(path)
            _apply(out, import_id, path, f"{source} (synthetic, seed 1)")
