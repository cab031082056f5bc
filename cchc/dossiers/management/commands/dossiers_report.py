"""``cchc dossiers report --unit CODE --from D --to D [--preset NAME] [--by unit|sector]
[--json | --xlsx OUT | --docx OUT]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cchc.core.numbers import format_number, format_percent
from cchc.dossiers.periodform import ParamError, period_from, unit_from
from cchc.dossiers.reporting import run_report, unit_for_period
from cchc.reports.dossier_report import report_docx, report_xlsx


class Command(BaseCommand):
    help = "The standard period report of dossiers for a unit's subtree or by sector."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--unit", required=True)
        parser.add_argument("--from", dest="start")
        parser.add_argument("--to", dest="end")
        parser.add_argument("--preset", default="")
        parser.add_argument("--year")
        parser.add_argument("--number")
        parser.add_argument("--by", choices=["unit", "sector"], default="unit")
        out = parser.add_mutually_exclusive_group()
        out.add_argument("--json", action="store_true")
        out.add_argument("--xlsx")
        out.add_argument("--docx")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            period = period_from(o["preset"], o["year"], o["number"], o["start"], o["end"])
            unit = unit_for_period(unit_from(o["unit"], period), period)
        except ParamError as exc:
            raise CommandError(str(exc)) from exc
        report, notes = run_report(unit, period, by=o["by"])
        data = report.to_json()
        data["footnotes"] = {"divided_predecessor_dossiers": notes["divided"]}
        title = f"Tình hình giải quyết hồ sơ TTHC — {unit.name}"
        foot = []
        if notes["divided"]:
            foot.append(
                f"(*) {notes['divided']} hồ sơ của đơn vị bị chia tách tính cho "
                "đơn vị kế thừa mặc định."
            )
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        elif o["xlsx"]:
            Path(o["xlsx"]).write_bytes(report_xlsx(data, title, foot))
            self.stdout.write(f"Đã ghi {o['xlsx']}")
        elif o["docx"]:
            Path(o["docx"]).write_bytes(report_docx(data, title, foot))
            self.stdout.write(f"Đã ghi {o['docx']}")
        else:
            self.stdout.write(f"{title}\n{period.label}")
            for row in report.rows:
                c = row.counts
                self.stdout.write(
                    f"{'  ' * row.depth}{row.name}: nhận {format_number(c['received_total'])} "
                    f"(mới {format_number(c['new_total'])}, "
                    f"chuyển qua {format_number(c['carried_over'])}); "
                    f"đã giải quyết {format_number(c['resolved_total'])} "
                    f"(quá hạn {format_number(c['late'])}); "
                    f"đang giải quyết {format_number(c['in_progress_total'])}; "
                    f"đúng hạn {format_percent(row.on_time_pct)}"
                )
            for line in foot:
                self.stdout.write(line)
