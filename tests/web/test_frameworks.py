"""Index-set pages: everyone signed in reads; only admin/secretariat import and publish."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cchc.frameworks.models import IndexSet, SetStatus
from cchc.frameworks.services import indexset_import
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
SETS = Path(__file__).resolve().parents[2] / "cchc" / "frameworks" / "sets"


def login(client: Client, make_user: Any, name: str, role: str | None = None, **extra: Any) -> None:
    make_user(name, role=role, **extra)
    assert client.login(username=name, password=PASSWORD)


@pytest.fixture
def par() -> IndexSet:
    return indexset_import(SETS / "par-commune-sample.yaml")


def test_anonymous_is_sent_to_login(client: Client, par: IndexSet) -> None:
    for url in ("/frameworks/", f"/frameworks/{par.pk}/", f"/frameworks/{par.pk}/download.xlsx"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_officer_reads_the_tree_in_plain_vietnamese(
    client: Client, make_user: Any, par: IndexSet, django_assert_max_num_queries: Any
) -> None:
    login(client, make_user, "canbo_xa", "unit_officer")
    with django_assert_max_num_queries(8):
        listing = client.get("/frameworks/")
    html = listing.content.decode()
    assert "Chỉ số CCHC cấp xã (mẫu)" in html
    assert "Dự thảo" in html and "Mẫu" in html
    assert "Nạp bộ chỉ số" not in html  # no import form for an officer
    page = client.get(f"/frameworks/{par.pk}/").content.decode()
    assert "Ban hành đúng hạn: 1 điểm; trễ hạn: 0,5 điểm; không ban hành: 0 điểm" in page
    assert "Trên 90 %: 2 điểm; từ 70 % đến 90 %: 1 điểm; dưới 70 %: 0 điểm" in page
    assert "plan.completion_rate" in page
    assert "Biên bản, thông báo kết luận cuộc họp" in page  # evidence required
    assert "Từ 4 cuộc họp: 2 điểm; 3 cuộc họp: 1,5 điểm" in page
    assert "−1" in page  # the deduction criterion shows its cap
    assert "Ban hành (khóa vĩnh viễn)" not in page


def test_officer_cannot_import_or_publish(client: Client, make_user: Any, par: IndexSet) -> None:
    login(client, make_user, "canbo_xa", "unit_officer")
    upload = SimpleUploadedFile("x.yaml", (SETS / "service-766.yaml").read_bytes())
    assert client.post("/frameworks/import/", {"file": upload}).status_code == 403
    assert client.post(f"/frameworks/{par.pk}/publish/").status_code == 403
    par.refresh_from_db()
    assert par.status == SetStatus.DRAFT
    assert not IndexSet.objects.filter(code="QD766").exists()


def test_secretariat_imports_publishes_and_downloads(client: Client, make_user: Any) -> None:
    login(client, make_user, "sonoivu", "secretariat")
    upload = SimpleUploadedFile("766.yaml", (SETS / "service-766.yaml").read_bytes())
    response = client.post("/frameworks/import/", {"file": upload})
    index_set = IndexSet.objects.get(code="QD766")
    assert response.status_code == 302
    assert response["Location"] == f"/frameworks/{index_set.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Đã nạp QD766 phiên bản 1." in page
    assert "766/QĐ-TTg ngày 23/06/2022" in page
    assert "cần kiểm chứng" in page
    assert "Tỷ lệ đạt từ 50 %: 22 điểm; thấp hơn: tỷ lệ / 50 % × 22" in page
    published = client.post(f"/frameworks/{index_set.pk}/publish/", follow=True)
    assert "Đã ban hành. Bộ chỉ số không thể thay đổi nữa." in published.content.decode()
    index_set.refresh_from_db()
    assert index_set.is_published
    again = client.post(f"/frameworks/{index_set.pk}/publish/", follow=True)
    assert "Bộ chỉ số này đã được ban hành." in again.content.decode()
    xlsx = client.get(f"/frameworks/{index_set.pk}/download.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    assert 'filename="QD766-v1.xlsx"' in xlsx["Content-Disposition"]
    yaml_text = client.get(f"/frameworks/{index_set.pk}/download.yaml").content.decode()
    assert "code: QD766" in yaml_text
    assert client.get(f"/frameworks/{index_set.pk}/download.pdf").status_code == 404


def test_bad_upload_names_the_line_and_saves_nothing(client: Client, make_user: Any) -> None:
    login(client, make_user, "admin1", is_superuser=True)
    text = (SETS / "service-766.yaml").read_text(encoding="utf-8")
    broken = text.replace(
        "rule: {type: capped_ratio, threshold: 50", "rule: {type: guess, threshold: 50"
    )
    upload = SimpleUploadedFile("766.yaml", broken.encode())
    response = client.post("/frameworks/import/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    line = next(i for i, ln in enumerate(broken.splitlines(), 1) if "type: guess" in ln)
    assert f"766.yaml:{line}: G4.1: loại quy tắc không biết: &#x27;guess&#x27;" in html
    assert not IndexSet.objects.exists()
    wrong = SimpleUploadedFile("766.txt", b"x")
    assert client.post("/frameworks/import/", {"file": wrong}).status_code == 400


def test_xlsx_upload_of_an_export(client: Client, make_user: Any) -> None:
    from cchc.core.indexset import load_set
    from cchc.frameworks.xlsx import export_xlsx

    login(client, make_user, "sonoivu", "secretariat")
    definition = load_set((SETS / "dx-district-sample.yaml").read_text(encoding="utf-8")).definition
    upload = SimpleUploadedFile("dx.xlsx", export_xlsx(definition))
    response = client.post("/frameworks/import/", {"file": upload, "publish": "1"})
    assert response.status_code == 302
    stored = IndexSet.objects.get(code="CDS-HUYEN-MAU")
    assert stored.is_published
    assert stored.criteria.count() == 21
