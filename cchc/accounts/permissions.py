"""The one permission module: roles scoped to a unit subtree, default deny.

Rules:

- A role assignment covers its unit and every unit below it (``Unit.parent``,
  recursively); an assignment without a unit covers the whole system.
- Superusers may do everything. A user without an assignment may do nothing.
- Leaders read only. Admins, secretariat, appraisers and unit officers may write in
  their scope (callers narrow the roles with ``role_in``).
- **Read access to history follows lineage, write access does not.** A legacy unit
  (before 1/7/2025) is readable when one of its successors, or a successor of one of
  its descendants, is in the reader's subtree (lineage is followed transitively);
  the units below such a predecessor are readable too. So a 2025 Thái Nguyên
  secretariat reads the Bắc Kạn records whose territory is now in Thái Nguyên, and
  cannot change them.

Decisions are cached on the user object, which lives for one request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from cchc.accounts.models import Role, RoleAssignment
from cchc.units.models import Unit, UnitLineage


class AllUnits:
    """The scope "every unit" (an assignment without a unit, or a superuser)."""

    _instance: AllUnits | None = None

    def __new__(cls) -> AllUnits:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __contains__(self, item: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "ALL"


ALL: Final = AllUnits()
Scope = set[int] | AllUnits

READ_ROLES: Final = frozenset(Role.values)
WRITE_ROLES: Final = (Role.ADMIN, Role.SECRETARIAT, Role.APPRAISER, Role.UNIT_OFFICER)
OVERSIGHT_ROLES: Final = (Role.ADMIN, Role.SECRETARIAT, Role.APPRAISER)


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int | None  # None = the whole system
    field_code: str = ""


@dataclass
class _Cache:
    grants: list[Grant]
    read: Scope | None = None
    write: dict[tuple[str, ...], Scope] = field(default_factory=dict)


_CACHE_ATTR = "_cchc_permission_cache"


def _cache(user: Any) -> _Cache:
    cached: _Cache | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
            grants: list[Grant] = []
        else:
            grants = [
                Grant(role, unit_id, field_code)
                for role, unit_id, field_code in RoleAssignment.objects.filter(
                    user_id=user.pk
                ).values_list("role", "unit_id", "field_code")
            ]
        cached = _Cache(grants)
        if user is not None:
            setattr(user, _CACHE_ATTR, cached)
    return cached


def clear_cache(user: Any) -> None:
    """Forget cached decisions (after changing the user's role assignments)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_superuser(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_superuser", False)
    )


def grants_of(user: Any) -> list[Grant]:
    if user is not None and not getattr(user, "is_active", True):
        return []
    return list(_cache(user).grants)


def roles_of(user: Any) -> set[str]:
    """The role names the user holds anywhere (``{"secretariat"}``)."""
    return {g.role for g in grants_of(user)}


def has_role(user: Any, *roles: str) -> bool:
    """True for a superuser, or when the user holds one of ``roles`` anywhere."""
    return is_superuser(user) or bool(roles_of(user) & set(roles))


# --- the unit tree ---------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for unit_id, parent_id in Unit.objects.values_list("id", "parent_id"):
        if parent_id is not None:
            children[parent_id].append(unit_id)
    return children


def _descendants(roots: Iterable[int], children: dict[int, list[int]]) -> set[int]:
    """The roots and everything below them (one pass over an in-memory tree)."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(children.get(current, ()))
    return seen


def subtree_ids(unit_ids: Iterable[int]) -> set[int]:
    """The given units and all units below them, from one query over (id, parent_id)."""
    return _descendants(unit_ids, _children_map())


def _lineage_readable(subtree: set[int], children: dict[int, list[int]]) -> set[int]:
    """Units readable through lineage from ``subtree`` (see the module docstring)."""
    preds_of: dict[int, list[int]] = defaultdict(list)
    for pred, succ in UnitLineage.objects.values_list("predecessor_id", "successor_id"):
        preds_of[succ].append(pred)
    if not preds_of:
        return set()
    # Predecessors, transitively (a successor may itself have been succeeded later).
    preds: set[int] = set()
    frontier = set(subtree)
    while frontier:
        found = {p for s in frontier for p in preds_of.get(s, ())} - preds - subtree
        preds |= found
        frontier = found
    if not preds:
        return set()
    # A predecessor and the units below it that have no lineage of their own (those follow
    # their own successors: Xã Lạc of Bắc Kạn went to Hà Nội, so Thái Nguyên does not read
    # it). Never a predecessor's ancestors: the commune that took in Vi Hương reads Vi
    # Hương's history, not the whole former province.
    has_lineage = {p for ps in preds_of.values() for p in ps}
    return preds | {u for u in _descendants(preds, children) if u not in has_lineage}


# --- scopes ------------------------------------------------------------------------


def readable_unit_ids(user: Any) -> Scope:
    """Units whose records the user may read: ALL, or a set of unit ids."""
    if is_superuser(user):
        return ALL
    cache = _cache(user)
    if cache.read is None:
        grants = grants_of(user)
        if any(g.unit_id is None for g in grants):
            cache.read = ALL
        elif not grants:
            cache.read = set()
        else:
            children = _children_map()
            subtree = _descendants({g.unit_id for g in grants if g.unit_id}, children)
            cache.read = subtree | _lineage_readable(subtree, children)
    return cache.read


def writable_unit_ids(user: Any, roles: Iterable[str] = WRITE_ROLES) -> Scope:
    """Units the user may change holding one of ``roles`` (leaders never write)."""
    if is_superuser(user):
        return ALL
    wanted = tuple(sorted(set(roles) - {Role.LEADER}))
    cache = _cache(user)
    if wanted not in cache.write:
        grants = [g for g in grants_of(user) if g.role in wanted]
        scope: Scope
        if any(g.unit_id is None for g in grants):
            scope = ALL
        elif not grants:
            scope = set()
        else:
            scope = subtree_ids({g.unit_id for g in grants if g.unit_id})
        cache.write[wanted] = scope
    return cache.write[wanted]


def _unit_id(unit: Unit | int | None) -> int | None:
    if unit is None or isinstance(unit, int):
        return unit
    return unit.pk


def can_read_unit(user: Any, unit: Unit | int | None) -> bool:
    """May the user read the records of ``unit``? (None = system-wide records.)"""
    unit_id = _unit_id(unit)
    scope = readable_unit_ids(user)
    if unit_id is None:
        return scope is ALL
    return unit_id in scope


def can_write_unit(
    user: Any, unit: Unit | int | None, *, role_in: Iterable[str] = WRITE_ROLES
) -> bool:
    """May the user change the records of ``unit`` holding one of ``role_in``?"""
    unit_id = _unit_id(unit)
    scope = writable_unit_ids(user, role_in)
    if unit_id is None:
        return scope is ALL
    return unit_id in scope


def require_read(user: Any, unit: Unit | int | None) -> None:
    if not can_read_unit(user, unit):
        raise PermissionDenied


def require_write(
    user: Any, unit: Unit | int | None, *, role_in: Iterable[str] = WRITE_ROLES
) -> None:
    if not can_write_unit(user, unit, role_in=role_in):
        raise PermissionDenied


def unit_filter(scope: Scope, field_name: str = "unit") -> Q:
    """A ``Q`` restricting ``field_name`` (a unit FK) to ``scope``."""
    if scope is ALL:
        return Q()
    return Q(**{f"{field_name}__in": sorted(scope)})  # type: ignore[arg-type]


def can_view_audit(user: Any) -> bool:
    """The whole audit trail (old and new values of every area) is for administrators;
    a secretariat sees the history of its own records on their pages."""
    return has_role(user, Role.ADMIN)
