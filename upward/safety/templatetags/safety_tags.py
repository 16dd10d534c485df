"""Panels other pages include.

`{% load safety_tags %}{% pairing_safety_panel pairing person %}` on the pair's "My pairing"
page: the pulse link (the mentor only, when one is due) and the private "raise a concern" and
"end this pairing" links. Renders nothing for anyone outside the pair.

`{% programme_attention_summary programme %}` on the programme page: counts of flagged pairs,
open concerns and rematch requests with a link to the queue, for a viewer who may see the
programme's safety data; the counts leave out the viewer's own pairings. Renders nothing for
anyone else (an org admin who is neither a lead nor a safeguarding contact).

`{% safeguarding_panel %}` on the dashboard: for a safeguarding contact, their organisation's
programmes with a link to each queue (they may run none); for an org admin, the link to name
safeguarding contacts."""

from __future__ import annotations

from typing import Any

from django import template

from upward.core.errors import DomainError
from upward.organisations.access import person_for
from upward.programmes.access import managed_programmes
from upward.safety import selectors, services
from upward.safety.access import is_safeguarding_contact, safety_programmes

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


@register.inclusion_tag("safety/_attention_summary.html", takes_context=True)
def programme_attention_summary(context: Any, programme: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    viewer = person_for(user)
    if viewer is None or not safety_programmes(user).filter(pk=programme.pk).exists():
        return {"programme": None}
    return {
        "programme": programme,
        "counts": selectors.attention_counts(programme, viewer=viewer),
    }


@register.inclusion_tag("safety/_safeguarding_panel.html", takes_context=True)
def safeguarding_panel(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    person = person_for(user)
    if person is None:
        return {"show": False}
    contact = is_safeguarding_contact(person)
    programmes = (
        list(
            safety_programmes(user)
            .filter(state__in=["active", "completed"])
            .order_by("-starts_on", "name")
        )
        if contact
        else []
    )
    return {
        "show": contact or person.is_org_admin,
        "is_contact": contact,
        "is_org_admin": person.is_org_admin,
        "programmes": programmes,
    }


@register.simple_tag(takes_context=True)
def runs_programme(context: Any, programme: Any) -> bool:
    """Whether the viewer may open the programme's own pages: a safeguarding contact who runs
    no programme reaches only the safety pages, so links elsewhere are left out for them."""
    request = context.get("request")
    return managed_programmes(getattr(request, "user", None)).filter(pk=programme.pk).exists()


@register.simple_tag(takes_context=True)
def reads_safety(context: Any, programme: Any) -> bool:
    """Whether the viewer may open the programme's needs-attention pages (its readers only), so
    the programme's tabs never offer a link that would answer 404."""
    request = context.get("request")
    return safety_programmes(getattr(request, "user", None)).filter(pk=programme.pk).exists()
