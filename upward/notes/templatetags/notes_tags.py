"""`{% load notes_tags %}{% pairing_notes_panel pairing person %}`: a compact card of the pair's
shared notes and unread messages, for the "My pairing" page. Renders nothing for anyone who is
not in the pair, so it is safe to include on a page a manager can see."""

from __future__ import annotations

from typing import Any

from django import template

from upward.notes import selectors
from upward.pairing.workspace import seat_for

register = template.Library()


@register.inclusion_tag("notes/_panel.html")
def pairing_notes_panel(pairing: Any, person: Any) -> dict[str, Any]:
    seat = seat_for(pairing, person)
    if seat is None:
        return {"seat": None}
    return {"seat": seat, "pairing": pairing, "counts": selectors.panel_counts(pairing, person)}
