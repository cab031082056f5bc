"""The scoring engine against published figures, and its stage, rank and mapping rules."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cchc.core.indexset import IndexSetDef, load_set
from cchc.core.numbers import round_half_up
from cchc.core.scoring import (
    Entry,
    InputErrors,
    Stage,
    UnitInput,
    competition_rank,
    compile_set,
    lost_points,
    read_inputs,
    score_round,
    score_unit,
    unit_input_from_entries,
    year_over_year,
)

D = Decimal
SETS = Path(__file__).resolve().parents[2] / "cchc" / "frameworks" / "sets"


def shipped(name: str) -> IndexSetDef:
    return load_set((SETS / name).read_text(encoding="utf-8"), name).definition


def run(definition: IndexSetDef, rows: list[tuple[str, str, object]]) -> object:
    cset = compile_set(definition)
    entries = read_inputs(cset, [(f"dòng {i + 2}", c, k, v) for i, (c, k, v) in enumerate(rows)])
    unit = unit_input_from_entries(cset, "u", {c: e for c, (e, _x) in entries.items()})
    return score_unit(cset, unit, appraisal=False)


def test_da_nang_dti_2022() -> None:
    values = ["1.0000", "0.9000", "0.8253", "0.8487", "0.7578", "0.8575", "0.7836", "0.5197"]
    codes = ["DTI.1", "DTI.2", "DTI.3", "DTI.4", "DTI.5", "DTI.7", "DTI.8", "DTI.9"]
    rows = [(c, "value", v) for c, v in zip(codes, values, strict=True)]
    result = run(shipped("dti-province-922.yaml"), rows)
    assert result.total == D("800.1750")  # type: ignore[attr-defined]
    assert result.index == D("0.800175")  # type: ignore[attr-defined]
    assert result.shown == D("0.8002")  # type: ignore[attr-defined]
    assert result.missing == ()  # type: ignore[attr-defined]


def test_thai_nguyen_766_total_of_group_scores() -> None:
    groups = {"G1.1": "15.67", "G2.1": "19.31", "G3.1": "17.49", "G4.1": "17.86", "G5.1": "16.64"}
    result = run(shipped("service-766.yaml"), [(c, "points", v) for c, v in groups.items()])
    assert result.total == D("86.97")  # type: ignore[attr-defined]
    assert result.shown == D("86.97")  # type: ignore[attr-defined]
    assert [f.points for f in result.fields()] == [D(v) for v in groups.values()]  # type: ignore[attr-defined]


def test_766_from_rates() -> None:
    rows = [
        ("G1.1", "points", "18"),
        ("G2.1", "value", "100"),
        ("G3.1", "value", "79,99"),
        ("G4.1", "value", "30"),
        ("G5.1", "value", "45"),
    ]
    result = run(shipped("service-766.yaml"), rows)
    assert [f.points for f in result.fields()] == [  # type: ignore[attr-defined]
        D(18),
        D(20),
        D("21.99725"),
        D("13.2"),
        D("9.00"),
    ]
    assert result.total == D("82.19725")  # type: ignore[attr-defined]
    assert result.shown == D("82.20")  # type: ignore[attr-defined]


def test_766_no_dossiers_is_excluded_from_the_denominator() -> None:
    rows = [
        ("G1.1", "points", "18"),
        ("G2.1", "value", "0/0"),
        ("G3.1", "value", "80"),
        ("G4.1", "value", "50"),
        ("G5.1", "value", "90"),
    ]
    result = run(shipped("service-766.yaml"), rows)
    assert result.max_total == D(80)  # type: ignore[attr-defined]
    assert result.node("G2").max == D(0)  # type: ignore[attr-defined]


def test_rounding_is_half_up() -> None:
    assert round_half_up(D("0.125"), 2) == D("0.13")
    assert round_half_up(D("89.995"), 2) == D("90.00")


def small_set(**extra: object) -> IndexSetDef:
    data: dict[str, object] = {
        "code": "T",
        "name": "t",
        "kind": "PAR",
        "year": 2024,
        "max_points": 100,
        "nodes": [
            {
                "code": "I",
                "title": "Field I",
                "max": 60,
                "children": [
                    {"code": "I.1", "title": "a", "max": 40},
                    {
                        "code": "I.2",
                        "title": "b",
                        "max": 20,
                        "rule": {"type": "ratio", "not_applicable": "exclude"},
                    },
                ],
            },
            {
                "code": "II",
                "title": "Field II",
                "max": 40,
                "children": [
                    {"code": "II.1", "title": "survey", "max": 30, "method": "survey"},
                    {
                        "code": "II.2",
                        "title": "kpi",
                        "max": 10,
                        "method": "computed",
                        "kpi": "x.rate",
                        "rule": {"type": "capped_ratio", "threshold": 50},
                    },
                    {
                        "code": "II.3",
                        "title": "penalty",
                        "method": "deduction",
                        "cap": 2,
                        "rule": {"type": "deduction", "per_item": 1},
                    },
                ],
            },
        ],
    }
    data.update(extra)
    return IndexSetDef.model_validate(data)


def e(value: str, excluded: bool = False) -> Entry:
    return Entry(D(value), excluded)


def test_final_stage_is_appraisal_2_else_1_per_criterion() -> None:
    cset = compile_set(small_set())
    unit = UnitInput(
        "u",
        stages={
            Stage.SELF: {"I.1": e("40"), "I.2": e("20"), "II.3": e("-1")},
            Stage.APPRAISAL_1: {"I.1": e("30"), "I.2": e("20"), "II.3": e("-2")},
            Stage.APPRAISAL_2: {"I.1": e("35")},
        },
        survey={"II.1": e("25.5")},
        computed={"II.2": e("8")},
    )
    result = score_unit(cset, unit)
    assert [result.node(c).points for c in ("I.1", "I.2", "II.1", "II.2", "II.3")] == [
        D(35),
        D(20),
        D("25.5"),
        D(8),
        D(-2),
    ]
    assert result.node("I").points == D(55)
    assert result.node("II").points == D("31.5")
    assert result.total == D("86.5")
    assert result.shown == D("86.50")
    assert result.band == "B"
    # lost points and the appraisal adjustment (final − self)
    assert result.node("I").lost == D(5)
    assert result.node("I").self_points == D(60)
    assert result.node("I").adjustment == D(-5)
    assert result.node("II").adjustment == D(-1)
    assert result.adjustment == D(-6)
    assert [(n.code, n.lost) for n in lost_points(result)] == [
        ("I.1", D(5)),
        ("II.1", D("4.5")),
        ("II.2", D(2)),
        ("II.3", D(2)),
    ]


def test_self_is_final_only_without_appraisal() -> None:
    cset = compile_set(small_set())
    unit = UnitInput("u", stages={Stage.SELF: {"I.1": e("40"), "I.2": e("10")}})
    with_appraisal = score_unit(cset, unit)
    assert with_appraisal.total == D(0)
    assert with_appraisal.missing == ("I.1", "I.2", "II.1", "II.2")
    without = score_unit(cset, unit, appraisal=False)
    assert without.total == D(50)
    assert without.missing == ("II.1", "II.2")


def test_excluded_max_leaves_the_denominator() -> None:
    cset = compile_set(small_set())
    unit = UnitInput(
        "u",
        stages={Stage.APPRAISAL_1: {"I.1": e("36"), "I.2": e("0", excluded=True)}},
        survey={"II.1": e("30")},
        computed={"II.2": e("10")},
    )
    result = score_unit(cset, unit)
    assert result.max_total == D(80)
    assert result.node("I").max == D(40)
    assert result.total == D(76)
    assert result.shown == D("95.00")
    assert result.band == "A"


def test_ratio_and_points_display() -> None:
    ratio = compile_set(small_set(display="ratio", display_precision=4))
    unit = UnitInput(
        "u",
        stages={Stage.APPRAISAL_1: {"I.1": e("40"), "I.2": e("20")}},
        survey={"II.1": e("30")},
        computed={"II.2": e("0.0125")},
    )
    res = score_unit(ratio, unit)
    assert res.total == D("90.0125")
    assert res.shown == D("0.9001")
    assert res.percent == D("90.0100")
    pts = compile_set(small_set(display="points", display_precision=1))
    res = score_unit(pts, unit)
    assert res.shown == D("90.0")
    assert res.band == "A"


def test_a_unit_shown_90_is_in_band_a() -> None:
    cset = compile_set(small_set())
    unit = UnitInput(
        "u",
        stages={Stage.APPRAISAL_1: {"I.1": e("39.995"), "I.2": e("20")}},
        survey={"II.1": e("20")},
        computed={"II.2": e("10")},
    )
    result = score_unit(cset, unit)
    assert result.index == D("89.995")
    assert result.shown == D("90.00")
    assert result.band == "A"


def test_competition_rank_ties() -> None:
    assert competition_rank([D(9), D(8), D(8), D(7)]) == [1, 2, 2, 4]
    assert competition_rank([D(1), D(3), D(3), D(3), D(2)]) == [5, 1, 1, 1, 4]
    assert competition_rank([]) == []


def test_rank_on_displayed_value() -> None:
    cset = compile_set(small_set())

    def unit(name: str, first: str) -> UnitInput:
        return UnitInput(
            name,
            stages={Stage.APPRAISAL_1: {"I.1": e(first), "I.2": e("20")}},
            survey={"II.1": e("30")},
            computed={"II.2": e("10")},
        )

    results = score_round(
        cset, [unit("a", "30.004"), unit("b", "30"), unit("c", "35"), unit("d", "29")]
    )
    assert [(r.unit, r.shown, r.rank) for r in results] == [
        ("a", D("90.00"), 2),
        ("b", D("90.00"), 2),
        ("c", D("95.00"), 1),
        ("d", D("89.00"), 4),
    ]


def test_year_over_year_through_mappings() -> None:
    old = IndexSetDef.model_validate(
        {
            "code": "OLD",
            "name": "o",
            "kind": "PAR",
            "year": 2023,
            "max_points": 30,
            "nodes": [
                {"code": "A", "title": "a", "max": 10},
                {"code": "B", "title": "b", "max": 10},
                {"code": "C1", "title": "c1", "max": 5},
                {"code": "C2", "title": "c2", "max": 5},
            ],
        }
    )
    new = IndexSetDef.model_validate(
        {
            "code": "NEW",
            "name": "n",
            "kind": "PAR",
            "year": 2024,
            "previous": "OLD",
            "max_points": 30,
            "nodes": [
                {
                    "code": "A2",
                    "title": "a",
                    "max": 10,
                    "maps_from": {"kind": "renamed", "codes": ["A"]},
                },
                {
                    "code": "B1",
                    "title": "b1",
                    "max": 4,
                    "maps_from": {"kind": "split", "codes": ["B"]},
                },
                {
                    "code": "B2",
                    "title": "b2",
                    "max": 6,
                    "maps_from": {"kind": "split", "codes": ["B"]},
                },
                {
                    "code": "C",
                    "title": "c",
                    "max": 10,
                    "maps_from": {"kind": "merged", "codes": ["C1", "C2"]},
                },
            ],
        }
    )
    prev = score_unit(
        compile_set(old),
        UnitInput("u", {Stage.APPRAISAL_1: {"A": e("8"), "B": e("9"), "C1": e("4"), "C2": e("3")}}),
    )
    cur = score_unit(
        compile_set(new),
        UnitInput(
            "u", {Stage.APPRAISAL_1: {"A2": e("9"), "B1": e("3"), "B2": e("5"), "C": e("9")}}
        ),
    )
    yoy = year_over_year(cur, prev)
    assert [
        (c.kind, c.codes, c.previous_codes, c.points, c.previous_points, c.delta)
        for c in yoy.changes
    ] == [
        ("renamed", ("A2",), ("A",), D(9), D(8), D(1)),
        ("split", ("B1", "B2"), ("B",), D(8), D(9), D(-1)),
        ("merged", ("C",), ("C1", "C2"), D(9), D(7), D(2)),
    ]
    assert yoy.delta == D("86.67") - D("80.00")


def test_kien_tuong_par_delta() -> None:
    cset = compile_set(small_set())

    def unit(first: str) -> UnitInput:
        return UnitInput(
            "kt",
            stages={Stage.APPRAISAL_1: {"I.1": e(first), "I.2": e("20")}},
            survey={"II.1": e("10")},
            computed={"II.2": e("0")},
        )

    now, before = score_unit(cset, unit("33.63")), score_unit(cset, unit("37.93"))
    assert (now.shown, before.shown) == (D("63.63"), D("67.93"))
    assert year_over_year(now, before).delta == D("-4.30")


def test_input_errors_name_their_row() -> None:
    cset = compile_set(shipped("par-commune-sample.yaml"))
    with pytest.raises(InputErrors) as info:
        read_inputs(
            cset,
            [
                ("dòng 2", "I.1.1", "value", "đúng hạn"),
                ("dòng 3", "I.5", "value", "-2"),
                ("dòng 4", "ZZZ", "value", "1"),
                ("dòng 5", "I", "points", "1"),
                ("dòng 6", "I.3", "points", "3"),
                ("dòng 7", "I.1.1", "value", "trễ hạn"),
            ],
        )
    assert [str(x) for x in info.value.errors] == [
        "dòng 3: tiêu chí I.5: số lần -2 âm",
        "dòng 4: tiêu chí ZZZ: mã tiêu chí không có trong bộ chỉ số",
        "dòng 5: tiêu chí I: chỉ nhập cho tiêu chí lá (tiêu chí không có tiêu chí con)",
        "dòng 6: tiêu chí I.3: điểm 3 âm hoặc lớn hơn điểm tối đa 2",
        "dòng 7: tiêu chí I.1.1: bị lặp (đã nhập ở dòng 2)",
    ]


def test_sample_par_sums_to_100_with_32_survey_points() -> None:
    definition = shipped("par-commune-sample.yaml")
    cset = compile_set(definition)
    survey = sum((n.max for n in cset.nodes if n.method == "survey"), D(0))
    assert (definition.max_points, survey, len(cset.fields)) == (D(100), D(32), 8)


def test_sample_dx_district() -> None:
    rows = [
        ("NT.1", "value", "deputy"),
        ("NT.2", "value", "3"),
        ("NT.3", "value", "12/15"),
        ("NT.4", "points", "25"),
        ("TC.1", "value", "đúng hạn"),
        ("TC.2", "value", "85"),
        ("HT.1", "value", "95"),
        ("HT.2", "value", "8/10"),
        ("NL.1", "value", "10/10"),
        ("NL.2", "value", "0/0"),
        ("AT.1", "value", "không phát sinh"),
        ("AT.2", "value", "1"),
        ("CQ.1", "value", "90"),
        ("CQ.2", "value", "25"),
        ("CQ.3", "value", "30/40"),
    ]
    result = run(shipped("dx-district-sample.yaml"), rows)
    fields = {f.code: f.points for f in result.fields()}  # type: ignore[attr-defined]
    assert fields == {
        "NT": D(10 + 15 + 24 + 25),
        "TC": D(80),
        "HT": D("47.5") + D(40),
        "NL": D(50),
        "AT": D(90),
        "CQ": D(40 + 15) + D("22.5"),
    }
    assert result.total == D("459.00")  # type: ignore[attr-defined]
    assert result.shown == D("459.00")  # type: ignore[attr-defined]
