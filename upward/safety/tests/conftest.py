from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from upward.journey.models import Meeting, MeetingStatus
from upward.pairing.models import Pairing
from upward.testing.pairs import Pairs, build_pairs

# Inside the programme's dates (11 Jan – 9 Jul 2027).
NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pairs(world, clock) -> Pairs:  # type: ignore[no-untyped-def]
    # Twenty days in: old enough for the safety checks that count days without a meeting.
    return build_pairs(world, since=timezone.now() - dt.timedelta(days=20))


def meeting(pairing: Pairing, *, days_ago: float, status: str = MeetingStatus.HELD) -> Meeting:
    """A meeting `days_ago` days before now (negative: in the future), stored directly."""
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=starts,
        duration_minutes=60,
        ends_at=starts + dt.timedelta(minutes=60),
        organiser=pairing.mentee,
        status=status,
        actual_minutes=60 if status == MeetingStatus.HELD else None,
        marked_at=timezone.now() if status in (MeetingStatus.HELD, MeetingStatus.MISSED) else None,
    )
