"""Test helpers for recruitment: build applications through the services."""

from __future__ import annotations

from typing import Any

from upward.programmes.models import Programme, Question, State
from upward.programmes.services import transition_programme
from upward.recruitment import services
from upward.recruitment.models import Application


def open_recruitment(programme: Programme, **changes: Any) -> Programme:
    """Set the programme's design (`changes`), then open recruitment through its service."""
    if changes:
        Programme.objects.filter(pk=programme.pk).update(**changes)
        programme.refresh_from_db()
    transition_programme(programme, to=State.RECRUITING, by=None)
    programme.refresh_from_db()
    return programme


def application_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "motivation": "I want to help leaders feel at home with data.",
        "consent_terms": True,
    }
    data.update(overrides)
    return data


def apply(programme: Programme, person: Any, role: str = "mentor", **overrides: Any) -> Application:
    return services.submit_application(
        programme, person, role=role, by=person.user, **application_data(**overrides)
    )


def question(programme: Programme, **kwargs: Any) -> Question:
    kwargs.setdefault("text", "What would success look like for you?")
    return Question.objects.create(programme=programme, **kwargs)
