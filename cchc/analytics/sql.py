"""SQL text shared by the store, the report and the benchmark: columns, parsing, classification.

The classification here is the SQL twin of ``cchc.core.dossier.classify``; a property test
asserts both agree row by row. Change both or neither.
"""

from __future__ import annotations

from datetime import date, timedelta

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

# Derived columns stored next to them so reports do no date arithmetic per row: the due
# instant with a date-only due taken at the end of its day, without (``due_end``) and with
# (``due_eff``) the supplement days (see core.dossier.effective_due).
_END_OF_DAY = (
    "(CASE WHEN due_date_only THEN due_at + INTERVAL 1 DAY - INTERVAL 1 MICROSECOND "
    "ELSE due_at END)"
)
DERIVED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("due_end", "TIMESTAMP", _END_OF_DAY),
    (
        "due_eff",
        "TIMESTAMP",
        f"({_END_OF_DAY} + to_microseconds(CAST(coalesce(supplement_days, 0) "
        "* 86400000000 AS BIGINT)))",
    ),
)
FILE_NAMES = STORE_NAMES + tuple(name for name, _, _ in DERIVED_COLUMNS)


def with_derived(table: str) -> str:
    """A subquery adding the derived columns to a table holding STORE_COLUMNS."""
    derived = ", ".join(f"CAST({expr} AS {kind}) AS {name}" for name, kind, expr in DERIVED_COLUMNS)
    return f"(SELECT *, {derived} FROM {table})"


_SERIAL_RE = r"\d+(\.\d+)?"
TRUE_WORDS = ("true", "1", "có", "co", "x", "yes")
FALSE_WORDS = ("false", "0", "không", "khong", "no", "")


