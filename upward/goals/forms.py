from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.core.forms import DateInput, Form, ModelForm
from upward.goals.models import LEVELS, Goal, GoalStatus, Skill, Task, Term
from upward.organisations.models import Person


class OwnerField(forms.ModelChoiceField):
    """One of the pair, shown by name."""

    def label_from_instance(self, obj: Person) -> str:
        return obj.full_name


class GoalForm(ModelForm):
    """Field checks only; the rules (measurable, not in the past) live in the service."""

    owner = OwnerField(
        label=_("Whose goal is it?"),
        queryset=Person.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("Both of you set goals: reverse mentoring works best when you both learn."),
    )

    class Meta:
        model = Goal
        fields = ["owner", "statement", "measure", "why", "target_date", "term"]
        widgets = {
            "target_date": DateInput(),
            "term": forms.RadioSelect,
            "why": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.fields["owner"], OwnerField)
        self.fields["owner"].queryset = Person.objects.filter(pk__in=[p.pk for p in people])
        # The service gives the domain's message for a missing criterion; let it through.
        self.fields["measure"].required = False
        self.fields["target_date"].required = False
        assert isinstance(self.fields["term"], forms.ChoiceField)
        self.fields["term"].choices = Term.choices

    def _post_clean(self) -> None:
        # Skip model validation (constraints): the service checks and explains the rules.
        pass


class GoalUpdateForm(GoalForm):
    class Meta(GoalForm.Meta):
        fields = ["statement", "measure", "why", "target_date", "term", "status", "progress"]
        widgets = {
            **GoalForm.Meta.widgets,
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("people", [])
        super().__init__(*args, **kwargs)
        del self.fields["owner"]
        assert isinstance(self.fields["status"], forms.ChoiceField)
        self.fields["status"].choices = GoalStatus.choices
        self.fields["progress"].help_text = _(
            "Your own estimate, from 0 to 100. Marking the goal achieved sets it to 100."
        )
        self.fields["progress"].required = False


class TaskForm(ModelForm):
    owner = OwnerField(
        label=_("Who will do it?"),
        queryset=Person.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Task
        fields = ["title", "owner", "due_on"]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.fields["owner"], OwnerField)
        self.fields["owner"].queryset = Person.objects.filter(pk__in=[p.pk for p in people])
        self.fields["due_on"].required = False

    def _post_clean(self) -> None:
        pass


class AssessmentForm(Form):
    """One radio group (1 to 5) per skill, each level labelled with its descriptor."""

    def __init__(
        self, *args: Any, skills: list[Skill], initial_levels: dict[int, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.skills = skills
        for skill in skills:
            self.fields[f"skill_{skill.pk}"] = forms.TypedChoiceField(
                label=skill.name,
                help_text=skill.description,
                choices=[(level, f"{level} · {skill.descriptor(level)}") for level in LEVELS],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                initial=initial_levels.get(skill.pk),
            )

    def ratings(self) -> dict[int, Any]:
        return {s.pk: self.cleaned_data.get(f"skill_{s.pk}") for s in self.skills}


class SkillForm(Form):
    name = forms.CharField(label=_("Skill"), max_length=120)
    description = forms.CharField(label=_("What it covers"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for level in LEVELS:
            self.fields[f"level_{level}"] = forms.CharField(
                label=_("Level %(n)s looks like") % {"n": level}, max_length=200
            )

    def levels(self) -> list[str]:
        return [self.cleaned_data[f"level_{level}"] for level in LEVELS]


class WorkbookForm(Form):
    include_notes = forms.BooleanField(
        label=_("Include my own notes"),
        required=False,
        help_text=_(
            "Adds your private meeting notes and the shared notes of your pair. Leave this "
            "unticked if you might pass the workbook on."
        ),
    )
