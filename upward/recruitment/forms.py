"""Forms parse and explain input; the services in services.py decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from upward.consent import selectors as consent_selectors
from upward.consent.purposes import CURRENT, Purpose
from upward.core.forms import Form
from upward.core.validation import valid_ids
from upward.organisations.models import Department, Level, Person, Topic
from upward.programmes.models import Programme, Question
from upward.recruitment.models import AVAILABILITY_SLOTS, DAYS, PARTS, Application, Role

Status = Application.Status

TOPIC_ERRORS = {
    "invalid_choice": _(
        "One of the chosen topics is not in the list. Choose from the topics shown."
    ),
    "invalid_pk_value": _("“%(pk)s” is not a topic in the list. Choose from the topics shown."),
}
PEOPLE_ERRORS = {
    "invalid_choice": _("Choose colleagues from your organisation's directory."),
    "invalid_pk_value": _("“%(pk)s” is not a person in your organisation's directory."),
}


def _topic_field(queryset: Any, label: Any, help_text: Any) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        required=False,
        label=label,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
        error_messages=TOPIC_ERRORS,
    )


class ApplicationForm(Form):
    """The application, for one role. Extra questions become `question_<id>` fields."""

    motivation = forms.CharField(
        label=_("Why would you like to take part?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={
            "required": _("Tell the programme team briefly why you would like to take part.")
        },
    )
    offered_topics = forms.ModelMultipleChoiceField(queryset=Topic.objects.none())
    wanted_topics = forms.ModelMultipleChoiceField(queryset=Topic.objects.none())
    interests = forms.ModelMultipleChoiceField(queryset=Topic.objects.none())
    lived_experience_consent = forms.BooleanField(
        required=False,
        label=CURRENT[Purpose.MATCHING].text,
        help_text=_(
            "You can withdraw at any time from your “About you” page; it takes effect at once."
        ),
    )
    lived_experience_topics = forms.ModelMultipleChoiceField(queryset=Topic.objects.none())
    availability = forms.MultipleChoiceField(
        choices=[(slot, slot) for slot in AVAILABILITY_SLOTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("“%(value)s” is not a weekly slot; choose mornings or afternoons.")
        },
    )
    preferred_times = forms.CharField(
        label=_("Preferred meeting times"),
        required=False,
        max_length=200,
        help_text=_("Anything that helps, e.g. “not before 10:00”, “video calls only on Fridays”."),
    )
    works_with = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        error_messages=PEOPLE_ERRORS,
    )
    consent_terms = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please agree to the programme's terms to apply.")},
    )

    def __init__(
        self,
        *args: Any,
        programme: Programme,
        person: Person,
        role: str,
        questions: list[Question],
        nameable: set[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.person = person
        self.role = role
        topics = Topic.objects.filter(organisation_id=programme.organisation_id)
        is_mentor = role == Role.MENTOR

        self.fields["offered_topics"] = _topic_field(
            topics.filter(kind=Topic.Kind.SKILL),
            _("Skills and experience you can share")
            if is_mentor
            else _("What you can offer in return"),
            _("Choose any that fit. Reverse mentoring works both ways.")
            if not is_mentor
            else _("Choose the skills you would be glad to help a senior leader with."),
        )
        self.fields["wanted_topics"] = _topic_field(
            topics.filter(kind=Topic.Kind.SKILL),
            _("What you would like to learn"),
            _("We use these to pair you with someone who can help."),
        )
        self.fields["interests"] = _topic_field(
            topics.filter(kind=Topic.Kind.INTEREST),
            _("Interests"),
            _("Shared interests help a pair get started."),
        )
        # Asked only where the programme uses lived experience in matching (its switch).
        if is_mentor and programme.special_category_matching:
            self.fields["lived_experience_topics"] = _topic_field(
                topics.filter(kind=Topic.Kind.EXPERIENCE),
                _("Lived experience you are willing to share"),
                _("Optional. Only stored if you tick the agreement above."),
            )
        else:
            del self.fields["lived_experience_topics"]
            del self.fields["lived_experience_consent"]
        # Topic lists the organisation has not set up yet are left out rather than shown empty.
        for name in ("offered_topics", "wanted_topics", "interests", "lived_experience_topics"):
            if name not in self.fields:
                continue
            topic_field = self.fields[name]
            assert isinstance(topic_field, forms.ModelChoiceField)
            assert topic_field.queryset is not None
            if not topic_field.queryset.exists():
                del self.fields[name]
                if name == "lived_experience_topics":
                    del self.fields["lived_experience_consent"]
        if "lived_experience_consent" in self.fields and not self.is_bound:
            # Lived experience is the person's own answer, shared by their applications: the
            # form starts from it and from their current consent to matching.
            self.initial.setdefault(
                "lived_experience_consent",
                consent_selectors.has_consent(person.pk, Purpose.MATCHING),
            )
            self.initial.setdefault("lived_experience_topics", _own_lived_topics(person))
        colleagues = Person.objects.filter(
            organisation_id=programme.organisation_id, is_active=True
        ).exclude(pk=person.pk)
        if nameable is not None:
            # Only people the picker showed, or already on the application (selectors).
            colleagues = colleagues.filter(pk__in=nameable)
        assert isinstance(self.fields["works_with"], forms.ModelChoiceField)
        self.fields["works_with"].queryset = colleagues
        self.fields["consent_terms"].label = _(
            "I agree to the programme's terms: I can commit to %(commitment)s, and I will keep "
            "what my partner shares in confidence."
        ) % {"commitment": programme.commitment[:1].lower() + programme.commitment[1:]}

        self.questions = questions
        for question in questions:
            name = f"question_{question.pk}"
            if question.kind == Question.Kind.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=question.text,
                    help_text=question.help_text,
                    required=question.required,
                    choices=[(str(c), str(c)) for c in question.choices or []],
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": _("Please choose an answer."),
                        "invalid_choice": _("Choose one of the options given."),
                    },
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    help_text=question.help_text,
                    required=question.required,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    error_messages={"required": _("Please answer this question.")},
                )

    @classmethod
    def initial_from(cls, application: Application) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "motivation": application.motivation,
            "offered_topics": list(application.offered_topics.all()),
            "wanted_topics": list(application.wanted_topics.all()),
            "interests": list(application.interests.all()),
            # Lived experience is the person's own answer (consent app), shared across
            # programmes; the box shows their current consent to matching.
            "lived_experience_consent": consent_selectors.has_consent(
                application.person_id, Purpose.MATCHING
            ),
            "lived_experience_topics": _own_lived_topics(application.person),
            "availability": list(application.availability or []),
            "preferred_times": application.preferred_times,
            "works_with": list(application.works_with.all()),
            "consent_terms": application.consent_terms,
        }
        for answer in application.answers.all():
            initial[f"question_{answer.question_id}"] = answer.value
        return initial

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("lived_experience_topics") and not data.get("lived_experience_consent"):
            self.add_error(
                "lived_experience_topics",
                _(
                    "Tick the agreement above to share these topics, or untick them. We do not "
                    "store lived-experience topics without your agreement."
                ),
            )
        return data

    # Template helpers -----------------------------------------------------------------------

    def error_summary(self) -> list[dict[str, Any]]:
        """Each field error with the id of an element to jump to, for the summary at the top."""
        items: list[dict[str, Any]] = []
        for name, errors in self.errors.items():
            if name == "__all__":
                items.extend({"anchor": "", "label": "", "message": e} for e in errors)
                continue
            field = self.fields[name]
            label: StrOrPromise | None
            if name == "availability":
                anchor, label = "id_availability_mon-am", _("Weekly availability")
            elif name == "works_with":
                anchor, label = "people_q", _("People you work with")
            elif name in ("consent_terms", "lived_experience_consent"):
                anchor = f"id_{name}"
                label = _("Terms") if name == "consent_terms" else _("Lived experience")
            elif isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                anchor, label = f"id_{name}_0", field.label
            else:
                anchor, label = f"id_{name}", field.label
            items.extend({"anchor": anchor, "label": label, "message": e} for e in errors)
        return items

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"question_{q.pk}"] for q in self.questions]

    def availability_rows(self) -> list[dict[str, Any]]:
        selected = {str(v) for v in (self["availability"].value() or [])}
        rows = []
        for day, day_label in DAYS:
            cells = []
            for part, part_label in PARTS:
                value = f"{day}-{part}"
                cells.append(
                    {
                        "value": value,
                        "label": part_label,
                        "full_label": f"{day_label} {str(part_label).lower()}",
                        "checked": value in selected,
                        "id": f"id_availability_{value}",
                    }
                )
            rows.append({"label": day_label, "cells": cells})
        return rows

    def selected_colleagues(self) -> list[Person]:
        raw = self["works_with"].value() or []
        # Posted ids can be anything: keep those that can be ids (2**70 would crash the query).
        ids = valid_ids(getattr(value, "pk", value) for value in raw)
        if not ids:
            return []
        works_with = self.fields["works_with"]
        assert isinstance(works_with, forms.ModelChoiceField)
        assert works_with.queryset is not None
        return list(works_with.queryset.filter(pk__in=ids).select_related("department"))

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "motivation": data["motivation"],
            "consent_terms": data["consent_terms"],
            "offered_topics": data.get("offered_topics") or [],
            "wanted_topics": data.get("wanted_topics") or [],
            "interests": data.get("interests") or [],
            "lived_experience_topics": data.get("lived_experience_topics") or [],
            # None when the form did not ask (a mentee, or the programme's switch is off).
            "lived_experience_consent": data.get("lived_experience_consent", False)
            if "lived_experience_consent" in self.fields
            else None,
            "availability": data.get("availability") or [],
            "preferred_times": data.get("preferred_times", ""),
            "works_with": data.get("works_with") or [],
            "answers": {q.pk: data.get(f"question_{q.pk}", "") for q in self.questions},
        }


def _own_lived_topics(person: Person) -> list[int]:
    about = consent_selectors.about_you(person)
    return about.lived_topic_ids() if about is not None else []


class DecisionForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Status.ACCEPTED, _("Accept")),
            (Status.WAITLISTED, _("Put on the waiting list")),
            (Status.DECLINED, _("Decline")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    reason = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The applicant reads this on their application page and in the email. Required when "
            "declining: thank them, explain kindly, and say what they could do next."
        ),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen only by the programme team."),
    )
    allow_overfill = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == Status.DECLINED and not (data.get("reason") or "").strip():
            self.add_error(
                "reason",
                _(
                    "Write a short, kind message explaining the decision; the applicant will read it."
                ),
            )
        return data


class ReviewFilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=_("Any department"),
    )
    level = forms.ModelChoiceField(
        label=_("Level"), required=False, queryset=Level.objects.none(), empty_label=_("Any level")
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = programme.organisation_id
        assert isinstance(self.fields["department"], forms.ModelChoiceField)
        assert isinstance(self.fields["level"], forms.ModelChoiceField)
        self.fields["department"].queryset = Department.objects.filter(organisation_id=org)
        self.fields["level"].queryset = Level.objects.filter(organisation_id=org)

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one is reported on the form and ignored."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


BULK_ACTIONS = {
    f"{scope}:{decision}": (scope, decision)
    for scope in ("selected", "matching")
    for decision in (Status.ACCEPTED, Status.WAITLISTED, Status.DECLINED)
}


class BulkDecisionForm(Form):
    """A bulk decision: on the ticked applications of a page, or on all matching the filter.

    The filter itself travels beside it (ReviewFilterForm's fields) and is applied again on the
    server; `fingerprint` is the set the manager was shown, so a changed set is refused."""

    action = forms.ChoiceField(
        choices=[(key, key) for key in BULK_ACTIONS],
        error_messages={
            "required": _("Choose what to do with the applications."),
            "invalid_choice": _("Choose accept, waiting list or decline."),
        },
    )
    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _("Some of the ticked applications are not in this programme."),
            "invalid_pk_value": _("Some of the ticked applications are not in this programme."),
        },
    )
    reason = forms.CharField(
        label=_("Message to every applicant declined"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Each applicant reads this on their application page and in their email. Thank "
            "them, explain kindly, and say what they could do next. It is the same for everyone, "
            "so do not name anyone."
        ),
    )
    allow_overfill = forms.BooleanField(
        label=_("Accept them even though it goes beyond the places"), required=False
    )
    fingerprint = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.fields["applications"], forms.ModelChoiceField)
        self.fields["applications"].queryset = Application.objects.filter(programme=programme)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.scope == "selected" and not data.get("applications"):
            self.add_error(
                "applications",
                _("Tick at least one application, or choose all applications matching the filter."),
            )
        return data

    @property
    def scope(self) -> str:
        return BULK_ACTIONS.get(self.cleaned_data.get("action") or "", ("", ""))[0]

    @property
    def decision(self) -> str:
        return BULK_ACTIONS.get(self.cleaned_data.get("action") or "", ("", ""))[1]


class InviteFilterForm(ReviewFilterForm):
    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, programme=programme, **kwargs)
        del self.fields["role"]
        del self.fields["status"]


class InviteForm(Form):
    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        error_messages={
            "required": _("Tick at least one person to invite."),
            "invalid_choice": _("Choose people from your organisation's directory."),
            "invalid_pk_value": _("Choose people from your organisation's directory."),
        },
    )
    role = forms.ChoiceField(
        label=_("Invite them as"),
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether to invite them as mentors or as mentees."),
            "invalid_choice": _("Choose mentor or mentee."),
        },
    )
    message = forms.CharField(
        label=_("Personal message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Added to the invitation email. Say why you thought of them."),
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.fields["people"], forms.ModelChoiceField)
        self.fields["people"].queryset = Person.objects.filter(
            organisation_id=programme.organisation_id
        )
