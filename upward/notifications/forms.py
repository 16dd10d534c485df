from __future__ import annotations

from typing import Any

from django import forms

from upward.core.forms import Form
from upward.notifications.kinds import Kind


class PreferencesForm(Form):
    """One radio group per kind of notification, built from the known kinds."""

    def __init__(self, *args: Any, current: list[tuple[Kind, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, delivery in current:
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                help_text=kind.help_text,
                choices=kind.choices,
                initial=delivery,
                widget=forms.RadioSelect,
            )
