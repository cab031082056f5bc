"""``cchc frameworks import FILE [--publish]``: store a set (YAML or xlsx) as a draft."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.core.indexset import IndexSetError, needs_machine_rule
from cchc.frameworks.models import FrozenSetError
from cchc.frameworks.services import definition_of, indexset_import


class Command(BaseCommand):
    help = "Import an index set as a draft / Nạp bộ chỉ số (dự thảo)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--publish", action="store_true", help="publish after import")
        parser.add_argument("--code", help="set code (bare spreadsheets)")
        parser.add_argument("--name", help="set name (bare spreadsheets)")
        parser.add_argument("--kind", choices=["PAR", "DX", "SERVICE", "OTHER"])
        parser.add_argument("--year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        overrides = {k: options[k] for k in ("code", "name", "kind", "year") if options.get(k)}
        try:
            index_set = indexset_import(
                Path(options["file"]), publish=options["publish"], overrides=overrides
            )
        except IndexSetError as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(f"{len(exc.issues)} lỗi / error(s); không nạp gì") from exc
        except FrozenSetError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        status = "đã ban hành" if index_set.is_published else "dự thảo"
        count = index_set.criteria.count()
        self.stdout.write(
            f"{index_set.code} v{index_set.version}: {count} tiêu chí, {status} (id {index_set.pk})"
        )
        todo = needs_machine_rule(definition_of(index_set))
        if todo:
            self.stdout.write(
                f"{len(todo)} tiêu chí còn chấm tay, cần viết quy tắc máy / "
                f"criteria still needing a machine rule: {', '.join(todo)}"
            )
