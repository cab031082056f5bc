"""The import pipeline: read → map by profile → resolve units → canonical CSV → store.

All or nothing: the store validates the canonical file and swaps its manifest only when
every row is good (cchc.analytics.store); this module adds what only the app knows (the
profile, the units and who may import them) and turns every error into
(place, column, value, reason) in Vietnamese, capped, with the total.
"""

from __future__ import annotations

import bisect
import csv
import operator
import os
import re
import secrets
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, overload

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cchc.accounts.models import Role
from cchc.accounts.permissions import ALL, writable_unit_ids
from cchc.analytics import mapping
from cchc.analytics.store import NOT_UTF8, ImportRejected, Store, UnitCheck
from cchc.audit.services import record
from cchc.core.dossier import LEGACY_CUTOVER, ValueParseError, parse_datetime_value
from cchc.core.text import search_key
from cchc.dossiers import profiles, reading
from cchc.dossiers.models import DossierImport, ImportStatus
from cchc.units.models import Hierarchy, Unit
from cchc.units.services import lineage_map

MAX_ERRORS = 1000
PREVIEW_ROWS = 10
IMPORT_ROLES = (Role.ADMIN, Role.SECRETARIAT, Role.UNIT_OFFICER)
Progress = Callable[[int, str], None]


def store() -> Store:
    return Store(settings.CCHC_DOSSIER_STORE)


@dataclass
class Prepared:
    rows: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    error_total: int = 0
    unmatched: dict[str, list[str]] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    preview: list[dict[str, str]] = field(default_factory=list)
    encoding: str = ""
    message: str = ""
    csv_path: Path | None = None
    # Where each canonical row came from ("dòng 5", "trang Sheet1, dòng 5") and the file's
    # name of each canonical column: the store's errors are told by line and column.
    places: Sequence[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def add(self, place: str, column: str, value: str, reason: str) -> None:
        self.error_total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"place": place, "column": column, "value": value, "reason": reason})

    @property
    def ok(self) -> bool:
        return not self.message and not self.error_total


class UnitIndex:
    """Unit codes and names of both hierarchies, to resolve a cell by the received date."""

    def __init__(self, user: Any = None) -> None:
        self.codes: dict[tuple[str, str], int] = {}
        self._rows = list(
            Unit.objects.filter(hierarchy__in=(Hierarchy.LEGACY, Hierarchy.Y2025)).values_list(
                "id", "code", "hierarchy", "name"
            )
        )
        for pk, code, hierarchy, _name in self._rows:
            self.codes[(hierarchy, code)] = pk
        self._names: dict[tuple[str, str], list[tuple[str, int]]] | None = None
        self.allowed: set[int] | None = None  # None = every unit
        if user is not None:
            scope = writable_unit_ids(user, IMPORT_ROLES)
            if scope is not ALL:
                allowed = set(scope)  # type: ignore[arg-type]
                # Dossiers of a legacy unit may be imported by whoever writes for its successor.
                keys = {f"{c}@{h}": pk for (h, c), pk in self.codes.items()}
                for legacy, succ in lineage_map().items():
                    if any(keys.get(s) in allowed for s, _ in succ) and legacy in keys:
                        allowed.add(keys[legacy])
                self.allowed = allowed

    @property
    def names(self) -> dict[tuple[str, str], list[tuple[str, int]]]:
        """Units by (hierarchy, search key of the name): built on first use (only profiles
        that match unit names need it; 14,000 search keys cost most of a second)."""
        if self._names is None:
            names: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
            for pk, code, hierarchy, name in self._rows:
                names[(hierarchy, search_key(name))].append((code, pk))
            self._names = names
        return self._names

    def check(self) -> UnitCheck:
        """The same units for the store's own check (the fast canonical path)."""
        known = frozenset((str(h), code) for h, code in self.codes)
        if self.allowed is None:
            return UnitCheck(known, None, LEGACY_CUTOVER)
        allowed = self.allowed
        return UnitCheck(
            known,
            frozenset((str(h), c) for (h, c), pk in self.codes.items() if pk in allowed),
            LEGACY_CUTOVER,
        )

    def resolve(self, raw: str, received: date, profile: profiles.Profile) -> tuple[str, str]:
        """(code, "") or ("", reason in Vietnamese)."""
        hierarchy = Hierarchy.LEGACY if received < LEGACY_CUTOVER else Hierarchy.Y2025
        other = Hierarchy.Y2025 if hierarchy == Hierarchy.LEGACY else Hierarchy.LEGACY
        text = raw.strip()
        alias = profile.unit_alias(text) if profile.units else None
        code = alias if alias is not None else text
        pk = self.codes.get((str(hierarchy), code))
        if pk is None and profile.match_unit_names and alias is None:
            found = self.names.get((str(hierarchy), search_key(text)), [])
            if len(found) > 1:
                codes = ", ".join(sorted(c for c, _ in found))
                return "", f"tên đơn vị trùng nhiều đơn vị ({codes}): dùng mã đơn vị"
            if found:
                code, pk = found[0]
        if pk is None:
            era = "trước" if hierarchy == Hierarchy.LEGACY else "từ"
            if (str(other), code) in self.codes:
                return "", (
                    f"mã {code} không có trong danh mục đơn vị áp dụng cho hồ sơ tiếp nhận "
                    f"{era} 01/07/2025 (chỉ có ở danh mục {'mới' if other == '2025' else 'cũ'})"
                )
            return "", f"không tìm thấy đơn vị “{text}” (danh mục áp dụng {era} 01/07/2025)"
        if self.allowed is not None and pk not in self.allowed:
            return "", f"bạn không có quyền nhập hồ sơ của đơn vị {code}"
        return code, ""


