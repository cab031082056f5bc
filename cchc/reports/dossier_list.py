"""The dossiers behind a figure: xlsx in constant memory up to 1,000,000 rows, zipped CSV beyond.

Rows arrive as an iterator of plain tuples (streamed page by page by the caller), so memory
stays flat whatever the count. Imports only cchc.core.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

XLSX_LIMIT = 1_000_000  # Excel holds 1,048,576 rows a sheet; beyond: zipped CSV


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    return value


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Ho so")
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#EEEEEE"})
    when = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for c, name in enumerate(header):
        sheet.write_string(0, c, name, head)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            value = _cell(value)
            if isinstance(value, datetime):
                sheet.write_datetime(count, c, value, when)
            elif isinstance(value, date):
                sheet.write_datetime(count, c, datetime.combine(value, datetime.min.time()), when)
            elif isinstance(value, int | Decimal) and not isinstance(value, bool):
                sheet.write_number(count, c, float(value))
            else:
                sheet.write_string(count, c, str(value))
    book.close()
    return count


def write_zip_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], why: str
) -> int:
    count = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("DOC-TRUOC.txt", why + "\n")
        with archive.open("ho-so.csv", "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow(header)
            for row in rows:
                value = [
                    v.strftime("%d/%m/%Y %H:%M:%S") if isinstance(v, datetime) else _cell(v)
                    for v in row
                ]
                writer.writerow(value)
                count += 1
            text.flush()
            text.detach()
    return count
