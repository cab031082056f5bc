"""The dossier report's unit tree is cached per hierarchy and rebuilt when units change.

A unit added or renamed, or a lineage link changed, must show on the very next report;
an unchanged registry must not be re-read (one small version query per request).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from cchc.accounts.models import Role
from cchc.analytics.store import Store
from cchc.dossiers.profiles import CANONICAL_COLUMNS
from cchc.dossiers.reporting import unit_tree
from cchc.units.models import Unit, UnitLineage
from tests.conftest import PASSWORD
from tests.web.test_permissions import REFORM, build_tree

pytestmark = pytest.mark.django_db

# Xã Vi Hương (legacy 01972): 3 dossiers in 2024; Xã Lạc (legacy 01975): 2 in March 2025.
ROWS = [
    ("VH-1", "01972", "2024-03-01 08:00", "2024-03-05 17:00", "2024-03-04 09:00", "finished"),
    ("VH-2", "01972", "2024-05-02 08:00", "2024-05-06 17:00", "2024-05-08 09:00", "finished"),
    ("VH-3", "01972", "2024-06-03 08:00", "2024-06-07 17:00", "", "in_progress"),
    ("LAC-1", "01975", "2025-03-03 08:00", "2025-03-07 17:00", "2025-03-06 09:00", "finished"),
    ("LAC-2", "01975", "2025-03-04 08:00", "2025-03-08 17:00", "2025-03-06 10:00", "finished"),
]
YEAR_2024 = {"unit": "061@legacy", "from": "2023-12-15", "to": "2024-12-14"}
YEAR_2025 = {"unit": "19@2025", "from": "2025-01-01", "to": "2025-12-31"}


@pytest.fixture
def world(settings: Any, tmp_path: Path, make_user: Any) -> SimpleNamespace:
    w = build_tree()
    path = tmp_path / "d.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CANONICAL_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for code, unit, received, due, finished, status in ROWS:
            writer.writerow(
                {
                    **dict.fromkeys(CANONICAL_COLUMNS, ""),
                    "source_system": "T",
                    "dossier_code": code,
                    "unit_code": unit,
                    "channel": "direct",
                    "received_at": received,
                    "due_at": due,
                    "finished_at": finished,
                    "status": status,
                }
            )
    Store(tmp_path / "store").import_csv(path, import_id="t")
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    make_user("admin1", role=Role.ADMIN)
    w.client = Client()
    assert w.client.login(username="admin1", password=PASSWORD)
    return w


def _rows(client: Client, params: dict[str, str]) -> list[tuple[str, str, int]]:
    response = client.get("/dossiers/report/", params)
    assert response.status_code == 200
    return [
        (r["key"], r["name"], r["counts"]["received_total"])
        for r in response.context["json"]["rows"]
    ]


def test_tree_is_reused_until_a_unit_changes(
    world: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    first = unit_tree(date(2024, 12, 14))
    with django_assert_max_num_queries(4):  # the version only: no unit rows read
        again = unit_tree(date(2024, 6, 14))
    assert again is first  # the same hierarchy: the same tree, whatever the end date
    assert unit_tree(date(2025, 9, 30)) is not first
    world.vh.name = "Xã Vi Hương Mới"
    world.vh.save()
    rebuilt = unit_tree(date(2024, 12, 14))
    assert rebuilt is not first
    assert {n.key: n.name for n in rebuilt.tree.nodes}["01972@legacy"] == "Xã Vi Hương Mới"


def test_report_shows_a_renamed_and_an_added_unit(world: SimpleNamespace) -> None:
    before = _rows(world.client, YEAR_2024)
    assert before == [  # the fixture's units have equal (blank) sort keys: creation order
        ("061@legacy", "Huyện Bạch Thông", 3),
        ("01969@legacy", "Thị trấn Phủ Thông", 0),
        ("01972@legacy", "Xã Vi Hương", 3),
        ("01975@legacy", "Xã Lạc", 0),
    ]
    world.vh.name = "Xã Vi Hương Mới"
    world.vh.save()
    Unit.objects.create(
        code="01978", hierarchy="legacy", name="Xã Cẩm Giàng", kind="commune", level=3,
        parent=world.bt, sort_key="xa cam giang",
    )  # fmt: skip
    assert _rows(world.client, YEAR_2024) == [
        ("061@legacy", "Huyện Bạch Thông", 3),
        ("01969@legacy", "Thị trấn Phủ Thông", 0),
        ("01972@legacy", "Xã Vi Hương Mới", 3),
        ("01975@legacy", "Xã Lạc", 0),
        ("01978@legacy", "Xã Cẩm Giàng", 0),
    ]


def test_bulk_insert_without_signals_is_seen(world: SimpleNamespace) -> None:
    assert len(_rows(world.client, YEAR_2024)) == 4
    Unit.objects.bulk_create(
        [
            Unit(code="01981", hierarchy="legacy", name="Xã Đôn Phong", kind="commune",
                 level=3, parent=world.bt, sort_key="xa don phong")
        ]
    )  # fmt: skip
    assert ("01981@legacy", "Xã Đôn Phong", 0) in _rows(world.client, YEAR_2024)


def test_report_follows_a_changed_lineage(world: SimpleNamespace) -> None:
    # Xã Lạc went to Hà Nội's commune: Thái Nguyên's 2025 report has only Vi Hương's
    # dossier still open at the start of 2025 (carried over).
    assert _rows(world.client, YEAR_2025)[0] == ("19@2025", "Tỉnh Thái Nguyên", 1)
    UnitLineage.objects.filter(predecessor=world.lac).delete()
    UnitLineage.objects.create(
        predecessor=world.lac, successor=world.other, effective=REFORM, kind="merge"
    )
    rows = _rows(world.client, YEAR_2025)
    assert rows[0] == ("19@2025", "Tỉnh Thái Nguyên", 3)
    assert ("01990@2025", "Xã Khác", 2) in rows
