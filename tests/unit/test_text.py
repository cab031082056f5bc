"""Vietnamese collation and search keys (cchc.core.text)."""

from __future__ import annotations

import random
import unicodedata

import pytest

from cchc.core.text import (
    matches,
    normalize_name,
    search_key,
    sort_key,
    strip_diacritics,
    strip_kind,
    unify_tones,
)

CLDR_VECTOR = [
    "An Lão",
    "Ao Xanh",
    "Ăn Quán",
    "Ân Thi",
    "Dương Kinh",
    "Đà Nẵng",
    "Ong Vàng",
    "Ô Môn",
    "Ông Ích",
    "Ơn Bắc",
    "Uông Bí",
    "Ưng Hòa",
]


def test_cldr_vector_in_order() -> None:
    shuffled = CLDR_VECTOR[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == CLDR_VECTOR


def test_python_default_order_is_wrong_for_the_vector() -> None:
    # The reason a key is stored: code-point order puts Đ and Ư after everything.
    assert sorted(CLDR_VECTOR) != CLDR_VECTOR


def test_sort_key_is_digits_only() -> None:
    for name in CLDR_VECTOR + ["Phường 1", "Bà Rịa - Vũng Tàu", "Xã Ea H'leo"]:
        assert sort_key(name).isdigit(), name


def test_tones_are_secondary() -> None:
    # Tone differences only decide between otherwise equal names.
    assert sort_key("Ha") < sort_key("Hà") < sort_key("Hả") < sort_key("Hã") < sort_key("Há")
    assert sort_key("Há") < sort_key("Hạ")
    # Primary difference later in the word beats a tone earlier: "Hà Nam" < "Ha Noi".
    assert sort_key("Hà Nam") < sort_key("Ha Nội")


def test_case_is_tertiary_and_words_come_first() -> None:
    assert sort_key("an") < sort_key("An") < sort_key("an lão")
    assert sort_key("Ô Môn") < sort_key("Ông Ích")


def test_digits_sort_numerically_by_position_before_letters() -> None:
    names = ["Phường 10", "Phường 2", "Phường A", "Phường 1"]
    assert sorted(names, key=sort_key) == ["Phường 1", "Phường 10", "Phường 2", "Phường A"]


def test_old_and_new_tone_placement_sort_equal() -> None:
    assert sort_key("Hoà Bình") == sort_key("Hòa Bình")
    assert sort_key("Thuỷ Nguyên") == sort_key("Thủy Nguyên")


def test_decomposed_input_sorts_like_composed() -> None:
    nfd = unicodedata.normalize("NFD", "Đà Nẵng")
    assert sort_key(nfd) == sort_key("Đà Nẵng")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("thuỷ", "thủy"),
        ("uỷ ban", "ủy ban"),
        ("khoẻ", "khỏe"),
        ("HOÀ", "HÒA"),
        ("hoàn", "hoàn"),
        ("quý", "quý"),
        ("khuyến", "khuyến"),
        ("hòa", "hòa"),
    ],
)
def test_unify_tones(old: str, new: str) -> None:
    assert unify_tones(old) == new


def test_search_key() -> None:
    assert search_key("Xã  Vi Hương ") == "xa vi huong"
    assert search_key("Hoà") == search_key("Hòa") == "hoa"
    assert search_key("Thuỷ") == search_key("thủy") == "thuy"
    assert search_key("Uỷ ban") == search_key("Ủy ban") == "uy ban"
    assert search_key("ĐẮK LẮK") == "dak lak"
    assert search_key(unicodedata.normalize("NFD", "Đặc khu Côn Đảo")) == "dac khu con dao"
    assert search_key("Bà Rịa - Vũng Tàu") == "ba ria vung tau"


def test_strip_diacritics() -> None:
    assert strip_diacritics("Đồng Tháp") == "Dong Thap"


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("Xã Vi Hương", "vi huong"),
        ("Phường Hoàn Kiếm", "hoan kiem"),
        ("Thị trấn Phủ Thông", "phu thong"),
        ("Huyện Bạch Thông", "bach thong"),
        ("Tỉnh Bắc Kạn", "bac kan"),
        ("Thành phố Hà Tĩnh", "ha tinh"),
        ("Quận 1", "1"),
        ("Thị xã Kỳ Anh", "ky anh"),
        ("Đặc khu Côn Đảo", "con dao"),
        ("Vi Hương", "vi huong"),
        ("Phường", "phuong"),
        # Only one leading kind word goes: the district is named Tĩnh Gia.
        ("Huyện Tĩnh Gia", "tinh gia"),
    ],
)
def test_strip_kind(name: str, bare: str) -> None:
    assert strip_kind(name) == bare


def test_matches_with_optional_kind_words() -> None:
    assert matches("vi huong", "Xã Vi Hương")
    assert matches("xã vi hương", "Xã Vi Hương")
    assert matches("Xa Vi Huong", "Vi Hương")
    assert not matches("vi huong", "Xã Phủ Thông")
    assert not matches("", "Xã Vi Hương")


def test_normalize_name() -> None:
    assert normalize_name(" Xã\u00a0 Vi  Hương\t") == "Xã Vi Hương"
    assert normalize_name(unicodedata.normalize("NFD", "Hương")) == "Hương"
