"""Load both official hierarchies and their lineage from ``vietnamadminunits`` 1.0.4.

Reads the package's data files directly (``data/dataset.db`` and
``data/converter_2025.json``, checked by SHA-256 so an upgrade is deliberate). The package
itself is never imported: its ``convert_address``/``parse_address`` geocode over the
Internet. 2025 codes come from this package (one authority, also used by the lineage);
``vietnam-provinces`` is only cross-checked (``compare_with_vietnam_provinces``).

Idempotent: the wanted state is computed in memory, compared with the database and only
differences are written, in one transaction.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from cchc.core.text import normalize_name, search_key, sort_key
from cchc.units.models import (
    LEGACY_END,
    REFORM_DATE,
    Hierarchy,
    Level,
    LineageKind,
    Unit,
    UnitKind,
    UnitLineage,
    UnitParent,
)
from cchc.units.services import bump_registry_version

SOURCE = "vietnamadminunits"
SOURCE_VERSION = "1.0.4"
SHA256 = {
    "dataset.db": "147cbbf81c8964bb594e1dda7ebab5649bce21efbfd6cb508cab7fefca62257d",
    "converter_2025.json": "84f0848bf401b047775cbb49768c181a9271f77e4a4ec706d293b09bcb4faddd",
}

# The extract the tests use: Bắc Kạn (legacy) for Vi Hương, Lục Bình and TT Phủ Thông,
# Thái Nguyên (2025) for Xã Phủ Thông, and Hà Tĩnh (both) for Thạch Lạc / Thạch Hà.
TEST_EXTRACT = frozenset({"06@legacy", "19@2025", "42"})

# Name prefixes → kind, longest first. The package's type columns disagree with the
# names in a handful of rows; the name is what the legal text says, so it wins.
PROVINCE_PREFIXES = (("Thành phố ", UnitKind.CITY), ("Tỉnh ", UnitKind.PROVINCE))
DISTRICT_PREFIXES = (
    ("Thành phố ", UnitKind.PROVINCIAL_CITY),
    ("Thị xã ", UnitKind.TOWN),
    ("Huyện ", UnitKind.DISTRICT),
    ("Quận ", UnitKind.URBAN_DISTRICT),
)
COMMUNE_PREFIXES = (
    ("Thị trấn ", UnitKind.TOWNSHIP),
    ("Đặc khu ", UnitKind.SPECIAL_ZONE),
    ("Phường ", UnitKind.WARD),
    ("Xã ", UnitKind.COMMUNE),
)


@dataclass(frozen=True)
class ParentCorrection:
    """A legacy parent the mid-2025 snapshot does not show, with its validity."""

    unit: str  # legacy code
    parent: str  # legacy code of the earlier parent
    valid_to: date  # last day under ``parent``; the snapshot's parent applies after
    basis: str


# The snapshot shows the legacy hierarchy as of mid-2025. Units moved between districts
# before that are corrected here (documented in docs/UNITS.md).
PARENT_CORRECTIONS = (
    ParentCorrection(
        unit="18622",  # Xã Thạch Lạc
        parent="445",  # Huyện Thạch Hà (the snapshot: 436 Thành phố Hà Tĩnh)
        valid_to=date(2024, 10, 31),
        basis="NQ 1206/NQ-UBTVQH15 (hiệu lực 01/11/2024): chuyển từ huyện Thạch Hà "
        "về thành phố Hà Tĩnh",
    ),
    # The other communes the snapshot shows under Thành phố Hà Tĩnh but whose codes lie in
    # the code block of huyện Thạch Hà (445) or huyện Cẩm Xuyên (446) of the official list
    # (Thạch Văn was in Thạch Hà in July 2022, per the Thạch Hà inspection article). Moved
    # by the same resolution; the date is to be verified against its text.
    *(
        ParentCorrection(
            unit=code,
            parent=parent,
            valid_to=date(2024, 10, 31),
            basis=f"mã thuộc khối mã của huyện {name} trong danh mục; chuyển về thành phố Hà "
            "Tĩnh theo NQ 1206/NQ-UBTVQH15 (ngày hiệu lực cần đối chiếu)",
        )
        for code, parent, name in (
            *(
                (c, "445", "Thạch Hà")
                for c in ("18571", "18595", "18598", "18604", "18619", "18628", "18631")
            ),
            *((c, "445", "Thạch Hà") for c in ("18637", "18643", "18649", "18652")),
            ("18685", "446", "Cẩm Xuyên"),
            ("18691", "446", "Cẩm Xuyên"),
        )
    ),
)
CORRECTION_SOURCE = "cchc:parent-corrections"


class LoadError(RuntimeError):
    """The source files are missing, changed, or inconsistent."""


@dataclass
class LoadReport:
    """Counts of what the sources hold and what the run wrote."""

    units: dict[str, int] = field(default_factory=dict)  # "legacy:3" → count in source
    created: int = 0
    updated: int = 0
    lineage_total: int = 0
    lineage_created: int = 0
    lineage_updated: int = 0
    lineage_deleted: int = 0
    lineage_kinds: dict[str, int] = field(default_factory=dict)
    parent_rows_written: int = 0
    kind_disagreements: int = 0
    vietnam_provinces_differences: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.lineage_created
            or self.lineage_updated
            or self.lineage_deleted
            or self.parent_rows_written
        )

    def lines(self) -> list[str]:
        u = self.units
        out = [
            f"Trước 1/7/2025: {u.get('legacy:1', 0)} tỉnh, {u.get('legacy:2', 0)} huyện, "
            f"{u.get('legacy:3', 0)} xã",
            f"Từ 1/7/2025: {u.get('2025:1', 0)} tỉnh, {u.get('2025:3', 0)} xã",
            "Kế thừa: "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.lineage_kinds.items()))
            + f" (tổng {self.lineage_total})",
            f"Loại theo tên khác cột loại của nguồn: {self.kind_disagreements}",
            f"Mã 2025 khác vietnam-provinces: {self.vietnam_provinces_differences}",
        ]
        if self.changed:
            out.append(
                f"Đã ghi: {self.created} đơn vị mới, {self.updated} cập nhật; kế thừa "
                f"{self.lineage_created} mới, {self.lineage_updated} cập nhật, "
                f"{self.lineage_deleted} xóa; {self.parent_rows_written} dòng cấp trên"
            )
        else:
            out.append("Không có thay đổi: dữ liệu đã khớp với nguồn.")
        return out


def package_dir(name: str) -> Path:
    """The directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise LoadError(f"Chưa cài gói {name}")
    return Path(next(iter(spec.submodule_search_locations)))


