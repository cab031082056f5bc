from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_pages_need_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_login_then_home(client: Client, make_user: Any) -> None:
    make_user("canbo")
    response = client.post("/accounts/login/", {"username": "canbo", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Đăng xuất" in home.content.decode()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_lockout_is_by_username_not_ip(client: Client, make_user: Any) -> None:
    make_user("xa_vihuong")
    make_user("xa_lucbinh")
    for _ in range(3):
        r = client.post(
            "/accounts/login/",
            {"username": "xa_vihuong", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
        )
        assert r.status_code == 200
    # Right password now refused: the account is locked.
    r = client.post(
        "/accounts/login/",
        {"username": "xa_vihuong", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
    )
    assert r.status_code == 200
    assert "bị khóa" in r.content.decode()
    # Another officer behind the same IP logs in normally.
    r = client.post(
        "/accounts/login/",
        {"username": "xa_lucbinh", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert r.status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_lockout_cannot_be_dodged_with_unicode_or_case(client: Client, make_user: Any) -> None:
    make_user("admin2")
    for name in ["admin2", "ADMIN2"]:
        client.post("/accounts/login/", {"username": name, "password": "wrong"})
    for variant in ["admin2", "ａdmin2", "Admin2"]:  # full-width "a" is NFKC-equal
        r = client.post("/accounts/login/", {"username": variant, "password": PASSWORD})
        assert r.status_code == 200, variant
        assert "bị khóa" in r.content.decode()
