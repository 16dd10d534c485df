from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.core.forms import DateInput, Form, ModelForm
from upward.organisations.models import Department, Level, Organisation, Person
from upward.programmes.design import DESIGN_FIELDS, FIELD_LABELS, design_errors
from upward.programmes.models import Objective, Programme, Question

DATE = DateInput()

HELP = {
    "name": _("A name people will recognise, e.g. “Digital confidence, spring 2027”."),
    "summary": _(
        "Two or three sentences for the public page: why the programme exists and who it is for."
    ),
    "objective": _("The main reason for running the programme. You measure success against it."),
    "inclusion_focus": _(
        "Optional, for a diversity and inclusion objective only: the experience mentors share."
    ),
    "custom_objective": _("Only when the objective is “Something else”."),
    "mentor_level_min": _("Leave both mentor levels empty to accept any level."),
    "mentor_level_max": _(
        "Mentors are the junior colleagues: their highest level must be below the mentees’ "
        "highest level."
    ),
    "mentee_level_min": _("Leave empty for no lower limit."),
    "mentee_level_max": _("Leave empty for no upper limit."),
    "mentor_departments": _("Leave all unticked to open the role to every department."),
    "mentee_departments": _("Leave all unticked to open the role to every department."),
    "selection_mode": _(
        "Open sign-up accepts every eligible applicant; reviewed applications let the team "
        "choose, with reasons; invitation only means people need a personal invitation."
    ),
    "places": _("How many pairs the programme has room for."),
    "commitment": _("What each pair commits to, e.g. one hour a month for six months."),
    "is_pilot": _("A first, smaller cohort run to learn before rolling out further."),
    "previous_cohort": _("Link cohorts so results can be compared from one to the next."),
}


class ProgrammeForm(ModelForm):
    class Meta:
        model = Programme
        fields = DESIGN_FIELDS
        labels = FIELD_LABELS
        help_texts = HELP
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DATE,
            "ends_on": DATE,
            "mentor_departments": forms.CheckboxSelectMultiple,
            "mentee_departments": forms.CheckboxSelectMultiple,
            "selection_mode": forms.RadioSelect,
            "scheduling_policy": forms.RadioSelect,
        }

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        editable: frozenset[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        levels = Level.objects.filter(organisation=organisation).order_by("rank")
        departments = Department.objects.filter(organisation=organisation).order_by("name")
        for role in ("mentor", "mentee"):
            for end in ("min", "max"):
                level_field = cast(forms.ModelChoiceField, self.fields[f"{role}_level_{end}"])
                level_field.queryset = levels
                level_field.empty_label = _("No limit")
            depts = cast(forms.ModelMultipleChoiceField, self.fields[f"{role}_departments"])
            depts.queryset = departments
        cohorts = Programme.objects.filter(organisation=organisation).order_by("-starts_on")
        if self.instance.pk:
            cohorts = cohorts.exclude(pk=self.instance.pk)
        previous = cast(forms.ModelChoiceField, self.fields["previous_cohort"])
        previous.queryset = cohorts
        previous.empty_label = _("None: this is a first cohort")
        objective = cast(forms.ChoiceField, self.fields["objective"])
        objective.choices = [("", _("Choose an objective")), *Objective.choices]
        self.fields["inclusion_focus"].required = False
        # A draft may be saved before the success measure is agreed; opening recruitment
        # needs it (see selectors.transition_blockers).
        for name in ("success_what", "success_how", "success_target"):
            self.fields[name].required = False
        self.editable = frozenset(DESIGN_FIELDS) if editable is None else editable
        for name, field in self.fields.items():
            if name not in self.editable:
                # Disabled fields ignore what is posted and keep the saved value.
                field.disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned  # Field errors first; cross-field rules need clean values.
        programme = self.instance if self.instance.pk else None
        for field, message in design_errors(
            cleaned, organisation=self.organisation, programme=programme
        ):
            self.add_error(field if field in self.fields else None, message)
        return cleaned

    def _post_clean(self) -> None:
        # The rules live in design.py and the services, which save the programme. Skipping the
        # model's own validation keeps the instance the view holds untouched and avoids each
        # rule being reported twice.
        pass

    def design_values(self) -> dict[str, Any]:
        """Only what the programme's state lets the manager change."""
        return {k: v for k, v in self.cleaned_data.items() if k in self.editable}

    def fieldsets(self) -> list[tuple[Any, Any, list[forms.BoundField]]]:
        groups = [
            (_("The programme"), None, ["name", "summary", "is_pilot", "previous_cohort"]),
            (
                _("Objective"),
                _("Every programme needs one clear objective."),
                ["objective", "inclusion_focus", "custom_objective"],
            ),
            (
                _("Success measure"),
                _("How you will know the programme worked. Needed before recruitment opens."),
                ["success_what", "success_how", "success_target"],
            ),
            (
                _("Who can be a mentor"),
                _("Mentors are the junior colleagues who share their expertise."),
                ["mentor_level_min", "mentor_level_max", "mentor_departments"],
            ),
            (
                _("Who can be a mentee"),
                _("Mentees are the senior leaders who learn."),
                ["mentee_level_min", "mentee_level_max", "mentee_departments"],
            ),
            (
                _("Selection and dates"),
                None,
                ["selection_mode", "places", "starts_on", "ends_on", "commitment"],
            ),
            (_("Meetings"), None, ["scheduling_policy"]),
            (
                _("Special-category data"),
                _(
                    "Off unless you switch it on. Participants are asked for their consent only "
                    "where a switch is on, and nothing is used without it."
                ),
                ["special_category_matching", "special_category_reporting"],
            ),
        ]
        return [(title, help_text, [self[n] for n in names]) for title, help_text, names in groups]


class ManagersForm(Form):
    managers = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        label=_("Managers"),
        help_text=_(
            "Managers run the programme day to day: they edit the design, review applications "
            "and move it through its stages. Organisation admins can manage it too, unless they "
            "take part in it. Hold Ctrl (Cmd on a Mac) to choose several people."
        ),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelMultipleChoiceField, self.fields["managers"]
        ).queryset = Person.objects.filter(organisation=organisation, is_active=True).order_by(
            "full_name"
        )


class QuestionForm(ModelForm):
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For “Choose one” questions: one choice per line, at least two."),
    )

    class Meta:
        model = Question
        fields = ["text", "help_text", "kind", "choices", "audience", "required"]
        labels = {
            "text": _("Question"),
            "help_text": _("Hint shown under the question"),
            "kind": _("Type of answer"),
            "audience": _("Who is asked"),
            "required": _("An answer is required"),
        }
        widgets = {"kind": forms.RadioSelect, "audience": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["choices"] = "\n".join(self.instance.choices or [])

    def clean_choices(self) -> list[str]:
        raw = self.cleaned_data.get("choices") or ""
        return [line.strip() for line in raw.splitlines() if line.strip()]

    def _post_clean(self) -> None:
        # The service validates and saves; keep the instance untouched until it does.
        pass


class NextCohortForm(Form):
    """The new cohort's name and dates; everything else comes from the programme it follows."""

    name = forms.CharField(label=_("Name of the new cohort"), max_length=150)
    starts_on = forms.DateField(label=_("Start date"), widget=DATE)
    ends_on = forms.DateField(label=_("End date"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The new cohort must end on or after its start date."))
        return data
