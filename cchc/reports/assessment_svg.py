"""Server-rendered SVG charts of assessment results (print well, need no JavaScript).

Every bar carries its exact value in a ``<title>`` and a ``data-value`` attribute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from cchc.core.numbers import format_number


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    highlight: bool = False


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def ranking_bars(
    bars: Sequence[Bar], *, maximum: Decimal, places: int = 2, width: int = 720
) -> str:
    """Horizontal bars, one per unit, in the given order."""
    row, label_w, pad = 22, 230, 60
    height = row * len(bars) + 10
    plot = width - label_w - pad
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-size="12" '
        'font-family="Liberation Sans, Arial, sans-serif">'
    ]
    for i, bar in enumerate(bars):
        y = 5 + i * row
        length = Decimal(0) if maximum <= 0 else bar.value / maximum * plot
        shown = format_number(bar.value, places)
        fill = "#b54708" if bar.highlight else "#0b5cad"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{max(length, Decimal(0)):.2f}" height="16" '
            f'fill="{fill}" data-value="{_attr(shown)}"><title>{escape(bar.label)}: '
            f"{escape(shown)}</title></rect>"
            f'<text x="{label_w + float(length) + 4:.2f}" y="{y + 14}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class FieldBars:
    label: str
    maximum: Decimal
    unit: Decimal
    median: Decimal | None
    best: Decimal | None


def field_comparison(rows: Sequence[FieldBars], *, places: int = 2, width: int = 720) -> str:
    """Per field, the unit's points against the peers' median and best (as % of max)."""
    block, label_w = 50, 230
    plot = width - label_w - 70
    height = block * len(rows) + 24
    series = (("unit", "#0b5cad"), ("median", "#9aa5b1"), ("best", "#067647"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-size="11" '
        'font-family="Liberation Sans, Arial, sans-serif">'
    ]
    for i, row in enumerate(rows):
        y = 4 + i * block
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 24}" text-anchor="end">{escape(row.label)}</text>'
        )
        for j, (name, colour) in enumerate(series):
            value = getattr(row, name)
            if value is None:
                continue
            share = Decimal(0) if row.maximum <= 0 else value / row.maximum
            length = share * plot
            shown = format_number(value, places)
            parts.append(
                f'<rect x="{label_w}" y="{y + j * 14}" width="{length:.2f}" height="12" '
                f'fill="{colour}" data-series="{name}" data-value="{_attr(shown)}">'
                f"<title>{escape(row.label)} · {name}: {escape(shown)} / "
                f"{escape(format_number(row.maximum, places))}</title></rect>"
                f'<text x="{label_w + float(length) + 4:.2f}" y="{y + j * 14 + 10}">'
                f"{escape(shown)}</text>"
            )
    legend_y = height - 8
    labels = {"unit": "Đơn vị", "median": "Trung vị", "best": "Cao nhất"}
    for j, (name, colour) in enumerate(series):
        x = label_w + j * 110
        parts.append(
            f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{legend_y}">{labels[name]}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