_LINE = re.compile(r"dòng (\d+)")
_SAMPLE = 1 << 16


def _legacy_text(text: str) -> str | None:
    """The legacy-font refusal for the store's text check (None: the text is Unicode)."""
    font = reading.legacy_font(text)
    return None if font is None else reading.legacy_font_message(font)


def fast_header(path: Path, profile_name: str, source: str) -> list[str] | None:
    """The header of a file the store can read as it is, else None.

    That is a canonical-profile CSV in UTF-8 (with or without BOM) separated by commas,
    whose header names only canonical columns, each once, source_system included. Anything
    else (xlsx, UTF-16, cp1258, ``;`` or tab, vendor headers, a --source to fill in) goes
    through the reading and mapping in Python. Bytes past the sample that are not UTF-8
    make DuckDB refuse the file, and the import then takes the Python path.
    """
    if profile_name != "canonical" or source.strip():
        return None
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE)
    if head.startswith((b"PK\x03\x04", b"\xff\xfe", b"\xfe\xff")):
        return None
    body = head.removeprefix(b"\xef\xbb\xbf")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(head) < _SAMPLE or exc.start < len(body) - 3:
            return None
        text = body[: exc.start].decode("utf-8")  # a character cut by the sample's end
    if "\n" not in text:
        return None
    first = text.split("\n", 1)[0].rstrip("\r")
    if ";" in first or "\t" in first or '"' in first:
        return None
    header = [h.strip() for h in first.split(",")]
    columns = set(profiles.CANONICAL_COLUMNS)
    if len(set(header)) != len(header) or not set(header) <= columns:
        return None
    if not {"source_system", *profiles.REQUIRED} <= set(header):
        return None
    return header


def _fast_preview(path: Path, header: list[str]) -> list[dict[str, str]]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        next(rows, None)
        out: list[dict[str, str]] = []
        for cells in rows:
            if len(out) >= PREVIEW_ROWS:
                break
            named = dict(zip(header, cells, strict=False))
            out.append({c: named.get(c, "") for c in profiles.CANONICAL_COLUMNS})
    return out


def _not_utf8(rejected: ImportRejected) -> bool:
    return any(e.row == 0 and NOT_UTF8 in e.reason for e in rejected.errors)


def prepare_fast(
    path: Path,
    header: list[str],
    *,
    user: Any = None,
    import_id: str | None = None,
    dry_run: bool = True,
    progress: Progress | None = None,
) -> tuple[Prepared, Any] | None:
    """Check (and with ``dry_run`` off, apply) a canonical CSV in one pass of the store.

    Returns (the check's outcome, the store's ImportResult or None), or None when the file
    is not UTF-8 after all (take the Python path)."""
    out = Prepared(encoding="utf-8")
    try:
        result = store().import_csv(
            path,
            import_id=import_id,
            dry_run=dry_run,
            units=UnitIndex(user).check(),
            text_check=_legacy_text,
            progress=progress,
        )
    except ImportRejected as rejected:
        if _not_utf8(rejected):
            return None
        for error in rejected.errors:
            if error.row == 0:
                out.message = error.reason
            else:
                out.add(f"dòng {error.row}", error.column, error.value, error.reason)
        out.error_total = 0 if out.message else rejected.total
        return out, None
    out.rows = result.rows
    out.preview = _fast_preview(path, header)
    return out, result


