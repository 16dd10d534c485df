from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.core.forms import DateInput, Form
from upward.organisations.models import Person
from upward.safety.models import ExitCategory, FlagKind, SafeguardingContact

SCALE = [
    ("1", _("1 – Not at all")),
    ("2", _("2")),
    ("3", _("3 – Somewhat")),
    ("4", _("4")),
    ("5", _("5 – Completely")),
]


def _scale(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=SCALE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an answer from 1 to 5.")},
    )


class PulseForm(Form):
    spoke_openly = _scale(_("I could speak openly"))
    felt_listened_to = _scale(_("I felt listened to"))
    worth_my_time = _scale(_("The session was worth my time"))
    wants_support = forms.BooleanField(
        label=_("I would like a word with someone about this"),
        required=False,
        help_text=_(
            "One of the people named above will contact you privately. Your mentee is not told."
        ),
    )
    comment = forms.CharField(
        label=_("Anything you would like them to know"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Read only by the people named above, shown with your answers. Your mentee never "
            "sees it."
        ),
    )


class LeaveForm(Form):
    category = forms.ChoiceField(
        label=_("What fits best?"),
        required=False,
        choices=[("", _("I would rather not say")), *ExitCategory.choices],
        widget=forms.RadioSelect,
        help_text=_("Only the people named above see this. It helps them support you and others."),
    )
    reason = forms.CharField(
        label=_("Anything they should know"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Private to the people named above. Your partner is never shown it."),
    )


class ConcernForm(Form):
    text = forms.CharField(
        label=_("What is worrying you?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Write as much or as little as you like. It is stored encrypted and read only by "
            "the people named above."
        ),
        error_messages={"required": _("Please write a few words so the team can help.")},
    )
    may_name_me = forms.BooleanField(
        label=_("They may tell my partner that I raised this"),
        required=False,
        help_text=_(
            "Leave this unticked to stay anonymous: they will not say it came from you. "
            "Your partner never sees the concern itself."
        ),
    )


class ConcernNoteForm(Form):
    body = forms.CharField(
        label=_("Add a note for the programme team"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only this programme's leads and safeguarding contacts read notes. The person who "
            "raised the concern does not see them."
        ),
        error_messages={"required": _("Write the note first.")},
    )


class SettingsForm(Form):
    no_meeting_days = forms.IntegerField(
        label=_("Flag a pair after this many days without a meeting"),
        min_value=7,
        max_value=180,
        help_text=_("Between 7 and 180. 30 suits pairs who meet about once a month."),
    )
    missed_in_a_row = forms.IntegerField(
        label=_("Flag a pair after this many missed meetings in a row"),
        min_value=1,
        max_value=5,
        help_text=_("Between 1 and 5."),
    )


class CheckInForm(Form):
    who = forms.ChoiceField(
        label=_("Who with"),
        choices=[
            ("pair", _("Both of them")),
            ("mentor", _("The mentor only")),
            ("mentee", _("The mentee only")),
        ],
        initial="pair",
        widget=forms.RadioSelect,
    )
    due_on = forms.DateField(
        label=_("Due on"),
        widget=DateInput(),
        help_text=_("You get a reminder on the day."),
        error_messages={"invalid": _("Enter a date, e.g. 14/03/2027.")},
    )
    purpose = forms.CharField(
        label=_("What it is about"),
        required=False,
        max_length=200,
        help_text=_("A short line for the team, e.g. “See how the new meeting time works”."),
    )


class CheckInDoneForm(Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the programme team only; stored encrypted."),
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})"


class SafeguardingContactForm(Form):
    person = PersonChoiceField(
        label=_("Add a safeguarding contact"),
        queryset=Person.objects.none(),
        empty_label=_("Choose a person"),
        help_text=_(
            "They will see concerns, pulses, exit reasons, check-ins and requests for a new "
            "partner in every programme of your organisation, except about their own pairings."
        ),
        error_messages={"invalid_choice": _("Choose someone from the list.")},
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Person.objects.filter(organisation=organisation, is_active=True)
            .exclude(
                pk__in=SafeguardingContact.objects.filter(organisation=organisation).values(
                    "person_id"
                )
            )
            .order_by("full_name", "pk")
        )


class FlagFilterForm(Form):
    """The needs-attention queue's filters; unknown values are named and left out."""

    kind = forms.ChoiceField(label=_("Flag"), required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=100)

    def __init__(self, *args: Any, counts: dict[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        counts = counts or {}
        assert isinstance(self.fields["kind"], forms.ChoiceField)
        self.fields["kind"].choices = [
            ("", _("Every flag")),
            *(
                (value, f"{label} ({counts.get(value, 0)})" if counts else label)
                for value, label in FlagKind.choices
            ),
        ]

    def filters(self) -> dict[str, str]:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}


class BulkSnoozeForm(Form):
    scope = forms.ChoiceField(
        choices=[("selected", "selected"), ("matching", "matching")],
        error_messages={
            "required": _("Choose the ticked pairs or all pairs matching the filter."),
            "invalid_choice": _("Choose the ticked pairs or all pairs matching the filter."),
        },
    )
    days = forms.TypedChoiceField(
        label=_("Hide for"),
        coerce=int,
        choices=[(d, d) for d in (7, 14, 30)],
        error_messages={
            "required": _("Choose 7, 14 or 30 days."),
            "invalid_choice": _("Choose 7, 14 or 30 days."),
        },
    )
    fingerprint = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
