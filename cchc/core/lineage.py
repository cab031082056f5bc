"""Which unit a record counts for when a period crosses the 1/7/2025 reform.

The rule (also in docs/UNITS.md):

1. A period is reported in the hierarchy valid at the **period end**: a period ending on or
   before 30/6/2025 uses the legacy units unchanged; a period ending on or after 1/7/2025
   uses the 2025 units.
2. In the second case a record of a legacy unit is attributed to that unit's successor
   through the lineage table (merged communes: their one successor; districts and
   provinces: the successor marked default).
3. A **divided** predecessor (several successors) goes to its **default successor**;
   the number of records so attributed is returned so that reports can footnote it
   ("n hồ sơ của xã bị chia được tính cho xã kế thừa mặc định").
4. A legacy unit with successors but no default one (an abolished district whose
   territory is spread over several communes) is left unattributed and listed, so a
   report can say so instead of guessing.

Keys are the units' keys written ``code@hierarchy`` (``01975@legacy``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

REFORM_DATE = date(2025, 7, 1)
LEGACY_SUFFIX = "@legacy"


@dataclass(frozen=True)
class Attribution:
    """Where each record's unit key goes, and what the report must footnote."""

    mapping: dict[str, str] = field(default_factory=dict)
    # Records of divided units sent to their default successor (one per record).
    divided_count: int = 0
    # Records whose legacy unit has no single or default successor.
    unattributed_count: int = 0
    unattributed_keys: frozenset[str] = frozenset()


def hierarchy_at(period_end: date) -> str:
    """``legacy`` for a period ending before 1/7/2025, else ``2025``."""
    return "legacy" if period_end < REFORM_DATE else "2025"


def attribute(
    records_unit_keys: Iterable[str],
    lineage: Mapping[str, Sequence[tuple[str, bool]]],
    period_end: date,
) -> Attribution:
    """Attribute each record's unit key to a unit of the hierarchy valid at ``period_end``.

    ``lineage`` maps a legacy unit key to its ``(successor_key, is_default)`` pairs.
    Keys of non-legacy units (2025 and local) map to themselves; so does everything when
    the period ends before the reform. The counts are per record, not per unit.
    """
    keys = list(records_unit_keys)
    if hierarchy_at(period_end) == "legacy":
        return Attribution(mapping={key: key for key in keys})
    mapping: dict[str, str] = {}
    divided = 0
    unattributed = 0
    missing: set[str] = set()
    for key in keys:
        if not key.endswith(LEGACY_SUFFIX):
            mapping[key] = key
            continue
        successors = lineage.get(key, ())
        distinct = {succ for succ, _ in successors}
        if len(distinct) == 1:
            mapping[key] = next(iter(distinct))
            continue
        defaults = {succ for succ, is_default in successors if is_default}
        if len(defaults) == 1:
            mapping[key] = next(iter(defaults))
            divided += 1
            continue
        unattributed += 1
        missing.add(key)
    return Attribution(
        mapping=mapping,
        divided_count=divided,
        unattributed_count=unattributed,
        unattributed_keys=frozenset(missing),
    )