def _checked(path: Path) -> Path:
    if not path.exists():
        raise LoadError(f"Không thấy tệp dữ liệu {path}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SHA256[path.name]:
        raise LoadError(
            f"Tệp {path.name} khác bản {SOURCE} {SOURCE_VERSION} đã kiểm tra "
            f"(SHA-256 {digest}); xem lại dữ liệu trước khi cập nhật SHA256 trong loader"
        )
    return path


def _named(raw: str, prefixes: tuple[tuple[str, UnitKind], ...]) -> tuple[str, UnitKind]:
    """Normalise a name (NFC, spaces, the kind word's case) and read its kind.

    The source writes a few kind words in title case ("Thành Phố Bắc Kạn").
    """
    name = normalize_name(raw)
    for prefix, kind in prefixes:
        if name[: len(prefix)].casefold() == prefix.casefold():
            return prefix + name[len(prefix) :], kind
    raise LoadError(f"Không nhận ra loại đơn vị từ tên {name!r}")


def _coord(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(float(value))).quantize(Decimal("0.000001"))


@dataclass
class _Wanted:
    hierarchy: str
    code: str
    name: str
    kind: str
    level: int
    parent: tuple[str, str] | None
    valid_from: date | None
    valid_to: date | None
    latitude: Decimal | None
    longitude: Decimal | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.hierarchy, self.code)


