from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from matching import CRITERIA, Weights
from upward.core.forms import Form
from upward.organisations.models import Person
from upward.pairing.models import ChoiceOption, Choosers, MatchingMode, MatchRule, MatchRun
from upward.pairing.selectors import CRITERION_HELP, CRITERION_LABELS, MatchSettings, ordinal


class RunForm(Form):
    """The engine's knobs: mode, hard rules and the weight of each criterion."""

    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=MatchRun.Mode.choices,
        widget=forms.RadioSelect,
        initial=MatchRun.Mode.OPTIMAL,
        help_text=_(
            "Optimal makes the total of all pair scores as high as possible. Fair first makes "
            "the weakest pair as good as possible, then the next weakest, and so on."
        ),
    )
    min_level_gap = forms.IntegerField(
        label=_("Minimum level gap"),
        min_value=0,
        max_value=10,
        initial=1,
        help_text=_("How many levels below the mentee the mentor must be, at least."),
    )
    exclude_same_team = forms.BooleanField(
        label=_("Never pair people from the same team"), required=False, initial=True
    )
    capacity = forms.IntegerField(
        label=_("Mentees per mentor"),
        min_value=1,
        max_value=10,
        initial=1,
        help_text=_("How many mentees one mentor may have in this programme."),
    )
    max_concurrent = forms.IntegerField(
        label=_("Most pairings per mentor across programmes"),
        min_value=1,
        max_value=20,
        initial=2,
        help_text=_("Protects mentors' time: live pairings in every programme count."),
    )
    respond_days = forms.IntegerField(
        label=_("Days to answer a proposal"),
        min_value=1,
        max_value=60,
        initial=7,
        help_text=_("Each person gets one reminder two days before the deadline."),
    )
    matching_mode = forms.ChoiceField(
        label=_("Who decides the pairs"),
        choices=MatchingMode.choices,
        widget=forms.RadioSelect,
        initial=MatchingMode.MANAGER,
        help_text=_(
            "When participants choose, each chooser sees the partners the engine recommends "
            "for them, with the reasons, and ranks the ones they would like. The engine then "
            "resolves everyone's choices together; you still review and publish the result."
        ),
    )
    who_chooses = forms.ChoiceField(
        label=_("Who chooses"),
        choices=Choosers.choices,
        widget=forms.RadioSelect,
        initial=Choosers.MENTEES,
        help_text=_(
            "The other side is still matched on its profile, and its hard rules always apply."
        ),
    )
    shortlist_size = forms.IntegerField(
        label=_("Recommendations each person sees"),
        min_value=2,
        max_value=20,
        initial=5,
        help_text=_("Only pairs that pass every hard rule are recommended. Usually 5."),
    )
    max_ranked = forms.IntegerField(
        label=_("How many they may rank"),
        min_value=1,
        max_value=10,
        initial=3,
        help_text=_(
            "At most the number of recommendations. Usually 3: enough choice without "
            "promising anyone a particular person."
        ),
    )
    related_credit = forms.FloatField(
        label=_("Credit for a related topic"),
        min_value=0,
        max_value=1,
        help_text=_(
            "0 to 1: how much a broader or narrower topic counts compared with the same one."
        ),
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )

    def __init__(
        self, *args: Any, weights: Weights, settings: MatchSettings, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in CRITERIA:
            self.fields[f"w_{name}"] = forms.FloatField(
                label=CRITERION_LABELS[name],
                min_value=0,
                max_value=100,
                help_text=CRITERION_HELP[name],
                widget=forms.NumberInput(attrs={"step": "0.5"}),
            )
        if not self.is_bound:
            for name in CRITERIA:
                self.initial[f"w_{name}"] = getattr(weights, name)
            self.initial["related_credit"] = weights.related_credit
            self.initial.update(dataclasses.asdict(settings))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        shortlist, ranked = data.get("shortlist_size"), data.get("max_ranked")
        if isinstance(shortlist, int) and isinstance(ranked, int) and ranked > shortlist:
            self.add_error(
                "max_ranked",
                _("People cannot rank more partners than they are shown (%(n)s).")
                % {"n": shortlist},
            )
        return data

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"w_{name}"] for name in CRITERIA] + [self["related_credit"]]

    def choice_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("shortlist_size", "max_ranked")]

    def rule_fields(self) -> list[forms.BoundField]:
        return [
            self[n]
            for n in (
                "min_level_gap",
                "exclude_same_team",
                "capacity",
                "max_concurrent",
                "respond_days",
            )
        ]

    def weights(self) -> dict[str, float]:
        data = {name: self.cleaned_data[f"w_{name}"] for name in CRITERIA}
        data["related_credit"] = self.cleaned_data["related_credit"]
        return data

    def settings(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in MatchSettings.__dataclass_fields__}


