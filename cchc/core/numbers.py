"""Decimal parsing, rounding and Vietnamese number formatting.

One parser for every form, import and CLI. Decimal arithmetic only: SQLite sums in
floats and Python's ``round`` rounds half to even, and both cost points.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


class NumberError(ValueError):
    """A value that is not a number in any accepted notation."""


_SPACES = re.compile(r"[\s\u00a0\u202f]")
# Spaces may only separate groups of three digits: "1 822 950", never "7 5".
_SPACE_GROUPED = re.compile(r"^[+-]?\d{1,3}([\s\u00a0\u202f]\d{3})+([.,]\d+)?$")
_GROUPED_DOT = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")
_GROUPED_COMMA = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3}){2,}(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)$")


def parse_decimal(raw: object) -> Decimal:
    """Parse ``7,5``, ``7.5``, ``1.822.950``, ``1 822 950`` and numbers; reject ambiguity.

    Dots between groups of three digits after a non-zero lead are thousands separators,
    as Vietnamese writes them (``1.822`` is 1822, ``0.825`` is 0,825); otherwise a single
    dot or comma is the decimal mark. ``7,5,1`` and ``1.82.2`` are rejected.
    """
    if isinstance(raw, bool):
        raise NumberError(f"không phải số: {raw!r}")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal | float):
        number = raw if isinstance(raw, Decimal) else Decimal(repr(raw))
        if not number.is_finite():
            raise NumberError(f"không phải số hữu hạn: {raw!r}")
        return number
    if raw is None:
        raise NumberError("thiếu số")
    stripped = str(raw).strip()
    if stripped.endswith("%"):  # "45%" and "45 %" (the Vietnamese typographic habit)
        stripped = stripped[:-1].rstrip()
    if _SPACES.search(stripped) and not _SPACE_GROUPED.match(stripped):
        raise NumberError(f"không phải số hợp lệ: {raw!r}")
    text = _SPACES.sub("", stripped)
    if not text:
        raise NumberError("thiếu số")
    if _GROUPED_DOT.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif _GROUPED_COMMA.match(text):
        text = text.replace(",", "")
    elif _PLAIN.match(text):
        text = text.replace(",", ".")
    else:
        raise NumberError(f"không phải số hợp lệ: {raw!r}")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - regexes admit only digits
        raise NumberError(f"không phải số hợp lệ: {raw!r}") from exc


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round like Excel's ROUND: 0,125 → 0,13 (Python's default gives 0,12)."""
    quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value: Decimal | int | float | None, places: int | None = None) -> str:
    """Vietnamese display: dot for thousands, comma for decimals (1.822.950; 73,63)."""
    if value is None:
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if places is not None:
        number = round_half_up(number, places)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _, frac = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = sign + ".".join(groups)
    if frac:
        out += "," + frac
    return out


def format_percent(value: Decimal | None, places: int = 2) -> str:
    """``Decimal('86.9')`` → ``86,90 %``."""
    if value is None:
        return ""
    return f"{format_number(value, places)} %"
