"""The unit loader over the packaged official lists (an extract, and once in full)."""

from __future__ import annotations

import time
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from cchc.units.loader import TEST_EXTRACT, compare_with_vietnam_provinces, load_units
from cchc.units.models import Hierarchy, LineageKind, Unit, UnitKind, UnitLineage, UnitParent
from cchc.units.services import UnitResolutionError, parent_on, resolve_unit

pytestmark = pytest.mark.django_db


def _count(hierarchy: str, level: int) -> int:
    return Unit.objects.filter(hierarchy=hierarchy, level=level).count()


def test_extract_counts_and_second_run_changes_nothing() -> None:
    first = load_units(TEST_EXTRACT)
    assert first.units == {
        "legacy:1": 2,
        "legacy:2": 20,
        "legacy:3": 317,
        "2025:1": 2,
        "2025:3": 161,
    }
    assert first.created == 502
    assert first.lineage_created == 436
    assert first.lineage_kinds == {"dissolved_into": 114, "merge": 313, "split": 5, "unchanged": 4}
    assert first.parent_rows_written == 28  # 14 corrected communes × 2 periods
    assert first.changed
    second = load_units(TEST_EXTRACT)
    assert not second.changed
    assert second.lines()[-1] == "Không có thay đổi: dữ liệu đã khớp với nguồn."
    assert Unit.objects.count() == 502
    assert UnitLineage.objects.count() == 436


def test_command_prints_counts_and_says_nothing_changed() -> None:
    out = StringIO()
    call_command("units_load", extract="06@legacy,19@2025,42", stdout=out)
    assert "Trước 1/7/2025: 2 tỉnh, 20 huyện, 317 xã" in out.getvalue()
    assert "Đã ghi: 502 đơn vị mới" in out.getvalue()
    out = StringIO()
    call_command("units_load", extract="06@legacy,19@2025,42", stdout=out)
    assert "Không có thay đổi" in out.getvalue()


def test_a_changed_name_is_put_back() -> None:
    load_units(TEST_EXTRACT)
    Unit.objects.filter(code="01975", hierarchy="legacy").update(name="Xã  Vi  Huong")
    report = load_units(TEST_EXTRACT)
    assert (report.created, report.updated) == (0, 1)
    assert Unit.objects.get(code="01975", hierarchy="legacy").name == "Xã Vi Hương"


def test_phu_thong_both_ways_and_its_predecessors() -> None:
    load_units(TEST_EXTRACT)
    legacy = resolve_unit("01969@legacy")
    new = resolve_unit("01969@2025")
    assert (legacy.name, legacy.kind, legacy.parent and legacy.parent.name) == (
        "Thị trấn Phủ Thông",
        UnitKind.TOWNSHIP,
        "Huyện Bạch Thông",
    )
    assert (new.name, new.kind, new.parent and new.parent.name) == (
        "Xã Phủ Thông",
        UnitKind.COMMUNE,
        "Tỉnh Thái Nguyên",
    )
    assert legacy.valid_to == date(2025, 6, 30) and legacy.valid_from is None
    assert new.valid_from == date(2025, 7, 1) and new.valid_to is None
    assert (str(new.latitude), str(new.longitude)) == ("22.267300", "105.851000")
    assert (new.source, new.source_version) == ("vietnamadminunits", "1.0.4")
    communes = UnitLineage.objects.filter(successor=new).exclude(kind=LineageKind.DISSOLVED_INTO)
    assert {(link.predecessor.key, link.predecessor.name, link.kind) for link in communes} == {
        ("01969@legacy", "Thị trấn Phủ Thông", "merge"),
        ("01975@legacy", "Xã Vi Hương", "merge"),
        ("01990@legacy", "Xã Lục Bình", "merge"),
        ("01993@legacy", "Xã Tân Tú", "merge"),
    }
    # Huyện Bạch Thông was abolished; its territory is now partly in Xã Phủ Thông.
    district = UnitLineage.objects.get(
        predecessor__code="063", predecessor__hierarchy="legacy", successor=new
    )
    assert (district.kind, district.is_default) == (LineageKind.DISSOLVED_INTO, False)


def test_bare_code_resolution() -> None:
    load_units(TEST_EXTRACT)
    assert resolve_unit("01969", as_of=date(2022, 9, 19)).key == "01969@legacy"
    assert resolve_unit("01969", as_of=date(2025, 6, 30)).key == "01969@legacy"
    assert resolve_unit("01969", as_of=date(2025, 7, 1)).key == "01969@2025"
    assert resolve_unit("01969", hierarchy="2025").key == "01969@2025"
    with pytest.raises(UnitResolutionError) as exc:
        resolve_unit("01969")
    assert str(exc.value) == (
        "Mã 01969 ứng với 2 đơn vị: Thị trấn Phủ Thông (01969@legacy, đến 30/06/2025) và "
        "Xã Phủ Thông (01969@2025, từ 01/07/2025); ghi rõ @legacy hoặc @2025 hoặc ngày"
    )
    # Only in one hierarchy: a bare code is enough.
    assert resolve_unit("01975").name == "Xã Vi Hương"


