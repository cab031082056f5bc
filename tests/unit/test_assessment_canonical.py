from __future__ import annotations

import re
from decimal import Decimal

import pytest

from cchc.core.canonical import SignedCriterion, canonical_json, fixed, signed_state, state_hash
from cchc.reports.assessment_svg import Bar, FieldBars, field_comparison, ranking_bars


def test_fixed_decimals_by_value() -> None:
    assert [fixed(Decimal(x)) for x in ("18", "18.0", "1.8E+1", "0.50", "-0", "73.6300")] == [
        "18",
        "18",
        "18",
        "0.5",
        "0",
        "73.63",
    ]


def test_canonical_json_is_order_independent_and_refuses_float() -> None:
    a = canonical_json({"b": Decimal("1.50"), "a": [1, "x"]})
    assert a == '{"a":[1,"x"],"b":"1.5"}'
    with pytest.raises(TypeError):
        canonical_json({"x": 0.1})


def test_signed_state_sorts_criteria_and_evidence() -> None:
    one = SignedCriterion("I.2", "4", Decimal("2.0000"), False, "", ("b", "a"))
    two = SignedCriterion("I.1", "đúng hạn", Decimal(1), False, "ghi chú", ())
    s1 = signed_state(
        round_code="r", unit_key="795@legacy", stage="self", revision=1, criteria=[one, two]
    )
    s2 = signed_state(
        round_code="r", unit_key="795@legacy", stage="self", revision=1, criteria=[two, one]
    )
    assert state_hash(s1) == state_hash(s2)
    assert [c["code"] for c in s1["criteria"]] == ["I.1", "I.2"]
    assert s1["criteria"][1]["evidence"] == ["a", "b"]
    changed = signed_state(
        round_code="r",
        unit_key="795@legacy",
        stage="self",
        revision=1,
        criteria=[two, SignedCriterion("I.2", "4", Decimal("1.5"), False, "", ())],
    )
    assert state_hash(changed) != state_hash(s1)
    assert re.fullmatch(r"[0-9a-f]{64}", state_hash(s1))


def test_ranking_bars_carry_exact_values() -> None:
    svg = ranking_bars(
        [Bar("Thị xã Kiến Tường", Decimal("73.63"), True), Bar("A & B", Decimal("88.12"))],
        maximum=Decimal(100),
    )
    assert "<title>Thị xã Kiến Tường: 73,63</title>" in svg
    assert 'data-value="88,12"' in svg and "A &amp; B" in svg
    assert 'width="316.61"' in svg  # 73,63 % of the 430 px plot


def test_field_comparison_has_three_series() -> None:
    svg = field_comparison([FieldBars("I", Decimal(8), Decimal("6.1"), Decimal("6.5"), Decimal(8))])
    assert svg.count("<rect") == 6  # 3 bars + 3 legend boxes
    assert 'data-series="median" data-value="6,50"' in svg
