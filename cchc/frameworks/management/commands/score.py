"""``cchc score SET_FILE --inputs CSV [--json]``: score one unit's inputs on a set file.

The CSV has a header ``code,value`` or ``code,points`` (or both columns, one filled per
row), comma or semicolon separated as Vietnamese Excel saves. ``value`` rows go through the
criterion's rule ("3", "đúng hạn", "12/15", "không phát sinh"); ``points`` rows are points.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.core.indexset import IndexSetError, check
from cchc.core.numbers import format_number
from cchc.core.scoring import (
    InputErrors,
    compile_set,
    read_inputs,
    score_unit,
    unit_input_from_entries,
)
from cchc.frameworks.kpi import sniff_rows
from cchc.frameworks.services import read_source

_CODE = {"code", "mã", "ma", "ma tieu chi", "mã tiêu chí"}
_VALUE = {"value", "giá trị", "gia tri"}
_POINTS = {"points", "điểm", "diem"}


class Command(BaseCommand):
    help = "Score inputs on an index-set file / Chấm điểm theo bộ chỉ số"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("set_file")
        parser.add_argument("--inputs", required=True, help="CSV: code,value or code,points")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--unit", default="", help="unit name for the output")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            definition = check(
                read_source(Path(options["set_file"]), filename=options["set_file"])
            ).definition
        except IndexSetError as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(f"{len(exc.issues)} lỗi trong bộ chỉ số / set errors") from exc
        path = Path(options["inputs"])
        if not path.exists():
            raise CommandError(f"Không có tệp {path} / no such file")
        rows = sniff_rows(path.read_text(encoding="utf-8-sig"))
        if not rows:
            raise CommandError(f"{path}: tệp rỗng / empty file")
        header = [cell.strip().lower() for cell in rows[0]]
        code_col = next((i for i, h in enumerate(header) if h in _CODE), None)
        value_col = next((i for i, h in enumerate(header) if h in _VALUE), None)
        points_col = next((i for i, h in enumerate(header) if h in _POINTS), None)
        if code_col is None or (value_col is None and points_col is None):
            raise CommandError(
                f"{path}:1: tiêu đề phải là code,value hoặc code,points / "
                "header must be code,value or code,points"
            )
        items: list[tuple[str, str, str, object]] = []
        problems: list[tuple[int, str]] = []
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue

            def cell(i: int | None, row: list[str] = row) -> str:
                return row[i].strip() if i is not None and i < len(row) else ""

            code, value, points = cell(code_col), cell(value_col), cell(points_col)
            place = f"{path}:{number}"
            if any(c.strip() for c in row[len(header) :]):
                problems.append(
                    (
                        number,
                        f"{place}: {len(row)} ô nhưng tiêu đề có {len(header)} cột — số thập phân "
                        "có dấu phẩy phải đặt trong ngoặc kép hoặc dùng dấu ; để ngăn cột / "
                        f"{len(row)} cells but {len(header)} header columns",
                    )
                )
            elif not code:
                problems.append((number, f"{place}: thiếu mã tiêu chí / missing criterion code"))
            elif value and points:
                problems.append((number, f"{place}: {code}: chỉ điền value hoặc points / not both"))
            elif not value and not points:
                problems.append((number, f"{place}: {code}: thiếu giá trị / missing value"))
            else:
                items.append((place, code, "points" if points else "value", points or value))
        cset = compile_set(definition)
        entries = {}
        try:
            entries = read_inputs(cset, items)
        except InputErrors as exc:
            problems += [(int(e.place.rsplit(":", 1)[1]), str(e)) for e in exc.errors]
        if problems:
            for _number, line in sorted(problems):
                self.stderr.write(line)
            raise CommandError(f"{len(problems)} lỗi; không chấm / not scored")
        unit_input = unit_input_from_entries(
            cset, options["unit"], {code: entry for code, (entry, _why) in entries.items()}
        )
        result = score_unit(cset, unit_input, appraisal=False)
        places = definition.display_precision
        if options["json"]:
            payload = {
                "set": {"code": definition.code, "version": definition.version},
                "fields": [
                    {
                        "code": f.code,
                        "title": cset.node(f.code).title,
                        "points": str(f.points),
                        "max": str(f.max),
                        "lost": str(f.lost),
                    }
                    for f in result.fields()
                ],
                "criteria": {
                    code: {"points": str(entry.points), "explanation": why}
                    for code, (entry, why) in entries.items()
                },
                "total": str(result.total),
                "max": str(result.max_total),
                "index": str(result.index),
                "shown": str(result.shown),
                "display": definition.display.value,
                "band": result.band,
                "missing": list(result.missing),
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{definition.name} ({definition.code} v{definition.version})")
        # Points are shown with two decimals unless the set is displayed in points.
        pts = places if definition.display.value == "points" else 2
        for f in result.fields():
            node = cset.node(f.code)
            label = f"{node.label} " if node.label else ""
            self.stdout.write(
                f"  {label}{node.title}: {format_number(f.points, pts)} / "
                f"{format_number(f.max, pts)}"
            )
        self.stdout.write(
            f"Tổng điểm: {format_number(result.total, pts)} / "
            f"{format_number(result.max_total, pts)}"
        )
        shown = format_number(result.shown, places)
        if definition.display.value == "percent":
            shown += " %"
        self.stdout.write(f"Chỉ số: {shown}")
        if result.band:
            self.stdout.write(f"Xếp nhóm: {result.band}")
        if result.missing:
            self.stdout.write(f"Chưa có điểm: {', '.join(result.missing)}")
