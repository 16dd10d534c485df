from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("privacy/_value.html")
def show_value(value: Any) -> dict[str, Any]:
    """One exported value, shown by its kind (lists of answers, ratings, yes/no, text)."""
    if isinstance(value, bool):
        kind = "bool"
    elif isinstance(value, list | tuple):
        kind = "list"
    elif isinstance(value, dict):
        kind = "dict"
    else:
        kind = "text"
    return {"value": value, "kind": kind}
