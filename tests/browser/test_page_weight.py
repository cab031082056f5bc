"""First load of a page <= 250 KB transferred; later pages <= 50 KB of HTML."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_page_weight(live_server: Any, page: Any, make_user: Any, login: Any) -> None:
    make_user("canbo_xa")
    login("canbo_xa")
    page.wait_for_selector("h1")

    transferred: list[tuple[str, int, str]] = []

    def on_finished(request: Any) -> None:
        sizes = request.sizes()
        response = request.response()
        kind = (response.headers.get("content-type", "") if response else "").split(";")[0]
        transferred.append(
            (request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"], kind)
        )

    # First load with an empty cache: a fresh context.
    context = page.context.browser.new_context()
    context.add_cookies(page.context.cookies())
    fresh = context.new_page()
    fresh.on("requestfinished", on_finished)
    fresh.goto(f"{live_server.url}/units/")
    fresh.wait_for_load_state("networkidle")
    first_total = sum(size for _url, size, _kind in transferred)
    assert 0 < first_total <= 250 * 1024, transferred

    for path in ["/", "/frameworks/", "/units/"]:
        transferred.clear()
        fresh.goto(f"{live_server.url}{path}")
        fresh.wait_for_load_state("networkidle")
        html = [size for _url, size, kind in transferred if kind == "text/html"]
        assert html and html[0] <= 50 * 1024, (path, transferred)
    context.close()
