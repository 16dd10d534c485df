"""Panels: how an app shows a part of its own on another app's page without being imported.

A lower app's page names a slot (`{% load panels %}{% panels "pair" pairing person %}`); the
apps above it register what they show there from their `AppConfig.ready()`. Each panel is one
of the app's own templates and a function that returns its context, or None to show nothing
(the viewer may not see it, or it does not apply in that state). Panels come in `order`.

Slots in use: "pair" (journey's pair page: goals, notes, resources, impact, safety),
"pairing.status" (pairing's own page: safety), "programme.overview" and "programme.summary"
(the programme page: surveys, safety; impact), "programme.pairs" (the programme page's
recruitment figures: pairing's "3 of 4 pairs formed, 1 waiting") and "programme.nav" (the
programme's tabs: safety's "Needs attention", announcements' "Announcements"), "person.detail"
(a directory entry's page: privacy's erasure) and "organisation.setup" (the setup page:
privacy's retention rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    slot: str
    name: str
    order: int
    template: str
    # Called as data(context, *args): the including page's template context first.
    data: Callable[..., dict[str, Any] | None]


_panels: dict[str, dict[str, Panel]] = {}


def register_panel(
    slot: str,
    name: str,
    *,
    template: str,
    data: Callable[..., dict[str, Any] | None],
    order: int,
) -> None:
    panel = Panel(slot, name, order, template, data)
    existing = _panels.setdefault(slot, {}).get(name)
    # ready() may run again (tests that change INSTALLED_APPS): the same panel registered again
    # replaces itself; another template under the same name is a mistake.
    if existing is not None and (existing.template, existing.order) != (template, order):
        raise ValueError(f"Panel {name!r} is registered twice in slot {slot!r}.")
    _panels[slot][name] = panel


def panels_for(slot: str) -> list[Panel]:
    return sorted(_panels.get(slot, {}).values(), key=lambda p: (p.order, p.name))
