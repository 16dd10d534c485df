"""Answers to signals from the apps below pairing. Each receiver calls one service."""

from __future__ import annotations

from typing import Any

from upward.core.types import Actor
from upward.pairing.services import withdraw_open_proposals
from upward.recruitment.models import Application


def withdraw_proposals_of_withdrawn_application(
    sender: Any, *, application: Application, by: Actor, **kwargs: Any
) -> None:
    withdraw_open_proposals(application.programme, person=application.person, by=by)
