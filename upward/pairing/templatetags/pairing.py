from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def dashboard_pairings(person: Any) -> Any:
    """The participant's pairings for the dashboard (core.selectors.my_pairings).

    A tag because the dashboard view belongs to the core app; it is one query.
    """
    from upward.core.selectors import my_pairings

    return my_pairings(person)
