from __future__ import annotations

import datetime as dt
from typing import Any

from upward.journey.models import Event, EventResponse, Meeting
from upward.pairing.models import Pairing, PairingState, PairingStateChange
from upward.programmes.models import Programme


def meeting(
    pairing: Pairing, when: dt.datetime, *, status: str = "held", minutes: int | None = 60
) -> Meeting:
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=when,
        duration_minutes=60,
        ends_at=when + dt.timedelta(minutes=60),
        organiser=pairing.mentee,
        status=status,
        actual_minutes=minutes if status == "held" else None,
    )


def event(
    programme: Programme,
    when: dt.datetime,
    *,
    minutes: int = 90,
    attended: list[Any] = (),  # type: ignore[assignment]
    cancelled: bool = False,
    title: str = "Kick-off for mentors",
) -> Event:
    ev = Event.objects.create(
        programme=programme,
        title=title,
        starts_at=when,
        duration_minutes=minutes,
        ends_at=when + dt.timedelta(minutes=minutes),
        cancelled_at=when if cancelled else None,
    )
    for person in attended:
        EventResponse.objects.create(event=ev, person=person, answer="yes", attended=True)
    return ev


def complete(pairing: Pairing) -> Pairing:
    PairingStateChange.objects.create(
        pairing=pairing, from_state=PairingState.ACTIVE, to_state=PairingState.COMPLETED
    )
    Pairing.objects.filter(pk=pairing.pk).update(state=PairingState.COMPLETED)
    pairing.refresh_from_db()
    return pairing


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)
