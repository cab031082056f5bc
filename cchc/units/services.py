"""Resolving unit codes and reading the hierarchy and lineage (selectors).

A bare code is resolved by a date: before 1/7/2025 the legacy unit, from then the 2025
one; local (non-geographic) units have one code for all time.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max

from cchc.core.dates import format_date
from cchc.units.models import (
    REFORM_DATE,
    Hierarchy,
    RegistryVersion,
    Unit,
    UnitLineage,
    UnitParent,
)


class UnitResolutionError(ValueError):
    """A code that names no unit, or several without a way to choose."""


HIERARCHIES = {h.value for h in Hierarchy}


def validity_text(unit: Unit) -> str:
    """``đến 30/06/2025`` / ``từ 01/07/2025`` / ``01/01/2020–30/06/2025`` / ``""``."""
    if unit.valid_from and unit.valid_to:
        return f"{format_date(unit.valid_from)}–{format_date(unit.valid_to)}"
    if unit.valid_to:
        return f"đến {format_date(unit.valid_to)}"
    if unit.valid_from:
        return f"từ {format_date(unit.valid_from)}"
    return ""


def describe(unit: Unit) -> str:
    """``Thị trấn Phủ Thông (01969@legacy, đến 30/06/2025)``."""
    validity = validity_text(unit)
    return f"{unit.name} ({unit.key}{', ' + validity if validity else ''})"


def split_key(text: str) -> tuple[str, str | None]:
    """``"01969@2025"`` → ``("01969", "2025")``; ``"01969"`` → ``("01969", None)``."""
    code, sep, hierarchy = text.strip().partition("@")
    code = code.strip()
    if not code:
        raise UnitResolutionError("Thiếu mã đơn vị")
    if not sep:
        return code, None
    hierarchy = hierarchy.strip().lower()
    if hierarchy not in HIERARCHIES:
        raise UnitResolutionError(
            f"Mã {text.strip()}: hệ thống “{hierarchy}” không hợp lệ; dùng @legacy, @2025 "
            "hoặc @local"
        )
    return code, hierarchy


def resolve_unit(code: str, *, as_of: date | None = None, hierarchy: str | None = None) -> Unit:
    """Find the unit a code means: ``01969``, ``01969@2025``, ``01969@legacy``.

    An explicit ``@hierarchy`` (or ``hierarchy=``) wins; otherwise ``as_of`` picks the
    hierarchy valid on that date; with neither, the code must be unique.
    """
    bare, suffix = split_key(code)
    wanted = suffix or hierarchy
    if wanted is not None and wanted not in HIERARCHIES:
        raise UnitResolutionError(f"Hệ thống đơn vị “{wanted}” không hợp lệ")
    order: dict[str, int] = {"legacy": 0, "2025": 1, "local": 2}
    candidates = sorted(Unit.objects.filter(code=bare), key=lambda u: order.get(u.hierarchy, 3))
    if wanted is not None:
        for unit in candidates:
            if unit.hierarchy == wanted:
                return unit
        raise UnitResolutionError(f"Mã {bare}@{wanted}: không tìm thấy đơn vị")
    if not candidates:
        raise UnitResolutionError(f"Mã {bare}: không tìm thấy đơn vị")
    local = [u for u in candidates if u.hierarchy == Hierarchy.LOCAL]
    if as_of is not None:
        by_date = Hierarchy.LEGACY if as_of < REFORM_DATE else Hierarchy.Y2025
        matches = [u for u in candidates if u.hierarchy == by_date] + local
        if len(matches) == 1:
            return matches[0]
        if not matches:
            others = "; ".join(describe(u) for u in candidates)
            raise UnitResolutionError(
                f"Mã {bare}: không tìm thấy đơn vị hiệu lực ngày {format_date(as_of)} "
                f"(mã này chỉ có: {others})"
            )
        candidates = matches
    if len(candidates) == 1:
        return candidates[0]
    names = " và ".join(describe(u) for u in candidates)
    hint = "@legacy hoặc @2025 hoặc @local" if local else "@legacy hoặc @2025 hoặc ngày"
    raise UnitResolutionError(f"Mã {bare} ứng với {len(candidates)} đơn vị: {names}; ghi rõ {hint}")


def parent_on(unit: Unit, when: date) -> Unit | None:
    """The unit's parent on a date: from its parent periods if any, else its parent."""
    periods = list(unit.parent_periods.select_related("parent"))
    for period in periods:
        if (period.valid_from is None or period.valid_from <= when) and (
            period.valid_to is None or period.valid_to >= when
        ):
            return period.parent
    return unit.parent


