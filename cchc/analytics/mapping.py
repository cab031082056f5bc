"""A workbook's sheets (Arrow, every column text) mapped to the canonical CSV in DuckDB.

No Python loop per row (docs/DOSSIER_IMPORT.md): the app hands over the sheets as Arrow
objects (the PyCapsule interface, e.g. fastexcel's sheets) and, as plain data, what the
profile says; this module cleans every cell (trimmed, NFC), drops blank rows, finds the
header, and writes the canonical CSV that ``Store.import_csv`` validates. A value map
(vendor value → canonical value) and the unit resolution are computed by the app once per
*distinct* value (``distinct``, ``distinct_units``) and joined here to every row.

Rows are numbered as the sheet numbers them ("trang Sheet1, dòng 5"): ``Table.first_row``
is the sheet row of the table's first row (a reader skips leading empty rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cchc.analytics import sql

# What Python's str.strip removes in practice (DuckDB's trim alone removes only spaces).
_SPACES = " \t\n\r\x0b\x0c\xa0\u3000\u2007\u202f\ufeff"


class MappingError(ValueError):
    """The workbook cannot be mapped at all; the message is Vietnamese."""


@dataclass(frozen=True)
class Table:
    """One sheet: its name, its cells as an Arrow object whose columns are all VARCHAR
    (``__arrow_c_array__`` or ``__arrow_c_stream__``), and the sheet row of its first row."""

    name: str
    data: Any
    first_row: int = 1


@dataclass(frozen=True)
class Spec:
    """What the profile says, as plain data.

    ``columns``: canonical column → header position (absent columns stay blank);
    ``names``: canonical column → the file's header (for messages); ``fixed_source``: the
    source system of rows without one; ``values``: enum column → {cleaned vendor value →
    canonical value, None when the profile does not know it} (every distinct value);
    ``unknown``: enum column → the reason given for an unknown value; ``units``: (cleaned
    unit cell, received before the cut-over) → (unit code, "" or the reason it is refused);
    ``blank_supplement_days``: import supplement_days blank (the vendor extended due_at).
    """

    columns: dict[str, int]
    names: dict[str, str] = field(default_factory=dict)
    fixed_source: str = ""
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    units: dict[tuple[str, bool], tuple[str, str]] = field(default_factory=dict)
    blank_supplement_days: bool = False


@dataclass
class Written:
    """The canonical CSV's outcome: rows, the app's own errors (line = the CSV's line,
    header = 1; capped) and their total, unmatched values (display column → values in the
    order met), the first rows in canonical form."""

    rows: int
    errors: list[tuple[int, str, str, str]]
    error_total: int
    unmatched: dict[str, list[str]]
    preview: list[dict[str, str]]


@dataclass(frozen=True)
class Segment:
    """CSV lines ``line`` … ``line + count - 1`` are rows ``row`` … of sheet ``sheet``."""

    line: int
    sheet: str
    row: int
    count: int


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _clean(col: str) -> str:
    """The cell stripped of white space (as ``str.strip``) and in NFC; NULL when blank.
    Most cells are ASCII without surrounding spaces and are taken as they are."""
    edge = r"'^[\s\pZ\x{feff}]+|[\s\pZ\x{feff}]+$'"
    return (
        f"nullif(CASE WHEN ascii({col}) <= 32 OR ascii({col}[-1:]) <= 32 "
        f"OR strlen({col}) <> length({col}) "
        f"THEN regexp_replace(nfc_normalize({col}), {edge}, '', 'g') ELSE {col} END, '')"
    )


def _col(position: int) -> str:
    return f"c{position}"


class Workbook:
    """The rows of every sheet with the same header, in DuckDB (close it, or use ``with``)."""

    def __init__(
        self,
        tables: Sequence[Table],
        work_dir: str | Path | None = None,
        memory_limit: str = "1GB",
        cutover: date | None = None,
    ) -> None:
        from cchc.core.dossier import LEGACY_CUTOVER

        self.cutover = cutover or LEGACY_CUTOVER
        self.con = sql.connect(str(work_dir) if work_dir else None, memory_limit, lazy=True)
        try:
            self._load(tables)
        except BaseException:
            self.con.close()
            raise

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # --- loading -------------------------------------------------------------------------

    def _load(self, tables: Sequence[Table]) -> None:
        con = self.con
        headers: list[tuple[str, list[str], int, int]] = []  # name, header, table, at
        widths: dict[int, int] = {}
        for number, table in enumerate(tables):
            name = f"sheet{number}"
            con.register(f"{name}_arrow", table.data)
            try:
                described = con.execute(f"SELECT * FROM {name}_arrow LIMIT 0").description or []
                if not described:
                    continue
                # One scan of the Arrow data: every cell cleaned, columns renamed c0, c1, …
                # (a reader invents names for blank or repeated headers); rowid = row index.
                cleaned = ", ".join(
                    f"{_clean(_quote_name(d[0]))} AS {_col(i)}" for i, d in enumerate(described)
                )
                con.execute(f"CREATE TEMP TABLE {name} AS SELECT {cleaned} FROM {name}_arrow")
            finally:
                con.unregister(f"{name}_arrow")
            width = widths[number] = len(described)
            columns = ", ".join(_col(i) for i in range(width))
            any_cell = " OR ".join(f"{_col(i)} IS NOT NULL" for i in range(width))
            found = con.execute(
                f"SELECT rowid, {columns} FROM {name} WHERE {any_cell} ORDER BY rowid LIMIT 1"
            ).fetchall()
            if not found:
                continue
            at = int(found[0][0])
            header = [v or "" for v in found[0][1:]]
            while header and not header[-1]:
                header.pop()
            if len(header) < width:
                beyond = " OR ".join(f"{_col(i)} IS NOT NULL" for i in range(len(header), width))
                outside = con.execute(
                    f"SELECT min(rowid) FROM {name} WHERE rowid > {at} AND ({beyond})"
                ).fetchall()
                if outside and outside[0][0] is not None:
                    raise MappingError(
                        f"Trang {table.name}, dòng {table.first_row + int(outside[0][0])}: có dữ "
                        "liệu ngoài các cột tiêu đề"
                    )
            headers.append((table.name, header, number, at))
        if not headers:
            raise MappingError("Tệp rỗng: không có trang nào có dữ liệu")
        first_name, header, _, _ = headers[0]
        for other, other_header, _, _ in headers[1:]:
            if other_header != header:
                raise MappingError(
                    f"Trang {other} có tiêu đề khác trang {first_name}: mọi trang phải cùng "
                    "một dòng tiêu đề"
                )
        self.header = header
        self.header_rows = {n: tables[t].first_row + at for n, _, t, at in headers}
        width = len(header)
        self.width = width
        columns = ", ".join(f"{_col(i)} VARCHAR" for i in range(width))
        con.execute(f"CREATE TEMP TABLE rows (s INTEGER, r BIGINT, {columns})")
        picked = ", ".join(_col(i) for i in range(width))
        for sheet, (_, _, number, at) in enumerate(headers):
            blank = " AND ".join(f"{_col(i)} IS NULL" for i in range(widths[number]))
            first = tables[number].first_row
            con.execute(
                f"""INSERT INTO rows SELECT {sheet}, rowid + {first}, {picked}
                FROM sheet{number} WHERE rowid > {at} AND NOT ({blank})"""
            )
        for number in range(len(tables)):
            con.execute(f"DROP TABLE IF EXISTS sheet{number}")
        self.sheets = [n for n, _, _, _ in headers]
        self.rows = int(con.execute("SELECT count(*) FROM rows").fetchall()[0][0])

    # --- what the app maps once per distinct value --------------------------------------

    def distinct(self, position: int) -> list[str]:
        """The distinct non-blank cleaned values of a column, in the order first met."""
        c = _col(position)
        found = self.con.execute(
            f"SELECT {c} FROM rows WHERE {c} IS NOT NULL GROUP BY {c} ORDER BY min(rowid)"
        ).fetchall()
        return [r[0] for r in found]

    def _legacy(self, received: int) -> str:
        return f"({sql.parse_time(_col(received))} < TIMESTAMP '{self.cutover.isoformat()}')"

    def distinct_units(self, unit: int, received: int) -> list[tuple[str, bool]]:
        """(unit cell, received before the cut-over) of every row whose received time is
        readable (the others are refused by the store for their received time)."""
        c = _col(unit)
        found = self.con.execute(
            f"""SELECT DISTINCT {c}, legacy FROM (
                SELECT {c}, {self._legacy(received)} AS legacy FROM rows WHERE {c} IS NOT NULL)
            WHERE legacy IS NOT NULL"""
        ).fetchall()
        return [(r[0], bool(r[1])) for r in found]

    def non_ascii_text(self, limit: int = 20_000) -> str:
        """Distinct non-ASCII cells and the header, one a line (for the legacy-font test)."""
        union = " UNION ".join(
            f"SELECT {_col(i)} AS v FROM rows WHERE strlen({_col(i)}) <> length({_col(i)})"
            for i in range(self.width)
        )
        values = [r[0] for r in self.con.execute(f"{union} LIMIT {int(limit)}").fetchall()]
        return "\n".join([*self.header, *values])

    def segments(self) -> list[Segment]:
        """Which sheet row each CSV line comes from, as runs of consecutive rows."""
        found = self.con.execute(
            """SELECT min(rowid) + 2 AS line, s, min(r), count(*) FROM rows
            GROUP BY s, r - rowid ORDER BY line"""
        ).fetchall()
        return [Segment(int(line), self.sheets[s], int(r), int(n)) for line, s, r, n in found]

    # --- the canonical CSV ---------------------------------------------------------------

    def write_csv(
        self, path: Path, spec: Spec, max_errors: int = 1000, preview_rows: int = 10
    ) -> Written:
        """Write the canonical CSV (header line, rows in the sheets' order) to ``path``."""
        con = self.con
        idx = spec.columns
        joins: list[str] = []
        errors: list[str] = []
        for k, (column, table) in enumerate(sorted(spec.values.items())):
            if column not in idx:
                continue
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE map_{column} AS SELECT unnest(?::VARCHAR[]) AS raw, "
                "unnest(?::VARCHAR[]) AS v",
                [list(table), list(table.values())],
            )
            joins.append(f" LEFT JOIN map_{column} ON map_{column}.raw = {_col(idx[column])}")
            if any(v is None for v in table.values()):
                reason = _lit(spec.unknown.get(column, ""))
                errors.append(
                    f"SELECT rows.rowid + 2 AS line, {k} AS k, "
                    f"{_lit(spec.names.get(column, column))} AS col, {_col(idx[column])} AS val, "
                    f"{reason} AS reason FROM rows JOIN map_{column} "
                    f"ON map_{column}.raw = {_col(idx[column])} WHERE map_{column}.v IS NULL"
                )
        unit_join = ""
        if spec.units and "unit_code" in idx and "received_at" in idx:
            keys = list(spec.units)
            con.execute(
                "CREATE OR REPLACE TEMP TABLE map_units AS SELECT unnest(?::VARCHAR[]) AS raw, "
                "unnest(?::BOOLEAN[]) AS legacy, unnest(?::VARCHAR[]) AS code, "
                "unnest(?::VARCHAR[]) AS reason",
                [
                    [r for r, _ in keys],
                    [leg for _, leg in keys],
                    [spec.units[k][0] for k in keys],
                    [spec.units[k][1] for k in keys],
                ],
            )
            unit = _col(idx["unit_code"])
            on = (
                f" LEFT JOIN map_units ON map_units.raw = {unit} "
                f"AND map_units.legacy = {self._legacy(idx['received_at'])}"
            )
            unit_join = on
            if any(reason for _, reason in spec.units.values()):
                errors.append(
                    f"SELECT rows.rowid + 2 AS line, 9 AS k, "
                    f"{_lit(spec.names.get('unit_code', 'unit_code'))} AS col, {unit} AS val, "
                    f"map_units.reason AS reason FROM rows{on} WHERE map_units.reason <> ''"
                )
        select = ", ".join(f"{self._output(c, spec)} AS {c}" for c in sql.CSV_COLUMNS)
        source = f"rows{''.join(joins)}{unit_join}"
        con.execute(
            f"COPY (SELECT {select} FROM {source} ORDER BY rows.rowid) TO '{_quote(path)}' "
            "(FORMAT csv, HEADER true)"
        )
        preview = [
            {c: "" if v is None else str(v) for c, v in zip(sql.CSV_COLUMNS, r, strict=True)}
            for r in con.execute(
                f"SELECT {select} FROM {source} WHERE rows.rowid < {int(preview_rows)} "
                "ORDER BY rows.rowid"
            ).fetchall()
        ]
        found: list[tuple[int, str, str, str]] = []
        total = 0
        unmatched: dict[str, list[str]] = {}
        if errors:
            con.execute(f"CREATE OR REPLACE TEMP TABLE app_errors AS {' UNION ALL '.join(errors)}")
            total = int(con.execute("SELECT count(*) FROM app_errors").fetchall()[0][0])
            found = [
                (int(r[0]), r[1], r[2], r[3])
                for r in con.execute(
                    "SELECT line, col, val, reason FROM app_errors ORDER BY line, k "
                    f"LIMIT {int(max_errors)}"
                ).fetchall()
            ]
            for col, val in con.execute(
                """SELECT col, val FROM app_errors GROUP BY col, val
                ORDER BY min(min(line)) OVER (PARTITION BY col), min(line)"""
            ).fetchall():
                unmatched.setdefault(col, []).append(val)
        return Written(self.rows, found, total, unmatched, preview)

    def _output(self, column: str, spec: Spec) -> str:
        idx = spec.columns
        if column not in idx:
            if column == "source_system" and spec.fixed_source:
                return _lit(spec.fixed_source)
            return "CAST(NULL AS VARCHAR)"
        c = _col(idx[column])
        if column == "source_system" and spec.fixed_source:
            return f"coalesce({c}, {_lit(spec.fixed_source)})"
        if column == "supplement_days" and spec.blank_supplement_days:
            return "CAST(NULL AS VARCHAR)"
        if column in spec.values:
            if column == "channel":
                stand_in = "'direct'"  # a valid stand-in: the app reports the cell itself
            else:
                done = _col(idx["finished_at"]) if "finished_at" in idx else "NULL"
                stand_in = f"(CASE WHEN {done} IS NOT NULL THEN 'finished' ELSE 'in_progress' END)"
            return (
                f"(CASE WHEN {c} IS NULL THEN NULL ELSE coalesce(map_{column}.v, {stand_in}) END)"
            )
        if column in sql.TIME_COLUMNS:  # a date cell with milliseconds: to the second
            stamp = r"'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+'"
            return (
                f"(CASE WHEN strlen({c}) > 19 AND regexp_full_match({c}, {stamp}) "
                f"THEN {c}[1:19] ELSE {c} END)"
            )
        if column == "unit_code" and spec.units and "received_at" in idx:
            return f"(CASE WHEN map_units.code <> '' THEN map_units.code ELSE {c} END)"
        return c


def _quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
