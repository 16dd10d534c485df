"""Panels other pages include.

`{% load safety_tags %}{% pairing_safety_panel pairing person %}` on the pair's "My pairing"
page: the pulse link (the mentor only, when one is due) and the private "raise a concern" and
"end this pairing" links. Renders nothing for anyone outside the pair.

`{% programme_attention_summary programme %}` on the programme page: counts of flagged pairs,
open concerns and rematch requests with a link to the queue. The caller already checked that the
viewer manages the programme."""

from __future__ import annotations

from typing import Any

from django import template

from upward.core.errors import DomainError
from upward.safety import selectors, services

register = template.Library()


@register.inclusion_tag("safety/_pairing_panel.html")
def pairing_safety_panel(pairing: Any, person: Any) -> dict[str, Any]:
    if person is None:
        return {"role": None}
    try:
        role = services.role_in(pairing, person)
    except DomainError:
        return {"role": None}
    pulse_meeting = None
    if role == "mentor":
        due = selectors.pulse_due(person, pairing=pairing)
        pulse_meeting = due[0] if due else None
    return {
        "role": role,
        "pairing": pairing,
        "pulse_meeting": pulse_meeting,
        "can_leave": pairing.state in services.LEAVABLE_STATES,
    }


@register.inclusion_tag("safety/_attention_summary.html")
def programme_attention_summary(programme: Any) -> dict[str, Any]:
    return {"programme": programme, "counts": selectors.attention_counts(programme)}
