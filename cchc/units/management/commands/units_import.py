"""``cchc units import FILE.csv``: non-geographic units (columns code,name,kind,parent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.units.importer import UnitImportError, import_local_units


class Command(BaseCommand):
    help = "Import departments, agencies and service centres (hierarchy 'local') from CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không thấy tệp {path}")
        try:
            result = import_local_units(path.read_bytes())
        except UnitImportError as exc:
            raise CommandError(f"{path.name}: không nhập gì.\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(
            f"{path.name}: {len(result.created)} đơn vị mới, {len(result.updated)} cập nhật, "
            f"{len(result.unchanged)} không đổi"
        )
