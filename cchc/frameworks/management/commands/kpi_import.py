"""``cchc kpi_import FILE.csv``: KPI values ``kpi,unit,year,value``, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.frameworks.kpi import KpiImportError, kpi_values_import


class Command(BaseCommand):
    help = "Import KPI values from CSV / Nạp bảng giá trị KPI"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--note", default="", help="source note")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            count = kpi_values_import(
                path.read_text(encoding="utf-8-sig"), source_note=options["note"] or path.name
            )
        except KpiImportError as exc:
            for line in exc.errors:
                self.stderr.write(line)
            raise CommandError(f"{len(exc.errors)} lỗi; không nạp gì / nothing imported") from exc
        self.stdout.write(f"{count} giá trị đã nạp / values imported")
