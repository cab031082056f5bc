"""``cchc frameworks publish CODE [--set-version N]``: freeze a draft forever."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.frameworks.models import FrozenSetError, IndexSet, SetStatus
from cchc.frameworks.services import indexset_publish


class Command(BaseCommand):
    help = "Publish an index set / Ban hành bộ chỉ số"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("--set-version", dest="set_version", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        sets = IndexSet.objects.filter(code=options["code"])
        if options["set_version"]:
            sets = sets.filter(version=options["set_version"])
        else:
            sets = sets.filter(status=SetStatus.DRAFT)
        index_set = sets.order_by("-version").first()
        if index_set is None:
            raise CommandError(
                f"Không có dự thảo {options['code']} để ban hành / no draft to publish"
            )
        try:
            indexset_publish(index_set)
        except FrozenSetError as exc:
            raise CommandError(f"{'; '.join(exc.messages)} / already published") from exc
        self.stdout.write(f"{index_set.code} v{index_set.version}: đã ban hành / published")
