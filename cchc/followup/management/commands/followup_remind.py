"""``cchc followup remind [--dry-run] [--today DATE] [--days N]`` (run daily by cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cchc.core.dates import DateError, format_date, parse_date
from cchc.followup import reminders


class Command(BaseCommand):
    help = "E-mail the lead units about follow-up items overdue, due soon or due for review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="print, send nothing")
        parser.add_argument("--today", help="the date to act as today (dd/mm/yyyy)")
        parser.add_argument("--days", type=int, default=7, help="'due soon' window, in days")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = parse_date(options["today"]) if options["today"] else timezone.localdate()
        except DateError as exc:
            raise CommandError(f"--today: {exc}") from exc
        if options["days"] < 0:
            raise CommandError("--days: phải là số không âm")
        result = reminders.collect(today, options["days"])
        for item in result.without_recipient:
            self.stderr.write(
                f"Không có người nhận (đơn vị chưa có tài khoản có e-mail): #{item.pk} "
                f"{item.title} — {item.lead_unit.name}"
            )
        if options["dry_run"]:
            for reminder in result.reminders:
                subject, body = reminders.render(reminder)
                self.stdout.write(f"To: {reminder.email}\nSubject: {subject}\n\n{body}")
            self.stdout.write(
                f"[dry-run] {format_date(today)}: {len(result.reminders)} e-mail, "
                f"{len(result.items)} nhiệm vụ; không gửi gì."
            )
            return
        sent = reminders.send(result, today)
        self.stdout.write(
            f"{format_date(today)}: đã gửi {sent} e-mail về {len(result.items)} nhiệm vụ."
        )