def _person_choices(people: Iterable[Person]) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(p.pk), p.full_name) for p in people]


class RuleForm(Form):
    kind = forms.ChoiceField(label=_("Rule"), choices=MatchRule.Kind.choices)
    mentee = forms.ChoiceField(
        label=_("Mentee"),
        error_messages={
            "invalid_choice": _("Choose a mentee from the list."),
            "required": _("Choose a mentee."),
        },
    )
    mentor = forms.ChoiceField(
        label=_("Mentor"),
        error_messages={
            "invalid_choice": _("Choose a mentor from the list."),
            "required": _("Choose a mentor."),
        },
    )

    def __init__(
        self, *args: Any, mentees: Iterable[Person], mentors: Iterable[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["mentee"]).choices = _person_choices(mentees)
        cast(forms.ChoiceField, self.fields["mentor"]).choices = _person_choices(mentors)


class SwapForm(Form):
    mentee_a = forms.ChoiceField(
        label=_("First mentee"),
        error_messages={
            "invalid_choice": _("Choose a mentee paired in this run."),
            "required": _("Choose the first mentee."),
        },
    )
    mentee_b = forms.ChoiceField(
        label=_("Second mentee"),
        error_messages={
            "invalid_choice": _("Choose a mentee paired in this run."),
            "required": _("Choose the second mentee."),
        },
    )

    def __init__(self, *args: Any, mentees: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = list(mentees)
        cast(forms.ChoiceField, self.fields["mentee_a"]).choices = _person_choices(people)
        cast(forms.ChoiceField, self.fields["mentee_b"]).choices = _person_choices(people)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mentee_a") and data.get("mentee_a") == data.get("mentee_b"):
            raise forms.ValidationError(_("Choose two different mentees to swap."))
        return data


class EndForm(Form):
    reason = forms.CharField(
        label=_("Why does the pairing end?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("Only the programme team sees this. The pair are told it has ended, not why."),
    )


class ChoiceRoundForm(Form):
    closes_at = forms.DateTimeField(
        label=_("Rankings close at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "Participants can change their ranking until then. You can also close the round "
            "earlier. Each chooser who has not ranked gets one reminder two days before."
        ),
    )


class RankingForm(Form):
    """One select per recommended partner: not ranked, 1st, 2nd, … up to `max_ranked`."""

    def __init__(
        self, *args: Any, options: Iterable[ChoiceOption], max_ranked: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.options = list(options)
        choices = [("", _("Not ranked"))] + [
            (str(r), _("%(rank)s choice") % {"rank": ordinal(r)}) for r in range(1, max_ranked + 1)
        ]
        for option in self.options:
            name = f"rank_{option.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=_("Your choice for %(name)s") % {"name": option.partner.full_name},
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={"invalid_choice": _("Choose a rank from the list.")},
            )
            if not self.is_bound and option.rank:
                self.initial[name] = str(option.rank)

    def field_for(self, option: ChoiceOption) -> forms.BoundField:
        return self[f"rank_{option.pk}"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ranked: dict[int, ChoiceOption] = {}
        for option in self.options:
            rank = data.get(f"rank_{option.pk}")
            if rank is None:
                continue
            if rank in ranked:
                raise forms.ValidationError(
                    _("You gave your %(rank)s choice to two people. Give each rank once.")
                    % {"rank": ordinal(rank)}
                )
            ranked[rank] = option
        if ranked and sorted(ranked) != list(range(1, len(ranked) + 1)):
            raise forms.ValidationError(
                _("Number your choices from the 1st, without gaps (1st, 2nd, 3rd…).")
            )
        data["ranking"] = [ranked[r].partner_id for r in sorted(ranked)]
        return data
