"""`{% panels "slot" arg ... %}`: the panels other apps registered for a slot (core/panels.py)."""

from __future__ import annotations

from typing import Any

from django import template

from upward.core.panels import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context: Any, slot: str, *args: Any) -> str:
    # Rendered as inclusion tags render: in a fresh context of the page's kind (autoescape
    # on, no context processors run again), so a panel costs only its own queries.
    engine = context.template.engine
    parts = []
    for panel in panels_for(slot):
        data = panel.data(context, *args)
        if data is not None:
            panel_context = context.new(data)
            # As inclusion tags do, so a panel's form can carry {% csrf_token %}.
            if context.get("csrf_token") is not None:
                panel_context["csrf_token"] = context["csrf_token"]
            parts.append(engine.get_template(panel.template).render(panel_context))
    # Each part is an escaped rendering; the joining template prints them as they are.
    return engine.get_template("core/_panels.html").render(context.new({"parts": parts}))
