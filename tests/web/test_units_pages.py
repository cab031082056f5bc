"""Unit list (Vietnamese search, filters, paging), unit page and the units API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cchc.units.models import UnitGroup
from cchc.units.services import resolve_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client: Client, make_user: Any, units_extract: Any) -> Client:
    client.force_login(make_user("canbo"))
    return client


def names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/units/[^"]+/">([^<]+)</a>', html)


def test_pages_need_login(client: Client) -> None:
    for url in ("/units/", "/units/01969@2025/", "/api/units/"):
        response = client.get(url)
        assert response.status_code in (302, 401), url


def test_search_vi_huong_finds_the_commune_and_its_successor(officer: Client) -> None:
    html = officer.get("/units/", {"q": "vi huong"}).content.decode()
    assert names(html) == ["Xã Phủ Thông", "Xã Vi Hương"]
    assert "gồm xã Vi Hương cũ" in html
    assert "đến 30/06/2025" in html and "từ 01/07/2025" in html
    assert "2 đơn vị" in html
    # Diacritics, case and the kind word are optional.
    for q in ("Xã Vi Hương", "VI HƯƠNG", "xa vi huong"):
        assert names(officer.get("/units/", {"q": q}).content.decode()) == names(html)


def test_search_by_code_and_old_tone_placement(officer: Client) -> None:
    assert names(officer.get("/units/", {"q": "01969"}).content.decode()) == [
        "Thị trấn Phủ Thông",
        "Xã Phủ Thông",
    ]
    hoa = names(officer.get("/units/", {"q": "Hoà"}).content.decode())
    assert hoa == names(officer.get("/units/", {"q": "Hòa"}).content.decode())
    assert "Xã Định Hóa" in hoa
    dinh_hoa = names(officer.get("/units/", {"q": "Định Hoá"}).content.decode())
    assert dinh_hoa == names(officer.get("/units/", {"q": "dinh hoa"}).content.decode())
    assert dinh_hoa == ["Xã Định Hóa"]


def test_filters_and_vietnamese_order(officer: Client) -> None:
    html = officer.get("/units/", {"hierarchy": "2025", "level": "1"}).content.decode()
    assert names(html) == ["Tỉnh Hà Tĩnh", "Tỉnh Thái Nguyên"]
    html = officer.get("/units/", {"hierarchy": "legacy", "level": "2", "q": "thach"}).content
    assert names(html.decode()) == ["Huyện Thạch Hà"]
    html = officer.get("/units/", {"hierarchy": "legacy", "q": "Bạch Thông"}).content.decode()
    assert names(html) == ["Huyện Bạch Thông"]
    # Đ after D, Ư after U in the 2025 list of Thái Nguyên communes.
    html = officer.get("/units/", {"hierarchy": "2025", "level": "3", "q": "xa d"}).content
    found = names(html.decode())
    assert found.index("Xã Dân Tiến") < found.index("Xã Đại Phúc")


def test_pagination(officer: Client) -> None:
    first = officer.get("/units/", {"hierarchy": "legacy", "level": "3"}).content.decode()
    assert "317 đơn vị" in first
    assert "Trang 1/7" in first
    assert len(names(first)) == 50
    last = officer.get("/units/", {"hierarchy": "legacy", "level": "3", "page": 7}).content
    assert len(names(last.decode())) == 17
    assert "hierarchy=legacy&amp;level=3&amp;page=6" in last.decode()


def test_list_queries_are_constant(officer: Client, django_assert_num_queries: Any) -> None:
    # session + user, count, page, and the "former commune" lookup when searching.
    with django_assert_num_queries(4):
        officer.get("/units/", {"hierarchy": "legacy"})
    with django_assert_num_queries(4):
        officer.get("/units/", {"hierarchy": "legacy", "level": "3", "page": 3})
    with django_assert_num_queries(5):
        officer.get("/units/", {"q": "vi huong"})
    with django_assert_num_queries(5):
        officer.get("/units/", {"q": "luc binh"})


def test_unit_page_with_lineage_both_ways(officer: Client) -> None:
    html = officer.get("/units/01969@2025/").content.decode()
    assert "<h1>Xã Phủ Thông" in html
    assert "Tỉnh Thái Nguyên" in html
    assert "vĩ độ 22,267300, kinh độ 105,851000" in html
    for name in ("Thị trấn Phủ Thông", "Xã Vi Hương", "Xã Lục Bình", "Xã Tân Tú"):
        assert name in html
    assert "Sáp nhập" in html and "01/07/2025" in html
    html = officer.get("/units/01975@legacy/").content.decode()
    assert "Huyện Bạch Thông" in html and "Tỉnh Bắc Kạn" in html
    assert "đến 30/06/2025" in html
    assert "Xã Phủ Thông" in html
    html = officer.get("/units/18622@legacy/").content.decode()
    assert "Cấp trên theo thời gian" in html
    assert "Huyện Thạch Hà" in html and "31/10/2024" in html
    assert html.index("Huyện Thạch Hà") < html.index("01/11/2024")


def test_unit_page_children_and_groups(officer: Client) -> None:
    group = UnitGroup.objects.create(name="Các xã nhóm I")
    group.units.add(resolve_unit("063@legacy"))
    html = officer.get("/units/063@legacy/").content.decode()
    assert "Các xã nhóm I" in html
    assert "đơn vị trực thuộc" in html
    assert "Xã Vi Hương" in html


def test_unknown_or_bare_keys_are_404(officer: Client) -> None:
    assert officer.get("/units/99999@2025/").status_code == 404
    assert officer.get("/units/01969/").status_code == 404
    assert officer.get("/units/01969@xyz/").status_code == 404


def test_api_list_and_detail(officer: Client) -> None:
    data = officer.get("/api/units/", {"q": "vi huong"}).json()
    assert data["count"] == 2
    assert [u["key"] for u in data["items"]] == ["01969@2025", "01975@legacy"]
    assert data["items"][1]["parent_key"] == "063@legacy"
    page = officer.get("/api/units/", {"hierarchy": "2025", "limit": 10, "offset": 5}).json()
    assert page["count"] == 163 and len(page["items"]) == 10
    detail = officer.get("/api/units/01969@2025").json()
    assert detail["name"] == "Xã Phủ Thông"
    assert detail["latitude"] == "22.267300"
    assert [a["key"] for a in detail["ancestors"]] == ["19@2025"]
    assert {p["unit"]["key"] for p in detail["predecessors"] if p["kind"] == "merge"} == {
        "01969@legacy",
        "01975@legacy",
        "01990@legacy",
        "01993@legacy",
    }
    legacy = officer.get("/api/units/01975@legacy").json()
    assert legacy["successors"] == [
        {
            "unit": {
                "key": "01969@2025",
                "code": "01969",
                "hierarchy": "2025",
                "name": "Xã Phủ Thông",
                "kind": "commune",
                "level": 3,
                "valid_from": "2025-07-01",
                "valid_to": None,
                "parent_key": "19@2025",
            },
            "kind": "merge",
            "effective": "2025-07-01",
            "is_default": True,
        }
    ]
    assert officer.get("/api/units/01969").status_code == 400
    assert officer.get("/api/units/77777@2025").status_code == 404


def test_admin_lists_units_and_groups(client: Client, make_user: Any, units_extract: Any) -> None:
    client.force_login(make_user("quantri", is_staff=True, is_superuser=True))
    html = client.get("/admin/units/unit/", {"q": "Vi Hương"}).content.decode()
    assert "Xã Vi Hương" in html
    assert client.get("/admin/units/unitgroup/add/").status_code == 200
    assert client.get("/admin/units/unitlineage/").status_code == 200
