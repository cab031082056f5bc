"""Dossier pages: the Lục Bình report, drill-down, exports, upload → preview → confirm, API."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client

from cchc.dossiers import importing
from cchc.dossiers.models import ApiToken, DossierImport, Official766Score
from tests.conftest import PASSWORD

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers"
LB = {"unit": "01990@legacy", "from": "2021-12-15", "to": "2022-09-19"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def luc_binh_store(settings: Any, tmp_path: Path, units_extract: Any, luc_binh_built: Path) -> Path:
    shutil.copytree(luc_binh_built, tmp_path / "store")
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    DossierImport.objects.create(
        file_name="lb.csv", profile="canonical", import_id="lb", status="done"
    )
    return settings.CCHC_DOSSIER_STORE


def _client(make_user: Any, name: str, role: str | None, unit_key: str | None) -> Client:
    from cchc.units.models import Unit

    unit = None
    if unit_key:
        code, _, hierarchy = unit_key.partition("@")
        unit = Unit.objects.get(code=code, hierarchy=hierarchy)
    make_user(name, role=role, unit=unit)
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


def test_luc_binh_report_exact_figures(luc_binh_store: Path, make_user: Any) -> None:
    client = _client(make_user, "sec", "secretariat", "06@legacy")
    response = client.get("/dossiers/report/", LB)
    assert response.status_code == 200
    json_rows = response.context["json"]["rows"]
    counts = json_rows[0]["counts"]
    assert json_rows[0]["name"] == "Xã Lục Bình"
    assert (counts["received_total"], counts["new_total"], counts["carried_over"]) == (927, 926, 1)
    assert (counts["resolved_total"], counts["late"], counts["in_progress_total"]) == (927, 0, 0)
    assert counts["early"] + counts["on_time"] == 927
    assert json_rows[0]["on_time_pct"] == "100"
    html = response.content.decode()
    assert ">927</a>" in html and ">926" not in html.split("Xã Lục Bình")[0]
    assert html.count('class="badge good"') == 1
    # the district's subtree with its subtotal
    district = client.get("/dossiers/report/", {**LB, "unit": "063@legacy"})
    rows = district.context["json"]["rows"]
    assert rows[0]["key"] == "063@legacy" and rows[0]["counts"]["received_total"] == 927


def test_drilldown_paged_and_xlsx(luc_binh_store: Path, make_user: Any) -> None:
    client = _client(make_user, "sec", "secretariat", "06@legacy")
    page = client.get("/dossiers/report/dossiers/", {**LB, "figure": "carried_over"})
    assert page.status_code == 200 and page.context["total"] == 1
    assert page.context["rows"][0][0] == "LB-0000"
    page2 = client.get("/dossiers/report/dossiers/", {**LB, "figure": "resolved_total", "page": 19})
    assert page2.context["total"] == 927 and len(page2.context["rows"]) == 27
    export = client.get("/dossiers/report/dossiers/export/", {**LB, "figure": "resolved_total"})
    assert export.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))  # type: ignore[attr-defined]
    sheet = book.active
    assert sheet is not None and sheet.max_row == 928 and sheet["A1"].value == "Mã hồ sơ"


def test_zipped_csv_beyond_the_xlsx_limit(
    luc_binh_store: Path, make_user: Any, monkeypatch: Any
) -> None:
    from cchc.dossiers import views

    monkeypatch.setattr(views, "XLSX_LIMIT", 500)
    client = _client(make_user, "sec", "secretariat", "06@legacy")
    export = client.get("/dossiers/report/dossiers/export/", {**LB, "figure": "resolved_total"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content)))  # type: ignore[attr-defined]
    assert "nhiều hơn 500 dòng" in archive.read("DOC-TRUOC.txt").decode()
    assert archive.read("ho-so.csv").decode("utf-8-sig").count("\n") == 928


def test_report_xlsx_official_form(luc_binh_store: Path, make_user: Any) -> None:
    client = _client(make_user, "sec", "secretariat", "06@legacy")
    response = client.get("/dossiers/report/", {**LB, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    assert sheet["C4"].value == "Số hồ sơ nhận giải quyết" and sheet["C5"].value == "Tổng số"
    assert "C4:H4" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["B6"].value == "Xã Lục Bình" and sheet["C6"].value == 927
    assert sheet["H6"].value == 1  # carried over, a number
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$4:$5"
    docx = client.get("/dossiers/report/", {**LB, "format": "docx"})
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_bad_parameters(luc_binh_store: Path, make_user: Any) -> None:
    client = _client(make_user, "sec", "secretariat", "06@legacy")
    assert client.get("/dossiers/report/", {"unit": "zzz", "preset": "year"}).status_code == 400
    assert (
        client.get(
            "/dossiers/report/", {"unit": "01990", "from": "2022-09-19", "to": "2021-12-15"}
        ).status_code
        == 400
    )
    assert client.get("/dossiers/report/", {"preset": "fortnight"}).status_code == 400
    assert client.get("/dossiers/report/dossiers/", {**LB, "figure": "nope"}).status_code == 400


def test_upload_preview_fix_confirm(
    settings: Any, tmp_path: Path, units_extract: Any, make_user: Any
) -> None:
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    client = _client(make_user, "sec", "secretariat", "06@legacy")
    with (FIXTURES / "vendor_errors.csv").open("rb") as handle:
        response = client.post("/dossiers/import/", {"file": handle, "profile": "motcua_mau"})
    record = DossierImport.objects.get()
    assert response.status_code == 302 and record.status == "rejected" and record.error_total == 6
    page = client.get(f"/dossiers/import/{record.pk}/")
    assert "Qua Zalo" in page.content.decode() and b'id="confirm"' not in page.content
    report = client.get(f"/dossiers/import/{record.pk}/errors.csv")
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Vị trí,Cột,Giá trị,Lý do" and len(lines) == 7
    with (FIXTURES / "vendor_sample.csv").open("rb") as handle:
        response = client.post("/dossiers/import/", {"file": handle, "profile": "motcua_mau"})
    fixed = DossierImport.objects.exclude(pk=record.pk).get()
    assert fixed.status == "preview" and fixed.rows == 8
    assert client.get(f"/dossiers/import/{fixed.pk}/").content.count(b'id="confirm"') == 1
    assert client.post(f"/dossiers/import/{fixed.pk}/confirm/").status_code == 302
    fixed.refresh_from_db()
    assert (fixed.status, fixed.inserted, fixed.progress) == ("done", 8, 100)
    fragment = client.get(f"/dossiers/import/{fixed.pk}/", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b'id="import-done"' in fragment.content
    # confirming twice does nothing
    client.post(f"/dossiers/import/{fixed.pk}/confirm/")
    assert importing.store().open().rows == 8


def test_upload_refusals(settings: Any, tmp_path: Path, units_extract: Any, make_user: Any) -> None:
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    client = _client(make_user, "sec", "secretariat", "06@legacy")
    tcvn3 = io.BytesIO(b"M\xb8 h\xe5 s\xac,\xa7\xa1n v\xfb ti\xd5p nh\xcbn\n")
    tcvn3.name = "cu.csv"
    response = client.post("/dossiers/import/", {"file": tcvn3, "profile": "motcua_mau"})
    assert response.status_code == 400 and "TCVN3" in response.content.decode()
    empty = io.BytesIO(
        "Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Hình thức nộp\n".encode()
    )
    empty.name = "rong.csv"
    response = client.post("/dossiers/import/", {"file": empty, "profile": "motcua_mau"})
    assert response.status_code == 400 and "không có dòng dữ liệu" in response.content.decode()
    assert DossierImport.objects.count() == 0


ROLES = [
    ("officer", "unit_officer", "01969@2025"),
    ("appraiser", "appraiser", "19@2025"),
    ("secretariat", "secretariat", "19@2025"),
    ("leader", "leader", "19@2025"),
    ("outsider", None, None),
]
# (url, expected status per role in ROLES order)
MATRIX = [
    ("/dossiers/", [200, 200, 200, 200, 403]),
    ("/dossiers/import/", [200, 403, 200, 403, 403]),
    (
        "/dossiers/report/?unit=01990@legacy&from=2021-12-15&to=2022-09-19",
        [200, 200, 200, 200, 403],
    ),
    ("/dossiers/report/?unit=42@2025&preset=year&year=2025", [403, 403, 403, 403, 403]),
    (
        "/dossiers/report/dossiers/?unit=01990@legacy&from=2021-12-15&to=2022-09-19&figure=late",
        [200, 200, 200, 200, 403],
    ),
    ("/dossiers/indicators/?unit=01969@2025&year=2025", [200, 200, 200, 200, 403]),
]


def test_permission_matrix(luc_binh_store: Path, make_user: Any) -> None:
    clients = [_client(make_user, n, r, u) for n, r, u in ROLES]
    for url, expected in MATRIX:
        got = [c.get(url).status_code for c in clients]
        assert got == expected, url
    record = DossierImport.objects.get()
    record.created_by = None
    record.save()
    assert [c.get(f"/dossiers/import/{record.pk}/").status_code for c in clients] == [403] * 5


def test_api_batches_idempotent(luc_binh_store: Path, make_user: Any) -> None:
    user = make_user("robot", role="secretariat")
    ApiToken.objects.create(
        name="t", user=user, token_hash=ApiToken.digest("s3cret"), prefix="s3cret"
    )
    row = {
        "source_system": "API",
        "dossier_code": "X1",
        "unit_code": "01990",
        "channel": "online_full",
        "received_at": "2022-03-01 08:00",
        "due_at": "2022-03-05",
        "finished_at": "2022-03-02 09:00",
        "status": "finished",
    }
    client = Client()
    body = json.dumps({"key": "b1", "dossiers": [row]})
    assert client.post("/api/dossiers", body, content_type="application/json").status_code == 401
    auth = {"HTTP_AUTHORIZATION": "Bearer s3cret"}
    first = client.post("/api/dossiers", body, content_type="application/json", **auth)
    assert first.status_code == 200 and first.json()["inserted"] == 1
    again = client.post("/api/dossiers", body, content_type="application/json", **auth)
    assert again.json()["replayed"] is True and importing.store().open().rows == 928
    bad = json.dumps({"key": "b2", "dossiers": [{**row, "unit_code": "99999"}]})
    response = client.post("/api/dossiers", bad, content_type="application/json", **auth)
    assert response.status_code == 422 and response.json()["error_total"] == 1
    too_many = json.dumps({"key": "b3", "dossiers": [row] * 10_001})
    assert (
        client.post("/api/dossiers", too_many, content_type="application/json", **auth).status_code
        == 422
    )


def test_indicators_and_official_scores(luc_binh_store: Path, make_user: Any) -> None:
    client = _client(make_user, "sec", "secretariat", "06@legacy")
    upload = io.BytesIO(b"unit,year,month,g1,g2,g3,g4,g5\n01990@legacy,2022,3,17.5,20,22,11,18\n")
    upload.name = "766.csv"
    response = client.post("/dossiers/indicators/?unit=01990@legacy&year=2022", {"file": upload})
    assert response.status_code == 302
    assert Official766Score.objects.get().g1 == pytest.approx(17.5)
    page = client.get("/dossiers/indicators/", {"unit": "01990@legacy", "year": "2022"})
    march = page.context["months"][2]
    g1, g2 = march["cells"][0], march["cells"][1]
    # Disclosure: imported, never computed (the official score counts in the total).
    assert (g1["points"], g1["diff"], g1["official"]) == (None, None, Decimal("17.50"))
    assert march["total"] == Decimal("17.50") + sum(c["points"] or 0 for c in march["cells"][1:])
    assert g2["rate"] == 100 and g2["points"] == 20 and g2["diff"] == 0
    bad = io.BytesIO(b"unit,year,month,g1,g2,g3,g4,g5\n01990@legacy,2022,13,1,1,1,1,1\n")
    bad.name = "766.csv"
    response = client.post("/dossiers/indicators/?unit=01990@legacy&year=2022", {"file": bad})
    assert response.status_code == 400 and "tháng “13”" in response.content.decode()


def test_kpi_registry(luc_binh_store: Path) -> None:
    from datetime import date

    from cchc.frameworks.kpi import KpiQuery, evaluate, lookup
    from cchc.units.models import Unit

    for name in (
        "dossier.on_time_rate",
        "dossier.digitized_rate",
        "dossier.online_rate",
        "dossier.satisfaction_rate",
        "dossier.e_result_rate",
        "dossier.online_payment_rate",
    ):
        assert lookup(name) is not None
    unit = Unit.objects.get(code="01990", hierarchy="legacy")
    value = evaluate(
        "dossier.on_time_rate", KpiQuery(unit.pk, 2022, date(2021, 12, 15), date(2022, 9, 19))
    )
    assert value is not None and value.value == 100
    assert value.source_url.startswith("/dossiers/report/?unit=01990%40legacy")


def test_default_report_of_a_former_province_is_its_last_year(
    client: Client, make_user: Any, units_extract: Any
) -> None:
    """A secretariat of a legacy province opens the report without parameters: it sees
    the province's last full reporting year (2024), not a 403 on its 2025 successor."""
    from cchc.units.models import Unit

    bac_kan = Unit.objects.get(code="06", hierarchy="legacy")
    make_user("snv.backan", role="secretariat", unit=bac_kan)
    client.login(username="snv.backan", password=PASSWORD)
    response = client.get("/dossiers/report/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "15/12/2023" in body and "14/12/2024" in body


def test_api_batch_waits_in_the_inbox_until_compacted(
    luc_binh_store: Path, make_user: Any, settings: Any
) -> None:
    """Without a worker the batch is checked and kept (202, queued), reports do not count
    it yet; the compaction job merges it and the batch's status turns to done (200)."""
    from cchc.dossiers.models import ApiBatch

    # A queue nobody works on: the job is enqueued and waits.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    user = make_user("robot", role="secretariat")
    ApiToken.objects.create(
        name="t", user=user, token_hash=ApiToken.digest("s3cret"), prefix="s3cret"
    )
    row = {
        "source_system": "API",
        "dossier_code": "Q1",
        "unit_code": "01990",
        "channel": "direct",
        "received_at": "2022-03-01 08:00",
        "due_at": "2022-03-05",
    }
    auth = {"HTTP_AUTHORIZATION": "Bearer s3cret"}
    client = Client()
    body = json.dumps({"key": "q1", "dossiers": [row]})
    response = client.post("/api/dossiers", body, content_type="application/json", **auth)
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["rows"]) == ("queued", 1)
    manifest = importing.store().open()
    assert manifest.rows == 927 and manifest.staged_rows == 1
    assert client.get("/api/dossiers/q1", **auth).status_code == 202
    secretariat = _client(make_user, "sec", "secretariat", "06@legacy")
    page = secretariat.get(
        "/dossiers/report/", {"unit": "01990@legacy", "from": "2021-12-15", "to": "2022-09-19"}
    )
    assert "1 hồ sơ nhận qua API đã kiểm tra, đang chờ gộp vào kho" in page.content.decode()
    assert client.get("/api/dossiers/nope", **auth).status_code == 404
    assert importing.compact_staged() == 1
    done = client.get("/api/dossiers/q1", **auth)
    assert done.status_code == 200 and (done.json()["inserted"], done.json()["updated"]) == (1, 0)
    assert importing.store().open().rows == 928
    assert ApiBatch.objects.get(key="q1").record.status == "done"
    home = secretariat.get("/dossiers/")
    assert (
        importing.store().open().deltas == 0
        and "chờ tiến trình nền gộp" not in home.content.decode()
    )
    # A file updating Q1 leaves delta files (its month and the snapshots it is open at)
    # until the next compaction; the home page says so.
    update = luc_binh_store.parent / "q1.csv"
    update.write_text(
        ",".join(row) + "\n" + ",".join(row.values()).replace("2022-03-05", "2022-03-07") + "\n",
        encoding="utf-8",
    )
    assert importing.store().import_csv(update).updated == 1
    deltas = importing.store().open().deltas
    home = secretariat.get("/dossiers/").content.decode()
    assert deltas > 1 and f"{deltas} tệp thay đổi gần đây đang chờ tiến trình nền gộp" in home
    importing.compact_staged()
    assert "chờ tiến trình nền gộp" not in secretariat.get("/dossiers/").content.decode()
