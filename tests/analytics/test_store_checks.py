"""The import's one-expression validity test agrees with its itemised checks and with the
Python parsers in core, row by row, on random messy cells."""

from __future__ import annotations

import csv

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.analytics import sql
from cchc.analytics import store as S
from cchc.core.dossier import (
    ValueParseError,
    parse_bool,
    parse_channel,
    parse_count,
    parse_datetime_value,
    parse_status,
    parse_supplement_days,
)

TIMES = [
    "",
    " ",
    "2024-01-05",
    "2024-01-05 08:00:00",
    "2024-01-06 08:00",
    "2024-01-05T08:00",
    "2024-1-5",
    " 2024-01-07 ",
    "05/01/2024",
    "5/1/2024 8:00",
    "06/01/2024 17:30:00",
    "31/02/2025",
    "2024-02-30",
    "2024-01-05 24:00:00",
    "45296",
    "45296.75",
    "0.5",
    "abc",
    "1989-12-31",
    "2101-01-01",
    "2024/01/05",
]
BOOLS = ["", "1", "0", "x", "X", "có", "Có", "không", "yes", "no", "maybe", " true ", "2"]
CHANNELS = ["direct", "Online_Full", "mức độ 4", "Mức  độ 3", "muc do 3", "fax", "", "postal "]
STATUSES = ["", "finished", "Finished ", "rejected", "withdrawn", "in_progress", "done"]
TEXTS = ["", " ", "A1", " A1 ", "Sở Nội vụ"]
COUNTS = ["", "0", "2", " 3 ", "-1", "1.5", "x"]
DAYS = ["", "0", "1.5", "1,5", "-1", "abc", "1.2345", "0.125"]
UNITS = ["X1", "X2", "OLD", "NEW", "NOPE", "", " X1 "]
UNIT_CHECK = S.UnitCheck(
    known=frozenset({("legacy", "X1"), ("2025", "X1"), ("legacy", "OLD"), ("2025", "NEW"),
                     ("2025", "X2")}),
    allowed=frozenset({("legacy", "X1"), ("2025", "X1"), ("legacy", "OLD"), ("2025", "NEW")}),
)  # fmt: skip


POOLS: dict[str, list[str]] = {
    "source_system": TEXTS,
    "dossier_code": TEXTS,
    "unit_code": UNITS,
    "channel": CHANNELS,
    "received_at": TIMES + ["2024-01-05 09:00:00", "2025-07-01 08:00:00"],
    "due_at": TIMES,
    "original_due_at": TIMES[:4],
    "finished_at": TIMES,
    "returned_at": ["", "2024-01-09"],
    "status": STATUSES,
    "supplement_requests": COUNTS,
    "supplement_days": DAYS,
    "returned_by_post": BOOLS,
    "complaint": BOOLS,
}
# Half the cells take a good value, so valid rows (and rows with a single fault) are common.
GOOD = {
    "source_system": "A1",
    "dossier_code": "A1",
    "unit_code": "X1",
    "channel": "direct",
    "received_at": "2024-01-05 09:00:00",
    "due_at": "2024-01-06 08:00",
    "original_due_at": "",
    "finished_at": "06/01/2024 17:30:00",
    "returned_at": "",
    "status": "finished",
    "supplement_requests": "0",
    "supplement_days": "",
    "returned_by_post": "0",
    "complaint": "",
}
ROW = st.fixed_dictionaries(
    {name: st.one_of(st.just(GOOD[name]), st.sampled_from(pool)) for name, pool in POOLS.items()}
)
SEEN = {True: 0, False: 0}


def python_valid(raw: str, parser: object) -> bool:
    try:
        parser(raw)  # type: ignore[operator]
    except ValueParseError:
        return False
    return True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=30, max_size=60))
def test_validity_agrees_with_checks_and_core(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]]
) -> None:
    path = tmp_path_factory.mktemp("checks") / "rows.csv"
    header = [c for c in sql.CSV_COLUMNS if c in POOLS]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for i, row in enumerate(rows):
            writer.writerow([row[c] if c != "dossier_code" else row[c] + str(i) for c in header])
    con = sql.connect(lazy=True)
    S._register_units(con, UNIT_CHECK)
    checks = S._checks(UNIT_CHECK)
    fired = " OR ".join(f"coalesce({cond}, FALSE)" for _, cond, _ in checks)
    con.execute(f"CREATE TABLE raw AS SELECT * FROM {S._read_csv(path, header)}")
    parsed = f"(SELECT rowid AS line, *, {', '.join(S._parsed())} FROM raw)"
    result = con.execute(
        f"""SELECT line, {S._ok(UNIT_CHECK)} AS ok, {fired} AS bad,
            p_received_at IS NOT NULL, p_due_at IS NOT NULL, p_finished_at IS NOT NULL,
            p_channel, p_status, p_supplement_requests, p_supplement_days,
            p_returned_by_post, p_complaint
        FROM {S._with_units(parsed, UNIT_CHECK)}
        ORDER BY line"""
    ).fetchall()
    con.close()
    assert len(result) == len(rows)
    for row, (line, ok, bad, *parsed) in zip(rows, result, strict=True):
        assert ok is not bad, (line, row)
        SEEN[ok] += 1
        received_ok, due_ok, finished_ok, channel, status, count, days, post, complaint = parsed
        for name, got in (("received_at", received_ok), ("due_at", due_ok),
                          ("finished_at", finished_ok)):  # fmt: skip
            try:
                want = parse_datetime_value(row[name]) is not None
            except ValueParseError:
                want = False
            assert got == want, (name, row[name])
        assert (channel is not None) == python_valid(row["channel"], parse_channel), row
        if channel is not None:
            assert channel == parse_channel(row["channel"])
        blank_status = row["status"].strip() == ""
        assert (status is not None) == (blank_status or python_valid(row["status"], parse_status))
        assert (count is not None) == python_valid(row["supplement_requests"], parse_count)
        assert (days is not None) == python_valid(row["supplement_days"], parse_supplement_days)
        for value, name in ((post, "returned_by_post"), (complaint, "complaint")):
            assert (value is not None) == python_valid(row[name], parse_bool), (name, row[name])
            if value is not None:
                assert value == parse_bool(row[name])


def test_both_kinds_of_rows_were_seen() -> None:
    """Runs after the property test (file order): it met valid and invalid rows."""
    assert SEEN[True] > 50 and SEEN[False] > 50, SEEN
