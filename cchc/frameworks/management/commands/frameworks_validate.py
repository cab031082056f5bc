"""``cchc frameworks validate FILE...``: check set files; errors name file:line: code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.core.indexset import IndexSetDef, IndexSetError, LoadedSet, check
from cchc.frameworks.services import previous_definition, read_source


class Command(BaseCommand):
    help = "Validate index-set files (YAML or xlsx) / Kiểm tra tệp bộ chỉ số"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+")

    def handle(self, *args: Any, **options: Any) -> None:
        parsed: list[LoadedSet] = []
        failures = 0
        for name in options["files"]:
            try:
                parsed.append(read_source(Path(name), filename=name))
            except IndexSetError as exc:
                failures += len(exc.issues)
                for issue in exc.issues:
                    self.stderr.write(str(issue))
        # A set may map from another file given on the same command line.
        given: dict[str, IndexSetDef] = {p.definition.code: p.definition for p in parsed}
        for loaded in parsed:
            code = loaded.definition.previous
            previous = (given.get(code) or previous_definition(code)) if code else None
            try:
                check(loaded, previous)
            except IndexSetError as exc:
                failures += len(exc.issues)
                for issue in exc.issues:
                    self.stderr.write(str(issue))
                continue
            d = loaded.definition
            self.stdout.write(f"{loaded.file}: OK — {d.code} v{d.version} ({d.name})")
        if failures:
            raise CommandError(f"{failures} lỗi / {failures} error(s)")
