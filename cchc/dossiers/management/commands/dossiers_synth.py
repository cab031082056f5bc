"""``cchc dossiers synth --rows N --years Y --seed S [--units SCOPE] [--out FILE]`` (SYNTHETIC)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cchc.analytics.synth import generate, load_params, zipf_weights
from cchc.units.models import Level, Unit
from cchc.units.services import UnitResolutionError, resolve_unit, subtree_ids


def commune_codes(scope: str) -> list[str]:
    """Commune-level codes under a unit key (``19@2025``), or of the 2025 hierarchy."""
    units = Unit.objects.filter(level=Level.COMMUNE)
    if scope:
        root = resolve_unit(scope)
        units = units.filter(pk__in=subtree_ids(root))
    else:
        units = units.filter(hierarchy="2025")
    return sorted(set(units.values_list("code", flat=True)))


class Command(BaseCommand):
    help = "Write SYNTHETIC dossiers in the canonical CSV (same seed, same bytes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rows", type=int, required=True)
        parser.add_argument("--years", type=int, default=1)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--units", default="", help="unit key whose communes get dossiers")
        parser.add_argument("--out", default="dossiers-synth.csv")
        parser.add_argument("--params", default=None, help="distribution parameters (YAML)")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["rows"] <= 0 or o["years"] <= 0:
            raise CommandError("--rows và --years phải lớn hơn 0")
        try:
            codes = commune_codes(o["units"])
        except UnitResolutionError as exc:
            raise CommandError(str(exc)) from exc
        if not codes:
            raise CommandError("Không có xã, phường nào trong phạm vi: hãy nạp danh mục đơn vị")
        params = load_params(o["params"])
        weights = zipf_weights(codes, float(params.get("zipf_exponent", 1.0)), o["seed"])
        out = generate(o["rows"], o["years"], o["seed"], weights, Path(o["out"]), o["params"])
        self.stdout.write(f"Đã ghi {o['rows']} hồ sơ GIẢ LẬP (synthetic) vào {out}")
