"""Scoring rules of an index set's criteria, as data, and their evaluation.

A rule turns what a unit reports ("3 cuộc họp", "ban hành trễ hạn", "a = 12, b = 15",
"không phát sinh") into points. Every rule yields points inside the criterion's range:
[0, max] for an ordinary criterion, [0, cap] for a bonus and [-cap, 0] for a deduction.
Rates are written in percent (``30`` or ``30 %`` is 30 %) unless the rule says
``scale: fraction`` (the DTI publishes 0,8253).

Decimal only. Explanations are Vietnamese: they are shown to commune officers as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter

from cchc.core.numbers import NumberError, format_number, parse_decimal

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


class RuleInputError(ValueError):
    """Input a rule cannot score (negative, not a number, unknown choice …)."""


def _to_decimal(value: object) -> object:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            return parse_decimal(value)
        except NumberError:
            return value
    return value


Dec = Annotated[Decimal, BeforeValidator(_to_decimal)]


class NotApplicable(StrEnum):
    """What "không phát sinh" (nothing to assess this year) is worth."""

    FULL = "full"
    EXCLUDE = "exclude"
    ZERO = "zero"


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    not_applicable: NotApplicable = NotApplicable.ZERO


class ManualRule(_Rule):
    """Points entered by hand, in [0, max] by ``step``."""

    type: Literal["manual"] = "manual"
    step: Dec | None = Field(default=None, gt=0)


class TimelinessLabels(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    on_time: str = "đúng hạn"
    late: str = "trễ hạn"
    missing: str = "không thực hiện"


class TimelinessRule(_Rule):
    """On time / late / missing → points."""

    type: Literal["timeliness"] = "timeliness"
    on_time: Dec
    late: Dec
    missing: Dec = ZERO
    labels: TimelinessLabels = TimelinessLabels()


class Band(BaseModel):
    """A range of a number with explicit bounds; a missing bound is open."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min: Dec | None = None
    min_inclusive: bool = True
    max: Dec | None = None
    max_inclusive: bool = False
    points: Dec

    def contains(self, value: Decimal) -> bool:
        if self.min is not None and (
            value < self.min or (value == self.min and not self.min_inclusive)
        ):
            return False
        return not (
            self.max is not None
            and (value > self.max or (value == self.max and not self.max_inclusive))
        )


class BandsRule(_Rule):
    """Points by the band a number falls in (plan completion > 90 % → 2 …)."""

    type: Literal["bands"] = "bands"
    unit: Literal["percent", "number"] = "percent"
    bands: list[Band] = Field(min_length=1)


class CountLevel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    at_least: int = Field(ge=0)
    points: Dec


class CountBandsRule(_Rule):
    """A count → points by the highest level reached (4/3/2/1 meetings → 20/15/10/5)."""

    type: Literal["count_bands"] = "count_bands"
    noun: str = "lần"
    levels: list[CountLevel] = Field(min_length=1)


class RatioRule(_Rule):
    """a / b × max (directives signed by the head / directives required)."""

    type: Literal["ratio"] = "ratio"
    a_label: str = "a"
    b_label: str = "b"


class CappedRatioRule(_Rule):
    """min(rate / threshold, 1) × max: full marks from the threshold up (QĐ 766)."""

    type: Literal["capped_ratio"] = "capped_ratio"
    threshold: Dec = Field(gt=0)
    scale: Literal["percent", "fraction"] = "percent"


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    label: str
    points: Dec


class ChoiceRule(_Rule):
    """One of a list (head / deputy / none → full / half / 0)."""

    type: Literal["choice"] = "choice"
    choices: list[Choice] = Field(min_length=1)


class DeductionRule(_Rule):
    """Start from the top of the range and lose ``per_item`` per occurrence, not below ``floor``.

    On a deduction criterion (range [-cap, 0]) the top is 0 and the floor defaults to -cap.
    """

    type: Literal["deduction"] = "deduction"
    per_item: Dec = Field(gt=0)
    floor: Dec | None = None
    noun: str = "trường hợp"


Rule = Annotated[
    ManualRule
    | TimelinessRule
    | BandsRule
    | CountBandsRule
    | RatioRule
    | CappedRatioRule
    | ChoiceRule
    | DeductionRule,
    Field(discriminator="type"),
]
RULE_TYPES = (
    "manual",
    "timeliness",
    "bands",
    "count_bands",
    "ratio",
    "capped_ratio",
    "choice",
    "deduction",
)
RULE_ADAPTER: TypeAdapter[Rule] = TypeAdapter(Rule)


