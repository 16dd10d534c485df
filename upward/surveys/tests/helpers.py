"""Test data for surveys: participants with accepted applications, surveys opened from the
library, and answers given through the service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from upward.organisations.models import Person
from upward.programmes.models import Programme
from upward.surveys import selectors, services
from upward.surveys.models import Question, Survey
from upward.testing.factories import level, person_with_account
from upward.testing.workspace import accept

# world.programme runs 11 January to 9 July 2027.
START_DAY = dt.date(2027, 1, 12)
END_DAY = dt.date(2027, 7, 1)
START_MOMENT = "2027-01-12 10:00:00+00:00"
END_MOMENT = "2027-07-01 10:00:00+00:00"


def participants(
    programme: Programme, count: int, *, role: str, prefix: str, department: Any = None
) -> list[Person]:
    people = []
    for i in range(count):
        person = person_with_account(
            organisation=programme.organisation,
            full_name=f"{prefix} {i}",
            email=f"{prefix.lower().replace(' ', '.')}{i}@northwind.test",
            level=level(programme.organisation, 2 if role == "mentor" else 8),
            department=department,
        )
        accept(programme, person, role)
        people.append(person)
    return people


def open_template(programme: Programme, key: str, *, by: Any = None) -> Survey:
    survey = services.create_survey_from_template(programme, template_key=key, by=by)
    return services.open_survey(survey, by=by)


def question(survey: Survey, item_key: str) -> Question:
    return survey.questions.get(item_key=item_key)


def full_answers(survey: Survey, **by_key: Any) -> dict[int, Any]:
    """Answers for every required question: numbers default to 3, choices to the first."""
    answers: dict[int, Any] = {}
    for q in survey.questions.all():
        value = by_key.get(q.item_key.replace("-", "_"))
        if value is None:
            if q.kind in ("likert",):
                value = 3
            elif q.kind == "scale":
                value = 7
            elif q.kind == "retrospective":
                value = (2, 4)
            elif q.kind == "single":
                value = q.choices[0]
            elif q.kind == "multiple":
                value = [q.choices[0]]
            else:
                value = ""
        answers[q.pk] = value
    return answers


def answer(survey: Survey, person: Person, *, today: dt.date, occasion: str = "", **by_key: Any):  # type: ignore[no-untyped-def]
    due = next(
        d
        for d in selectors.survey_occasions(person, today=today)
        if d.survey.pk == survey.pk and d.occasion == occasion
    )
    return services.submit_response(due, person=person, answers=full_answers(survey, **by_key))


def settle(*surveys: Survey) -> None:
    """Write every anonymous answer still waiting, as closing the survey would."""
    for survey in surveys:
        services.write_pending_answers(survey, everything=True)