_DAY_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})(?: (?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d)?")


def _received_legacy(text: str, days: dict[str, bool | None]) -> bool | None:
    """Whether a received time falls before the cut-over (None: blank or unreadable).

    The same answer as ``parse_datetime_value``; ``yyyy-mm-dd[ HH:MM:SS]`` with a valid time
    (what xlsx date cells become) is decided by its date alone, once per day."""
    match = _DAY_TIME.fullmatch(text)
    if match is None:
        try:
            parsed = parse_datetime_value(text)
        except ValueParseError:
            return None
        return None if parsed is None else parsed[0].date() < LEGACY_CUTOVER
    day = match[1]
    if day not in days:
        try:
            parsed = parse_datetime_value(day)
        except ValueParseError:
            parsed = None
        days[day] = None if parsed is None else parsed[0].date() < LEGACY_CUTOVER
    return days[day]


def prepare(
    data: bytes,
    name: str,
    profile_name: str,
    *,
    source: str = "",
    user: Any = None,
    progress: Progress | None = None,
    dry_run: bool = True,
) -> Prepared:
    """Read and check a file; with ``dry_run`` off leave the canonical CSV in ``csv_path``.

    With ``dry_run`` the store's own checks (dates, enums, duplicates…) run on the canonical
    file too, so the preview lists every error the real import would meet. Without it, a
    file the app found no error in goes to the store once: the real import checks it (the
    caller maps its errors to places with ``places`` and ``names``).
    """
    out = Prepared()
    if data.startswith(b"PK\x03\x04"):
        return prepare_xlsx(
            data, name, profile_name, source=source, user=user, progress=progress, dry_run=dry_run
        )
    try:
        profile = profiles.load(profile_name)
        sheets, out.encoding = reading.read_file(data, name)
    except (profiles.ProfileError, reading.ReadError) as exc:
        out.message = str(exc)
        return out
    header = sheets[0].header
    mapping = profile.map_header(header)
    out.ignored_columns = mapping.ignored
    if mapping.errors:
        for error in mapping.errors:
            out.add("dòng tiêu đề", "", "", error)
        return out
    fixed_source = source.strip() or profile.source_system
    if "source_system" not in mapping.index and not fixed_source:
        out.add("dòng tiêu đề", "source_system", "", "thiếu cột source_system: dùng --source")
        return out
    total_rows = sum(len(s.rows) for s in sheets)
    if total_rows == 0:
        out.message = f"Tệp {name} không có dòng dữ liệu nào (chỉ có dòng tiêu đề)"
        return out
    units = UnitIndex(user)
    idx = mapping.index
    columns = profiles.CANONICAL_COLUMNS
    column_name = {c: mapping.names.get(c, c) for c in columns}
    out.names = column_name
    # Each canonical column's cell in a row extended by one blank (absent columns → blank).
    blank = len(header)
    pick = operator.itemgetter(*(idx.get(c, blank) for c in columns))
    at = {c: i for i, c in enumerate(columns)}
    source_at, unit_at, received_at = at["source_system"], at["unit_code"], at["received_at"]
    finished_at, days_at = at["finished_at"], at["supplement_days"]
    mapped: dict[str, str | None]  # a vendor value → its canonical value, once each
    enums = [(at[c], c, dict[str, str | None]()) for c in ("channel", "status") if c in idx]
    unmatched: dict[str, dict[str, None]] = defaultdict(dict)
    resolved: dict[tuple[str, bool], tuple[str, str]] = {}
    days: dict[str, bool | None] = {}
    places: list[str] = []
    out.places = places
    preview = out.preview
    strip = str.strip
    stripped = all(s.stripped for s in sheets)
    work = Path(settings.DATA_DIR) / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    fd, name_ = tempfile.mkstemp(suffix=".csv", dir=work)
    path = Path(name_)
    handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
    try:
        with handle, reading.no_gc():
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            batch: list[list[str]] = []
            for number, (place, cells) in enumerate(reading.iter_rows(sheets)):
                if number % 5000 == 0:
                    if progress:
                        progress(5 + int(60 * number / total_rows), f"đọc dòng {number + 1}")
                    writer.writerows(batch)
                    batch.clear()
                cells.append("")
                row = list(pick(cells)) if stripped else list(map(strip, pick(cells)))
                cells.pop()
                if fixed_source and not row[source_at]:
                    row[source_at] = fixed_source
                for position, column, mapped in enums:
                    raw = row[position]
                    if not raw:
                        continue
                    if raw in mapped:
                        value = mapped[raw]
                    else:
                        value = mapped[raw] = profile.map_value(column, raw)
                    if value is None:
                        unmatched[column_name[column]][raw] = None
                        allowed = ", ".join(profiles.CANONICAL_VALUES[column])
                        out.add(
                            place,
                            column_name[column],
                            raw,
                            f"giá trị không có trong hồ sơ ánh xạ {profile.name} "
                            f"(giá trị chuẩn: {allowed})",
                        )
                        # A valid stand-in so the store does not report the cell twice.
                        value = (
                            "direct"
                            if column == "channel"
                            else ("finished" if row[finished_at] else "in_progress")
                        )
                    row[position] = value
                if profile.due_already_extended:
                    row[days_at] = ""
                unit_raw = row[unit_at]
                if unit_raw:
                    legacy = _received_legacy(row[received_at], days)
                    if legacy is not None:
                        key = (unit_raw, legacy)
                        found = resolved.get(key)
                        if found is None:
                            when = date(2025, 6, 30) if legacy else LEGACY_CUTOVER
                            found = resolved[key] = units.resolve(unit_raw, when, profile)
                        code, reason = found
                        if reason:
                            unmatched[column_name["unit_code"]][unit_raw] = None
                            out.add(place, column_name["unit_code"], unit_raw, reason)
                        else:
                            row[unit_at] = code
                batch.append(row)
                places.append(place)
                if len(preview) < PREVIEW_ROWS:
                    preview.append(dict(zip(columns, row, strict=True)))
            writer.writerows(batch)
        out.rows = len(places)
        out.unmatched = {k: list(v) for k, v in unmatched.items()}
        return _store_check(out, path, progress, dry_run)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _store_check(out: Prepared, path: Path, progress: Progress | None, dry_run: bool) -> Prepared:
    """The canonical file written: hand it on (``csv_path``) when the app found no error
    and this is the real import (which checks it in the store), else check it now."""
    try:
        if out.ok and not dry_run:  # the real import checks the file (run_import)
            out.csv_path = path
            return out
        if progress:
            progress(65, "kiểm tra dữ liệu")
        try:
            store().import_csv(path, dry_run=True)
        except ImportRejected as rejected:
            _merge_store_errors(out, rejected, out.places, out.names)
        if out.ok and not dry_run:
            out.csv_path = path
            return out
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    path.unlink(missing_ok=True)
    return out


def _temp_csv() -> Path:
    work = Path(settings.DATA_DIR) / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(suffix=".csv", dir=work)
    os.close(fd)
    return Path(name)


class SheetPlaces(Sequence[str]):
    """The place of each canonical CSV row ("trang Sheet1, dòng 5"), from runs of rows
    (``mapping.Segment``) rather than one string per row."""

    def __init__(self, segments: list[mapping.Segment], rows: int) -> None:
        self._segments = segments
        self._starts = [s.line for s in segments]
        self._rows = rows

    def __len__(self) -> int:
        return self._rows

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._rows))]
        if index < 0:
            index += self._rows
        if not 0 <= index < self._rows:
            raise IndexError(index)
        line = index + 2
        segment = self._segments[bisect.bisect_right(self._starts, line) - 1]
        return f"trang {segment.sheet}, dòng {segment.row + line - segment.line}"

    def position(self, place: str) -> int:
        """The row index of a place (-1 for "tệp" or a place not in the file)."""
        sheet, _, row = place.removeprefix("trang ").rpartition(", dòng ")
        if not row.isdigit():
            return -1
        for segment in self._segments:
            if segment.sheet == sheet and segment.row <= int(row) < segment.row + segment.count:
                return segment.line - 2 + int(row) - segment.row
        return -1


