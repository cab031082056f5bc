"""The index-set file format: shipped sets, the committed schema, and errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from cchc.core.indexset import (
    IndexSetError,
    dump_yaml,
    json_schema,
    load_set,
    parse_set,
)

ROOT = Path(__file__).resolve().parents[2]
SETS = sorted((ROOT / "cchc" / "frameworks" / "sets").glob("*.yaml"))


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "docs" / "indexset.schema.json").read_text(encoding="utf-8")
    assert committed == json_schema(), (
        "run: python -m cchc.core.indexset > docs/indexset.schema.json"
    )


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_shipped_sets_load_and_round_trip(path: Path) -> None:
    loaded = load_set(path.read_text(encoding="utf-8"), path.name)
    again = load_set(dump_yaml(loaded.definition), "again.yaml")
    assert again.definition == loaded.definition


def test_four_sets_are_shipped() -> None:
    codes = {load_set(p.read_text(encoding="utf-8")).definition.code for p in SETS}
    assert codes == {"QD766", "DTI-TINH-922", "PAR-XA-MAU", "CDS-HUYEN-MAU"}


def test_766_and_dti_weights() -> None:
    by_name = {p.name: load_set(p.read_text(encoding="utf-8")).definition for p in SETS}
    s766 = by_name["service-766.yaml"]
    assert [int(n.max) for n in s766.nodes] == [18, 20, 22, 22, 18]
    assert all(c.to_verify for n in s766.nodes for c in n.children)
    assert [c.kpi for n in s766.nodes for c in n.children][1:] == [
        "dossier.on_time_rate",
        "dossier.digitized_rate",
        "dossier.online_rate",
        "dossier.satisfaction_rate",
    ]
    dti = by_name["dti-province-922.yaml"]
    assert [int(n.max) for n in dti.nodes] == [100, 100, 100, 100, 100, 0, 200, 150, 150]
    assert (dti.display, dti.display_precision) == ("ratio", 4)
    assert by_name["par-commune-sample.yaml"].sample is True
    assert by_name["dx-district-sample.yaml"].sample is True


GOOD = """\
code: T
name: Thử
kind: PAR
year: 2024
max_points: 3
nodes:
  - code: I
    title: Lĩnh vực I
    max: 3
    children:
      - code: I.1
        title: Kế hoạch
        max: 1
        rule: {type: timeliness, on_time: 1, late: 0.5}
      - code: I.2
        title: Họp
        max: 2
        rule: {type: manual, step: 0.5}
"""


def issues(text: str) -> list[str]:
    with pytest.raises(IndexSetError) as info:
        load_set(text, "t.yaml")
    return [str(i) for i in info.value.issues]


def test_good_set_loads() -> None:
    assert load_set(GOOD).definition.nodes[0].children[0].code == "I.1"


def test_unknown_rule_type_names_line_and_code() -> None:
    text = GOOD.replace("type: manual, step: 0.5", "type: magic")
    assert issues(text) == [
        "t.yaml:18: I.2: loại quy tắc không biết: 'magic' (có: manual, timeliness, bands, "
        "count_bands, ratio, capped_ratio, choice, deduction) / unknown rule type 'magic' "
        "(known: manual, timeliness, bands, count_bands, ratio, capped_ratio, choice, deduction)"
    ]


def test_children_must_add_up() -> None:
    text = GOOD.replace(
        "max: 2\n        rule: {type: manual", "max: 1.5\n        rule: {type: manual"
    )
    assert issues(text) == [
        "t.yaml:9: I: tổng điểm tiêu chí con (2,5) khác điểm tối đa (3) / "
        "children add up to 2,5, not max 3"
    ]


def test_rule_beyond_max() -> None:
    text = GOOD.replace("on_time: 1, late: 0.5", "on_time: 2, late: 0.5")
    assert issues(text) == [
        "t.yaml:14: I.1: quy tắc cho điểm từ 0 đến 2, ngoài khoảng [0; 1] / "
        "rule yields 0..2, outside [0, 1]"
    ]


def test_duplicate_codes_and_bad_numbers() -> None:
    text = GOOD.replace("code: I.2", "code: I.1")
    assert issues(text) == [
        "t.yaml:15: I.1: mã 'I.1' bị trùng (đã dùng ở dòng 11) / "
        "duplicate code 'I.1' (first used on line 11)"
    ]
    text = GOOD.replace("max: 2\n", "max: hai\n")
    assert issues(text) == [
        "t.yaml:17: I.2: max: không phải là số / max: Input should be a valid decimal"
    ]


def test_missing_field_and_yaml_syntax() -> None:
    text = GOOD.replace("    title: Lĩnh vực I\n", "")
    assert issues(text) == [
        "t.yaml:7: I: thiếu trường bắt buộc 'title' / missing required field 'title'"
    ]
    assert issues("code: [unclosed\n")[0].startswith("t.yaml:2: YAML sai cú pháp")
    assert issues(GOOD + "code: again\n") == [
        "t.yaml:19: khóa 'code' bị lặp / duplicate key 'code'"
    ]


def test_mapping_targets_must_exist_in_previous() -> None:
    previous = load_set(GOOD).definition
    text = GOOD.replace("code: T\n", "code: T2\nprevious: T\n").replace(
        "        title: Họp\n",
        "        title: Họp\n        maps_from: {kind: same, codes: [I.9]}\n",
    )
    with pytest.raises(IndexSetError) as info:
        load_set(text, "t2.yaml", previous=previous)
    assert [str(i) for i in info.value.issues] == [
        "t2.yaml:18: I.2: mã 'I.9' không có trong bộ trước (T) / "
        "code 'I.9' is not in the previous set"
    ]
    ok = text.replace("codes: [I.9]", "codes: [I.2]")
    assert load_set(ok, previous=previous).definition.previous == "T"


def test_deduction_needs_cap_and_zero_max() -> None:
    text = GOOD.replace(
        "        rule: {type: manual, step: 0.5}\n",
        "        rule: {type: manual, step: 0.5}\n"
        "      - code: I.3\n        title: Trừ\n        method: deduction\n        max: 1\n",
    )
    assert issues(text) == [
        "t.yaml:19: I.3: điểm trừ/thưởng cần 'cap' / a deduction or bonus needs 'cap'",
        "t.yaml:22: I.3: điểm trừ/thưởng không tính vào điểm tối đa: để max = 0 và dùng cap / "
        "deductions and bonuses are outside the maximum: set max 0 and use cap",
    ]


def test_parse_keeps_decimals_exact() -> None:
    loaded = parse_set(GOOD)
    rule = loaded.definition.nodes[0].children[0].rule
    assert str(rule.late) == "0.5"  # type: ignore[union-attr]
    assert loaded.line_of("I.2") == 15
