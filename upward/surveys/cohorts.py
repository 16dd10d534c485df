"""The surveys' part of the next cohort (see upward/programmes/cohorts.py): every survey's
title, introduction, timing, audience and questions, and which item measures success. The
copies start as drafts; submissions and answers stay with the cohort that gave them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from upward.core.types import Actor
from upward.programmes.cohorts import register_cohort_copier
from upward.programmes.models import Programme
from upward.surveys.models import Question, SuccessMeasure, Survey, SurveyState


def _count(source: Programme) -> int:
    return Survey.objects.filter(programme=source).count()


def _copy(source: Programme, target: Programme, by: Actor) -> int:
    user = by if getattr(by, "is_authenticated", False) else None
    surveys = list(Survey.objects.filter(programme=source).prefetch_related("questions"))
    for survey in surveys:
        copy = Survey.objects.create(
            programme=target,
            title=survey.title,
            intro=survey.intro,
            timing=survey.timing,
            audience=survey.audience,
            is_anonymous=survey.is_anonymous,
            state=SurveyState.DRAFT,
            template_key=survey.template_key,
            created_by=user,
        )
        Question.objects.bulk_create(
            Question(
                survey=copy,
                position=q.position,
                item_key=q.item_key,
                text=q.text,
                help_text=q.help_text,
                kind=q.kind,
                labels=list(q.labels or []),
                choices=list(q.choices or []),
                required=q.required,
            )
            for q in survey.questions.all()
        )
    measure = SuccessMeasure.objects.filter(programme=source).first()
    if measure is not None:
        SuccessMeasure.objects.create(programme=target, item_key=measure.item_key, set_by=user)
    return len(surveys)


def register() -> None:
    register_cohort_copier(
        "surveys",
        gettext_lazy("Surveys (questions, timing and audience; no answers)"),
        count=_count,
        copy=_copy,
        order=30,
    )
