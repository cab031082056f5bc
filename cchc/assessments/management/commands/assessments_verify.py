"""``cchc assessments verify ROUND [UNIT]``: recompute every sign-off hash from the rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.assessments.models import AssessmentRound
from cchc.assessments.services import verify
from cchc.units.services import UnitResolutionError, resolve_unit


class Command(BaseCommand):
    help = "Verify the sign-offs of a round / Kiểm tra chữ ký các bước của đợt đánh giá"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="round code")
        parser.add_argument("unit", nargs="?", help="unit code@hierarchy")

    def handle(self, *args: Any, **options: Any) -> None:
        rnd = AssessmentRound.objects.filter(code=options["round"]).first()
        if rnd is None:
            raise CommandError(f"Không có đợt đánh giá {options['round']} / no such round")
        unit = None
        if options["unit"]:
            try:
                unit = resolve_unit(options["unit"])
            except UnitResolutionError as exc:
                raise CommandError(str(exc)) from exc
        checked, bad = verify(rnd, unit)
        for mismatch in bad:
            self.stderr.write(str(mismatch))
        if bad:
            raise CommandError(f"{len(bad)}/{checked} chữ ký không khớp / sign-offs do not match")
        self.stdout.write(f"{checked} chữ ký khớp / sign-offs verified")
