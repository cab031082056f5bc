"""Foundation part of ``cchc demo load``: units, index sets, metrics and demo accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from cchc.accounts.models import Role, RoleAssignment
from cchc.frameworks.metrics import metrics_sync
from cchc.frameworks.services import indexset_import, shipped_sets
from cchc.units.loader import TEST_EXTRACT, load_units
from cchc.units.models import Unit

DEMO_PASSWORD = "cchc-demo-2025"  # noqa: S105 - printed by make demo, demo only

# (username, full name, role, unit key or None for the whole system)
ACCOUNTS = [
    ("admin", "Quản trị hệ thống", None, None),
    ("sonoivu.thainguyen", "Sở Nội vụ Thái Nguyên", Role.SECRETARIAT, "19@2025"),
    ("lanhdao.thainguyen", "Lãnh đạo UBND tỉnh Thái Nguyên", Role.LEADER, "19@2025"),
    ("thamdinh.thainguyen", "Thành viên Hội đồng thẩm định", Role.APPRAISER, "19@2025"),
    ("xa.phuthong", "Cán bộ xã Phủ Thông", Role.UNIT_OFFICER, "01969@2025"),
    ("sonoivu.hatinh", "Sở Nội vụ Hà Tĩnh", Role.SECRETARIAT, "42@2025"),
]


def load_foundation(out: Any, *, units: str = "all") -> None:
    report = load_units(TEST_EXTRACT if units == "extract" else None)
    for line in report.lines():
        out.write(f"· {line}")
    for path in shipped_sets():
        index_set = indexset_import(path, publish=True)
        out.write(f"· bộ chỉ số / index set: {index_set.code} v{index_set.version}")
    created, updated = metrics_sync()
    out.write(f"· chỉ tiêu / metrics: {created} mới, {updated} cập nhật")
    _accounts(out)


@transaction.atomic
def _accounts(out: Any) -> None:
    for username, full_name, role, unit_key in ACCOUNTS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.first_name = full_name
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = role is None
            user.save()
        if role is not None and unit_key is not None:
            code, _, hierarchy = unit_key.partition("@")
            unit = Unit.objects.filter(code=code, hierarchy=hierarchy).first()
            if unit is None:
                continue
            RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit, field_code="")
    names = ", ".join(a[0] for a in ACCOUNTS)
    out.write(f"· tài khoản / accounts ({DEMO_PASSWORD}): {names}")
