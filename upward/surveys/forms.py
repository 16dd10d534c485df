from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.core.forms import Form
from upward.surveys.library import SurveyTemplate
from upward.surveys.models import (
    SCALE_RANGES,
    Audience,
    Question,
    QuestionKind,
    Timing,
)


class TemplateChoiceForm(Form):
    template = forms.ChoiceField(
        label=_("Ready-made survey"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a ready-made survey.")},
    )

    def __init__(self, *args: Any, templates: list[SurveyTemplate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [  # type: ignore[attr-defined]
            (
                t.key,
                f"{t.title} — {Timing(t.timing).label}, {Audience(t.audience).label.lower()}, "
                f"{len(t.items)} " + str(_("questions")),
            )
            for t in templates
        ]


class SurveyForm(Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why you ask and how the answers are used. Shown above the questions."),
    )
    timing = forms.ChoiceField(label=_("When it is due"), choices=Timing.choices)
    audience = forms.ChoiceField(label=_("Who answers"), choices=Audience.choices)
    is_anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        initial=True,
        help_text=_(
            "Recommended. Nobody, including the programme team, can see who gave an answer; "
            "start and end answers still pair up so change can be measured."
        ),
    )


class QuestionForm(Form):
    text = forms.CharField(label=_("Question"), max_length=300)
    kind = forms.ChoiceField(label=_("Answer type"), choices=QuestionKind.choices)
    item_key = forms.SlugField(
        label=_("Item key"),
        max_length=60,
        required=False,
        help_text=_(
            "Use the same key for the same question in the start and end surveys so answers "
            "can be compared, e.g. confidence-race. Letters, numbers and hyphens."
        ),
    )
    help_text = forms.CharField(label=_("Hint"), max_length=300, required=False)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For “choose one” and “choose any” questions: one option per line."),
    )
    labels = forms.CharField(
        label=_("Scale labels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For 1 to 5 scales: five labels, lowest first, one per line. Leave empty for "
            "“Strongly disagree” to “Strongly agree”."
        ),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        return {
            "text": question.text,
            "kind": question.kind,
            "item_key": question.item_key,
            "help_text": question.help_text,
            "choices": "\n".join(question.choices or []),
            "labels": "\n".join(question.labels or []),
            "required": question.required,
        }

    def lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get(name, "").splitlines()]


class SuccessMeasureForm(Form):
    item_key = forms.ChoiceField(
        label=_("Survey question that measures the objective"),
        required=False,
        help_text=_(
            "An agreement question asked at the start and again later. Its change becomes the "
            "programme's headline result."
        ),
    )

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item_key"].choices = [("", _("Not chosen yet"))] + [  # type: ignore[attr-defined]
            (key, f"{text} ({key})") for key, text in items
        ]


class AnswerForm(Form):
    """One field per question ("q<id>"); a retrospective question has two ("q<id>_before",
    "q<id>_now")."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            name = f"q{q.pk}"
            required_message = _("This question needs an answer.")
            if q.kind in (QuestionKind.LIKERT, QuestionKind.SCALE):
                low, high = SCALE_RANGES[q.kind]
                self.fields[name] = forms.ChoiceField(
                    label=q.text,
                    help_text=q.help_text,
                    required=q.required,
                    choices=_scale_choices(q),
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                    error_messages={
                        "required": required_message,
                        "invalid_choice": _("Choose a whole number from %(low)s to %(high)s.")
                        % {"low": low, "high": high},
                    },
                )
            elif q.kind == QuestionKind.RETROSPECTIVE:
                for part, label in (
                    ("before", _("Before the programme")),
                    ("now", _("Now")),
                ):
                    self.fields[f"{name}_{part}"] = forms.ChoiceField(
                        label=f"{q.text} — {label}",
                        help_text=_(
                            "Looking back (a retrospective question): rate how you would have "
                            "answered before the programme, and how you would answer now."
                        )
                        if part == "before"
                        else "",
                        required=q.required,
                        choices=_scale_choices(q),
                        widget=forms.RadioSelect(attrs={"class": "scale"}),
                        error_messages={
                            "required": required_message,
                            "invalid_choice": _("Choose a whole number from 1 to 5."),
                        },
                    )
            elif q.kind == QuestionKind.SINGLE:
                self.fields[name] = forms.ChoiceField(
                    label=q.text,
                    help_text=q.help_text,
                    required=q.required,
                    choices=[(c, c) for c in q.choices],
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": required_message,
                        "invalid_choice": _("Choose one of the options given."),
                    },
                )
            elif q.kind == QuestionKind.MULTIPLE:
                self.fields[name] = forms.MultipleChoiceField(
                    label=q.text,
                    help_text=q.help_text,
                    required=q.required,
                    choices=[(c, c) for c in q.choices],
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={
                        "required": _("Choose at least one option."),
                        "invalid_choice": _("Choose only from the options given."),
                    },
                )
            else:
                self.fields[name] = forms.CharField(
                    label=q.text,
                    help_text=q.help_text,
                    required=q.required,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    error_messages={"required": required_message},
                )

    def raw_answers(self) -> dict[int, Any]:
        data = self.cleaned_data
        found: dict[int, Any] = {}
        for q in self.questions:
            if q.kind == QuestionKind.RETROSPECTIVE:
                found[q.pk] = (data.get(f"q{q.pk}_before"), data.get(f"q{q.pk}_now"))
            else:
                found[q.pk] = data.get(f"q{q.pk}")
        return found

    def field_for(self, name: str | None) -> str | None:
        if name in self.fields:
            return name
        if name and f"{name}_now" in self.fields:
            return f"{name}_now"
        return None


def _scale_choices(q: Question) -> list[tuple[str, str]]:
    if q.kind == QuestionKind.SCALE:
        return [(str(n), str(n)) for n in range(0, 11)]
    return [(str(n), f"{n} · {label}") for n, label in enumerate(q.scale_labels(), start=1)]
