"""``cchc units load [--extract CODES]``: load both official hierarchies and the lineage."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.units.loader import LoadError, load_units


class Command(BaseCommand):
    help = "Load legacy and 2025 administrative units with their lineage (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--extract",
            metavar="CODES",
            help="comma-separated province codes, bare (42) or qualified (06@legacy, 19@2025)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        provinces = None
        if options["extract"]:
            provinces = {c.strip() for c in options["extract"].split(",") if c.strip()}
        started = time.perf_counter()
        try:
            report = load_units(provinces)
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"Thời gian: {time.perf_counter() - started:.1f} giây")
