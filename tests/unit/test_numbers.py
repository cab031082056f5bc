from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cchc.core.dates import DateError, format_date, long_date_vi, parse_date
from cchc.core.numbers import (
    NumberError,
    format_number,
    format_percent,
    parse_decimal,
    round_half_up,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7,5", "7.5"),
        ("7.5", "7.5"),
        ("1.822.950", "1822950"),
        ("1 822 950", "1822950"),
        ("1\u00a0822\u00a0950", "1822950"),
        ("1,822,950", "1822950"),
        ("1.822.950,25", "1822950.25"),
        ("0,8002", "0.8002"),
        ("0.825", "0.825"),
        ("1.0000", "1.0000"),
        ("13.200", "13200"),  # a dot before three digits groups thousands, as Vietnamese writes
        ("-2,5", "-2.5"),
        ("45%", "45"),
        ("45 %", "45"),
        ("1 822 950 %", "1822950"),
        (" 12 ", "12"),
        (3, "3"),
        (2.5, "2.5"),
    ],
)
def test_parse_accepts(raw: object, expected: str) -> None:
    assert parse_decimal(raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw", ["7,5,1", "1.82.2", "7 5", "1 82", "abc", "", None, True, float("nan"), "1,,5"]
)
def test_parse_rejects(raw: object) -> None:
    with pytest.raises(NumberError):
        parse_decimal(raw)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [("0.125", 2, "0.13"), ("0.124", 2, "0.12"), ("21.99725", 2, "22.00"), ("-0.125", 2, "-0.13")],
)
def test_round_half_up_like_excel(value: str, places: int, expected: str) -> None:
    assert round_half_up(Decimal(value), places) == Decimal(expected)


def test_vietnamese_formatting() -> None:
    assert format_number(Decimal("73.63")) == "73,63"
    assert format_number(1822950) == "1.822.950"
    assert format_number(Decimal("409.664"), 2) == "409,66"
    assert format_number(Decimal("-1234.5")) == "-1.234,5"
    assert format_percent(Decimal("86.9")) == "86,90 %"
    assert format_date(date(2022, 9, 21)) == "21/09/2022"


def test_dates() -> None:
    assert parse_date("21/9/2022") == date(2022, 9, 21)
    assert parse_date("2022-09-21") == date(2022, 9, 21)
    with pytest.raises(DateError):
        parse_date("31/02/2025")
    assert long_date_vi("Bạch Thông", date(2024, 2, 5)) == "Bạch Thông, ngày 05 tháng 02 năm 2024"
    assert long_date_vi("Thạch Hà", date(2022, 7, 21)) == "Thạch Hà, ngày 21 tháng 7 năm 2022"
    assert long_date_vi("Hà Nội", date(2023, 11, 9)) == "Hà Nội, ngày 09 tháng 11 năm 2023"