def parse_rule(data: Mapping[str, Any]) -> Rule:
    """Validate a rule's JSON (as stored on a criterion)."""
    return RULE_ADAPTER.validate_python(dict(data))


@dataclass(frozen=True, slots=True)
class Range:
    """The points a criterion can yield."""

    lo: Decimal
    hi: Decimal


@dataclass(frozen=True, slots=True)
class RuleResult:
    points: Decimal
    explanation: str
    not_applicable: bool = False
    excluded: bool = False


# -- input normalisation ------------------------------------------------------------------

_NA_WORDS = {"khong phat sinh", "kps", "na", "n/a", "not applicable", "khongphatsinh"}
_ON_TIME = {"on_time", "dung han", "dung thoi han", "co", "yes", "x"}
_LATE = {"late", "tre han", "cham", "muon", "qua han", "tre"}
_MISSING = {"missing", "khong", "no", "none", "chua", "khong ban hanh", "khong thuc hien"}


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d) and squeeze spaces: for matching."""
    text = unicodedata.normalize("NFD", text.strip().lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", text)


def is_not_applicable(raw: object) -> bool:
    return isinstance(raw, str) and fold(raw) in _NA_WORDS


def _number(raw: object, what: str = "giá trị") -> Decimal:
    try:
        value = parse_decimal(raw)
    except NumberError as exc:
        raise RuleInputError(f"{what} {raw!r} không phải là số") from exc
    if not value.is_finite():
        raise RuleInputError(f"{what} {raw!r} không phải là số")
    if value < 0:
        raise RuleInputError(f"{what} {format_number(value)} âm")
    return value


def _pair(raw: object) -> tuple[Decimal, Decimal]:
    if isinstance(raw, Mapping):
        if "a" not in raw or "b" not in raw:
            raise RuleInputError("cần cả a và b")
        return _number(raw["a"], "a"), _number(raw["b"], "b")
    if isinstance(raw, tuple | list) and len(raw) == 2:
        return _number(raw[0], "a"), _number(raw[1], "b")
    if isinstance(raw, str) and raw.count("/") == 1:
        left, right = raw.split("/")
        return _number(left, "a"), _number(right, "b")
    raise RuleInputError(f"cần nhập a/b (ví dụ 12/15), không phải {raw!r}")


def pts(value: Decimal) -> str:
    """``Decimal('0.5')`` → ``0,5 điểm``; trailing zeros dropped."""
    return f"{_num(value)} điểm"


def short_number(value: Decimal) -> str:
    """Vietnamese number without trailing zeros: ``18.0000`` → ``18``, ``0.50`` → ``0,5``."""
    return _num(value)


def _num(value: Decimal) -> str:
    text = format_number(value)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def _pct(value: Decimal, rule_scale: str = "percent") -> str:
    return _num(value) if rule_scale == "fraction" else f"{_num(value)} %"


# -- evaluation ----------------------------------------------------------------------------


def _not_applicable(rule: Rule, rng: Range, why: str = "không phát sinh") -> RuleResult:
    if rule.not_applicable == NotApplicable.FULL:
        return RuleResult(rng.hi, f"{why}: tính đủ {pts(rng.hi)}", not_applicable=True)
    if rule.not_applicable == NotApplicable.EXCLUDE:
        return RuleResult(
            ZERO, f"{why}: không tính, loại khỏi điểm tối đa", not_applicable=True, excluded=True
        )
    return RuleResult(ZERO, f"{why}: 0 điểm", not_applicable=True)


def evaluate(rule: Rule, rng: Range, raw: object) -> RuleResult:
    """Score ``raw`` (a number, a word, ``a/b``, ``{"a":…, "b":…}`` or "không phát sinh")."""
    if is_not_applicable(raw):
        return _not_applicable(rule, rng)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RuleInputError("chưa nhập giá trị")
    match rule:
        case ManualRule():
            return _manual(rule, rng, raw)
        case TimelinessRule():
            return _timeliness(rule, raw)
        case BandsRule():
            value = _number(raw)
            for band in rule.bands:
                if band.contains(value):
                    unit = "%" if rule.unit == "percent" else ""
                    return RuleResult(
                        band.points,
                        f"{_num(value)}{' ' + unit if unit else ''} thuộc khoảng "
                        f"{describe_band(band, rule.unit)}: {pts(band.points)}",
                    )
            raise RuleInputError(f"giá trị {_num(value)} không thuộc khoảng nào của quy tắc")
        case CountBandsRule():
            count = _number(raw, "số lần")
            if count != count.to_integral_value():
                raise RuleInputError(f"số lần {_num(count)} phải là số nguyên")
            for level in sorted(rule.levels, key=lambda lv: -lv.at_least):
                if count >= level.at_least:
                    return RuleResult(
                        level.points, f"{_num(count)} {rule.noun}: {pts(level.points)}"
                    )
            return RuleResult(ZERO, f"{_num(count)} {rule.noun}: 0 điểm")
        case RatioRule():
            a, b = _pair(raw)
            if b == 0:
                if a != 0:
                    raise RuleInputError(f"{rule.a_label} ({_num(a)}) lớn hơn {rule.b_label} (0)")
                return _not_applicable(rule, rng, f"{rule.b_label} = 0")
            if a > b:
                raise RuleInputError(
                    f"{rule.a_label} ({_num(a)}) lớn hơn {rule.b_label} ({_num(b)})"
                )
            points = a / b * rng.hi
            return RuleResult(points, f"{_num(a)}/{_num(b)} × {_num(rng.hi)} = {_num(points)} điểm")
        case CappedRatioRule():
            return _capped(rule, rng, raw)
        case ChoiceRule():
            key = fold(str(raw))
            for choice in rule.choices:
                if key in (fold(choice.code), fold(choice.label)):
                    return RuleResult(choice.points, f"{choice.label}: {pts(choice.points)}")
            known = ", ".join(c.code for c in rule.choices)
            raise RuleInputError(f"lựa chọn {raw!r} không có trong danh sách ({known})")
        case DeductionRule():
            count = _number(raw, "số trường hợp")
            if count != count.to_integral_value():
                raise RuleInputError(f"số trường hợp {_num(count)} phải là số nguyên")
            floor = rule.floor if rule.floor is not None else rng.lo
            points = max(rng.hi - count * rule.per_item, floor)
            return RuleResult(points, f"{_num(count)} {rule.noun}: {pts(points)}")
    raise RuleInputError(f"loại quy tắc không biết: {rule!r}")  # pragma: no cover


def _manual(rule: ManualRule, rng: Range, raw: object) -> RuleResult:
    try:
        value = parse_decimal(raw)
    except NumberError as exc:
        raise RuleInputError(f"điểm {raw!r} không phải là số") from exc
    check_points(value, rng)
    if rule.step is not None and (value - rng.lo) % rule.step != 0:
        raise RuleInputError(f"điểm {_num(value)} không theo bước {_num(rule.step)}")
    return RuleResult(value, f"chấm {pts(value)}")


def check_points(value: Decimal, rng: Range) -> None:
    """Points entered directly must lie in the criterion's range."""
    if not value.is_finite():
        raise RuleInputError(f"điểm {value!r} không phải là số")
    if value < rng.lo or value > rng.hi:
        raise RuleInputError(
            f"điểm {_num(value)} ngoài khoảng [{_num(rng.lo)}; {_num(rng.hi)}]"
            if rng.lo < 0
            else f"điểm {_num(value)} âm hoặc lớn hơn điểm tối đa {_num(rng.hi)}"
        )


