"""Answers to signals from the apps below the journey. Each receiver calls one service."""

from __future__ import annotations

from typing import Any

from upward.core.types import Actor
from upward.journey.services.closing import cancel_future_meetings
from upward.pairing.models import Pairing


def cancel_meetings_of_closed_pairing(
    sender: Any, *, pairing: Pairing, by: Actor, **kwargs: Any
) -> None:
    cancel_future_meetings(pairing, by=by)
