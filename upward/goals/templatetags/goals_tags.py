"""`{% load goals_tags %}{% pairing_goals_panel pairing person %}`: the pair's goals at a
glance for the "My pairing" page. Renders nothing for anyone outside the pair."""

from __future__ import annotations

from typing import Any

from django import template

from upward.goals import selectors
from upward.pairing.workspace import seat_for

register = template.Library()


@register.inclusion_tag("goals/_panel.html")
def pairing_goals_panel(pairing: Any, person: Any) -> dict[str, Any]:
    seat = seat_for(pairing, person)
    if seat is None:
        return {"seat": None}
    return {
        "seat": seat,
        "pairing": pairing,
        "mine": selectors.goals_of(pairing, person)[:3],
        "counts": selectors.goal_counts(pairing),
    }