def _timeliness(rule: TimelinessRule, raw: object) -> RuleResult:
    key = fold(str(raw))
    labels = rule.labels
    if key in _ON_TIME or key == fold(labels.on_time):
        return RuleResult(rule.on_time, f"{_cap(labels.on_time)}: {pts(rule.on_time)}")
    if key in _LATE or key == fold(labels.late):
        return RuleResult(rule.late, f"{_cap(labels.late)}: {pts(rule.late)}")
    if key in _MISSING or key == fold(labels.missing):
        return RuleResult(rule.missing, f"{_cap(labels.missing)}: {pts(rule.missing)}")
    raise RuleInputError(
        f"{raw!r} không phải on_time / late / missing (đúng hạn / trễ hạn / không)"
    )


def _capped(rule: CappedRatioRule, rng: Range, raw: object) -> RuleResult:
    if isinstance(raw, Mapping | tuple | list) or (isinstance(raw, str) and "/" in raw):
        a, b = _pair(raw)
        if b == 0:
            if a != 0:
                raise RuleInputError(f"a ({_num(a)}) lớn hơn b (0)")
            return _not_applicable(rule, rng, "mẫu số = 0")
        if a > b:
            raise RuleInputError(f"a ({_num(a)}) lớn hơn b ({_num(b)})")
        rate = a / b * (ONE if rule.scale == "fraction" else HUNDRED)
    else:
        rate = _number(raw, "tỷ lệ")
    top = ONE if rule.scale == "fraction" else HUNDRED
    if rate > top:
        raise RuleInputError(f"tỷ lệ {_pct(rate, rule.scale)} lớn hơn {_pct(top, rule.scale)}")
    points = min(rate / rule.threshold, ONE) * rng.hi
    return RuleResult(
        points,
        f"tỷ lệ {_pct(rate, rule.scale)}, đạt đủ điểm từ {_pct(rule.threshold, rule.scale)}: "
        f"{_num(points)} điểm",
    )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- bounds and plain-language description ------------------------------------------------