def prepare_xlsx(
    data: bytes,
    name: str,
    profile_name: str,
    *,
    source: str = "",
    user: Any = None,
    progress: Progress | None = None,
    dry_run: bool = True,
) -> Prepared:
    """``prepare`` for a workbook without a Python loop per row: fastexcel reads every sheet
    into Arrow, DuckDB (``cchc.analytics.mapping``) maps the columns, the values the
    profile maps (once per distinct value) and the units (once per distinct cell and
    hierarchy), and writes the canonical CSV the store checks."""
    out = Prepared(encoding="xlsx")
    try:
        profile = profiles.load(profile_name)
        sheets = reading.read_xlsx_tables(data)
    except (profiles.ProfileError, reading.ReadError) as exc:
        out.message = str(exc)
        return out
    if progress:
        progress(30, "đã đọc tệp xlsx")
    work = Path(settings.DATA_DIR) / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    tables = [mapping.Table(s.name, s.table, s.first_row) for s in sheets]
    try:
        try:
            book = mapping.Workbook(tables, work, cutover=LEGACY_CUTOVER)
        except mapping.MappingError as exc:
            out.message = _merged_header(sheets, {}) or str(exc)
            return out
        sheets[0].scan.start()  # beside DuckDB's mapping (see MergeScan.start)
        with book:
            return _map_xlsx(out, book, sheets, name, profile, source, user, progress, dry_run)
    except reading.ReadError as exc:  # the merged-range scan found a broken sheet
        out.message = str(exc)
        return out