def _selected(hierarchy: str, province_code: str, provinces: frozenset[str] | None) -> bool:
    if provinces is None:
        return True
    return province_code in provinces or f"{province_code}@{hierarchy}" in provinces


@dataclass
class _Source:
    units: dict[tuple[str, str], _Wanted]
    # (pred key, succ key) → (kind, is_default)
    lineage: dict[tuple[tuple[str, str], tuple[str, str]], tuple[str, bool]]
    kind_disagreements: int


def read_source(provinces: set[str] | None = None) -> _Source:
    """Read the package's files into the wanted units and lineage (no database access).

    Cached per process and selection: the files are checked and parsed once.
    """
    return _read_source(frozenset(provinces) if provinces is not None else None)


@functools.cache
def _read_source(provinces: frozenset[str] | None) -> _Source:
    data = package_dir("vietnamadminunits") / "data"
    db_path = _checked(data / "dataset.db")
    converter = json.loads(_checked(data / "converter_2025.json").read_text(encoding="utf-8"))
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        legacy_rows = [dict(r) for r in conn.execute("SELECT * FROM admin_units_legacy")]
        new_rows = [dict(r) for r in conn.execute("SELECT * FROM admin_units")]
    finally:
        conn.close()

    units: dict[tuple[str, str], _Wanted] = {}
    disagreements = 0
    type_names = {
        UnitKind.COMMUNE: "Xã",
        UnitKind.WARD: "Phường",
        UnitKind.TOWNSHIP: "Thị trấn",
        UnitKind.SPECIAL_ZONE: "Đặc khu",
    }
    # Converter keys → unit keys, to join the name-keyed lineage to codes.
    legacy_by_conv: dict[str, tuple[str, str]] = {}
    legacy_province_by_conv: dict[str, tuple[str, str]] = {}
    new_by_conv: dict[tuple[str, str], tuple[str, str]] = {}
    new_province_by_conv: dict[str, tuple[str, str]] = {}
    legacy_district_of: dict[tuple[str, str], tuple[str, str]] = {}

    def add(w: _Wanted) -> None:
        known = units.get(w.key)
        if known is not None and known != w:
            raise LoadError(f"Mã {w.code}@{w.hierarchy} mang hai đơn vị khác nhau")
        units[w.key] = w

    legacy = Hierarchy.LEGACY.value
    for r in legacy_rows:
        pkey = (legacy, r["provinceCode"])
        dkey = (legacy, r["districtCode"])
        conv = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"
        # Keys of every row, selected or not, so the converter joins in full.
        legacy_province_by_conv[r["provinceKey"]] = pkey
        if r["wardCode"]:
            legacy_by_conv[conv] = (legacy, r["wardCode"])
            legacy_district_of[(legacy, r["wardCode"])] = dkey
        else:
            # Island districts without communes: the district itself has the successor.
            legacy_by_conv[conv] = dkey
        if not _selected(legacy, r["provinceCode"], provinces):
            continue
        pname, pkind = _named(r["province"], PROVINCE_PREFIXES)
        add(
            _Wanted(legacy, r["provinceCode"], pname, pkind,
                    Level.PROVINCE, None, None, LEGACY_END,
                    _coord(r["provinceLat"]), _coord(r["provinceLon"]))
        )  # fmt: skip
        dname, dkind = _named(r["district"], DISTRICT_PREFIXES)
        add(
            _Wanted(legacy, r["districtCode"], dname, dkind,
                    Level.DISTRICT, pkey, None, LEGACY_END,
                    _coord(r["districtLat"]), _coord(r["districtLon"]))
        )  # fmt: skip
        if not r["wardCode"]:
            continue
        wname, kind = _named(r["ward"], COMMUNE_PREFIXES)
        disagreements += type_names.get(kind) != r["wardType"]
        add(
            _Wanted(legacy, r["wardCode"], wname, kind, Level.COMMUNE, dkey, None, LEGACY_END,
                    _coord(r["wardLat"]), _coord(r["wardLon"]))
        )  # fmt: skip

    new = Hierarchy.Y2025.value
    for r in new_rows:
        pkey = (new, r["provinceCode"])
        new_province_by_conv[r["provinceKey"]] = pkey
        new_by_conv[(r["provinceKey"], r["wardKey"])] = (new, r["wardCode"])
        if not _selected(new, r["provinceCode"], provinces):
            continue
        pname, pkind = _named(r["province"], PROVINCE_PREFIXES)
        add(
            _Wanted(new, r["provinceCode"], pname, pkind,
                    Level.PROVINCE, None, REFORM_DATE, None,
                    _coord(r["provinceLat"]), _coord(r["provinceLon"]))
        )  # fmt: skip
        wname, kind = _named(r["ward"], COMMUNE_PREFIXES)
        disagreements += type_names.get(kind) != r["wardType"]
        add(
            _Wanted(new, r["wardCode"], wname, kind, Level.COMMUNE, pkey, REFORM_DATE, None,
                    _coord(r["wardLat"]), _coord(r["wardLon"]))
        )  # fmt: skip

    # Commune lineage: (old key, new key, is_default, divided).
    links: list[tuple[tuple[str, str], tuple[str, str], bool, bool]] = []

    def old_unit(conv: str) -> tuple[str, str]:
        try:
            return legacy_by_conv[conv]
        except KeyError:
            raise LoadError(f"Khóa chuyển đổi {conv!r} không khớp đơn vị cũ nào") from None

    def new_unit(province: str, ward: str) -> tuple[str, str]:
        try:
            return new_by_conv[(province, ward)]
        except KeyError:
            raise LoadError(f"Khóa chuyển đổi {province}/{ward} không khớp xã mới nào") from None

    seen_old: set[str] = set()
    for nprov, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for nward, olds in wards.items():
            succ = new_unit(nprov, nward)
            for conv in olds:
                links.append((old_unit(conv), succ, True, False))
                seen_old.add(conv)
    for nprov, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for conv, parts in divided.items():
            pred = old_unit(conv)
            seen_old.add(conv)
            if sum(bool(p["isDefaultNewWard"]) for p in parts) != 1:
                raise LoadError(f"Xã bị chia {conv!r} không có đúng một xã kế thừa mặc định")
            for p in parts:
                links.append((pred, new_unit(nprov, p["newWardKey"]), p["isDefaultNewWard"], True))
    unmapped = set(legacy_by_conv) - seen_old
    if unmapped:
        raise LoadError(f"{len(unmapped)} đơn vị cũ không có trong dữ liệu chuyển đổi")

    predecessors_of: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for pred, succ, _, _ in links:
        predecessors_of[succ].add(pred)

    lineage: dict[tuple[tuple[str, str], tuple[str, str]], tuple[str, bool]] = {}

    def put(pred: tuple[str, str], succ: tuple[str, str], kind: str, default: bool) -> None:
        if pred in units and succ in units:
            lineage[(pred, succ)] = (kind, default)

    lkind: LineageKind
    for pred, succ, default, divided in links:
        if divided:
            lkind = LineageKind.SPLIT
        elif len(predecessors_of[succ]) > 1:
            lkind = LineageKind.MERGE
        elif pred in units and succ in units and units[pred].name == units[succ].name:
            lkind = LineageKind.UNCHANGED
        else:
            lkind = LineageKind.RENAME
        put(pred, succ, lkind.value, default)

    # Districts were abolished: their territory is now in the successors of their communes.
    territory: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for pred, succ, _, _ in links:
        district = legacy_district_of.get(pred)
        if district is not None:
            territory[district].add(succ)
    for district, successors in territory.items():
        for succ in successors:
            put(district, succ, LineageKind.DISSOLVED_INTO.value, False)

    # Provinces: each legacy province went whole into one 2025 province.
    for nprov, olds in converter["DICT_PROVINCE"].items():
        succ = new_province_by_conv[nprov]
        for oprov in olds:
            pred = legacy_province_by_conv[oprov]
            if len(olds) > 1:
                lkind = LineageKind.MERGE
            elif pred in units and succ in units and units[pred].name == units[succ].name:
                lkind = LineageKind.UNCHANGED
            else:
                lkind = LineageKind.RENAME
            put(pred, succ, lkind.value, True)
    return _Source(units=units, lineage=lineage, kind_disagreements=disagreements)


