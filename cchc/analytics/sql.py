"""SQL text shared by the store, the report and the benchmark: columns, parsing, classification.

The classification here is the SQL twin of ``cchc.core.dossier.classify``; a property test
asserts both agree row by row. Change both or neither.
"""

from __future__ import annotations

from datetime import date

import duckdb

from cchc.core.dossier import Options
from cchc.core.periods import Period

# Canonical CSV columns, in order (docs/dossier.schema.json).
CSV_COLUMNS = (
    "source_system",
    "dossier_code",
    "unit_code",
    "procedure_code",
    "sector",
    "channel",
    "received_at",
    "due_at",
    "original_due_at",
    "finished_at",
    "returned_at",
    "returned_by_post",
    "status",
    "supplement_requests",
    "supplement_days",
    "e_result",
    "digitized",
    "paid_online",
    "apology_issued",
    "outside_boundary",
    "complaint",
)
REQUIRED = ("source_system", "dossier_code", "unit_code", "channel", "received_at", "due_at")
BOOL_COLUMNS = (
    "returned_by_post",
    "e_result",
    "digitized",
    "paid_online",
    "apology_issued",
    "outside_boundary",
    "complaint",
)
TIME_COLUMNS = ("received_at", "due_at", "original_due_at", "finished_at", "returned_at")

# Stored (Parquet) columns and their types.
STORE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source_system", "VARCHAR"),
    ("dossier_code", "VARCHAR"),
    ("unit_code", "VARCHAR"),
    ("procedure_code", "VARCHAR"),
    ("sector", "VARCHAR"),
    ("channel", "VARCHAR"),
    ("received_at", "TIMESTAMP"),
    ("due_at", "TIMESTAMP"),
    ("due_date_only", "BOOLEAN"),
    ("original_due_at", "TIMESTAMP"),
    ("finished_at", "TIMESTAMP"),
    ("finished_date_only", "BOOLEAN"),
    ("returned_at", "TIMESTAMP"),
    ("returned_by_post", "BOOLEAN"),
    ("status", "VARCHAR"),
    ("supplement_requests", "INTEGER"),
    ("supplement_days", "DECIMAL(9,3)"),
    ("e_result", "BOOLEAN"),
    ("digitized", "BOOLEAN"),
    ("paid_online", "BOOLEAN"),
    ("apology_issued", "BOOLEAN"),
    ("outside_boundary", "BOOLEAN"),
    ("complaint", "BOOLEAN"),
)
STORE_NAMES = tuple(name for name, _ in STORE_COLUMNS)

_SERIAL_RE = r"\d+(\.\d+)?"
TRUE_WORDS = ("true", "1", "có", "co", "x", "yes")
FALSE_WORDS = ("false", "0", "không", "khong", "no", "")


def _words(words: tuple[str, ...]) -> str:
    return ", ".join(f"'{w}'" for w in words)


TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)


def parse_time(col: str) -> str:
    """SQL parsing a VARCHAR column the way ``core.dossier.parse_datetime_value`` does.

    ``try_strptime`` over a list of exact formats (no regular expression on the common
    path); an Excel serial only when no format matched.
    """
    v = f"trim({col})"
    formats = ", ".join(f"'{f}'" for f in TIME_FORMATS)
    return f"""coalesce(try_strptime({v}, [{formats}]),
        CASE WHEN regexp_full_match({v}, '{_SERIAL_RE}') AND try_cast({v} AS DECIMAL(18,6)) >= 1
            THEN TIMESTAMP '1899-12-30' + to_seconds(
                CAST(round(try_cast({v} AS DECIMAL(18,6)) * 86400) AS BIGINT)) END)"""


def date_only(col: str) -> str:
    """True when the value carries no time of day."""
    v = f"trim({col})"
    return f"""(CASE
        WHEN regexp_full_match({v}, '{_SERIAL_RE}') THEN NOT contains({v}, '.')
            OR try_cast({v} AS DECIMAL(18,6)) = floor(try_cast({v} AS DECIMAL(18,6)))
        ELSE NOT contains(coalesce({v}, ''), ':')
    END)"""


def parse_bool(col: str) -> str:
    v = f"lower(trim(coalesce({col}, '')))"
    return f"(CASE WHEN {v} IN ({_words(TRUE_WORDS)}) THEN TRUE " + (
        f"WHEN {v} IN ({_words(FALSE_WORDS)}) THEN FALSE END)"
    )