def one_of(value: str, words: tuple[str, ...]) -> str:
    """``value IN (words)`` as equalities: DuckDB turns an IN list of five or more into a
    lookup it evaluates for every row, even inside a CASE branch few rows reach."""
    return "(" + " OR ".join(f"{value} = '{w}'" for w in words) + ")"


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

    NULL for a blank or an invalid value. Fast path: a 10- or 19-byte value without ``/`` or
    hour 24 that DuckDB casts (``yyyy-mm-dd[ hh:mm:ss]``, also with ``T``); otherwise
    ``try_strptime`` over a list of exact formats; an Excel serial only when no format
    matched. The branches are lazy only on a connection without common-subexpression
    elimination (``connect(..., lazy=True)``): with it DuckDB would compute the slow
    branches' shared ``trim`` for every row.
    """
    v = f"trim({col})"
    formats = ", ".join(f"'{f}'" for f in TIME_FORMATS)
    slow = f"""coalesce(try_strptime({v}, [{formats}]),
            CASE WHEN regexp_full_match({v}, '{_SERIAL_RE}')
                AND try_cast({v} AS DECIMAL(18,6)) >= 1
            THEN TIMESTAMP '1899-12-30' + to_seconds(
                CAST(round(try_cast({v} AS DECIMAL(18,6)) * 86400) AS BIGINT)) END)"""
    return f"""(CASE WHEN {col} IS NULL OR {col} = '' THEN NULL
        WHEN strlen({col}) IN (10, 19) AND NOT contains({col}, '/')
            AND NOT contains({col}, ' 24:') THEN coalesce(try_cast({col} AS TIMESTAMP), {slow})
        ELSE {slow} END)"""


def date_only(col: str) -> str:
    """True when the value carries no time of day (a ':' or, for a serial, a fraction)."""
    v = f"trim({col})"
    return f"""(CASE
        WHEN contains({col}, ':') THEN FALSE
        WHEN contains({col}, '-') OR contains({col}, '/') THEN TRUE
        WHEN regexp_full_match({v}, '{_SERIAL_RE}') THEN NOT contains({v}, '.')
            OR try_cast({v} AS DECIMAL(18,6)) = floor(try_cast({v} AS DECIMAL(18,6)))
        ELSE NOT contains(coalesce({v}, ''), ':')
    END)"""


def parse_bool(col: str) -> str:
    """TRUE / FALSE (a blank is FALSE); NULL for any other value."""
    v = f"lower(trim(coalesce({col}, '')))"
    return (
        f"(CASE WHEN {col} = '1' THEN TRUE WHEN {col} = '0' THEN FALSE "
        f"WHEN {one_of(v, TRUE_WORDS)} THEN TRUE "
        f"WHEN {one_of(v, FALSE_WORDS)} THEN FALSE END)"
    )


def clean(col: str) -> str:
    """``trim(col)``, cheaply: most values have no surrounding spaces."""
    return (
        f"(CASE WHEN starts_with({col}, ' ') OR ends_with({col}, ' ') "
        f"OR contains({col}, chr(9)) THEN trim({col}) ELSE {col} END)"
    )


def text(col: str) -> str:
    """``clean(col)`` in Unicode NFC (only values with non-ASCII bytes need normalising)."""
    return (
        f"(CASE WHEN strlen({col}) <> length({col}) THEN nfc_normalize(trim({col})) "
        f"ELSE {clean(col)} END)"
    )


def blank(col: str) -> str:
    """NULL, empty or only spaces (``trim(coalesce(col, '')) = ''``)."""
    return f"(CASE WHEN {col} IS NULL THEN TRUE ELSE {clean(col)} = '' END)"


def lazy_and(first: str, then: str) -> str:
    """``first AND then``, with ``then`` evaluated only where ``first`` holds."""
    return f"(CASE WHEN {first} THEN {then} ELSE FALSE END)"


CHANNEL_WORDS = ("direct", "online_full", "online_partial", "postal")
STATUS_WORDS = ("in_progress", "finished", "rejected", "withdrawn")


def parse_channel(col: str) -> str:
    v = f"lower(trim(regexp_replace(coalesce({col}, ''), '\\s+', ' ', 'g')))"
    return f"""(CASE
        WHEN {one_of(col, CHANNEL_WORDS)} THEN {col}
        WHEN {one_of(v, CHANNEL_WORDS)} THEN {v}
        WHEN {one_of(v, ("mức độ 4", "muc do 4"))} THEN 'online_full'
        WHEN {one_of(v, ("mức độ 3", "muc do 3"))} THEN 'online_partial'
    END)"""


def parse_status(col: str) -> str:
    """The status; ``''`` for a blank (in progress unless a result date says otherwise),
    NULL for an invalid value."""
    v = f"lower(trim(coalesce({col}, '')))"
    return f"""(CASE WHEN {one_of(col, STATUS_WORDS)} THEN {col}
        WHEN {one_of(v, (*STATUS_WORDS, ""))} THEN {v} END)"""


def parse_supplement_days(col: str) -> str:
    v = f"replace(trim(coalesce({col}, '')), ',', '.')"
    return f"""(CASE WHEN {col} IN ('0', '0.0') THEN CAST(0 AS DECIMAL(9,3))
        WHEN {v} = '' THEN CAST(0 AS DECIMAL(9,3))
        WHEN regexp_full_match({v}, '\\d{{1,6}}(\\.\\d{{1,3}})?') THEN CAST({v} AS DECIMAL(9,3))
    END)"""


def parse_count(col: str) -> str:
    v = f"trim(coalesce({col}, ''))"
    return f"""(CASE WHEN {col} IN ('0', '1', '2', '3') THEN CAST({col} AS INTEGER)
        WHEN {v} = '' THEN 0
        WHEN regexp_full_match({v}, '\\d{{1,9}}') THEN CAST({v} AS INTEGER) END)"""


def lit(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def effective_due(options: Options) -> str:
    """Effective due instant (see core.dossier.effective_due): a stored derived column."""
    return "due_eff" if options.supplement_extends_due else "due_end"


def ts(day: date) -> str:
    """The instant a day starts: ``CAST(x AS DATE) <= d`` ⇔ ``x < ts(d + 1 day)``."""
    return f"TIMESTAMP '{day.isoformat()} 00:00:00'"


# Outcome codes (small integers compare faster than strings in the report's aggregates).
OUTCOMES = (
    "early",
    "on_time",
    "late",
    "pending_within",
    "pending_overdue",
    "rejected",
    "withdrawn",
)
OUTCOME_CODE = {name: i + 1 for i, name in enumerate(OUTCOMES)}
OUTCOME_NAME = (
    "CASE oc "
    + " ".join(f"WHEN {code} THEN '{name}'" for name, code in OUTCOME_CODE.items())
    + " END"
)


# ``oc`` of a row outside the period (``classification(..., include_outside=True)``).
OUT_OF_SCOPE = 0


def classification(period: Period, options: Options, *, include_outside: bool = False) -> str:
    """SELECT-list fragments classifying each row; use over rows already in scope.

    Produces ``is_new`` and ``oc`` (the outcome's code in ``OUTCOME_CODE``: 'early' |
    'on_time' | 'late' | 'pending_within' | 'pending_overdue' | 'rejected' | 'withdrawn');
    ``OUTCOME_NAME`` turns ``oc`` back into the name. Needs the derived columns.
    ``include_outside``: for rows not yet filtered by ``in_scope``, ``oc`` is
    ``OUT_OF_SCOPE`` (0) outside the period. The report scans that way: a scan filter on
    ``finished_at IS NULL OR …`` makes DuckDB's Parquet reader filter and slice every
    column vector, which cost more than classifying the ~10 % of rows it drops.
    Day comparisons are written on the raw instants (``CAST(x AS DATE) <= E`` ⇔
    ``x < E+1 00:00``) so Parquet zone maps can prune.
    """
    o = OUTCOME_CODE
    after_end = ts(period.end + timedelta(days=1))
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
    outside = f"WHEN NOT ({in_scope(period)}) THEN {OUT_OF_SCOPE}" if include_outside else ""
    return f"""received_at >= {ts(period.start)} AS is_new,
        CASE {outside}
            WHEN finished_at < {after_end} THEN
                CASE
                    WHEN NOT ({resolved_status}) THEN
                        CASE WHEN status = 'withdrawn' THEN {o["withdrawn"]}
                             ELSE {o["rejected"]} END
                    WHEN {late} THEN {o["late"]}
                    WHEN CAST(finished_at AS DATE) < CAST({due} AS DATE) THEN {o["early"]}
                    ELSE {o["on_time"]}
                END
            WHEN {due} < {after_end} THEN {o["pending_overdue"]}
            ELSE {o["pending_within"]}
        END AS oc"""


def in_scope(period: Period) -> str:
    """WHERE condition: received by the end, not finished before the start."""
    return (
        f"received_at < {ts(period.end + timedelta(days=1))} AND "
        f"(finished_at IS NULL OR finished_at >= {ts(period.start)})"
    )


def connect(
    temp_dir: str | None = None,
    memory_limit: str = "1GB",
    threads: int | None = None,
    *,
    lazy: bool = False,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that never downloads anything.

    ``lazy``: without common-subexpression elimination, so the parsing expressions above
    evaluate their slow branches only for the rows that reach them (the import's
    connection: 2× faster parsing; reports keep the optimiser whole).
    """
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    if lazy:
        con.execute("SET disabled_optimizers = 'common_subexpressions'")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    if temp_dir:
        con.execute("SET temp_directory = ?", [temp_dir])
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET parquet_metadata_cache = true")
    return con
