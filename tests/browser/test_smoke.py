from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_and_home_in_vietnamese(
    live_server: Any, page: Any, make_user: Any, login: Any, shot: Any
) -> None:
    make_user("thuky", first_name="Thư ký")
    login("thuky")
    page.wait_for_selector("text=Cải cách hành chính và chuyển đổi số")
    assert page.locator("nav >> text=Bộ chỉ số").is_visible()
    shot(page, "home")
