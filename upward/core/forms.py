"""The form layer every form in Upward goes through.

`Form` and `ModelForm` (built on `SafeInputMixin`) refuse, field by field and with a message
that names the problem, the input no Upward page should ever store:

- control characters: none at all in single-line inputs (a line break in a name ends up in an
  email header or a calendar file), none but line breaks and tabs in a textarea;
- dates outside one sensible range (`upward.core.validation`), so adding a meeting's length or
  converting between time zones can never overflow;
- ids no database row can have, in model choice fields: an "invalid choice", never a 500.

`upward/core/tests/test_forms.py` fails if a form class in `upward/` does not use them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from upward.core.errors import DomainError
from upward.core.validation import (
    MAX_ID,
    date_in_range,
    date_range_message,
    has_control_characters,
)

SINGLE_LINE_MESSAGE = _(
    "Remove the control character (a line break, tab or other invisible character) from "
    "this field: it must be a single line of ordinary text."
)
MULTILINE_MESSAGE = _(
    "Remove the control character (an invisible character other than a line break or tab) "
    "from this text."
)
_INTEGER = re.compile(r"[+-]?[0-9]+")


class UpwardFormRenderer(TemplatesSetting):
    """Every `{{ form }}` renders with labels, help text and errors tied to the input (WCAG)."""

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"


def _is_multiline(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _dates(value: Any) -> list[dt.date]:
    if isinstance(value, dt.date):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, dt.date)]
    return []


def _raw_values(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _check_raw_ids(field: forms.Field, raw: Any) -> None:
    """Refuse an id the database cannot hold before the field queries with it: SQLite raises
    OverflowError on a 2**70 and PostgreSQL a DataError, both would be a 500."""
    if not isinstance(field, forms.ModelChoiceField) or field.to_field_name:
        return
    for value in _raw_values(raw):
        text = str(value).strip()
        if not _INTEGER.fullmatch(text):
            continue  # Not a number: the field itself says "invalid choice".
        # Longer than any 64-bit number (and than Python will convert): out of range.
        if len(text) > 20 or not -MAX_ID <= int(text) <= MAX_ID:
            raise ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:20]},
            )


def check_value(field: forms.Field, value: Any) -> None:
    """Raise ValidationError if a cleaned value holds control characters or a date out of
    range. Also used by views that read a field by hand."""
    multiline = _is_multiline(field)
    for text in _texts(value):
        if has_control_characters(text, multiline=multiline):
            raise ValidationError(
                MULTILINE_MESSAGE if multiline else SINGLE_LINE_MESSAGE, code="control_character"
            )
    for day in _dates(value):
        if not date_in_range(day):
            raise ValidationError(date_range_message(), code="date_out_of_range")


class DateInput(forms.DateInput):
    """The browser's date picker. Its value is always ISO (2027-03-06): in a British locale
    Django would write 06/03/2027, which a date input shows as empty, so saving an edit form
    would silently erase the date."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SafeInputMixin:
    """Checks every field's input with the shared rules (see the module docstring)."""

    # Django's own loop, with the shared checks between the field's cleaning and the form's
    # `clean_<field>`, so form code never sees a value the rules refuse.
    def _clean_fields(self) -> None:
        for name, bf in self._bound_items():  # type: ignore[attr-defined]
            field = bf.field
            try:
                if not field.disabled:
                    _check_raw_ids(field, bf.data)
                value = field._clean_bound_field(bf)
                if not field.disabled:
                    check_value(field, value)
                self.cleaned_data[name] = value  # type: ignore[attr-defined]
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()  # type: ignore[attr-defined]
            except ValidationError as exc:
                self.add_error(name, exc)  # type: ignore[attr-defined]


class Form(SafeInputMixin, forms.Form):
    pass


class ModelForm(SafeInputMixin, forms.ModelForm):
    pass


def apply_domain_error(form: forms.BaseForm, exc: DomainError, *, field: str | None = None) -> None:
    """Show a service's refusal on the form: on `field` when given (a view that knows better
    where the message belongs), else on the field the error names, and above the form when the
    form has no such field."""
    name = field if field is not None else exc.field
    form.add_error(name if name in form.fields else None, exc.message)


# ---------------------------------------------------------------------------------------------
# Filters on list pages


@dataclass(frozen=True)
class UnknownFilter:
    """A filter value from the address that the page does not know, to name on the page."""

    label: str
    value: str


def unknown_filter(label: Any, value: str) -> UnknownFilter:
    # Shortened: the value comes from the address, and only needs to be recognisable.
    return UnknownFilter(label=str(label), value=value[:60])


def set_aside_unknown_filters(form: forms.Form) -> list[UnknownFilter]:
    """Validate a bound filter form and take out the values it does not know.

    Addresses are shared, bookmarked and edited by hand, so an unknown value is not an error:
    the page leaves that filter out (showing what it shows without it) and names it with
    `includes/unknown_filters.html`. The form is left bound to the values it kept, so its
    fields show what is really applied.
    """
    if not form.is_bound or form.is_valid():
        return []
    names = [name for name in form.errors if name in form.fields]
    unknown = [
        unknown_filter(form.fields[name].label or name, str(form.data.get(name, "")))
        for name in names
    ]
    if isinstance(form.data, QueryDict):
        kept = form.data.copy()
        for name in names:
            kept.pop(name, None)
        form.data = kept
    else:
        form.data = {k: v for k, v in form.data.items() if k not in names}
    form.full_clean()  # validate again without them
    return unknown
