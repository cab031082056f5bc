"""The permission matrix over a small hand-built tree, for each role.

Thái Nguyên (2025) ⊃ Xã Phủ Thông, Xã Khác; Hà Nội (2025) ⊃ Xã Ngoài.
Bắc Kạn (legacy) ⊃ Huyện Bạch Thông ⊃ TT Phủ Thông, Xã Vi Hương, Xã Lạc.
Lineage: Bắc Kạn → Thái Nguyên, TT Phủ Thông → Xã Phủ Thông, Xã Vi Hương → Xã Phủ Thông,
Xã Lạc → Xã Ngoài.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.accounts import permissions as perms
from cchc.accounts.models import Role
from cchc.units.models import Unit, UnitLineage

pytestmark = pytest.mark.django_db

REFORM = date(2025, 7, 1)


def _unit(code: str, hierarchy: str, name: str, kind: str, level: int, parent: Any = None) -> Unit:
    legacy = hierarchy == "legacy"
    return Unit.objects.create(
        code=code,
        hierarchy=hierarchy,
        name=name,
        kind=kind,
        level=level,
        parent=parent,
        valid_from=None if legacy else REFORM,
        valid_to=date(2025, 6, 30) if legacy else None,
    )


def build_tree() -> SimpleNamespace:
    t = SimpleNamespace()
    t.tn = _unit("19", "2025", "Tỉnh Thái Nguyên", "province", 1)
    t.pt = _unit("01969", "2025", "Xã Phủ Thông", "commune", 3, t.tn)
    t.other = _unit("01990", "2025", "Xã Khác", "commune", 3, t.tn)
    t.hn = _unit("01", "2025", "Thành phố Hà Nội", "city", 1)
    t.outside = _unit("00004", "2025", "Xã Ngoài", "commune", 3, t.hn)
    t.bk = _unit("06", "legacy", "Tỉnh Bắc Kạn", "province", 1)
    t.bt = _unit("061", "legacy", "Huyện Bạch Thông", "district", 2, t.bk)
    t.tt_pt = _unit("01969", "legacy", "Thị trấn Phủ Thông", "township", 3, t.bt)
    t.vh = _unit("01972", "legacy", "Xã Vi Hương", "commune", 3, t.bt)
    t.lac = _unit("01975", "legacy", "Xã Lạc", "commune", 3, t.bt)
    for pred, succ in ((t.bk, t.tn), (t.tt_pt, t.pt), (t.vh, t.pt), (t.lac, t.outside)):
        UnitLineage.objects.create(predecessor=pred, successor=succ, effective=REFORM, kind="merge")
    return t


@pytest.fixture
def tree() -> SimpleNamespace:
    return build_tree()


NAMES = ("tn", "pt", "other", "hn", "outside", "bk", "bt", "tt_pt", "vh", "lac")


def _names(t: SimpleNamespace, scope: Any) -> set[str]:
    return {n for n in NAMES if getattr(t, n).pk in scope}


# role, unit attr -> (readable, writable)
SECRETARIAT_VIEW = {"tn", "pt", "other", "bk", "bt", "tt_pt", "vh"}
MATRIX = {
    "commune_officer": (
        Role.UNIT_OFFICER,
        "pt",
        {"pt", "tt_pt", "vh"},  # the communes it took in, not their former province
        {"pt"},
    ),
    "appraiser": (Role.APPRAISER, "tn", SECRETARIAT_VIEW, {"tn", "pt", "other"}),
    "secretariat": (Role.SECRETARIAT, "tn", SECRETARIAT_VIEW, {"tn", "pt", "other"}),
    "leader": (Role.LEADER, "tn", SECRETARIAT_VIEW, set()),
    "outsider": (None, None, set(), set()),
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_matrix(who: str, tree: SimpleNamespace, make_user: Any) -> None:
    role, unit_name, readable, writable = MATRIX[who]
    user = make_user(who, role=role, unit=getattr(tree, unit_name) if unit_name else None)
    assert _names(tree, perms.readable_unit_ids(user)) == readable
    assert _names(tree, perms.writable_unit_ids(user)) == writable
    for name in NAMES:
        unit = getattr(tree, name)
        assert perms.can_read_unit(user, unit) is (name in readable), name
        assert perms.can_write_unit(user, unit) is (name in writable), name
        if name in readable:
            perms.require_read(user, unit)
        else:
            with pytest.raises(PermissionDenied):
                perms.require_read(user, unit)
        if name not in writable:
            with pytest.raises(PermissionDenied):
                perms.require_write(user, unit)


def test_lineage_reads_history_but_never_writes_it(tree: SimpleNamespace, make_user: Any) -> None:
    secretariat = make_user("vp_tn", role=Role.SECRETARIAT, unit=tree.tn)
    # Bắc Kạn's TT Phủ Thông is now in Thái Nguyên: readable, not writable.
    assert perms.can_read_unit(secretariat, tree.tt_pt)
    assert not perms.can_write_unit(secretariat, tree.tt_pt)
    # Its sibling Xã Lạc went to Hà Nội: not even readable.
    assert not perms.can_read_unit(secretariat, tree.lac)


def test_roles_narrow_writing(tree: SimpleNamespace, make_user: Any) -> None:
    officer = make_user("xa_pt", role=Role.UNIT_OFFICER, unit=tree.pt)
    assert perms.can_write_unit(officer, tree.pt)
    assert not perms.can_write_unit(officer, tree.pt, role_in=perms.OVERSIGHT_ROLES)
    # Leaders never write, even when a caller lists them.
    leader = make_user("ld_tn", role=Role.LEADER, unit=tree.tn)
    assert not perms.can_write_unit(leader, tree.pt, role_in=(Role.LEADER,))
    assert perms.roles_of(officer) == {"unit_officer"}
    assert perms.has_role(leader, Role.LEADER)
    assert not perms.has_role(leader, Role.SECRETARIAT)


def test_whole_system_roles_and_superuser(tree: SimpleNamespace, make_user: Any) -> None:
    admin = make_user("admin_all", role=Role.ADMIN, unit=None)
    root = make_user("root", is_superuser=True)
    for user in (admin, root):
        assert perms.readable_unit_ids(user) is perms.ALL
        assert perms.writable_unit_ids(user) is perms.ALL
        assert perms.can_write_unit(user, tree.lac)
        assert perms.can_read_unit(user, None)
    assert perms.can_view_audit(admin) and perms.can_view_audit(root)


def test_inactive_user_has_no_access(tree: SimpleNamespace, make_user: Any) -> None:
    user = make_user("gone", role=Role.SECRETARIAT, unit=tree.tn, is_active=False)
    assert perms.readable_unit_ids(user) == set()
    assert not perms.can_write_unit(user, tree.pt)


def test_scope_costs_few_queries_and_is_cached(tree: SimpleNamespace, make_user: Any) -> None:
    user = make_user("vp", role=Role.SECRETARIAT, unit=tree.tn)
    with CaptureQueriesContext(connection) as first:
        perms.readable_unit_ids(user)
    # grants, the (id, parent) tree, the lineage
    assert len(first) == 3
    with CaptureQueriesContext(connection) as again:
        for name in NAMES:
            perms.can_read_unit(user, getattr(tree, name))
    assert len(again) == 0


def test_subtree_in_one_query(tree: SimpleNamespace) -> None:
    with CaptureQueriesContext(connection) as ctx:
        ids = perms.subtree_ids([tree.bk.pk])
    assert len(ctx) == 1
    assert ids == {tree.bk.pk, tree.bt.pk, tree.tt_pt.pk, tree.vh.pk, tree.lac.pk}


def test_unit_filter(tree: SimpleNamespace, make_user: Any) -> None:
    officer = make_user("xa_pt2", role=Role.UNIT_OFFICER, unit=tree.pt)
    units = Unit.objects.filter(perms.unit_filter(perms.readable_unit_ids(officer), "id"))
    assert sorted(u.name for u in units) == sorted(
        ["Xã Phủ Thông", "Thị trấn Phủ Thông", "Xã Vi Hương"]
    )
    assert Unit.objects.filter(perms.unit_filter(perms.ALL, "id")).count() == 10
