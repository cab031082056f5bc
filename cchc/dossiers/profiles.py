"""Import profiles: how a vendor's columns and values map onto the canonical format.

A profile is a YAML file in ``cchc/dossiers/profiles/`` (docs/DOSSIER_IMPORT.md). Headers,
values and unit aliases are compared by ``cchc.core.text.search_key``: with or without
diacritics, old or new tone placement, any case. Pure Python: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cchc.analytics.sql import CSV_COLUMNS
from cchc.core.text import search_key

PROFILE_DIR = Path(__file__).with_name("profiles")

CANONICAL_COLUMNS = CSV_COLUMNS  # the store's canonical CSV columns, one definition
# source_system may come from the profile or the command line instead of a column.
REQUIRED = ("dossier_code", "unit_code", "channel", "received_at", "due_at")
CANONICAL_VALUES = {
    "channel": ("direct", "online_full", "online_partial", "postal"),
    "status": ("in_progress", "finished", "rejected", "withdrawn"),
}


class ProfileError(ValueError):
    """An unknown or malformed profile; the message is Vietnamese."""


@dataclass(frozen=True)
class HeaderMap:
    """Canonical column → index in the file, the file's own header names, ignored columns."""

    index: dict[str, int]
    names: dict[str, str]
    ignored: list[str]
    errors: list[str]


@dataclass
class Profile:
    name: str
    label: str
    synthetic: bool = False
    source_system: str = ""
    due_already_extended: bool = False
    strict_columns: bool = True
    match_unit_names: bool = False
    columns: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._headers: dict[str, str] = {}
        for column in CANONICAL_COLUMNS:
            self._headers[search_key(column)] = column
        for column, aliases in self.columns.items():
            if column not in CANONICAL_COLUMNS:
                raise ProfileError(f"Hồ sơ ánh xạ {self.name}: cột chuẩn không có: {column}")
            for alias in aliases:
                self._headers[search_key(str(alias))] = column
        self._values: dict[str, dict[str, str]] = {}
        for column, allowed in CANONICAL_VALUES.items():
            table = {search_key(v): v for v in allowed}
            for value, aliases in self.values.get(column, {}).items():
                if value not in allowed:
                    raise ProfileError(
                        f"Hồ sơ ánh xạ {self.name}: giá trị chuẩn {value!r} không có trong "
                        f"{column} ({', '.join(allowed)})"
                    )
                for alias in aliases:
                    table[search_key(str(alias))] = value
            self._values[column] = table
        self._units = {search_key(str(k)): str(v) for k, v in self.units.items()}

    def map_header(self, header: list[str]) -> HeaderMap:
        index: dict[str, int] = {}
        names: dict[str, str] = {}
        ignored: list[str] = []
        errors: list[str] = []
        for position, raw in enumerate(header):
            if not raw.strip():
                errors.append(
                    f"Cột {position + 1} của dòng tiêu đề không có tên (ô gộp hoặc tiêu đề "
                    "nhiều dòng?): mỗi cột cần một tên trên một dòng tiêu đề"
                )
                continue
            column = self._headers.get(search_key(raw))
            if column is None:
                if self.strict_columns:
                    errors.append(f"Cột “{raw}” không thuộc định dạng chuẩn")
                else:
                    ignored.append(raw)
                continue
            if column in index:
                errors.append(
                    f"Cột “{raw}” và cột “{names[column]}” cùng là {column}: chỉ giữ một cột"
                )
                continue
            index[column] = position
            names[column] = raw
        for column in REQUIRED:
            if column not in index:
                expected = [column, *self.columns.get(column, [])]
                errors.append(
                    f"Thiếu cột bắt buộc {column} (tên cột được nhận: {', '.join(expected)})"
                )
        return HeaderMap(index, names, ignored, errors)

    def map_value(self, column: str, raw: str) -> str | None:
        """The canonical value of an enum cell; ``raw`` itself for blanks; None if unknown."""
        if not raw.strip():
            return raw
        return self._values[column].get(search_key(raw))

    def unit_alias(self, raw: str) -> str | None:
        return self._units.get(search_key(raw))


def available() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def load(name: str) -> Profile:
    """The profile called ``name``; raise ProfileError naming the ones that exist."""
    path = PROFILE_DIR / f"{name}.yaml"
    if not name or "/" in name or not path.is_file():
        raise ProfileError(
            f"Không có hồ sơ ánh xạ (profile) “{name}”; có: {', '.join(available())}"
        )
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        return Profile(
            name=str(data.get("name", name)),
            label=str(data.get("label", name)),
            synthetic=bool(data.get("synthetic", False)),
            source_system=str(data.get("source_system") or ""),
            due_already_extended=bool(data.get("due_already_extended", False)),
            strict_columns=bool(data.get("strict_columns", True)),
            match_unit_names=bool(data.get("match_unit_names", False)),
            columns={k: [str(a) for a in v] for k, v in (data.get("columns") or {}).items()},
            values={
                k: {vk: [str(a) for a in va] for vk, va in v.items()}
                for k, v in (data.get("values") or {}).items()
            },
            units={str(k): str(v) for k, v in (data.get("units") or {}).items()},
        )
    except (TypeError, AttributeError) as exc:
        raise ProfileError(f"Hồ sơ ánh xạ {name} sai cấu trúc: {exc}") from exc