def output_bounds(rule: Rule, rng: Range) -> tuple[Decimal, Decimal]:
    """The lowest and highest points the rule can give (for validation)."""
    na = {
        NotApplicable.FULL: rng.hi,
        NotApplicable.EXCLUDE: ZERO,
        NotApplicable.ZERO: ZERO,
    }[rule.not_applicable]
    values: list[Decimal] = [na]
    match rule:
        case ManualRule() | RatioRule() | CappedRatioRule():
            values += [max(rng.lo, ZERO), rng.hi]
        case TimelinessRule():
            values += [rule.on_time, rule.late, rule.missing]
        case BandsRule():
            values += [band.points for band in rule.bands]
        case CountBandsRule():
            values += [level.points for level in rule.levels]
            if min(level.at_least for level in rule.levels) > 0:
                values.append(ZERO)
        case ChoiceRule():
            values += [choice.points for choice in rule.choices]
        case DeductionRule():
            values += [rng.hi, rule.floor if rule.floor is not None else rng.lo]
    return min(values), max(values)


def describe_band(band: Band, unit: str = "percent") -> str:
    suffix = " %" if unit == "percent" else ""
    if band.min is not None and band.max is not None:
        left = "từ" if band.min_inclusive else "trên"
        right = "đến" if band.max_inclusive else "dưới"
        return f"{left} {_num(band.min)}{suffix} {right} {_num(band.max)}{suffix}"
    if band.min is not None:
        return f"{'từ' if band.min_inclusive else 'trên'} {_num(band.min)}{suffix}"
    if band.max is not None:
        return f"{'đến' if band.max_inclusive else 'dưới'} {_num(band.max)}{suffix}"
    return "mọi giá trị"


def describe(rule: Rule, rng: Range) -> str:
    """The rule in plain Vietnamese, as a commune officer reads it."""
    match rule:
        case ManualRule():
            text = f"Chấm từ {_num(max(rng.lo, ZERO))} đến {pts(rng.hi)}"
            if rng.lo < 0:
                text = f"Trừ từ 0 đến {pts(-rng.lo)}"
            if rule.step is not None:
                text += f", bước {_num(rule.step)}"
        case TimelinessRule():
            text = (
                f"{_cap(rule.labels.on_time)}: {pts(rule.on_time)}; "
                f"{rule.labels.late}: {pts(rule.late)}; "
                f"{rule.labels.missing}: {pts(rule.missing)}"
            )
        case BandsRule():
            text = "; ".join(f"{describe_band(b, rule.unit)}: {pts(b.points)}" for b in rule.bands)
            text = _cap(text)
        case CountBandsRule():
            levels = sorted(rule.levels, key=lambda lv: -lv.at_least)
            text = "; ".join(
                f"{'từ ' if i == 0 else ''}{lv.at_least} {rule.noun}: {pts(lv.points)}"
                for i, lv in enumerate(levels)
            )
            text = _cap(text)
        case RatioRule():
            text = f"{_cap(rule.a_label)} / {rule.b_label} × {pts(rng.hi)}"
        case CappedRatioRule():
            text = (
                f"Tỷ lệ đạt từ {_pct(rule.threshold, rule.scale)}: {pts(rng.hi)}; "
                f"thấp hơn: tỷ lệ / {_pct(rule.threshold, rule.scale)} × {_num(rng.hi)}"
            )
        case ChoiceRule():
            text = "; ".join(f"{c.label}: {pts(c.points)}" for c in rule.choices)
            text = _cap(text)
        case DeductionRule():
            floor = rule.floor if rule.floor is not None else rng.lo
            text = f"Mỗi {rule.noun} trừ {pts(rule.per_item)}, thấp nhất {pts(floor)}"
        case _:  # pragma: no cover
            text = ""
    na = {
        NotApplicable.FULL: "tính đủ điểm",
        NotApplicable.EXCLUDE: "không tính, loại khỏi điểm tối đa",
        NotApplicable.ZERO: "0 điểm",
    }[rule.not_applicable]
    return f"{text}. Không phát sinh: {na}."
