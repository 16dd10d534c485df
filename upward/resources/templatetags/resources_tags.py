"""`{% load resources_tags %}{% pairing_resources_panel pairing person %}`: the pair's saved
resources and activities. Renders nothing for anyone outside the pair."""

from __future__ import annotations

from typing import Any

from django import template

from upward.pairing.workspace import seat_for
from upward.resources import selectors

register = template.Library()


@register.inclusion_tag("resources/_panel.html")
def pairing_resources_panel(pairing: Any, person: Any) -> dict[str, Any]:
    seat = seat_for(pairing, person)
    if seat is None:
        return {"seat": None}
    items = selectors.saved_items(pairing)
    return {
        "seat": seat,
        "pairing": pairing,
        "todo": [i for i in items if not i.done_at][:3],
        "done": sum(1 for i in items if i.done_at),
        "total": len(items),
    }
