"""The "About you" form: every question optional, each with "Prefer not to say"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.consent.categories import (
    CATEGORIES,
    LIVED_EXPERIENCE,
    LIVED_EXPERIENCE_LABEL,
    SHAREABLE,
)
from upward.consent.models import AboutYou
from upward.core.forms import Form
from upward.organisations.models import Person, Topic

NOT_ANSWERED = _("No answer")
OPTION_ERROR = _("“%(value)s” is not one of the options. Choose one from the list, or leave it.")


class AboutYouForm(Form):
    lived_prefer_not = forms.BooleanField(
        required=False, label=_("Prefer not to say (lived experience)")
    )
    shared_with_partner = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Share with my partner"),
        help_text=_(
            "Off unless you tick it. Your partner sees only the items you tick here, and only "
            "while you are paired. Nobody else in your programme sees them."
        ),
        error_messages={"invalid_choice": _("“%(value)s” is not something you can share.")},
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in CATEGORIES:
            self.fields[category.key] = forms.ChoiceField(
                label=category.label,
                required=False,
                choices=[("", NOT_ANSWERED), *category.choices()],
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": OPTION_ERROR},
            )
        topics = Topic.objects.filter(
            organisation_id=person.organisation_id, kind=Topic.Kind.EXPERIENCE
        ).order_by("name")
        self.fields[LIVED_EXPERIENCE] = forms.ModelMultipleChoiceField(
            queryset=topics,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=LIVED_EXPERIENCE_LABEL,
            help_text=_("Experiences you have lived through that you are willing to note here."),
            error_messages={
                "invalid_choice": _("One of the chosen topics is not in the list."),
                "invalid_pk_value": _("“%(pk)s” is not a topic in the list."),
            },
        )
        labels = {c.key: c.label for c in CATEGORIES} | {LIVED_EXPERIENCE: LIVED_EXPERIENCE_LABEL}
        share = self.fields["shared_with_partner"]
        assert isinstance(share, forms.MultipleChoiceField)
        share.choices = [(key, labels[key]) for key in SHAREABLE]
        # Order: the questions, then lived experience, then sharing.
        order = [c.key for c in CATEGORIES] + [
            LIVED_EXPERIENCE,
            "lived_prefer_not",
            "shared_with_partner",
        ]
        self.order_fields(order)

    @staticmethod
    def initial_from(about: AboutYou | None) -> dict[str, Any]:
        if about is None:
            return {}
        initial: dict[str, Any] = {c.key: about.value(c.key) for c in CATEGORIES}
        initial[LIVED_EXPERIENCE] = about.lived_topic_ids()
        initial["lived_prefer_not"] = about.lived_prefer_not
        initial["shared_with_partner"] = list(about.shared_with_partner or [])
        return initial

    def category_fields(self) -> list[forms.BoundField]:
        return [self[c.key] for c in CATEGORIES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get(LIVED_EXPERIENCE) and data.get("lived_prefer_not"):
            self.add_error(
                LIVED_EXPERIENCE, _("Choose some topics or “Prefer not to say”, not both.")
            )
        return data