@dataclass(frozen=True)
class CodeDifference:
    """A 2025 unit whose code the two packages give differently (or only one gives)."""

    name: str  # "Phường Cửa Nam (Thành phố Hà Nội)"
    ours: str  # code in vietnamadminunits, "" when only vietnam-provinces has the unit
    theirs: str  # code in vietnam-provinces, "" when only we have it


@functools.cache
def _compare_cached() -> tuple[CodeDifference, ...]:
    return tuple(compare_with_vietnam_provinces())


def compare_with_vietnam_provinces() -> list[CodeDifference]:
    """2025 commune codes on which ``vietnam-provinces`` and our authority disagree.

    Codes present on one side only are paired by name where the other side has the same
    unit (same name and province) under another code.
    """
    data = package_dir("vietnamadminunits") / "data"
    conn = sqlite3.connect(f"file:{_checked(data / 'dataset.db')}?mode=ro", uri=True)
    try:
        ours = {
            str(code): f"{normalize_name(ward)} ({normalize_name(province)})"
            for code, ward, province in conn.execute(
                "SELECT wardCode, ward, province FROM admin_units"
            )
        }
    finally:
        conn.close()
    flat = package_dir("vietnam_provinces") / "data" / "flat-divisions.json"
    theirs = {
        f"{int(row['code']):05d}": f"{normalize_name(row['name'])} "
        f"({normalize_name(row['province_name'])})"
        for row in json.loads(flat.read_text(encoding="utf-8"))
    }
    only_theirs = {theirs[code]: code for code in set(theirs) - set(ours)}
    out = []
    for code in sorted(set(ours) - set(theirs)):
        out.append(CodeDifference(ours[code], code, only_theirs.pop(ours[code], "")))
    out.extend(CodeDifference(name, "", code) for name, code in sorted(only_theirs.items()))
    return out


