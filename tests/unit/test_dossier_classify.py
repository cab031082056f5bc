"""Classification of one dossier and value parsing (vectors of docs/DOSSIERS.md §2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from cchc.core import periods
from cchc.core.dossier import (
    Dossier,
    Options,
    ValueParseError,
    classify,
    effective_due,
    parse_bool,
    parse_channel,
    parse_datetime_value,
    parse_status,
    parse_supplement_days,
)

SEPT = periods.custom(date(2024, 9, 1), date(2024, 9, 30))


def dossier(**kw: object) -> Dossier:
    base = Dossier(
        source_system="S",
        dossier_code="HS1",
        unit_code="001",
        channel="direct",
        received_at=datetime(2024, 9, 10, 8, 0),
        due_at=datetime(2024, 9, 20, 17, 0),
        status="finished",
        finished_at=datetime(2024, 9, 20, 17, 30),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def outcome(**kw: object) -> str | None:
    return classify(dossier(**kw), SEPT).outcome


def test_time_versus_date_only() -> None:
    assert outcome() == "late"  # due 20/09 17:00, finished 17:30
    assert outcome(due_date_only=True, due_at=datetime(2024, 9, 20)) == "on_time"
    assert outcome(finished_at=datetime(2024, 9, 20, 17, 0)) == "on_time"
    # a date-only finish on the due day is on time even against a due time
    assert outcome(finished_at=datetime(2024, 9, 20), finished_date_only=True) == "on_time"
    assert outcome(finished_at=datetime(2024, 9, 19, 23, 0)) == "early"
    due_day = {"due_at": datetime(2024, 9, 20), "due_date_only": True}
    assert outcome(finished_at=datetime(2024, 9, 21, 0, 0), **due_day) == "late"


def test_supplement_days_extend_the_due() -> None:
    d = dossier(supplement_requests=1, supplement_days=Decimal("0.5"))
    assert effective_due(d, Options()) == datetime(2024, 9, 21, 5, 0)
    assert classify(d, SEPT).outcome == "early"  # due date is now 21/09
    off = Options(supplement_extends_due=False)
    assert classify(d, SEPT, off).outcome == "late"
    days = dossier(supplement_requests=1, supplement_days=Decimal("0.001"))
    assert effective_due(days, Options()) == datetime(2024, 9, 20, 17, 1, 26, 400000)


def test_multiple_supplements_make_late() -> None:
    d = dossier(finished_at=datetime(2024, 9, 12), supplement_requests=2)
    assert classify(d, SEPT).outcome == "late"
    assert classify(d, SEPT, Options(multiple_supplements_late=False)).outcome == "early"


def test_scope_carry_over_and_pending() -> None:
    carried = dossier(received_at=datetime(2024, 8, 30, 9, 0))
    assert classify(carried, SEPT).scope == "carried_over"
    assert classify(dossier(), SEPT).scope == "new"
    gone = dossier(received_at=datetime(2024, 8, 1), finished_at=datetime(2024, 8, 31, 23, 0))
    assert classify(gone, SEPT).scope is None
    later = dossier(received_at=datetime(2024, 10, 1), due_at=datetime(2024, 10, 5))
    assert classify(later, SEPT).scope is None
    # finished after the period end: in progress, judged at the end
    pending = dossier(due_at=datetime(2024, 10, 3, 17, 0), finished_at=datetime(2024, 10, 2))
    assert classify(pending, SEPT).outcome == "pending_within"
    overdue = dossier(due_at=datetime(2024, 9, 30, 8, 0), finished_at=None, status="in_progress")
    assert classify(overdue, SEPT).outcome == "pending_overdue"


def test_rejected_apart_unless_counted() -> None:
    d = dossier(status="rejected", finished_at=datetime(2024, 9, 15))
    assert classify(d, SEPT).outcome == "rejected"
    assert classify(replace(d, status="withdrawn"), SEPT).outcome == "withdrawn"
    assert classify(d, SEPT, Options(count_rejected_as_resolved=True)).outcome == "early"


def test_late_with_apology() -> None:
    assert classify(dossier(apology_issued=True), SEPT).late_with_apology is True
    assert classify(dossier(), SEPT).late_with_apology is False


def test_unit_key_by_received_date() -> None:
    assert dossier().unit_key == "001@legacy"
    assert dossier(received_at=datetime(2025, 7, 1)).unit_key == "001@2025"


def test_parse_datetimes() -> None:
    assert parse_datetime_value("2024-09-20") == (datetime(2024, 9, 20), True)
    assert parse_datetime_value("2024-09-20T17:30") == (datetime(2024, 9, 20, 17, 30), False)
    assert parse_datetime_value("20/9/2024 17:30:05") == (
        datetime(2024, 9, 20, 17, 30, 5),
        False,
    )
    assert parse_datetime_value("29/02/2024") == (datetime(2024, 2, 29), True)
    assert parse_datetime_value("45000") == (datetime(2023, 3, 15), True)
    assert parse_datetime_value("45000.75") == (datetime(2023, 3, 15, 18, 0), False)
    assert parse_datetime_value(date(2024, 1, 2)) == (datetime(2024, 1, 2), True)
    assert parse_datetime_value("  ") is None
    with pytest.raises(ValueParseError):
        parse_datetime_value("29/02/2023")
    with pytest.raises(ValueParseError):
        parse_datetime_value("2024-09-20 17:30+07")


def test_parse_values() -> None:
    assert [parse_bool(v) for v in ("có", "x", "1", "TRUE", "", None, "không", "0")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    with pytest.raises(ValueParseError):
        parse_bool("maybe")
    assert parse_channel("Mức độ 4") == "online_full"
    assert parse_channel("mức  độ 3") == "online_partial"
    assert parse_channel("postal") == "postal"
    with pytest.raises(ValueParseError):
        parse_channel("mức độ 2")
    assert parse_status("Finished") == "finished"
    assert parse_supplement_days("2,5") == Decimal("2.5")
    with pytest.raises(ValueParseError):
        parse_supplement_days("1.2345")
