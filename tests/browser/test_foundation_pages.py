"""Home, unit search, unit page and index-set page as a commune officer sees them."""

from __future__ import annotations

from typing import Any

import pytest

from cchc.frameworks.services import indexset_import, shipped_sets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_units_and_index_sets(
    live_server: Any, page: Any, make_user: Any, login: Any, shot: Any, units_extract: Any
) -> None:
    for path in shipped_sets():
        indexset_import(path, publish=True)
    make_user("xa.phuthong")
    login("xa.phuthong")
    page.wait_for_selector("text=Cải cách hành chính và chuyển đổi số")
    shot(page, "home")

    page.fill("input[name=q]", "vi huong")
    page.click("button:has-text('Tìm')")
    rows = page.locator("table tbody tr")
    assert rows.count() == 2
    assert "gồm xã Vi Hương cũ" in rows.nth(0).inner_text()
    assert "Xã Vi Hương" in rows.nth(1).inner_text()
    assert "đến 30/06/2025" in rows.nth(1).inner_text()
    shot(page, "search")

    page.click("text=Xã Phủ Thông")
    page.wait_for_selector("h1:has-text('Xã Phủ Thông')")
    body = page.inner_text("main")
    assert "01969@2025" in body
    assert "Tỉnh Thái Nguyên" in body
    for former in ["Thị trấn Phủ Thông", "Xã Lục Bình", "Xã Tân Tú", "Xã Vi Hương"]:
        assert former in body
    shot(page, "unit")

    page.click("nav >> text=Bộ chỉ số")
    page.click("text=Chỉ số CCHC cấp xã (mẫu)")
    page.wait_for_selector("h1:has-text('Chỉ số CCHC cấp xã (mẫu)')")
    text = page.inner_text("main")
    assert "Ban hành kế hoạch CCHC năm" in text
    assert "0,5" in text  # the timeliness rule in plain Vietnamese
    shot(page, "index-set")

    # English on request, Vietnamese by default.
    page.click("button:has-text('English')")
    page.wait_for_selector("nav >> text=Index sets")
    page.click("button:has-text('Tiếng Việt')")
    page.wait_for_selector("nav >> text=Bộ chỉ số")
