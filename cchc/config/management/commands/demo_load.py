"""``cchc demo load``: units, index sets, accounts and each area's demo facts.

Each app that has demo data provides ``cchc.<app>.demo.load(out)``; they run bottom-up, so
an area can use what a lower one created. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand

from cchc.config import demo

AREAS = ["assessments", "dossiers", "plans", "inspections"]


class Command(BaseCommand):
    help = "Load the demo: units, index sets, accounts and facts from the seed articles."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--units", choices=["all", "extract"], default="all", help="which units to load"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        demo.load_foundation(self.stdout, units=options["units"])
        for area in AREAS:
            try:
                module = importlib.import_module(f"cchc.{area}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"cchc.{area}.demo":
                    raise
                continue
            self.stdout.write(f"· {area}")
            module.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu mẫu / demo loaded."))
