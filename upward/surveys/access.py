"""Who may see which survey. Every lookup answers 404 for "missing" and "not yours"."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from upward.organisations.access import person_for
from upward.programmes.access import access_programme_for_manager
from upward.surveys import selectors
from upward.surveys.models import Question, Survey


def access_survey_for_manager(user: Any, programme_id: int, survey_id: int) -> Survey:
    programme = access_programme_for_manager(user, programme_id)
    try:
        survey = Survey.objects.get(pk=survey_id, programme=programme)
    except Survey.DoesNotExist as exc:
        raise Http404("No such survey.") from exc
    survey.programme = programme
    return survey


def access_question_for_manager(
    user: Any, programme_id: int, survey_id: int, question_id: int
) -> Question:
    survey = access_survey_for_manager(user, programme_id, survey_id)
    try:
        question = Question.objects.get(pk=question_id, survey=survey)
    except Question.DoesNotExist as exc:
        raise Http404("No such question.") from exc
    question.survey = survey
    return question


def access_survey_occasion(user: Any, survey_id: int, occasion: str = "") -> selectors.DueSurvey:
    """The survey as open to this participant today (answered or not); 404 for anyone else,
    and outside the survey's window."""
    person = person_for(user)
    if person is None:
        raise Http404("No such survey.")
    for due in selectors.survey_occasions(person):
        if due.survey.pk == survey_id and due.occasion == occasion:
            return due
    raise Http404("No such survey.")