def test_thach_lac_parent_correction() -> None:
    load_units(TEST_EXTRACT)
    thach_lac = resolve_unit("18622@legacy")
    assert thach_lac.name == "Xã Thạch Lạc"
    # The snapshot's parent (kept as the parent at the end of validity).
    assert thach_lac.parent is not None and thach_lac.parent.name == "Thành phố Hà Tĩnh"
    on_2022 = parent_on(thach_lac, date(2022, 6, 1))
    on_2025 = parent_on(thach_lac, date(2025, 1, 1))
    assert on_2022 is not None and on_2022.key == "445@legacy"
    assert on_2022.name == "Huyện Thạch Hà"
    assert on_2025 is not None and on_2025.key == "436@legacy"
    periods = list(UnitParent.objects.filter(unit=thach_lac).order_by("valid_to"))
    assert [(p.parent.code, p.valid_from, p.valid_to) for p in periods] == [
        ("445", None, date(2024, 10, 31)),
        ("436", date(2024, 11, 1), date(2025, 6, 30)),
    ]


def test_vietnam_provinces_differences_are_listed() -> None:
    diffs = compare_with_vietnam_provinces()
    ours = [d for d in diffs if d.ours]
    assert len(ours) == 114
    assert sum(1 for d in diffs if d.theirs) == 114
    paired = [d for d in diffs if d.ours and d.theirs]
    assert len(paired) == 92
    assert diffs[0].name == "Phường Cửa Nam (Thành phố Hà Nội)"
    assert (diffs[0].ours, diffs[0].theirs) == ("00082", "00073")


@pytest.mark.slow
def test_full_load_counts_and_timing(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    report = load_units()
    first = time.perf_counter() - started
    assert report.units == {
        "legacy:1": 63,
        "legacy:2": 696,
        "legacy:3": 10035,
        "2025:1": 34,
        "2025:3": 3321,
    }
    assert report.lineage_kinds == {
        "dissolved_into": 3674,
        "merge": 9484,
        "rename": 16,
        "split": 1033,
        "unchanged": 132,
    }
    assert report.kind_disagreements == 7
    assert report.vietnam_provinces_differences == 114
    new = Unit.objects.filter(hierarchy=Hierarchy.Y2025, level=3)
    assert {k: new.filter(kind=k).count() for k in ("commune", "ward", "special_zone")} == {
        "commune": 2621,
        "ward": 687,
        "special_zone": 13,
    }
    assert _count("legacy", 1) == 63 and _count("2025", 1) == 34
    # By name (the source types 3 rows otherwise: Thị trấn Ngọc Lặc, Phường 5, Phường 15).
    legacy_communes = Unit.objects.filter(hierarchy="legacy", level=3)
    assert legacy_communes.filter(kind="commune").count() == 7692
    assert legacy_communes.filter(kind="ward").count() == 1726
    assert legacy_communes.filter(kind="township").count() == 617
    # 3,316 of the 3,321 current commune codes also exist in the legacy list.
    legacy_codes = set(legacy_communes.values_list("code", flat=True))
    assert sum(1 for code in new.values_list("code", flat=True) if code in legacy_codes) == 3316
    # Divided legacy communes: 471, each with exactly one default successor.
    split = UnitLineage.objects.filter(kind=LineageKind.SPLIT)
    assert split.values("predecessor").distinct().count() == 471
    assert split.filter(is_default=True).count() == 471
    # Special zones from island districts without communes.
    con_dao = UnitLineage.objects.get(predecessor__code="755", predecessor__hierarchy="legacy")
    assert con_dao.successor.name == "Đặc khu Côn Đảo"
    assert resolve_unit("80", as_of=date(2024, 1, 1)).name == "Tỉnh Long An"
    assert resolve_unit("80", as_of=date(2025, 7, 1)).name == "Tỉnh Tây Ninh"
    assert resolve_unit("01969", as_of=date(2024, 1, 1)).name == "Thị trấn Phủ Thông"
    assert resolve_unit("01969", as_of=date(2025, 8, 1)).name == "Xã Phủ Thông"
    started = time.perf_counter()
    again = load_units()
    second = time.perf_counter() - started
    assert not again.changed
    assert first < 30 and second < 30
    with capsys.disabled():
        print(f"\nunits load: first run {first:.1f} s, second run {second:.1f} s")
