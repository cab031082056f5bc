"""Canonical JSON of a signed state and its SHA-256.

The same state must always give the same bytes, whatever the database returns: keys
sorted, criteria ordered by code, decimals written as fixed-point strings by value
(``18``, ``18.0`` and ``1.8E+1`` are all ``"18"``), no whitespace, UTF-8.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def fixed(value: Decimal) -> str:
    """``Decimal('1.50')`` → ``"1.5"``; ``Decimal('2E+1')`` → ``"20"``; ``-0`` → ``"0"``."""
    if value == 0:
        return "0"
    text = f"{value.normalize():f}"
    return text


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return fixed(value)
    if isinstance(value, float):
        raise TypeError("canonical JSON takes Decimal, never float")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [_plain(v) for v in value]
    raise TypeError(f"canonical JSON: unsupported {type(value).__name__}")


def canonical_json(data: Mapping[str, Any]) -> str:
    """One text for one state: sorted keys, compact separators, fixed decimals."""
    return json.dumps(_plain(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignedCriterion:
    """One criterion of a signed stage: what was entered, the points, the evidence."""

    code: str
    value: str
    points: Decimal | None
    excluded: bool
    note: str
    evidence: tuple[str, ...]  # SHA-256 of files / "ref:<number>|<date>" of references


def signed_state(
    *,
    round_code: str,
    unit_key: str,
    stage: str,
    revision: int,
    criteria: Sequence[SignedCriterion],
) -> dict[str, Any]:
    """The document a sign-off hashes (criteria by code, evidence sorted)."""
    return {
        "round": round_code,
        "unit": unit_key,
        "stage": stage,
        "revision": revision,
        "criteria": [
            {
                "code": c.code,
                "value": c.value,
                "points": c.points,
                "excluded": c.excluded,
                "note": c.note,
                "evidence": sorted(c.evidence),
            }
            for c in sorted(criteria, key=lambda c: c.code)
        ],
    }


def state_hash(state: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_json(state))
