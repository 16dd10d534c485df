"""The form for making an API token (personal or organisation service token)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from upward.accounts.models import TokenScope
from upward.core.forms import DateInput, Form

MAX_DAYS = 730  # a token lives at most two years; make a new one to go on


class TokenForm(Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, so you know later which one to revoke: “HR sync”, say."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose only what the script or system needs."),
    )
    expires_on = forms.DateField(
        label=_("Stops working after"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for a token that works until you revoke it."),
    )

    def __init__(self, *args: Any, allowed: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scopes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (scope.value, f"{scope.value}: {scope.label}")
            for scope in TokenScope
            if scope.value in set(allowed)
        ]

    def clean_expires_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("Choose a day after today."))
        if (day - today).days > MAX_DAYS:
            raise forms.ValidationError(_("Choose a day within two years."))
        return day

    def expires_at(self) -> dt.datetime | None:
        """The end of the chosen day, in the site's time zone."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        end = dt.datetime.combine(day, dt.time(23, 59, 59))
        return timezone.make_aware(end)