def _merged_header(sheets: list[reading.XlsxSheet], header_rows: dict[str, int]) -> str:
    """The refusal of a sheet whose header rows (the header and the row below) hold a
    merged cell range, else ""."""
    for sheet in sheets:
        header_row = header_rows.get(sheet.name, sheet.first_row)
        if any(top <= header_row + 1 for top in sheet.merged_tops):
            return reading.merged_header_message(sheet.name)
    return ""


def _map_xlsx(
    out: Prepared,
    book: mapping.Workbook,
    sheets: list[reading.XlsxSheet],
    name: str,
    profile: profiles.Profile,
    source: str,
    user: Any,
    progress: Progress | None,
    dry_run: bool,
) -> Prepared:
    font = reading.legacy_font(book.non_ascii_text())
    if font is not None:
        out.message = reading.legacy_font_message(font)
        return out
    header = book.header
    hmap = profile.map_header(header)
    out.ignored_columns = hmap.ignored
    fixed_source = source.strip() or profile.source_system
    if hmap.errors or ("source_system" not in hmap.index and not fixed_source):
        out.message = _merged_header(sheets, book.header_rows)
        if out.message:
            return out
    if hmap.errors:
        for error in hmap.errors:
            out.add("dòng tiêu đề", "", "", error)
        return out
    if "source_system" not in hmap.index and not fixed_source:
        out.add("dòng tiêu đề", "source_system", "", "thiếu cột source_system: dùng --source")
        return out
    if book.rows == 0:
        out.message = _merged_header(sheets, book.header_rows)
        if out.message:
            return out
        out.message = f"Tệp {name} không có dòng dữ liệu nào (chỉ có dòng tiêu đề)"
        return out
    idx = hmap.index
    out.names = {c: hmap.names.get(c, c) for c in profiles.CANONICAL_COLUMNS}
    values: dict[str, dict[str, str | None]] = {}
    unknown: dict[str, str] = {}
    for column in ("channel", "status"):
        if column in idx:
            values[column] = {v: profile.map_value(column, v) for v in book.distinct(idx[column])}
            allowed = ", ".join(profiles.CANONICAL_VALUES[column])
            unknown[column] = (
                f"giá trị không có trong hồ sơ ánh xạ {profile.name} (giá trị chuẩn: {allowed})"
            )
    units = UnitIndex(user)
    resolved = {
        (raw, legacy): units.resolve(raw, date(2025, 6, 30) if legacy else LEGACY_CUTOVER, profile)
        for raw, legacy in book.distinct_units(idx["unit_code"], idx["received_at"])
    }
    spec = mapping.Spec(
        columns=dict(idx),
        names=out.names,
        fixed_source=fixed_source,
        values=values,
        unknown=unknown,
        units=resolved,
        blank_supplement_days=profile.due_already_extended,
    )
    if progress:
        progress(50, "ánh xạ dữ liệu")
    path = _temp_csv()
    try:
        written = book.write_csv(path, spec, MAX_ERRORS, PREVIEW_ROWS)
        out.places = SheetPlaces(book.segments(), written.rows)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    out.message = _merged_header(sheets, book.header_rows)
    if out.message:  # refused whatever else the rows hold
        path.unlink(missing_ok=True)
        return out
    out.rows = written.rows
    out.preview = written.preview
    out.unmatched = written.unmatched
    out.error_total = written.error_total
    out.errors = [
        {"place": out.places[line - 2], "column": col, "value": val, "reason": reason}
        for line, col, val, reason in written.errors
    ]
    return _store_check(out, path, progress, dry_run)


