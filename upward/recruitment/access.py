"""Who may see which application. "Missing" and "not yours" both answer 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from upward.organisations.access import require_person
from upward.organisations.models import Person
from upward.programmes.access import access_programme_by_token, access_programme_for_manager
from upward.programmes.models import Programme
from upward.recruitment.models import Application, Invitation
from upward.recruitment.selectors import application_detail_queryset


def access_own_application(user: Any, application_id: int) -> Application:
    person = require_person(user)
    try:
        return application_detail_queryset().get(pk=application_id, person=person)
    except Application.DoesNotExist as exc:
        raise Http404("No such application.") from exc


def access_application_for_manager(
    user: Any, programme_id: int, application_id: int
) -> tuple[Programme, Application]:
    programme = access_programme_for_manager(user, programme_id)
    try:
        application = application_detail_queryset().get(pk=application_id, programme=programme)
    except Application.DoesNotExist as exc:
        raise Http404("No such application.") from exc
    return programme, application


def access_programme_for_applicant(token: str, person: Person) -> Programme:
    """The programme behind a sign-up link, for a person of the same organisation only."""
    programme = access_programme_by_token(token)
    if programme.organisation_id != person.organisation_id:
        raise Http404("No such programme.")
    return programme


def access_own_invitation(user: Any, token: str) -> Invitation:
    person = require_person(user)
    try:
        return Invitation.objects.select_related("programme").get(token=token, person=person)
    except Invitation.DoesNotExist as exc:
        raise Http404("No such invitation.") from exc
