"""Every rule type at its boundaries, not-applicable handling and bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc.core.numbers import round_half_up
from cchc.core.rules import (
    Band,
    BandsRule,
    CappedRatioRule,
    Choice,
    ChoiceRule,
    CountBandsRule,
    CountLevel,
    DeductionRule,
    ManualRule,
    NotApplicable,
    Range,
    RatioRule,
    RuleInputError,
    TimelinessRule,
    describe,
    evaluate,
    output_bounds,
    parse_rule,
)

D = Decimal


def r(hi: str, lo: str = "0") -> Range:
    return Range(D(lo), D(hi))


def points(rule: object, rng: Range, raw: object) -> Decimal:
    return evaluate(rule, rng, raw).points  # type: ignore[arg-type]


# -- QĐ 766 capped ratio vectors -----------------------------------------------------------


def test_766_online_rate_vectors() -> None:
    rule = CappedRatioRule(threshold=D(50))
    assert points(rule, r("22"), "30") == D("13.2")
    assert points(rule, r("22"), "30 %") == D("13.2")
    assert points(rule, r("22"), "50") == D(22)
    assert points(rule, r("22"), "80") == D(22)
    assert points(rule, r("22"), "0") == D(0)


def test_766_digitisation_just_below_threshold() -> None:
    result = evaluate(CappedRatioRule(threshold=D(80)), r("22"), "79,99")
    assert result.points == D("21.99725")
    assert round_half_up(result.points, 2) == D("22.00")


def test_766_satisfaction() -> None:
    assert points(CappedRatioRule(threshold=D(90)), r("18"), "45") == D("9.00")
    assert points(CappedRatioRule(threshold=D(90)), r("18"), "90") == D(18)


def test_capped_ratio_from_a_b_and_fraction_scale() -> None:
    rule = CappedRatioRule(threshold=D(50))
    assert points(rule, r("22"), "3/10") == D("13.2")
    assert points(rule, r("22"), {"a": 3, "b": 10}) == D("13.2")
    dti = CappedRatioRule(threshold=D(1), scale="fraction")
    assert points(dti, r("150"), "0.5197") == D("77.9550")
    with pytest.raises(RuleInputError, match="lớn hơn 1"):
        evaluate(dti, r("150"), "1.2")
    with pytest.raises(RuleInputError, match="lớn hơn 100 %"):
        evaluate(rule, r("22"), "100,5")


# -- manual --------------------------------------------------------------------------------


def test_manual_bounds_and_step() -> None:
    rule = ManualRule(step=D("0.5"))
    assert points(rule, r("2"), "0") == D(0)
    assert points(rule, r("2"), "2") == D(2)
    assert points(rule, r("2"), "1,5") == D("1.5")
    with pytest.raises(RuleInputError, match="bước 0,5"):
        evaluate(rule, r("2"), "1.25")
    with pytest.raises(RuleInputError, match="lớn hơn điểm tối đa 2"):
        evaluate(rule, r("2"), "2.5")
    with pytest.raises(RuleInputError, match="âm"):
        evaluate(rule, r("2"), "-0.5")
    with pytest.raises(RuleInputError, match="không phải là số"):
        evaluate(rule, r("2"), "hai")
    with pytest.raises(RuleInputError, match="chưa nhập"):
        evaluate(rule, r("2"), "  ")


# -- timeliness ----------------------------------------------------------------------------


def test_timeliness_words() -> None:
    rule = TimelinessRule(on_time=D(1), late=D("0.5"), missing=D(0))
    assert points(rule, r("1"), "on_time") == D(1)
    assert points(rule, r("1"), "Đúng hạn") == D(1)
    assert points(rule, r("1"), "trễ hạn") == D("0.5")
    assert points(rule, r("1"), "late") == D("0.5")
    assert points(rule, r("1"), "missing") == D(0)
    assert points(rule, r("1"), "không") == D(0)
    with pytest.raises(RuleInputError, match="on_time / late / missing"):
        evaluate(rule, r("1"), "sớm")


def test_timeliness_description_reads_plainly() -> None:
    rule = parse_rule(
        {
            "type": "timeliness",
            "on_time": 1,
            "late": "0.5",
            "labels": {
                "on_time": "ban hành đúng hạn",
                "late": "trễ hạn",
                "missing": "không ban hành",
            },
        }
    )
    assert describe(rule, r("1")) == (
        "Ban hành đúng hạn: 1 điểm; trễ hạn: 0,5 điểm; không ban hành: 0 điểm. "
        "Không phát sinh: 0 điểm."
    )
    assert evaluate(rule, r("1"), "không ban hành").explanation == "Không ban hành: 0 điểm"


# -- bands ---------------------------------------------------------------------------------


PLAN = BandsRule(
    bands=[
        Band(min=D(90), min_inclusive=False, points=D(2)),
        Band(min=D(70), max=D(90), max_inclusive=True, points=D(1)),
        Band(max=D(70), points=D(0)),
    ]
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("100", "2"),
        ("90.01", "2"),
        ("90", "1"),
        ("70", "1"),
        ("69,99", "0"),
        ("0", "0"),
    ],
)
def test_plan_completion_bands(value: str, expected: str) -> None:
    assert points(PLAN, r("2"), value) == D(expected)


def test_bands_explanation_and_gap() -> None:
    assert evaluate(PLAN, r("2"), "90").explanation == "90 % thuộc khoảng từ 70 % đến 90 %: 1 điểm"
    gap = BandsRule(bands=[Band(min=D(50), points=D(1))])
    with pytest.raises(RuleInputError, match="không thuộc khoảng nào"):
        evaluate(gap, r("1"), "40")
    assert describe(PLAN, r("2")).startswith(
        "Trên 90 %: 2 điểm; từ 70 % đến 90 %: 1 điểm; dưới 70 %: 0 điểm."
    )


# -- count bands ---------------------------------------------------------------------------

MEETINGS = CountBandsRule(
    noun="cuộc họp",
    levels=[
        CountLevel(at_least=4, points=D(20)),
        CountLevel(at_least=3, points=D(15)),
        CountLevel(at_least=2, points=D(10)),
        CountLevel(at_least=1, points=D(5)),
    ],
)


@pytest.mark.parametrize(
    ("count", "expected"), [("6", 20), ("4", 20), ("3", 15), ("2", 10), ("1", 5), ("0", 0)]
)
def test_meetings(count: str, expected: int) -> None:
    assert points(MEETINGS, r("20"), count) == D(expected)


def test_count_must_be_whole() -> None:
    with pytest.raises(RuleInputError, match="số nguyên"):
        evaluate(MEETINGS, r("20"), "2,5")
    with pytest.raises(RuleInputError, match="âm"):
        evaluate(MEETINGS, r("20"), "-1")
    assert describe(MEETINGS, r("20")).startswith(
        "Từ 4 cuộc họp: 20 điểm; 3 cuộc họp: 15 điểm; 2 cuộc họp: 10 điểm; 1 cuộc họp: 5 điểm."
    )


# -- ratio and not applicable --------------------------------------------------------------


def test_ratio() -> None:
    rule = RatioRule()
    assert points(rule, r("30"), "12/15") == D(24)
    assert points(rule, r("30"), {"a": "0", "b": "15"}) == D(0)
    assert points(rule, r("30"), ("15", "15")) == D(30)
    with pytest.raises(RuleInputError, match="lớn hơn"):
        evaluate(rule, r("30"), "16/15")
    with pytest.raises(RuleInputError, match="không phải là số"):
        evaluate(rule, r("30"), "x/15")
    with pytest.raises(RuleInputError, match="a/b"):
        evaluate(rule, r("30"), "12")


@pytest.mark.parametrize(
    ("mode", "expected", "excluded"),
    [("full", "30", False), ("zero", "0", False), ("exclude", "0", True)],
)
def test_b_zero_follows_not_applicable(mode: str, expected: str, excluded: bool) -> None:
    rule = RatioRule(not_applicable=NotApplicable(mode))
    result = evaluate(rule, r("30"), "0/0")
    assert (result.points, result.excluded, result.not_applicable) == (D(expected), excluded, True)
    said = evaluate(rule, r("30"), "Không phát sinh")
    assert (said.points, said.excluded) == (D(expected), excluded)


# -- choice and deduction ------------------------------------------------------------------


def test_choice_by_code_or_label() -> None:
    rule = ChoiceRule(
        choices=[
            Choice(code="head", label="Bí thư hoặc Chủ tịch", points=D(20)),
            Choice(code="deputy", label="Phó Chủ tịch", points=D(10)),
            Choice(code="none", label="Chưa thành lập", points=D(0)),
        ]
    )
    assert points(rule, r("20"), "head") == D(20)
    assert points(rule, r("20"), "pho chu tich") == D(10)
    assert points(rule, r("20"), "NONE") == D(0)
    with pytest.raises(RuleInputError, match="head, deputy, none"):
        evaluate(rule, r("20"), "chairman")


def test_deduction_with_floor() -> None:
    rule = DeductionRule(per_item=D(10), noun="sự cố")
    assert points(rule, r("50"), "0") == D(50)
    assert points(rule, r("50"), "2") == D(30)
    assert points(rule, r("50"), "9") == D(0)
    floored = DeductionRule(per_item=D(1), floor=D(1))
    assert points(floored, r("3"), "5") == D(1)
    # On a deduction criterion the range is [-cap, 0].
    penalty = DeductionRule(per_item=D("0.25"))
    assert points(penalty, r("0", "-1"), "2") == D("-0.50")
    assert points(penalty, r("0", "-1"), "10") == D(-1)


def test_output_bounds() -> None:
    assert output_bounds(MEETINGS, r("20")) == (D(0), D(20))
    assert output_bounds(ManualRule(not_applicable=NotApplicable.FULL), r("5")) == (D(0), D(5))
    too_high = TimelinessRule(on_time=D(3), late=D(1))
    assert output_bounds(too_high, r("2")) == (D(0), D(3))
