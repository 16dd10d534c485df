from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("privacy/_value.html")
def show_value(value: Any) -> dict[str, Any]:
    """One exported value, shown by its kind (lists of answers, ratings, yes/no, text)."""
    if isinstance(value, bool):
        kind = "bool"
    elif isinstance(value, dt.datetime):
        kind = "datetime"
    elif isinstance(value, dt.date):
        kind = "date"
    elif isinstance(value, list | tuple):
        kind = "list"
    elif isinstance(value, dict):
        kind = "dict"
    else:
        kind = "text"
    return {"value": value, "kind": kind}
