"""`{% load impact_tags %}`

- `{% pairing_impact_panel pairing person %}` for the pair's "My pairing" page: the person's
  commitments; for the mentee, the thank-you note; for the mentor, their contribution record.
  Renders nothing for anyone outside the pair.
- `{% programme_impact_summary programme %}` for the programme page: commitments by status,
  mentors close to or over the monthly cap, and links to the Impact and Mentor time pages.
- `{{ minutes|hours }}`: "2 h 30 min".
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from upward.impact import selectors
from upward.impact.models import Commitment, CommitmentKind, ThankYouNote
from upward.impact.pdf import hours_text
from upward.pairing.workspace import seat_for

register = template.Library()


@register.filter
def hours(minutes: Any) -> str:
    try:
        return hours_text(int(minutes or 0))
    except (TypeError, ValueError):
        return ""


@register.inclusion_tag("impact/_pairing_panel.html")
def pairing_impact_panel(pairing: Any, person: Any) -> dict[str, Any]:
    seat = seat_for(pairing, person)
    if seat is None:
        return {"seat": None}
    mine = list(
        Commitment.objects.filter(pairing=pairing, owner=person).values_list("kind", "status")
    )
    context: dict[str, Any] = {
        "seat": seat,
        "pairing": pairing,
        "commitments": sum(1 for kind, _s in mine if kind == CommitmentKind.COMMITMENT),
        "done": sum(1 for kind, s in mine if kind == CommitmentKind.COMMITMENT and s == "done"),
        "insights": sum(1 for kind, _s in mine if kind == CommitmentKind.INSIGHT),
    }
    if seat.is_mentor:
        context["time"] = selectors.mentor_time(pairing.programme, person)
    context["has_note"] = ThankYouNote.objects.filter(pairing=pairing).exists()
    return context


@register.inclusion_tag("impact/_programme_summary.html")
def programme_impact_summary(programme: Any) -> dict[str, Any]:
    rows = selectors.programme_mentor_time(programme)
    return {
        "programme": programme,
        "totals": selectors.commitment_totals(programme),
        "warnings": selectors.cap_warnings(rows),
        "min_group": settings.UPWARD_MIN_GROUP_SIZE,
    }
