from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.core.forms import DateInput, Form
from upward.organisations import importing
from upward.organisations.audit_log import KIND_CHOICES
from upward.organisations.models import Department, Level, Organisation, Person, Team, Topic
from upward.organisations.services import PersonDetails


@cache
def _time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in zones]


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.department.name} – {obj.name}"


class PersonForm(Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email"), max_length=254)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    level = forms.ModelChoiceField(
        label=_("Level"), queryset=Level.objects.none(), required=False, empty_label=_("No level")
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("No department"),
    )
    team = TeamChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("No team"),
        help_text=_("The team must belong to the department chosen above."),
    )
    manager_email = forms.EmailField(
        label=_("Line manager's email"),
        required=False,
        help_text=_("Someone already in the directory. Leave empty for the top of the tree."),
    )
    location = forms.CharField(label=_("Location"), max_length=120, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), initial=importing.DEFAULT_TIME_ZONE)
    start_date = forms.DateField(
        label=_("Start date"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DateInput(),
        help_text=_("The day they joined the organisation."),
    )
    is_active = forms.BooleanField(
        label=_("Works here now (untick when the person has left)"), required=False, initial=True
    )
    is_org_admin = forms.BooleanField(
        label=_("Organisation admin (may manage the directory and every programme)"),
        required=False,
    )

    def __init__(
        self, *args: Any, organisation: Organisation, person: Person | None = None, **kwargs: Any
    ) -> None:
        if person is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "full_name": person.full_name,
                "email": person.email,
                "job_title": person.job_title,
                "level": person.level_id,
                "department": person.department_id,
                "team": person.team_id,
                "manager_email": person.manager.email if person.manager else "",
                "location": person.location,
                "time_zone": person.time_zone,
                "start_date": person.start_date,
                "is_active": person.is_active,
                "is_org_admin": person.is_org_admin,
            }
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.person = person
        assert isinstance(self.fields["level"], forms.ModelChoiceField)
        assert isinstance(self.fields["department"], forms.ModelChoiceField)
        assert isinstance(self.fields["team"], forms.ModelChoiceField)
        assert isinstance(self.fields["time_zone"], forms.ChoiceField)
        self.fields["level"].queryset = Level.objects.filter(organisation=organisation)
        self.fields["department"].queryset = Department.objects.filter(organisation=organisation)
        self.fields["team"].queryset = Team.objects.filter(
            organisation=organisation
        ).select_related("department")
        self.fields["time_zone"].choices = _time_zone_choices()
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["manager_email"].widget.attrs["autocomplete"] = "off"

    def clean_manager_email(self) -> Person | None:
        email = self.cleaned_data.get("manager_email", "").strip()
        if not email:
            return None
        manager = Person.objects.filter(organisation=self.organisation, email__iexact=email).first()
        if manager is None:
            raise forms.ValidationError(
                _("No one in your directory has the email %(email)s. Add them first."),
                params={"email": email},
            )
        return manager

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        team, department = data.get("team"), data.get("department")
        if team is not None and (department is None or team.department_id != department.pk):
            self.add_error(
                "team",
                _("“%(team)s” is a team of %(dep)s. Choose that department or another team.")
                % {"team": team.name, "dep": team.department.name},
            )
        return data

    def details(self) -> PersonDetails:
        data = self.cleaned_data
        return PersonDetails(
            email=data["email"],
            full_name=data["full_name"],
            job_title=data["job_title"],
            level=data["level"],
            department=data["department"],
            team=data["team"],
            manager=data["manager_email"],
            location=data["location"],
            time_zone=data["time_zone"],
            start_date=data["start_date"],
            is_active=data["is_active"],
            is_org_admin=data["is_org_admin"],
        )


# A service's DomainError names a field of the service; the form may call it differently.
PERSON_ERROR_FIELDS = {"manager": "manager_email"}