def bool_ok(col: str) -> str:
    v = f"lower(trim(coalesce({col}, '')))"
    return f"({v} IN ({_words(TRUE_WORDS + FALSE_WORDS)}))"


def parse_channel(col: str) -> str:
    v = f"lower(trim(regexp_replace(coalesce({col}, ''), '\\s+', ' ', 'g')))"
    return f"""(CASE
        WHEN {v} IN ('direct', 'online_full', 'online_partial', 'postal') THEN {v}
        WHEN {v} IN ('mức độ 4', 'muc do 4') THEN 'online_full'
        WHEN {v} IN ('mức độ 3', 'muc do 3') THEN 'online_partial'
    END)"""


def parse_status(col: str) -> str:
    v = f"lower(trim(coalesce({col}, '')))"
    return f"(CASE WHEN {v} IN ('in_progress', 'finished', 'rejected', 'withdrawn') THEN {v} END)"


def parse_supplement_days(col: str) -> str:
    v = f"replace(trim(coalesce({col}, '')), ',', '.')"
    return f"""(CASE WHEN {v} = '' THEN CAST(0 AS DECIMAL(9,3))
        WHEN regexp_full_match({v}, '\\d{{1,6}}(\\.\\d{{1,3}})?') THEN CAST({v} AS DECIMAL(9,3))
    END)"""


def parse_count(col: str) -> str:
    v = f"trim(coalesce({col}, ''))"
    return f"""(CASE WHEN {v} = '' THEN 0
        WHEN regexp_full_match({v}, '\\d{{1,9}}') THEN CAST({v} AS INTEGER) END)"""


def lit(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def effective_due(options: Options) -> str:
    """Effective due instant (see core.dossier.effective_due)."""
    expr = (
        "(CASE WHEN due_date_only THEN due_at + INTERVAL 1 DAY - INTERVAL 1 MICROSECOND "
        "ELSE due_at END)"
    )
    if options.supplement_extends_due:
        expr = (
            f"({expr} + to_microseconds(CAST(coalesce(supplement_days, 0) "
            "* 86400000000 AS BIGINT)))"
        )
    return expr


def classification(period: Period, options: Options) -> str:
    """SELECT-list fragments classifying each row; use over rows already in scope.

    Produces ``is_new``, ``outcome`` ('early' | 'on_time' | 'late' | 'pending_within' |
    'pending_overdue' | 'rejected' | 'withdrawn') and ``late_with_apology``.
    """
    s, e = lit(period.start), lit(period.end)
    resolved_status = (
        "status IN ('finished', 'rejected', 'withdrawn')"
        if options.count_rejected_as_resolved
        else "status = 'finished'"
    )
    multi = (
        "OR (status = 'finished' AND supplement_requests > 1)"
        if options.multiple_supplements_late
        else ""
    )
    due = effective_due(options)
    late = f"(finished_at > {due} {multi})"
    return f"""CAST(received_at AS DATE) >= {s} AS is_new,
        CASE
            WHEN finished_at IS NOT NULL AND CAST(finished_at AS DATE) <= {e} THEN
                CASE
                    WHEN NOT ({resolved_status}) THEN
                        CASE WHEN status = 'withdrawn' THEN 'withdrawn' ELSE 'rejected' END
                    WHEN {late} THEN 'late'
                    WHEN CAST(finished_at AS DATE) < CAST({due} AS DATE) THEN 'early'
                    ELSE 'on_time'
                END
            WHEN CAST({due} AS DATE) <= {e} THEN 'pending_overdue'
            ELSE 'pending_within'
        END AS outcome"""


def in_scope(period: Period) -> str:
    """WHERE condition: received by the end, not finished before the start."""
    return (
        f"CAST(received_at AS DATE) <= {lit(period.end)} AND "
        f"(finished_at IS NULL OR CAST(finished_at AS DATE) >= {lit(period.start)})"
    )


def connect(
    temp_dir: str | None = None, memory_limit: str = "1GB", threads: int | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that never downloads anything."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    con.execute(f"SET memory_limit = '{memory_limit}'")
    if temp_dir:
        con.execute("SET temp_directory = ?", [temp_dir])
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET autoload_known_extensions = false")
    return con
