from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.core.forms import DateInput, Form
from upward.impact.models import CommitmentKind, CommitmentStatus, Theme

THEME_CHOICES = [("", _("No theme")), *Theme.choices]
STATUS_CHOICES = [(k, v) for k, v in CommitmentStatus.choices if k != CommitmentStatus.OPEN]


class CommitmentForm(Form):
    """Field checks only; the rules (not in the past, text needed) live in the service."""

    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=CommitmentKind.choices,
        initial=CommitmentKind.COMMITMENT,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("In your words"),
        error_messages={"required": _("Write what you will do, or what you learnt.")},
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For a commitment, start with what you will do, e.g. “As an ally I will ask the "
            "quietest person in the room for their view first.”"
        ),
    )
    due_on = forms.DateField(
        label=_("By when (commitments only)"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Optional. We will also ask how it went three and six months after the programme."
        ),
    )
    theme = forms.ChoiceField(
        label=_("Theme"),
        choices=THEME_CHOICES,
        required=False,
        help_text=_(
            "Optional. The programme team sees how many commitments each theme has, never "
            "what you wrote."
        ),
    )


class CommitmentEditForm(CommitmentForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


class StatusForm(Form):
    status = forms.ChoiceField(label=_("How did it go?"), choices=STATUS_CHOICES)


class ThankYouForm(Form):
    text = forms.CharField(
        label=_("Your thank-you note"),
        error_messages={"required": _("Write a few words to your mentor.")},
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What did your mentor help you see or do differently? Your mentor reads it on their "
            "contribution record and decides whether to include it when they share that record "
            "with their line manager."
        ),
    )


class CapForm(Form):
    monthly_cap_hours = forms.DecimalField(
        label=_("Monthly cap on a mentor's time (hours)"),
        min_value=Decimal("0.5"),
        max_value=Decimal("40"),
        decimal_places=1,
        help_text=_(
            "Sessions held plus programme events attended, per mentor and calendar month. We "
            "warn you and the mentor from 80% of the cap. Between 0.5 and 40 hours."
        ),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