def _merge_store_errors(
    out: Prepared, rejected: ImportRejected, places: Sequence[str], names: dict[str, str]
) -> None:
    def place_of(line: int) -> str:
        return places[line - 2] if 2 <= line < len(places) + 2 else "tệp"

    mine = list(out.errors)
    flagged = {(e["place"], e["column"]) for e in mine}
    extra = []
    dropped = 0
    for error in rejected.errors:
        place, column = place_of(error.row), names.get(error.column, error.column)
        if (place, column) in flagged:  # already explained by the app (unit, profile value)
            dropped += 1
            continue
        reason = _LINE.sub(lambda m: place_of(int(m[1])), error.reason)
        extra.append({"place": place, "column": column, "value": error.value, "reason": reason})
    if isinstance(places, SheetPlaces):
        position = places.position
    else:
        order = {p: i for i, p in enumerate(places)}

        def position(place: str) -> int:
            return order.get(place, -1)

    merged = sorted(mine + extra, key=lambda e: position(e["place"]))
    out.errors = merged[:MAX_ERRORS]
    out.error_total += rejected.total - dropped


# --- records -------------------------------------------------------------------------------


def new_import_id() -> str:
    return f"imp-{secrets.token_hex(8)}"


def save_preview(record_: DossierImport, prepared: Prepared) -> DossierImport:
    record_.rows = prepared.rows
    record_.errors = prepared.errors
    record_.error_total = prepared.error_total
    record_.unmatched = prepared.unmatched
    record_.ignored_columns = prepared.ignored_columns
    record_.preview = prepared.preview
    record_.encoding = prepared.encoding
    record_.message = prepared.message
    record_.status = ImportStatus.PREVIEW if prepared.ok else ImportStatus.REJECTED
    record_.save()
    return record_


def set_progress(pk: int, percent: int, phase: str) -> None:
    DossierImport.objects.filter(pk=pk).update(progress=min(percent, 100), phase=phase[:120])


