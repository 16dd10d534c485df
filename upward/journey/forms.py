from __future__ import annotations

import zoneinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from upward.core.forms import DateInput, Form, ModelForm
from upward.journey.models import (
    MAX_MINUTES,
    MAX_RECORDED_MINUTES,
    MIN_LOGGED_MINUTES,
    MIN_MINUTES,
    Event,
    EventResponse,
    JourneyStep,
    PairAgreement,
    ProgrammeJourney,
    StepKind,
)

DATE = DateInput()
TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    names = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )
    return [(name, name.replace("_", " ")) for name in [*names, "UTC"]]


class StepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(name)s, version %(n)s") % {"name": obj.template.name, "n": obj.number}


class ZoneField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault(
            "help_text", _("The zone the date and time above are in. Each of you sees your own.")
        )
        super().__init__(choices=zone_choices, **kwargs)
        self.error_messages["invalid_choice"] = _(
            "“%(value)s” is not a time zone we know. Choose one from the list, e.g. Europe/London."
        )


class MeetingForm(Form):
    step = StepChoiceField(
        queryset=JourneyStep.objects.none(),
        required=False,
        label=_("Session"),
        empty_label=_("No particular session (a catch-up)"),
        help_text=_("The session's agenda is added to the meeting."),
    )
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME)
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        help_text=_("Between 15 and 240 minutes."),
        widget=forms.NumberInput(attrs={"step": 5}),
    )
    time_zone = ZoneField()
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=200,
        help_text=_("A room, a café, or leave empty for a video call."),
    )
    video_url = forms.URLField(
        label=_("Video link"), required=False, max_length=500, assume_scheme="https"
    )

    def __init__(self, *args: Any, steps: list[JourneyStep], free: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        step_field = cast(forms.ModelChoiceField, self.fields["step"])
        step_field.queryset = JourneyStep.objects.filter(pk__in=[s.pk for s in steps])
        if not free and steps:
            self.fields["step"].help_text = _(
                "This programme follows the sessions in order; the next one is chosen for you."
            )


class CancelForm(Form):
    confirm = forms.BooleanField(
        label=_("Yes, cancel this meeting and tell my partner"), required=True
    )


class MarkForm(Form):
    outcome = forms.ChoiceField(
        label=_("Did the meeting happen?"),
        choices=[("held", _("Yes, we met")), ("missed", _("No, it did not happen"))],
        widget=forms.RadioSelect,
    )
    actual_minutes = forms.IntegerField(
        label=_("How long did you meet, in minutes?"),
        required=False,
        min_value=1,
        max_value=MAX_RECORDED_MINUTES,
    )

    def __init__(self, *args: Any, limit: int = MAX_RECORDED_MINUTES, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.IntegerField, self.fields["actual_minutes"])
        field.max_value = limit
        field.validators = [v for v in field.validators if not hasattr(v, "limit_value")]
        field.validators += [MinValueValidator(1), MaxValueValidator(limit)]
        field.widget.attrs["max"] = limit
        field.help_text = _(
            "Up to %(max)s minutes: three times the length booked, and never more than 600."
        ) % {"max": limit}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == "held" and not data.get("actual_minutes"):
            self.add_error("actual_minutes", _("Say how many minutes you met."))
        return data


class LogMeetingForm(Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME)
    duration_minutes = forms.IntegerField(
        label=_("How long did you meet, in minutes?"),
        min_value=MIN_LOGGED_MINUTES,
        max_value=MAX_RECORDED_MINUTES,
        help_text=_("Between 5 and 600 minutes."),
        widget=forms.NumberInput(attrs={"step": 5}),
    )
    time_zone = ZoneField()


class AgendaItemForm(Form):
    text = forms.CharField(label=_("Add an item"), max_length=300)


class AgreementForm(ModelForm):
    # The version the page showed (0: none yet), so a save from a stale page is refused.
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    meetings_per_month = forms.DecimalField(
        label=_("Meetings a month"),
        min_value=Decimal("0.5"),
        max_value=Decimal("8"),
        decimal_places=1,
        help_text=_("e.g. 1 for monthly, 2 for every fortnight, 0.5 for every two months."),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    minutes_per_meeting = forms.IntegerField(
        label=_("Minutes a meeting"),
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        help_text=_("Between 15 and 240."),
    )

    class Meta:
        model = PairAgreement
        fields = [
            "confidentiality",
            "meetings_per_month",
            "minutes_per_meeting",
            "ends_on",
            "raising_concerns",
        ]
        widgets = {
            "confidentiality": forms.Textarea(attrs={"rows": 4}),
            "raising_concerns": forms.Textarea(attrs={"rows": 4}),
            "ends_on": DATE,
        }
        help_texts = {
            "confidentiality": _("What stays between you, and what either of you may share."),
            "meetings_per_month": _(
                "e.g. 1 for monthly, 2 for every fortnight, 0.5 for every two months."
            ),
            "minutes_per_meeting": _("Between 15 and 240."),
            "ends_on": _("When your pairing is planned to end."),
            "raising_concerns": _(
                "How either of you says something is not working, and who else you can talk to."
            ),
        }


class ProgrammeJourneyForm(Form):
    version = VersionChoiceField(
        queryset=None,
        label=_("Journey"),
        empty_label=None,
        help_text=_(
            "The programme stays on this version even if the journey is edited later. Once pairs "
            "have booked meetings the version is fixed."
        ),
    )
    mode = forms.ChoiceField(
        label=_("How pairs follow it"),
        choices=ProgrammeJourney.Mode.choices,
        widget=forms.RadioSelect,
    )
    meetings_per_month = forms.DecimalField(
        label=_("Meetings a month"),
        min_value=Decimal("0.5"),
        max_value=Decimal("8"),
        decimal_places=1,
        help_text=_("What pairs are held to when we show “on track” or “behind”."),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    minutes_per_meeting = forms.IntegerField(
        label=_("Minutes a meeting"), min_value=MIN_MINUTES, max_value=MAX_MINUTES
    )

    def __init__(self, *args: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(VersionChoiceField, self.fields["version"]).queryset = versions


class CloneForm(Form):
    name = forms.CharField(label=_("Name of your copy"), max_length=150)


class TemplateForm(Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StepForm(ModelForm):
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("One item a line. Pairs tick them off during the meeting."),
    )

    class Meta:
        model = JourneyStep
        fields = [
            "kind",
            "title",
            "purpose",
            "mentor_prepares",
            "mentee_prepares",
            "activities",
            "resources",
            "is_optional",
        ]
        widgets = {
            f: forms.Textarea(attrs={"rows": 3})
            for f in ("purpose", "mentor_prepares", "mentee_prepares", "activities", "resources")
        }
        help_texts = {
            "kind": _(
                "Pair sessions are booked by each pair; kick-offs and knowledge sessions are "
                "run as programme events."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = StepKind.choices
        if self.instance.pk and not self.is_bound:
            self.initial["agenda"] = "\n".join(i.text for i in self.instance.agenda_items.all())


class PublishForm(Form):
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("A line other managers will see, e.g. “Shorter agenda for session 3”."),
    )


class EventForm(ModelForm):
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Starts"), widget=TIME)
    end_time = forms.TimeField(label=_("Ends"), widget=TIME)
    time_zone = ZoneField(help_text=_("The zone the times above are in."))
    video_url = forms.URLField(
        label=_("Video link"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Event
        fields = ["kind", "audience", "title", "description", "place", "video_url"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "audience": _(
                "Mentors and mentees have separate kick-offs; knowledge sessions are usually for "
                "everyone."
            ),
        }


class ResponseForm(Form):
    answer = forms.ChoiceField(
        label=_("Will you come?"), choices=EventResponse.Answer.choices, widget=forms.RadioSelect
    )


class AttendanceForm(Form):
    """One checkbox per person in the audience, named attended_<person id>."""

    def __init__(self, *args: Any, people: list[Any], responses: dict[int, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.people = people
        for person in people:
            response = responses.get(person.pk)
            self.fields[f"attended_{person.pk}"] = forms.BooleanField(
                label=person.full_name,
                required=False,
                initial=bool(response and response.attended),
            )

    def attended(self) -> dict[int, bool]:
        return {p.pk: bool(self.cleaned_data.get(f"attended_{p.pk}")) for p in self.people}