_FIELDS = ("name", "kind", "level", "valid_from", "valid_to", "latitude", "longitude")


def _apply_units(
    wanted: dict[tuple[str, str], _Wanted], report: LoadReport
) -> dict[tuple[str, str], int]:
    existing = {
        (u.hierarchy, u.code): u
        for u in Unit.objects.filter(hierarchy__in=[Hierarchy.LEGACY, Hierarchy.Y2025])
    }
    ids = {key: u.pk for key, u in existing.items()}
    for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        creates: list[Unit] = []
        updates: list[Unit] = []
        for w in wanted.values():
            if w.level != level:
                continue
            parent_id = ids[w.parent] if w.parent else None
            values: dict[str, Any] = {f: getattr(w, f) for f in _FIELDS}
            values.update(
                parent_id=parent_id,
                sort_key=sort_key(w.name),
                search_key=search_key(w.name),
                source=SOURCE,
                source_version=SOURCE_VERSION,
            )
            unit = existing.get(w.key)
            if unit is None:
                creates.append(Unit(hierarchy=w.hierarchy, code=w.code, **values))
                continue
            if any(getattr(unit, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(unit, name, value)
                updates.append(unit)
        Unit.objects.bulk_create(creates, batch_size=1000)
        for unit in creates:
            ids[(unit.hierarchy, unit.code)] = unit.pk
        if updates:
            Unit.objects.bulk_update(
                updates,
                [*_FIELDS, "parent", "sort_key", "search_key", "source", "source_version"],
                batch_size=1000,
            )
        report.created += len(creates)
        report.updated += len(updates)
    return ids


def _apply_lineage(source: _Source, ids: dict[tuple[str, str], int], report: LoadReport) -> None:
    wanted = {(ids[pred], ids[succ]): value for (pred, succ), value in source.lineage.items()}
    loaded = {ids[key] for key in source.units}
    existing = {
        (link.predecessor_id, link.successor_id): link
        for link in UnitLineage.objects.filter(effective=REFORM_DATE, predecessor_id__in=loaded)
        if link.successor_id in loaded
    }
    creates = [
        UnitLineage(predecessor_id=p, successor_id=s, effective=REFORM_DATE, kind=k, is_default=d)
        for (p, s), (k, d) in wanted.items()
        if (p, s) not in existing
    ]
    updates = []
    for pair, link in existing.items():
        if pair in wanted and (link.kind, link.is_default) != wanted[pair]:
            link.kind, link.is_default = wanted[pair]
            updates.append(link)
    stale = [link.pk for pair, link in existing.items() if pair not in wanted]
    UnitLineage.objects.bulk_create(creates, batch_size=1000)
    if updates:
        UnitLineage.objects.bulk_update(updates, ["kind", "is_default"], batch_size=1000)
    if stale:
        UnitLineage.objects.filter(pk__in=stale).delete()
    report.lineage_created = len(creates)
    report.lineage_updated = len(updates)
    report.lineage_deleted = len(stale)


def _apply_parent_corrections(
    source: _Source, ids: dict[tuple[str, str], int], report: LoadReport
) -> None:
    legacy = Hierarchy.LEGACY.value
    for fix in PARENT_CORRECTIONS:
        unit_key, earlier_key = (legacy, fix.unit), (legacy, fix.parent)
        if unit_key not in source.units or earlier_key not in source.units:
            continue
        later_key = source.units[unit_key].parent
        assert later_key is not None
        wanted = [
            (ids[earlier_key], None, fix.valid_to, fix.basis),
            (ids[later_key], date.fromordinal(fix.valid_to.toordinal() + 1), LEGACY_END, ""),
        ]
        rows = UnitParent.objects.filter(unit_id=ids[unit_key])
        # Sorted here: NULL dates order differently on SQLite and PostgreSQL.
        have = sorted(
            ((r.parent_id, r.valid_from, r.valid_to, r.source) for r in rows),
            key=lambda row: row[1] or date.min,
        )
        target = [(p, f, t, CORRECTION_SOURCE + (f" — {b}" if b else "")) for p, f, t, b in wanted]
        target.sort(key=lambda row: row[1] or date.min)
        if have == target:
            continue
        rows.delete()
        UnitParent.objects.bulk_create(
            UnitParent(unit_id=ids[unit_key], parent_id=p, valid_from=f, valid_to=t, source=s)
            for p, f, t, s in target
        )
        report.parent_rows_written += len(target)


def load_units(provinces: Iterable[str] | None = None) -> LoadReport:
    """Load (or bring up to date) both hierarchies, their lineage and parent corrections.

    ``provinces`` restricts the load to an extract: province codes, each either bare
    (``"42"``: that code in both hierarchies) or qualified (``"06@legacy"``).
    Lineage rows are written only when both ends are loaded.
    """
    selected = set(provinces) if provinces is not None else None
    source = read_source(selected)
    report = LoadReport(kind_disagreements=source.kind_disagreements)
    for w in source.units.values():
        label = f"{w.hierarchy}:{w.level}"
        report.units[label] = report.units.get(label, 0) + 1
    report.lineage_total = len(source.lineage)
    for kind, _ in source.lineage.values():
        report.lineage_kinds[kind] = report.lineage_kinds.get(kind, 0) + 1
    report.vietnam_provinces_differences = sum(1 for diff in _compare_cached() if diff.ours)
    with transaction.atomic():
        ids = _apply_units(source.units, report)
        _apply_lineage(source, ids, report)
        _apply_parent_corrections(source, ids, report)
        if report.changed:
            bump_registry_version()  # bulk writes send no signals
    return report