def run_import(
    record_: DossierImport,
    data: bytes | Path,
    *,
    user: Any = None,
    progress: Progress | None = None,
    stage: bool = False,
) -> DossierImport:
    """Apply a confirmed import to the store; the record ends DONE, REJECTED or FAILED.

    With ``stage`` (API batches) the checked rows wait in the store's inbox and the record
    stays QUEUED until ``compact_staged`` merges them (the caller enqueues it).

    ``data``: the file's bytes or its path (a canonical UTF-8 CSV on disk then goes to the
    store in one pass, see ``fast_header``). ``progress`` (the CLI's terminal line) is told
    what the record's progress is set to."""
    pk = record_.pk
    last: list[tuple[int, str]] = []

    def step(percent: int, phase: str) -> None:
        if last and last[-1] == (percent, phase):
            return
        last[:] = [(percent, phase)]
        set_progress(pk, percent, phase)
        if progress:
            progress(percent, phase)

    DossierImport.objects.filter(pk=pk).update(status=ImportStatus.RUNNING, progress=1)
    if isinstance(data, Path):
        header = fast_header(data, record_.profile, record_.source)
        fast = None
        if header is not None:
            fast = prepare_fast(
                data,
                header,
                user=user,
                import_id=record_.import_id,
                dry_run=False,
                progress=lambda percent, phase: step(2 + percent * 97 // 100, phase),
            )
        if fast is not None:
            return _finish(record_, fast[0], fast[1], user)
        data = data.read_bytes()
    prepared = prepare(
        data,
        record_.file_name,
        record_.profile,
        source=record_.source,
        user=user,
        progress=step,
        dry_run=False,
    )
    record_.refresh_from_db()
    if not prepared.ok or prepared.csv_path is None:
        save_preview(record_, prepared)
        record_.status = ImportStatus.REJECTED
        record_.finished_at = timezone.now()
        record_.save(update_fields=["status", "finished_at"])
        return record_
    step(70, "ghi vào kho dữ liệu")
    try:
        if stage:
            staged = store().stage_batch(prepared.csv_path, import_id=record_.import_id)
            if not staged.already_applied or store().open().staged_record(record_.import_id):
                return _staged(record_, staged.rows)
            result = staged  # merged already (a replay after a crash)
        else:
            result = store().import_csv(prepared.csv_path, import_id=record_.import_id)
    except ImportRejected as rejected:  # the units or the file changed since the preview
        _merge_store_errors(prepared, rejected, prepared.places, prepared.names)
        save_preview(record_, prepared)
        DossierImport.objects.filter(pk=pk).update(
            status=ImportStatus.REJECTED, finished_at=timezone.now()
        )
        record_.refresh_from_db()
        return record_
    finally:
        prepared.csv_path.unlink(missing_ok=True)
    return _finish(record_, prepared, result, user)


def _staged(record_: DossierImport, rows: int) -> DossierImport:
    DossierImport.objects.filter(pk=record_.pk).update(
        status=ImportStatus.QUEUED, rows=rows, progress=90, phase=STAGED_PHASE
    )
    record_.refresh_from_db()
    return record_


STAGED_PHASE = "đã kiểm tra, chờ gộp vào kho"


def compact_staged(progress: Progress | None = None) -> int:
    """Merge the store's waiting API batches and fold the months' delta files into new
    bases; mark the batches' records DONE. Returns how many batches were merged."""
    records = store().compact(progress)
    for applied in records:
        found = DossierImport.objects.filter(import_id=applied["import_id"]).first()
        if found is not None:
            _done(found, int(applied["rows"]), int(applied["inserted"]), int(applied["updated"]))
    return len(records)


def _done(
    record_: DossierImport, rows: int, inserted: int, updated: int, user: Any = None
) -> DossierImport:
    with transaction.atomic():
        record_.rows = rows
        record_.inserted = inserted
        record_.updated = updated
        record_.status = ImportStatus.DONE
        record_.progress = 100
        record_.phase = "xong"
        record_.finished_at = timezone.now()
        record_.save()
        record(
            actor=user or record_.created_by,
            obj=record_,
            action="dossiers.import",
            changes={"rows": (None, rows), "import_id": (None, record_.import_id)},
        )
    return record_


def _finish(record_: DossierImport, prepared: Prepared, result: Any, user: Any) -> DossierImport:
    """Record the outcome: DONE with the store's counts, or REJECTED with the errors."""
    if result is None:
        save_preview(record_, prepared)
        DossierImport.objects.filter(pk=record_.pk).update(
            status=ImportStatus.REJECTED, finished_at=timezone.now()
        )
        record_.refresh_from_db()
        return record_
    return _done(record_, result.rows, result.inserted, result.updated, user)


def reconcile(record_: DossierImport) -> DossierImport:
    """A record left running by a crash: DONE if the store's manifest has its import id."""
    if record_.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return record_
    applied = store().open().import_record(record_.import_id)
    if applied is not None:
        record_.rows = int(applied["rows"])
        record_.inserted = int(applied["inserted"])
        record_.updated = int(applied["updated"])
        record_.status = ImportStatus.DONE
        record_.progress = 100
        record_.finished_at = record_.finished_at or timezone.now()
        record_.save()
    return record_


def error_report_rows(record_: DossierImport) -> list[list[str]]:
    rows = [["Vị trí", "Cột", "Giá trị", "Lý do"]]
    rows += [[e["place"], e["column"], e["value"], e["reason"]] for e in record_.errors]
    if record_.error_total > len(record_.errors):
        rows.append(
            [
                "",
                "",
                "",
                f"… và {record_.error_total - len(record_.errors)} lỗi khác (chỉ liệt kê "
                f"{len(record_.errors)} lỗi đầu)",
            ]
        )
    return rows
