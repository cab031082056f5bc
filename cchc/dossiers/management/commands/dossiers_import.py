"""``cchc dossiers import FILE [--profile NAME] [--source SYSTEM] [--dry-run]``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cchc.dossiers import importing
from cchc.dossiers.models import DossierImport, ImportStatus


class Command(BaseCommand):
    help = "Import a dossier file (csv/xlsx) into the dossier store, all or nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--profile", default="canonical")
        parser.add_argument("--source", default="")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}")
        data = path.read_bytes()
        last = [-1]

        def progress(percent: int, phase: str) -> None:
            if percent // 10 != last[0] // 10:
                last[0] = percent
                sys.stderr.write(f"\r[{'#' * (percent // 5):<20}] {percent:3d} % {phase:<30}")
                sys.stderr.flush()

        if options["dry_run"]:
            prepared = importing.prepare(
                data, path.name, options["profile"], source=options["source"], progress=progress
            )
            sys.stderr.write("\n")
            self._report(
                prepared.message, prepared.errors, prepared.error_total, prepared.unmatched
            )
            self.stdout.write(
                f"Kiểm tra xong: {prepared.rows} dòng hợp lệ, không ghi gì (--dry-run)."
            )
            return
        record = DossierImport.objects.create(
            file_name=path.name,
            profile=options["profile"],
            source=options["source"],
            import_id=importing.new_import_id(),
            status=ImportStatus.RUNNING,
        )
        record = importing.run_import(record, data)
        sys.stderr.write("\n")
        if record.status != ImportStatus.DONE:
            self._report(record.message, record.errors, record.error_total, record.unmatched)
        self.stdout.write(
            f"Đã nạp {record.rows} dòng: {record.inserted} mới, {record.updated} cập nhật "
            f"(mã lần nạp {record.import_id})."
        )

    def _report(
        self,
        message: str,
        errors: list[dict[str, str]],
        total: int,
        unmatched: dict[str, list[str]],
    ) -> None:
        if not message and not total:
            return
        lines = [message] if message else []
        for column, values in unmatched.items():
            lines.append(f"Giá trị không có trong hồ sơ ánh xạ ({column}): {'; '.join(values)}")
        lines += [
            f"{e['place']}, cột {e['column']} = “{e['value']}”: {e['reason']}" for e in errors[:50]
        ]
        if total:
            lines.append(f"Tổng cộng {total} lỗi; tệp bị từ chối, kho dữ liệu không thay đổi.")
        raise CommandError("\n".join(lines))
