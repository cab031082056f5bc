"""The scorecard-panel registry: other apps add panels to a unit's scorecard.

Inspections and plans call :func:`register_panel` in their ``AppConfig.ready()``; the
assessments app never imports them. A panel renders HTML (already escaped by its own
templates) or returns None to stay hidden for that unit and round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

Render = Callable[[HttpRequest, Any, Any], "str | None"]


@dataclass(frozen=True)
class Panel:
    name: str
    title: str
    render: Render
    order: int


_PANELS: dict[str, Panel] = {}


def register_panel(name: str, *, title: str, render: Render, order: int = 100) -> None:
    """Add (or replace, for reloads) a panel of the unit scorecard."""
    _PANELS[name] = Panel(name, title, render, order)


def unregister_panel(name: str) -> None:
    _PANELS.pop(name, None)


def panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.name))


def render_panels(request: HttpRequest, unit: Any, rnd: Any) -> list[tuple[str, str]]:
    """(title, html) of every panel that has something for this unit and round."""
    out: list[tuple[str, str]] = []
    for panel in panels():
        html = panel.render(request, unit, rnd)
        if html:
            out.append((str(panel.title), html))
    return out