class PeopleFilterForm(Form):
    STATUS_CHOICES = [
        ("active", _("Works here")),
        ("left", _("Has left")),
        ("all", _("Everyone")),
    ]
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or email")}),
    )
    level = forms.ModelChoiceField(
        label=_("Level"), queryset=Level.objects.none(), required=False, empty_label=_("Any level")
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Any department"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.fields["level"], forms.ModelChoiceField)
        assert isinstance(self.fields["department"], forms.ModelChoiceField)
        self.fields["level"].queryset = Level.objects.filter(organisation=organisation)
        self.fields["department"].queryset = Department.objects.filter(organisation=organisation)

    def filters(self) -> dict[str, Any]:
        """Valid filters only: a bad value in the address is ignored, never an error page."""
        self.is_valid()  # cleaned_data keeps only the fields that are valid
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "level": data.get("level"),
            "department": data.get("department"),
            "status": data.get("status") or "active",
        }


class ImportUploadForm(Form):
    file = forms.FileField(
        label=_("People file (CSV or Excel .xlsx)"),
        help_text=_(
            "One row per person with the headings in the first row. Up to 5 MB and 20,000 "
            "people. You will see a preview before anything changes."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
            raise forms.ValidationError(importing.too_large_message())
        return upload


class NameForm(Form):
    name = forms.CharField(label=_("Name"), max_length=80)

    def __init__(self, *args: Any, label: str | None = None, max_length: int = 80, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["name"].label = label
        assert isinstance(self.fields["name"], forms.CharField)
        self.fields["name"].max_length = max_length
        self.fields["name"].widget.attrs["maxlength"] = str(max_length)


class TeamForm(Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        empty_label=_("Choose a department"),
    )
    name = forms.CharField(label=_("Team name"), max_length=120)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.fields["department"], forms.ModelChoiceField)
        self.fields["department"].queryset = Department.objects.filter(organisation=organisation)


class TopicParentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class TopicForm(Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Topic.Kind.choices,
        help_text=_(
            "Skills are what mentors offer and mentees want to learn; lived experience is "
            "shared by choice; interests help people find common ground."
        ),
    )
    parent = TopicParentField(
        label=_("Broader topic"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("Related topics count partly when people are matched."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        help_text=_("A sentence that helps people pick the right topic."),
    )

    def __init__(
        self, *args: Any, organisation: Organisation, topic: Topic | None = None, **kwargs: Any
    ) -> None:
        if topic is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": topic.name,
                "kind": topic.kind,
                "parent": topic.parent_id,
                "description": topic.description,
            }
        super().__init__(*args, **kwargs)
        parents = Topic.objects.filter(organisation=organisation)
        if topic is not None:
            parents = parents.exclude(pk=topic.pk)
        assert isinstance(self.fields["parent"], forms.ModelChoiceField)
        self.fields["parent"].queryset = parents


class UnavailabilityForm(Form):
    starts_on = forms.DateField(label=_("First day away"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day away"), widget=DateInput())
    note = forms.CharField(
        label=_("Note for the programme team"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the programme team sees it. There is no need to say why."),
    )


class LogoForm(Form):
    # The rules (PNG or JPEG by content, 1 MB, a real image) are checked by organisations.logo.
    logo = forms.FileField(
        label=_("Logo (PNG or JPEG)"),
        help_text=_(
            "Up to 1 MB. A wide logo on a white or transparent background prints best; it is "
            "scaled to fit, so any size from 200 pixels across works."
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )


class AuditFilterForm(Form):
    """The audit log's filters. A bad value in the address is set aside, never an error page."""

    kind = forms.ChoiceField(
        label=_("Kind of action"),
        required=False,
        choices=[("", _("Every kind"))],
    )
    actor = forms.CharField(
        label=_("Who did it"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name")}),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.fields["kind"], forms.ChoiceField)
        self.fields["kind"].choices = [("", _("Every kind")), *KIND_CHOICES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "actor": (data.get("actor") or "").strip(),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
