"""Edge cases found in review: each was accepted silently before."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc.core.indexset import IndexSetError, read_yaml
from cchc.core.rules import Range, RuleInputError, evaluate, parse_rule


def test_ratio_with_zero_denominator_and_positive_numerator_is_an_error() -> None:
    rule = parse_rule({"type": "ratio", "not_applicable": "full"})
    with pytest.raises(RuleInputError, match="lớn hơn"):
        evaluate(rule, Range(Decimal(0), Decimal(2)), "3/0")
    assert evaluate(rule, Range(Decimal(0), Decimal(2)), "0/0").points == Decimal(
        2
    )  # không phát sinh: full


@pytest.mark.parametrize("text", ["a: &x [*x]\n", "a: &x 1\nb: *x\n"])
def test_yaml_aliases_are_refused_with_their_line(text: str) -> None:
    with pytest.raises(IndexSetError) as info:
        read_yaml(text, "set.yaml")
    issue = info.value.issues[0]
    assert issue.line == text.count("\n")
    assert "alias" in str(issue)
