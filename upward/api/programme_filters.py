"""Query-string filters for the programme-side resources that refuse what the schema refuses:
an id is a whole number a database column can hold, a date-time is ISO 8601 with its offset.
Anything else is a 400 naming the filter, never a 500 and never silently ignored."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError

# The largest id a signed 64-bit column holds; the id path converter allows 18 digits.
MAX_ID = 10**18 - 1
DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE
)


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StrictDateTimeField(forms.DateTimeField):
    def to_python(self, value: Any) -> dt.datetime | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        text = str(value)
        if not DATE_TIME.fullmatch(text):
            raise ValidationError(
                "Give a date and time in ISO 8601 with its offset, e.g. 2027-03-06T09:30:00Z "
                "(encode the + of an offset in an address).",
                code="invalid",
            )
        try:
            return dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValidationError("This date and time does not exist.", code="invalid") from exc


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = StrictDateTimeField


class StrictFilterSet(django_filters.FilterSet):
    """A filter named with an empty value is a 400, not a filter silently left out."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        empty = [name for name in self.filters if self.data.get(name, None) == ""]
        for name in empty:
            if name not in self.form.errors:
                self.form.add_error(name, "Give a value, or leave this filter out.")
        return valid and not empty
