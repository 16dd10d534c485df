"""`{% load surveys_tags %}`

- `{% programme_outcomes_panel programme %}`: the success measure and its headline result, for
  the programme page (managers only see that page).
- `{% surveys_due_panel person %}`: the surveys waiting for someone, for the dashboard.
- filters `percent` (0.615 → "62%") and `signed` (0.9 → "+0.9").
"""

from __future__ import annotations

from typing import Any

from django import template

from upward.surveys import selectors
from upward.surveys.outcomes import round_share

register = template.Library()


@register.inclusion_tag("surveys/_outcomes_panel.html")
def programme_outcomes_panel(programme: Any) -> dict[str, Any]:
    result = selectors.programme_outcomes(programme, detail=False)
    return {
        "programme": programme,
        "measure": result.measure,
        "measured": result.measured,
        "min_group": result.min_group,
        "has_start_items": bool(result.item_keys),
    }


@register.inclusion_tag("surveys/_due_panel.html")
def surveys_due_panel(person: Any) -> dict[str, Any]:
    if person is None:
        return {"due": []}
    return {"due": selectors.surveys_due(person)}


@register.filter
def percent(share: float | None) -> str:
    if share is None:
        return ""
    return f"{round_share(share)}%"


@register.filter
def signed(value: float | None, places: int = 1) -> str:
    if value is None:
        return ""
    text = f"{value:+.{places}f}"
    return text.replace("-", "−")  # a real minus sign reads better
