"""Accessibility helpers for forms (docs/accessibility.md).

`{% error_title_prefix %}` (base.html) puts "Error: " before the page title when any form the
view handed to the template failed validation, so a screen-reader user hears on arrival that the
submit did not go through. `form|error_summary_items` lists a form's errors for the error summary
(includes/error_summary.html): each field's message with the id of the control to jump to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.utils.translation import gettext

register = template.Library()


@dataclass(frozen=True)
class SummaryItem:
    message: str
    target: str  # the id of the control to focus ("" for errors that belong to the whole form)


def failed_forms(values: Any) -> list[forms.BaseForm]:
    """The bound forms among `values` that were validated and have errors. A form nobody has
    validated is left alone: asking for its errors here would validate it as a side effect."""
    return [
        v
        for v in values
        if isinstance(v, forms.BaseForm)
        and v.is_bound
        and bool(getattr(v, "_errors", None))  # validated already (None until then), see above
    ]


def _context_values(context: template.Context) -> list[Any]:
    return [v for layer in context.dicts for v in layer.values()]


@register.simple_tag(takes_context=True)
def error_title_prefix(context: template.Context) -> str:
    return gettext("Error: ") if failed_forms(_context_values(context)) else ""


SHOWN = "_upward_error_summary_shown"


@register.inclusion_tag("includes/error_summaries.html", takes_context=True)
def page_error_summaries(context: template.Context) -> dict[str, Any]:
    """The error summary of every form the view handed over that failed, at the top of the page
    (base.html), however the form itself is laid out. Each form is marked, so that
    includes/form.html and includes/form_errors.html do not show its summary a second time;
    they still do for a form this tag cannot see (inside a list, or in an htmx fragment)."""
    found: dict[int, forms.BaseForm] = {}
    for form in failed_forms(_context_values(context)):
        found.setdefault(id(form), form)
        setattr(form, SHOWN, True)
    return {"failed": list(found.values())}


def control_id(bound: forms.BoundField) -> str:
    """The id of the control a summary link moves to: the field's own input, or the first option
    of a radio or checkbox group (whose group has no single labelled control)."""
    if bound.is_hidden or not bound.auto_id:
        return ""
    if bound.id_for_label:
        return bound.id_for_label
    subwidgets = bound.subwidgets
    return subwidgets[0].id_for_label if subwidgets else ""


@register.filter
def error_summary_items(form: forms.BaseForm) -> list[SummaryItem]:
    """For a form's own summary (includes/form.html): nothing if base.html showed it already."""
    if getattr(form, SHOWN, False):
        return []
    return summary_items(form)


@register.filter
def top_error_summary_items(form: forms.BaseForm) -> list[SummaryItem]:
    return summary_items(form)


def summary_items(form: forms.BaseForm) -> list[SummaryItem]:
    if not isinstance(form, forms.BaseForm) or not form.is_bound or not form.errors:
        return []
    items = [SummaryItem(message=str(e), target="") for e in form.non_field_errors()]
    for name in form.fields:
        bound = form[name]
        for error in bound.errors:
            # Named by its label: "This field is required." twice says nothing on its own.
            label = str(bound.label or "")
            joiner = " " if label.endswith(("?", ":", ".")) else ": "
            message = f"{label}{joiner}{error}" if label else str(error)
            items.append(SummaryItem(message=message, target=control_id(bound)))
    return items
