"""Attribution of records across the 1/7/2025 reform (cchc.core.lineage)."""

from __future__ import annotations

from datetime import date

from cchc.core.lineage import Attribution, attribute, hierarchy_at

PHU_THONG = "01969@2025"
# Thị trấn Phủ Thông, xã Vi Hương, xã Lục Bình, xã Tân Tú → Xã Phủ Thông (a merge).
LINEAGE = {
    "01969@legacy": [(PHU_THONG, True)],
    "01975@legacy": [(PHU_THONG, True)],
    "01996@legacy": [(PHU_THONG, True)],
    "01972@legacy": [(PHU_THONG, True)],
    # A divided commune: two successors, the second is the default.
    "99001@legacy": [("90001@2025", False), ("90002@2025", True)],
    # An abolished district spread over communes, no default.
    "063@legacy": [(PHU_THONG, False), ("02000@2025", False)],
}


def test_hierarchy_at_period_end() -> None:
    assert hierarchy_at(date(2025, 6, 30)) == "legacy"
    assert hierarchy_at(date(2025, 7, 1)) == "2025"


def test_period_ending_before_reform_keeps_legacy_units() -> None:
    result = attribute(["01975@legacy", "01996@legacy"], LINEAGE, date(2025, 6, 30))
    assert result == Attribution(
        mapping={"01975@legacy": "01975@legacy", "01996@legacy": "01996@legacy"}
    )


def test_vi_huong_and_luc_binh_go_to_phu_thong() -> None:
    records = ["01975@legacy", "01975@legacy", "01996@legacy", PHU_THONG]
    result = attribute(records, LINEAGE, date(2025, 12, 31))
    assert result.mapping == {
        "01975@legacy": PHU_THONG,
        "01996@legacy": PHU_THONG,
        PHU_THONG: PHU_THONG,
    }
    assert result.divided_count == 0
    assert result.unattributed_count == 0


def test_divided_commune_goes_to_default_and_is_counted_per_record() -> None:
    records = ["99001@legacy", "99001@legacy", "99001@legacy", "01975@legacy"]
    result = attribute(records, LINEAGE, date(2025, 7, 1))
    assert result.mapping["99001@legacy"] == "90002@2025"
    assert result.divided_count == 3


def test_district_without_default_is_unattributed() -> None:
    result = attribute(["063@legacy", "063@legacy", "77777@legacy"], LINEAGE, date(2026, 1, 1))
    assert result.mapping == {}
    assert result.unattributed_count == 3
    assert result.unattributed_keys == frozenset({"063@legacy", "77777@legacy"})


def test_local_units_are_never_remapped() -> None:
    result = attribute(["SNV@local"], LINEAGE, date(2026, 1, 1))
    assert result.mapping == {"SNV@local": "SNV@local"}
