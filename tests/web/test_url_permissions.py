"""Every named URL of the project has a permission check somewhere.

The project's URL tree is walked (namespaces included, e.g. "assessments:round"). Each
name must be either

* in COVERED: the per-app permission test (file and test name) that checks it role by
  role; the file must really define that test and mention the URL (its full name, its
  path, or its short name next to a ``reverse(f"<namespace>:{...}")``), or
* in DIRECT: checked here, for a signed-in user without any role and for an anonymous
  visitor (sent to the login page).

A new named URL that is in neither table fails ``test_every_named_url_is_covered``.
Skipped: Django admin, the API (tests/web/test_*_api.py and the API tests cover it),
language switching, login/logout and static files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cchc.accounts.models import Role
from cchc.dossiers.models import DossierImport
from cchc.followup import services as followup_services
from cchc.followup.models import Acceptance
from cchc.frameworks.services import indexset_import
from tests.conftest import PASSWORD
from tests.web.test_permissions import build_tree

ROOT = Path(__file__).resolve().parents[2]
SETS = ROOT / "cchc" / "frameworks" / "sets"
LOGIN = "/accounts/login/"

SKIPPED_NAMESPACES = {"admin", "api"}
SKIPPED_NAMES = {"set_language", "login", "logout"}

# URL name -> the test that checks its permissions role by role.
_ASSESSMENTS = "tests/web/test_assessments.py::test_permission_matrix"
_ASSESSMENT_EXPORTS = "tests/web/test_assessment_exports.py::test_permission_matrix"
_INSPECTIONS = "tests/web/test_inspection_pages.py::test_permission_matrix"
_PLANS_GET = "tests/web/test_plan_pages.py::test_permission_matrix_get"
_PLANS_POST = "tests/web/test_plan_pages.py::test_permission_matrix_post"
_DOSSIERS = "tests/web/test_dossier_pages.py::test_permission_matrix"
_UNIT_TABLE = "tests/web/test_assessment_unit_table.py::test_unit_table_permissions"
_DOCUMENTS = "tests/web/test_documents.py::"
_FOLLOWUP = "tests/web/test_followup.py::test_list_and_detail_permissions"

COVERED: dict[str, str] = {
    "audit": "tests/web/test_audit.py::test_viewer_for_administrators_only",
    "frameworks:import": "tests/web/test_frameworks.py::test_officer_cannot_import_or_publish",
    "frameworks:publish": "tests/web/test_frameworks.py::test_officer_cannot_import_or_publish",
    "documents:download": _DOCUMENTS + "test_download_permission_and_vietnamese_name",
    "documents:unit": _DOCUMENTS + "test_unit_page_upload_with_document_ref",
    "followup:list": _FOLLOWUP,
    "followup:detail": _FOLLOWUP,
    "followup:claim": _FOLLOWUP,
    "dossiers:home": _DOSSIERS,
    "dossiers:import_new": _DOSSIERS,
    "dossiers:import_detail": _DOSSIERS,
    "dossiers:report": _DOSSIERS,
    "dossiers:drill": _DOSSIERS,
    "dossiers:indicators": _DOSSIERS,
    "dossiers:official_entry": "tests/web/test_dossier_official_entry.py::test_permission_matrix",
    **{
        f"assessments:{name}": _ASSESSMENTS
        for name in (
            "list",
            "new",
            "round",
            "export",
            "publish",
            "survey",
            "computed",
            "appraisers",
            "assessment",
            "save",
            "evidence",
            "submit",
            "reopen",
            "form",
            "upload",
            "scorecard",
        )
    },
    **{
        f"assessments:{name}": _ASSESSMENT_EXPORTS
        for name in ("summary_xlsx", "summary_docx", "scorecard_pdf", "history")
    },
    "assessments:audit_xlsx": "tests/web/test_assessment_audit_export.py::test_audit_export",
    **{
        f"inspections:{name}": _INSPECTIONS
        for name in (
            "list",
            "dashboard",
            "plan_create",
            "plan_detail",
            "plan_event_add",
            "event_create",
            "event_detail",
            "event_add",
            "round_attach",
            "explanation_save",
            "directive_plan",
            "dossier_fill",
            "remediation_check",
            "notice_prepare",
            "notice_draft",
            "notice_edit",
            "notice_sign",
            "signed_file",
            "respond",
            "unit",
        )
    },
    **{
        f"plans:{name}": _PLANS_GET
        for name in (
            "list",
            "tasks",
            "reports",
            "create",
            "report_create",
            "detail",
            "export",
            "subordinates",
            "unit",
            "report_detail",
            "report_figures",
            "report_figures_xlsx",
        )
    },
    **{
        f"plans:{name}": _PLANS_POST
        for name in ("task_add", "issue", "import", "report_form", "report_submit")
    },
    "assessments:unit_table_xlsx": _UNIT_TABLE,
    "assessments:unit_table_docx": _UNIT_TABLE,
    "plans:remediation_new": "tests/web/test_plan_remediation.py::test_permission_matrix",
    "plans:outline_request": "tests/web/test_plan_outline.py::test_permission_matrix",
}


@dataclass(frozen=True)
class Case:
    method: str  # "get" or "post"
    args: tuple[str, ...]  # attribute names of the world (or literal strings)
    outsider: int  # status for a signed-in user without any role
    query: str = ""


# Checked here. Reference data (the unit registry, the published index sets, the home
# page listing them) and one's own uploads are open to every signed-in user by design:
# their expected status for a user without a role is 200; everything else refuses.
DIRECT: dict[str, Case] = {
    "home": Case("get", (), 200),
    "units:list": Case("get", (), 200),
    "units:detail": Case("get", ("pt_key",), 200),
    "frameworks:list": Case("get", (), 200),
    "frameworks:detail": Case("get", ("index_set",), 200),
    "frameworks:download": Case("get", ("index_set", "xlsx"), 200),
    "documents:mine": Case("get", (), 200),
    "followup:update": Case("post", ("item",), 403),
    "followup:accept": Case("post", ("item",), 403),
    "followup:reject": Case("post", ("item",), 403),
    "followup:cancel": Case("post", ("item",), 403),
    "followup:reopen": Case("post", ("item",), 403),
    "dossiers:import_confirm": Case("post", ("record",), 403),
    "dossiers:import_errors": Case("get", ("record",), 403),
    "dossiers:drill_export": Case(
        "get", (), 403, "unit=01969@2025&from=2025-07-01&to=2025-09-30&figure=late"
    ),
}
OPEN_TO_SIGNED_IN = {name for name, case in DIRECT.items() if case.outsider == 200}


def _walk(resolver: URLResolver, namespaces: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(full name, route) of every named pattern below ``resolver``."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespaces + ((entry.namespace,) if entry.namespace else ())
            for name, route in _walk(entry, inner):
                yield name, str(entry.pattern) + route
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join((*namespaces, entry.name)), str(entry.pattern)


def _is_skipped(name: str, route: str) -> bool:
    namespace = name.split(":", 1)[0] if ":" in name else ""
    return namespace in SKIPPED_NAMESPACES or name in SKIPPED_NAMES or route.startswith("static")


def project_urls() -> dict[str, str]:
    """Full URL name -> route, skipped ones left out."""
    return {n: r for n, r in _walk(get_resolver()) if not _is_skipped(n, r)}


def _route_regex(route: str) -> re.Pattern[str]:
    """The route as it is written in a test: literal values or f-string placeholders."""
    parts = re.split(r"<[^>]+>", route)
    segment = r"(?:\{[^}]*\}|[^/\"'{}\s]+)"
    return re.compile("/" + segment.join(re.escape(p) for p in parts) + r"(?=[\"'?])")


def _mentions(text: str, name: str, route: str) -> bool:
    namespace, _, short = name.rpartition(":")
    if f'"{name}"' in text or _route_regex(route).search(text):
        return True
    return bool(namespace) and f'f"{namespace}:{{' in text and f'"{short}"' in text


# --- the inventory (no database) ---------------------------------------------------------


def test_every_named_url_is_covered() -> None:
    names = set(project_urls())
    assert not set(COVERED) & set(DIRECT)
    assert names - set(COVERED) - set(DIRECT) == set(), "named URLs without a permission check"
    assert (set(COVERED) | set(DIRECT)) - names == set(), "stale entries in the tables"
    assert names == set(COVERED) | set(DIRECT)


def test_the_walk_sees_namespaces_and_skips() -> None:
    every = dict(_walk(get_resolver()))
    assert every["assessments:round"] == "assessments/<int:pk>/"
    assert every["inspections:notice_draft"] == "inspections/<int:pk>/notice/draft.docx"
    assert "admin:index" in every and "admin:index" not in project_urls()
    assert {"login", "logout", "set_language"} <= set(every) - set(project_urls())
    assert not any(name.startswith("api:") for name in project_urls())


@pytest.mark.parametrize("name", sorted(COVERED))
def test_covering_test_exists_and_mentions_the_url(name: str) -> None:
    file_name, _, test_name = COVERED[name].partition("::")
    text = (ROOT / file_name).read_text(encoding="utf-8")
    assert re.search(rf"^def {re.escape(test_name)}\(", text, re.MULTILINE), COVERED[name]
    assert _mentions(text, name, project_urls()[name]), (name, file_name)


def test_mention_check_is_not_vacuous() -> None:
    text = (ROOT / "tests/web/test_plan_pages.py").read_text(encoding="utf-8")
    assert _mentions(text, "plans:export", "plans/<int:pk>/export.xlsx")
    assert not _mentions(text, "plans:export", "plans/<int:pk>/export.csv")
    assert not _mentions(text, "dossiers:drill_export", "dossiers/report/dossiers/export/")


# --- direct checks -------------------------------------------------------------------------


@pytest.fixture
def world(make_user: Any, settings: Any, tmp_path: Path) -> SimpleNamespace:
    settings.MEDIA_ROOT = tmp_path / "files"
    w = build_tree()
    w.pt_key = "01969@2025"
    w.secretariat = make_user("vp_tn", role=Role.SECRETARIAT, unit=w.tn)
    w.nobody = make_user("no_role")
    w.index_set = indexset_import(SETS / "par-commune-sample.yaml")
    w.item = followup_services.item_create(
        user=w.secretariat,
        title="Khắc phục tỷ lệ hồ sơ trực tuyến thấp",
        lead_unit=w.pt,
        issuing_unit=w.tn,
        deadline=date(2025, 9, 30),
        acceptance_label=Acceptance.VERIFICATION,
        source_label="Thông báo kết luận kiểm tra 2025",
        field_code="VI",
    )
    w.record = DossierImport.objects.create(
        file_name="a.csv",
        profile="canonical",
        import_id="a",
        status="preview",
        created_by=w.secretariat,
    )
    return w


def _url(w: SimpleNamespace, name: str) -> str:
    case = DIRECT[name]
    args = [
        getattr(w, a).pk if hasattr(getattr(w, a, None), "pk") else getattr(w, a, a)
        for a in case.args
    ]
    url = reverse(name, args=args)
    return f"{url}?{case.query}" if case.query else url


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(DIRECT))
def test_direct_outsider_and_anonymous(world: SimpleNamespace, name: str) -> None:
    case = DIRECT[name]
    url = _url(world, name)
    anonymous = getattr(Client(), case.method)(url)
    assert anonymous.status_code == 302, name
    assert anonymous["Location"].startswith(LOGIN), name
    client = Client()
    assert client.login(username="no_role", password=PASSWORD)
    response = getattr(client, case.method)(url)
    assert response.status_code == case.outsider, name
    if name not in OPEN_TO_SIGNED_IN:
        assert response.status_code in (403, 404), name


@pytest.mark.django_db
def test_direct_refusals_change_nothing(world: SimpleNamespace) -> None:
    status, updates = world.item.status, world.item.updates.count()
    client = Client()
    assert client.login(username="no_role", password=PASSWORD)
    for name in (
        "followup:update",
        "followup:accept",
        "followup:cancel",
        "dossiers:import_confirm",
    ):
        client.post(_url(world, name), {"text": "x", "reason": "x", "progress": "50"})
    world.item.refresh_from_db()
    world.record.refresh_from_db()
    assert (world.item.status, world.item.updates.count()) == (status, updates)
    assert world.record.status == "preview"
