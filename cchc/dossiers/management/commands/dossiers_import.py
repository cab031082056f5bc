"""``cchc dossiers import FILE [--profile NAME] [--source SYSTEM] [--dry-run]``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError

from cchc.dossiers import importing
from cchc.dossiers.models import DossierImport, ImportStatus


class ProgressLine:
    """The terminal progress line: ``[#####               ]  25 % · đọc dòng 5001``.

    Called with the percentages and phases the import sets on its record (rows read and
    validated, then the write to the store). On a terminal the line is redrawn in place;
    otherwise (a log file) one line is written each time the percentage crosses a tenth or
    the phase changes kind.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last: tuple[int, str] | None = None
        self.width = 0

    def __call__(self, percent: int, phase: str) -> None:
        percent = max(0, min(percent, 100))
        kind = phase.split(" dòng ")[0]
        key = (percent if self.tty else percent // 10, kind)
        if key == self.last and not self.tty:
            return
        self.last = key
        text = f"[{'#' * (percent // 5):<20}] {percent:3d} % · {phase}"
        if self.tty:
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self.tty and self.last is not None:
            self.stream.write("\n")
            self.stream.flush()
        self.last = None


class Command(BaseCommand):
    help = "Import a dossier file (csv/xlsx) into the dossier store, all or nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--profile", default="canonical")
        parser.add_argument("--source", default="")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument(
            "--no-compact",
            action="store_true",
            help="leave folding the new delta files into the months to the background job",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}")
        progress = ProgressLine(sys.stderr)

        if options["dry_run"]:
            header = importing.fast_header(path, options["profile"], options["source"])
            fast = importing.prepare_fast(path, header, progress=progress) if header else None
            if fast is not None:
                prepared = fast[0]
            else:
                prepared = importing.prepare(
                    path.read_bytes(),
                    path.name,
                    options["profile"],
                    source=options["source"],
                    progress=progress,
                )
            progress.end()
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
        record = importing.run_import(record, path, progress=progress)
        if record.status == ImportStatus.DONE:
            progress(100, f"đã ghi {record.rows} dòng vào kho")
        progress.end()
        if record.status != ImportStatus.DONE:
            self._report(record.message, record.errors, record.error_total, record.unmatched)
        self.stdout.write(
            f"Đã nạp {record.rows} dòng: {record.inserted} mới, {record.updated} cập nhật "
            f"(mã lần nạp {record.import_id})."
        )
        done = record.status == ImportStatus.DONE
        if done and not options["no_compact"] and importing.store().open().deltas:
            started = time.perf_counter()
            compacting = ProgressLine(sys.stderr)
            importing.compact_staged(progress=compacting)
            compacting.end()
            self.stdout.write(
                "Đã gộp các tệp bổ sung vào dữ liệu các tháng "
                f"({time.perf_counter() - started:.1f} giây)."
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