def ancestors(unit: Unit, as_of: date | None = None) -> list[Unit]:
    """Parents up to the province, the province first; ``as_of`` picks dated parents."""
    chain: list[Unit] = []
    current: Unit | None = unit
    seen = {unit.pk}
    while current is not None:
        parent = parent_on(current, as_of) if as_of is not None else current.parent
        if parent is None or parent.pk in seen:
            break
        chain.append(parent)
        seen.add(parent.pk)
        current = parent
    chain.reverse()
    return chain


def subtree_ids(unit: Unit) -> set[int]:
    """Ids of the unit and everything under it, from one query over the whole table."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in Unit.objects.filter(parent__isnull=False).values_list("id", "parent_id"):
        children[parent_id].append(pk)
    found = {unit.pk}
    stack = [unit.pk]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


@dataclass(frozen=True)
class LineageLink:
    """One side of a lineage row, as pages and the CLI show it."""

    unit: Unit
    kind: str
    kind_label: str
    effective: date
    is_default: bool


def predecessors(unit: Unit) -> list[LineageLink]:
    """Units this one continues (for Xã Phủ Thông: TT Phủ Thông, Vi Hương, …)."""
    links = UnitLineage.objects.filter(successor=unit).select_related(
        "predecessor", "predecessor__parent"
    )
    return sorted(
        (
            LineageLink(
                link.predecessor,
                link.kind,
                str(link.get_kind_display()),
                link.effective,
                link.is_default,
            )
            for link in links
        ),
        key=lambda link: (link.unit.level, link.unit.sort_key),
    )


def successors(unit: Unit) -> list[LineageLink]:
    """Units that continue this one; a divided unit's default successor is marked."""
    links = UnitLineage.objects.filter(predecessor=unit).select_related(
        "successor", "successor__parent"
    )
    return sorted(
        (
            LineageLink(
                link.successor,
                link.kind,
                str(link.get_kind_display()),
                link.effective,
                link.is_default,
            )
            for link in links
        ),
        key=lambda link: (not link.is_default, link.unit.level, link.unit.sort_key),
    )


def lineage_map(keys: set[str] | None = None) -> dict[str, list[tuple[str, bool]]]:
    """Legacy unit key → ``[(successor key, is_default)]`` for ``core.lineage.attribute``."""
    rows = UnitLineage.objects.values_list(
        "predecessor__code",
        "predecessor__hierarchy",
        "successor__code",
        "successor__hierarchy",
        "is_default",
    )
    out: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for pcode, phier, scode, shier, default in rows:
        key = f"{pcode}@{phier}"
        if keys is None or key in keys:
            out[key].append((f"{scode}@{shier}", default))
    return dict(out)


def bump_registry_version() -> None:
    """Replace the registry token (inside the caller's transaction, so it commits with it)."""
    token = secrets.token_hex(16)
    if not RegistryVersion.objects.filter(pk=1).update(token=token):
        RegistryVersion.objects.create(pk=1, token=token)


def registry_version() -> tuple[Any, ...]:
    """A value that changes whenever units, their parents or their lineage change.

    The token is replaced on every save or delete (signals, see ``apps.py``) and by the
    loader's bulk writes; the row counts and highest ids catch bulk inserts and deletes
    made elsewhere. Three small aggregate queries: cheap enough to ask on every request.
    """
    token = RegistryVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    stamp: list[Any] = [token or ""]
    for model in (Unit, UnitLineage, UnitParent):
        agg = model.objects.aggregate(n=Count("id"), top=Max("id"))
        stamp += [agg["n"], agg["top"]]
    return tuple(stamp)


def registry_changed(sender: Any, **kwargs: Any) -> None:
    """Signal receiver (post_save / post_delete of Unit, UnitParent, UnitLineage)."""
    if kwargs.get("raw"):  # fixture loading
        return
    bump_registry_version()
