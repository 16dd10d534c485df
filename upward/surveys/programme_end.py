"""The end survey when a programme is completed (registered with programmes/lifecycle.py).

Its window counts from the day the programme actually ended (Programme.ended_on), so it is
open at once even when the programme ends early or late. A draft end survey with questions
is opened; one with no questions stays a draft, and the confirmation page says so.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.core.types import Actor
from upward.programmes.models import Programme
from upward.surveys.models import Survey, SurveyState, Timing
from upward.surveys.selectors import survey_audience
from upward.surveys.services import open_survey


def _end_surveys(programme: Programme) -> list[Survey]:
    return list(
        Survey.objects.filter(
            programme=programme,
            timing=Timing.END,
            state__in=[SurveyState.DRAFT, SurveyState.OPEN],
        ).order_by("pk")
    )


def _audience_size(survey: Survey) -> int:
    # The same people the survey will ask: accepted participants still with the organisation.
    return survey_audience(survey).count()


def completion_consequences(programme: Programme) -> list[str]:
    surveys = _end_surveys(programme)
    if not surveys:
        return [
            _(
                "There is no end survey to open. Add one under Surveys first if you want to "
                "measure what changed."
            )
        ]
    lines = []
    for survey in surveys:
        if survey.state == SurveyState.DRAFT and not survey.questions.exists():
            lines.append(
                _("The end survey “%(title)s” has no questions yet, so it stays a draft.")
                % {"title": survey.title}
            )
            continue
        n = _audience_size(survey)
        lines.append(
            ngettext(
                "The end survey “%(title)s” opens for %(n)s person.",
                "The end survey “%(title)s” opens for %(n)s people.",
                n,
            )
            % {"title": survey.title, "n": n}
        )
    return lines


def open_end_surveys(programme: Programme, by: Actor) -> None:
    for survey in _end_surveys(programme):
        if survey.state == SurveyState.DRAFT and survey.questions.exists():
            open_survey(survey, by=by)
