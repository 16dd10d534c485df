"""Answers to signals from the apps below pairing. Each receiver calls one service."""

from __future__ import annotations

from typing import Any

from upward.core.types import Actor
from upward.organisations.models import Person
from upward.pairing.services import withdraw_open_proposals
from upward.pairing.services.leavers import end_pairings_of_leaver
from upward.recruitment.models import Application


def withdraw_proposals_of_withdrawn_application(
    sender: Any, *, application: Application, by: Actor, **kwargs: Any
) -> None:
    withdraw_open_proposals(application.programme, person=application.person, by=by)


def end_pairings_of_person_who_left(
    sender: Any, *, person: Person, by: Actor, **kwargs: Any
) -> None:
    end_pairings_of_leaver(person, by=by)
