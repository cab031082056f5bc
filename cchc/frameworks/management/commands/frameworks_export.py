"""``cchc frameworks export CODE --xlsx OUT | --yaml OUT``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.core.indexset import dump_yaml
from cchc.frameworks.models import IndexSet
from cchc.frameworks.services import definition_of
from cchc.frameworks.xlsx import export_xlsx


class Command(BaseCommand):
    help = "Export an index set / Xuất bộ chỉ số"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("--set-version", dest="set_version", type=int)
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--xlsx")
        group.add_argument("--yaml")

    def handle(self, *args: Any, **options: Any) -> None:
        sets = IndexSet.objects.filter(code=options["code"]).order_by("-version")
        if options["set_version"]:
            sets = sets.filter(version=options["set_version"])
        index_set = sets.first()
        if index_set is None:
            raise CommandError(f"Không có bộ chỉ số {options['code']} / no such index set")
        definition = definition_of(index_set)
        if options["xlsx"]:
            Path(options["xlsx"]).write_bytes(export_xlsx(definition))
            out = options["xlsx"]
        else:
            text = index_set.source_yaml if index_set.source_yaml.strip() else dump_yaml(definition)
            Path(options["yaml"]).write_text(text, encoding="utf-8")
            out = options["yaml"]
        self.stdout.write(f"{index_set.code} v{index_set.version} → {out}")
